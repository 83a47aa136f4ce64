"""SMS scoring (wagk.motivation): the item key and the mean-of-items rule, by hand."""

import numpy as np
import pandas as pd
import pytest

from wagk import motivation


def test_key_follows_the_sims_dimensions():
    key = motivation.sms_key()
    assert key == {
        "sms_intrinsic": ("sms_01", "sms_02"),
        "sms_identified": ("sms_03", "sms_08", "sms_10"),
        "sms_external": ("sms_04", "sms_05", "sms_07", "sms_12"),
        "sms_amotivation": ("sms_06", "sms_09", "sms_11"),
    }


def _answers(**over):
    row = {f"sms_{i:02d}": float(i % 7 + 1) for i in range(1, 13)}
    row.update(over)
    return pd.DataFrame([row], index=["C1"])


def test_scores_are_item_means():
    s = motivation.score_sms(_answers()).iloc[0]
    # sms_01..12 answered i % 7 + 1: 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5, 6
    assert s["sms_intrinsic"] == pytest.approx((2 + 3) / 2)
    assert s["sms_identified"] == pytest.approx((4 + 2 + 4) / 3)
    assert s["sms_external"] == pytest.approx((5 + 6 + 1 + 6) / 4)
    assert s["sms_amotivation"] == pytest.approx((7 + 3 + 5) / 3)


def test_more_than_half_missing_gives_no_score():
    s = motivation.score_sms(_answers(sms_01=np.nan)).iloc[0]
    assert s["sms_intrinsic"] == 3.0                      # 1 of 2 missing: not more than half
    s = motivation.score_sms(_answers(sms_01=np.nan, sms_02=np.nan)).iloc[0]
    assert np.isnan(s["sms_intrinsic"])
    s = motivation.score_sms(_answers(sms_03=np.nan, sms_08=np.nan)).iloc[0]
    assert np.isnan(s["sms_identified"])                  # 2 of 3 missing
    s = motivation.score_sms(_answers(sms_04=np.nan, sms_05=np.nan)).iloc[0]
    assert s["sms_external"] == pytest.approx((1 + 6) / 2)  # 2 of 4: exactly half


def test_missing_item_column_is_an_error_and_change_is_wave2_minus_wave1():
    with pytest.raises(KeyError, match="sms_05"):
        motivation.score_sms(_answers().drop(columns="sms_05"))
    w1 = motivation.score_sms(pd.concat([_answers(), _answers().rename(index={"C1": "C2"})]))
    w2 = motivation.score_sms(_answers(sms_01=7.0, sms_02=7.0))
    ch = motivation.sms_change(w1, w2)
    assert list(ch.index) == ["C1"] and ch.loc["C1", "sms_intrinsic"] == pytest.approx(7 - 2.5)
