"""Test material made by code: the malformed-data corpus and the canary dataset.

corpus   named variants of a valid dataset, one defect each, with the outcome the data contract
         must give (an error naming file, column and rows, or a counted handling)
canary   a valid dataset whose ids and text carry a marker string, to prove that real-data mode
         prints no row-level data
"""
