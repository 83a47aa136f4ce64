"""wagk: a reproducible compendium for chapters 7-10 of Menger (2018).

The working alliance between probation officers and their mandated clients, measured with the
Monitor Werkalliantie in Gedwongen Kader (WA-GK), recomputed from item-level data.

Modules
-------
paths      every location the compendium reads or writes
codebook   items, the monitor definition and its variants
io         reading one table (CSV, Parquet, SPSS .sav) with a column mapping
contract   the data contract: validation, linking, the funnel, `load_study`
scoring    scale scores, totals, change scores, dyad differences
ledger     tidy result rows in the published schema
published  the thesis's published numbers (comparison and calibration code only)
compare    computed against published, with the tolerances of tolerances.yml
cfa        confirmatory factor analysis by ML with FIML for missing items; multi-group invariance
pca        principal components of (pairwise) correlations with varimax, canonical sign and order
reliability  Cronbach's alpha, alpha if item deleted, alpha optimisation, omega with bootstrap CI
audit      statcheck-style checks of the thesis's own printed statistics
runner     executes the chapter notebooks (papermill) and records run_status.json
book       builds the Jupyter Book: placeholders, computing pages, strict build
report     the reproduction report's tables for the book (filterable HTML)
sample     chapter 6: the description of the sample and its tests, computed from a dataset
colophon   package versions, commit and data hashes of a build
groups     group differences: MANOVA, ANOVA, t-tests, chi-square, clustered comparisons
association  Pearson and Spearman correlations, Fisher-z and officer-cluster bootstrap intervals
logistic   SPSS-style forward stepwise logistic regression, R2, separation, selection stability
rsa        response surface analysis of client-officer (dis)agreement
privacy    real-data mode: small-cell suppression, no row-level output, binned scatterplots
manifest   SHA-256 of every input and output of a run (build/results/manifest.json)
testing    the malformed-data corpus and the canary dataset (test material made by code)
background   background variables (background.yml), derived variables, the per-client analysis frame
motivation   the SMS scored on four dimensions
outcomes     no_show and formal_action from the officer's answers; the outcome tables of ch. 8-10
perspective  chapters 8 and 9: alliance by background, experiences, problems and motivation
selection  the item selection of Appendix 1 (t-tests, correlations, criteria a-d, logistic step)
measurement  chapter 7's alpha steps and beyond: omega, measurement invariance, ceiling effects
diagrams   path diagrams of a factor model drawn from its specification (Figures 7.1, 7.2)
layout     tables in the thesis's layout (r with stars, M (SD)) from ledger rows
scores     the scale scores chapter 7 hands to chapters 8-10 (write, load)
dyadic     chapter 10 beyond the thesis: response surfaces, selection stability beside the lasso, clustered agreement
relations  chapters 8-9: every test the thesis ran (MANOVA first), officer clustering, FDR, figure inputs
result_tables  chapters 8-10: display tables in the thesis's layout from ledger and test rows
"""

__version__ = "0.1.0"
