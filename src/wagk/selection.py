"""Item selection of the WA-GK (Appendix 1, section 1): from the item pool to the selected items.

The thesis selected the monitor's items by their relation with the outcomes before it looked
for factors. Three steps, each computed here from the data:

Step 1, first selection (significant relations)
    For every item, in each of the four datasets (clients and officers, waves 1 and 2): a
    t-test of the item between the cases with and without each of the four outcomes
    (``no_show``, ``formal_action``, ``dropout``, ``early_help``; p < .05), and Pearson's r of
    the item with the grade and with the officer-reported rise in risk at wave 2
    (``risk_increased``; p < .05). An item passes when at least one test is significant.
Step 2, four consecutive criteria
    In a dataset an item *differentiates* when its t-test is significant on at least two
    outcomes, and *correlates* when its r with the grade or with the rise in risk is
    significant.

    a. differentiates in both perspectives at both waves (all four datasets);
    b. otherwise: differentiates at both waves of one perspective;
    c. otherwise: differentiates in both perspectives at one wave;
    d. otherwise: the client-minus-officer difference of the item differentiates at a wave
       (differences of the same dyad; "correlates" then uses the rise in risk and the
       difference of the two grades).

    The thesis requires the correlation too, but marks three items that passed without it
    ("a" in its Table 1: differentiates on two outcomes, no correlation). Those items were
    kept, so by default (``require_correlation=False``) the correlation decides the mark, not
    the pass: ``X`` with the correlation, ``Xa`` without it.
Step 3, relative strength (logistic regression)
    For the items passing step 2, per dataset and outcome: a forward stepwise logistic
    regression over all of them (:func:`wagk.logistic.forward_stepwise`, SPSS's FSTEP), whose
    step-0 score tests are the one-item (simple) regressions. The thesis dropped the items
    whose "strength of relation was low compared with the other items" without a numeric
    rule, and also ran the multiple regressions per original subscale, which are not repeated
    here. Here an item passes when its one-item test is significant (p < .05) in at least
    ``min_hits`` dataset-outcome pairs, or a stepwise regression selects it.

The later steps of Appendix 1 Table 1 (PCA, SEM) are the analyses of the fixed model in
chapter 7; :func:`table1` places the codebook's final membership beside the computed steps.

Missing variables
-----------------
The outcomes come from the registry (dropout, early_help) and from the officers' wave-2 answers
(no_show and formal_action, derived by :func:`wagk.outcomes.derive_outcomes`); the rise in risk
is the officers' wave-2 item ``out_risk_increased`` (:data:`SOURCES`). When a dataset lacks
some of them, the tests that need them are not run and every step that depends on them is
*partial* or *pending*: :func:`select` says which variables are missing and :func:`table1`
shows "pending" instead of a verdict. Nothing is filled in. Only fully computed steps give the
counts the thesis prints (:func:`ledger_rows`); without the rise in risk, step 1 is partial
(an item might pass by that correlation alone) while steps 2 and 3 are not affected (the
correlation only decides the mark X or Xa).

References
----------
DeVellis, R. F. (2012). *Scale development: Theory and applications* (3rd ed.), 73-114.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from wagk import codebook

OUTCOMES = ("no_show", "formal_action", "dropout", "early_help")
RISK = "risk_increased"
DERIVED = "derived"
#: Where each criterion variable is looked up, first match wins: (table, column). ``derived``:
#: computed from the officer's wave-2 answers by :func:`wagk.outcomes.derive_outcomes`
#: (no_show from out_late and out_no_show, formal_action from the three formal-action questions).
SOURCES: dict[str, tuple[tuple[str, str], ...]] = {
    "no_show": (("po_w2", DERIVED), ("registry", "no_show"), ("po_w2", "no_show")),
    "formal_action": (("po_w2", DERIVED), ("registry", "formal_action"), ("po_w2", "formal_action")),
    "dropout": (("registry", "dropout"),),
    "early_help": (("registry", "early_help"),),
    RISK: (("po_w2", "out_risk_increased"), ("po_w2", "risk_increased")),
}
#: instruments whose items form the selection pool (the questionnaire items about the alliance)
POOL_INSTRUMENTS = ("WAI-SF-OV", "DRI-R", "MD", "MD-PO")
DATASETS = ("client_w1", "client_w2", "po_w1", "po_w2")
DIFF_DATASETS = ("diff_w1", "diff_w2")
#: short names of the datasets in Table 1: C clients, O officers, D client-minus-officer differences
SHORT_NAMES = {"client_w1": "C1", "client_w2": "C2", "po_w1": "O1", "po_w2": "O2", "diff_w1": "D1", "diff_w2": "D2"}
ALPHA = 0.05

PENDING = "pending"


# ----------------------------------------------------------------------------- inputs

@dataclass
class Criteria:
    """The outcomes and the rise in risk, per client, with what is missing."""

    frame: pd.DataFrame  # index client_id; columns: the available criterion variables
    available: list
    missing: list
    sources: dict = field(default_factory=dict)  # variable -> "table.column"

    @property
    def outcomes(self) -> list[str]:
        return [o for o in OUTCOMES if o in self.available]

    @property
    def has_risk(self) -> bool:
        return RISK in self.available


def criteria(study) -> Criteria:
    """Collect the criterion variables of :data:`SOURCES` from a :class:`wagk.contract.Study`.

    Outcomes must be 0/1 and the rise in risk 1-7; other values raise ``ValueError`` naming the
    table, the column and how many rows (not which ids: the message may reach a report).
    """
    from wagk.outcomes import NO_SHOW_ITEMS, FORMAL_ITEMS, derive_outcomes

    derived = pd.DataFrame()
    if study.has("po_w2"):
        derived = derive_outcomes(study.tables["po_w2"].set_index("client_id"))
    made_from = {"no_show": NO_SHOW_ITEMS, "formal_action": FORMAL_ITEMS}
    cols, sources = {}, {}
    for var, places in SOURCES.items():
        for table, column in places:
            if column == DERIVED:
                if var not in derived.columns:
                    continue
                cols[var] = derived[var].astype(float)
                sources[var] = f"{table}: {' + '.join(made_from[var])}"
                break
            if not study.has(table) or column not in study.tables[table].columns:
                continue
            frame = study.tables[table].set_index("client_id")
            values = pd.to_numeric(frame[column], errors="coerce")
            bad = values.isna() & frame[column].notna() & (frame[column].astype(str).str.strip() != "")
            allowed = {0.0, 1.0} if var in OUTCOMES else set(map(float, range(codebook.ITEM_MIN, codebook.ITEM_MAX + 1)))
            bad |= values.notna() & ~values.isin(allowed)
            if bad.any():
                where = ", ".join(str(int(i) + 2) for i in np.flatnonzero(bad.to_numpy())[:10])
                raise ValueError(f"{table}.{column} ({var}): {int(bad.sum())} value(s) outside {sorted(allowed)} "
                                 f"(data rows {where} counting the header as line 1)")
            cols[var] = values.astype(float)
            sources[var] = f"{table}.{column}"
            break
    frame = pd.DataFrame(cols)
    frame.index.name = "client_id"
    available = [v for v in SOURCES if v in cols]
    return Criteria(frame=frame, available=available, missing=[v for v in SOURCES if v not in cols],
                    sources=sources)


def item_pool(perspective: str, items: pd.DataFrame | None = None) -> list[str]:
    """The items of the selection pool a perspective answers (fielded WAI, DRI-R, MD, MD-PO items)."""
    items = codebook.load_items() if items is None else items
    cols = codebook.questionnaire_items(perspective, items)
    return [c for c in cols if c != "grade" and items.loc[c, "instrument"] in POOL_INSTRUMENTS]


def datasets(samples: Mapping[tuple[str, int], pd.DataFrame], crit: Criteria) -> dict[str, pd.DataFrame]:
    """The four questionnaires plus the two client-minus-officer difference sets, with criteria joined.

    Each frame holds the pool items, ``grade`` and the available criterion variables, indexed
    by client_id. The difference sets hold the parallel items and the grade as client minus
    officer for the dyads answered on both sides.
    """
    out = {}
    meta = codebook.load_items()
    pools = {p: item_pool(p, meta) for p in codebook.PERSPECTIVES}
    parallel = [i for i in pools["client"] if i in pools["po"]]
    for (persp, wave), q in samples.items():
        cols = [c for c in pools[persp] if c in q.columns] + ["grade"]
        out[f"{persp}_w{wave}"] = q[cols].astype(float).join(crit.frame, how="left")
    for wave in codebook.WAVES:
        c, p = samples.get(("client", wave)), samples.get(("po", wave))
        if c is None or p is None:
            continue
        both = c.index.intersection(p.index)
        cols = [i for i in parallel if i in c.columns and i in p.columns] + ["grade"]
        diff = c.loc[both, cols].astype(float) - p.loc[both, cols].astype(float)
        out[f"diff_w{wave}"] = diff.join(crit.frame, how="left")
    return out


# ----------------------------------------------------------------------------- step 1: the tests

def ttests(frame: pd.DataFrame, items: Sequence[str], outcome: str) -> pd.DataFrame:
    """Student's t-test of each item between cases with (1) and without (0) the outcome.

    Vectorised over items with ``scipy.stats.mstats.ttest_ind`` on masked arrays (each item on
    the cases that answered it), about a hundred times faster than one
    :func:`wagk.groups.ttest_ind` call per item, which matters for the ~1,500 tests of step 1.
    Validated against :func:`wagk.groups.ttest_ind` (pooled variance) in tests/test_selection.py.

    Returns
    -------
    DataFrame
        ``item, n, n1`` (cases with the outcome), ``t`` (sign of M(1) - M(0)), ``df, p``,
        ``status`` ("ok" or "not_computed") and ``note``.
    """
    from scipy.stats import mstats

    y = pd.to_numeric(frame[outcome], errors="coerce").to_numpy(dtype=float)
    x = frame[list(items)].to_numpy(dtype=float)
    x1, x0 = x[y == 1], x[y == 0]
    n1 = (~np.isnan(x1)).sum(axis=0)
    n0 = (~np.isnan(x0)).sum(axis=0)
    with np.errstate(all="ignore"):
        res = mstats.ttest_ind(np.ma.masked_invalid(x1), np.ma.masked_invalid(x0), axis=0)
    t = np.ma.filled(np.ma.asarray(res.statistic, dtype=float), np.nan)
    p = np.ma.filled(np.ma.asarray(res.pvalue, dtype=float), np.nan)
    t, p = np.broadcast_to(t, (len(items),)).copy(), np.broadcast_to(p, (len(items),)).copy()
    note = np.where((n1 < 2) | (n0 < 2), "fewer than two cases in a group",
                    np.where(~np.isfinite(t), "no variance within the groups", ""))
    t[note != ""] = np.nan
    p[note != ""] = np.nan
    return pd.DataFrame({"item": list(items), "n": n1 + n0, "n1": n1, "t": t, "df": n1 + n0 - 2.0, "p": p,
                         "status": np.where(note == "", "ok", "not_computed"), "note": note})


def correlations(frame: pd.DataFrame, items: Sequence[str], y: str) -> pd.DataFrame:
    """Pearson's r of each item with ``y``, pairwise (each item on the cases with both values).

    r from the centred sums of each item's complete pairs, all items at once (numpy), and the
    usual t test with n - 2 df for p (as SPSS and :func:`wagk.association.correlation` test
    it): one computation instead of one per item, which matters for the ~400 correlations of
    step 1. Validated against
    :func:`wagk.association.correlation_table` in tests/test_selection.py.

    Returns
    -------
    DataFrame
        ``item, n, r, p, status`` ("ok" or "not_computed": fewer than three pairs or a constant
        variable), ``note``.
    """
    from scipy import stats

    x = frame[list(items)].to_numpy(dtype=float)
    target = pd.to_numeric(frame[y], errors="coerce").to_numpy(dtype=float)
    both = ~np.isnan(x) & ~np.isnan(target)[:, None]
    n = both.sum(axis=0)
    yy = np.broadcast_to(target[:, None], x.shape)
    with np.errstate(all="ignore"):
        dx = np.where(both, x - np.where(both, x, 0.0).sum(axis=0) / n, 0.0)
        dy = np.where(both, yy - np.where(both, yy, 0.0).sum(axis=0) / n, 0.0)
        sxx, syy, sxy = (dx * dx).sum(axis=0), (dy * dy).sum(axis=0), (dx * dy).sum(axis=0)
        r = sxy / np.sqrt(sxx * syy)
    # constant within the pairs: no correlation (exact test, not a rounding-prone variance)
    const_x = np.where(both, x, -np.inf).max(axis=0) == np.where(both, x, np.inf).min(axis=0)
    const_y = np.where(both, yy, -np.inf).max(axis=0) == np.where(both, yy, np.inf).min(axis=0)
    bad = (n < 3) | const_x | const_y
    r = np.where(bad, np.nan, np.clip(r, -1.0, 1.0))
    with np.errstate(all="ignore"):
        t = r * np.sqrt((n - 2) / (1 - r * r))
        p = np.where(np.abs(r) >= 1, 0.0, 2 * stats.t.sf(np.abs(t), n - 2))
    p = np.where(bad, np.nan, p)
    note = np.where(n < 3, "fewer than three complete pairs", np.where(bad, "constant variable", ""))
    return pd.DataFrame({"item": list(items), "n": n, "r": r, "p": p,
                         "status": np.where(bad, "not_computed", "ok"), "note": note})


def item_tests(data: Mapping[str, pd.DataFrame], crit: Criteria, alpha: float = ALPHA) -> pd.DataFrame:
    """Every t-test and correlation of step 1, one row per dataset, item and test.

    Returns
    -------
    DataFrame
        ``dataset, item, test`` ("t:<outcome>", "r:grade", "r:risk_increased"), ``n``
        (cases used), ``n1`` (cases with the outcome; t-tests), ``statistic`` (t, M(1) - M(0)
        direction, or r), ``p``, ``significant`` (p < ``alpha``), ``status, note``.
        Tests of a missing criterion variable are absent (see :class:`Criteria`).

    Notes
    -----
    t-tests by :func:`ttests` (Student, pooled variance); correlations by :func:`correlations`
    (Pearson, pairwise).
    """
    parts = []
    for name, frame in data.items():
        items = [c for c in frame.columns if c not in ("grade",) + OUTCOMES + (RISK,)]
        for outcome in crit.outcomes:
            if frame[outcome].notna().sum() == 0:
                continue
            t = ttests(frame, items, outcome)
            parts.append(pd.DataFrame({"dataset": name, "item": t["item"], "test": f"t:{outcome}",
                                       "n": t["n"], "n1": t["n1"], "statistic": t["t"],
                                       "p": t["p"], "status": t["status"], "note": t["note"]}))
        for y in ["grade"] + ([RISK] if crit.has_risk else []):
            r = correlations(frame, items, y)
            parts.append(pd.DataFrame({"dataset": name, "item": r["item"], "test": f"r:{y}", "n": r["n"],
                                       "n1": np.nan, "statistic": r["r"], "p": r["p"], "status": r["status"],
                                       "note": r["note"]}))
    out = pd.concat(parts, ignore_index=True)
    out["significant"] = out["p"] < alpha
    return out[["dataset", "item", "test", "n", "n1", "statistic", "p", "significant", "status", "note"]]


# ----------------------------------------------------------------------------- step 2: criteria a-d

def dataset_summary(tests: pd.DataFrame) -> pd.DataFrame:
    """Per dataset and item: significant outcomes, significant correlations, differentiates, correlates."""
    is_t = tests["test"].str.startswith("t:")
    sig = tests["significant"].astype(bool)
    t = pd.DataFrame({"dataset": tests["dataset"], "item": tests["item"], "outcomes_sig": (is_t & sig).astype(int),
                      "outcomes_tested": is_t.astype(int), "corr_sig": (~is_t & sig).astype(int),
                      "any_sig": sig})
    out = t.groupby(["dataset", "item"], sort=False).agg(
        outcomes_sig=("outcomes_sig", "sum"), outcomes_tested=("outcomes_tested", "sum"),
        corr_sig=("corr_sig", "sum"), any_sig=("any_sig", "any"))
    out["differentiates"] = out["outcomes_sig"] >= 2
    out["correlates"] = out["corr_sig"] >= 1
    return out.reset_index()


def _criterion(item_rows: pd.DataFrame, require_correlation: bool) -> tuple[str, str, list[str]]:
    """(criterion letter or '', mark 'X'/'Xa'/'', datasets that qualify) for one item."""
    by = item_rows.set_index("dataset")
    diff = set(by.index[by["differentiates"]])
    corr = set(by.index[by["correlates"]])
    options = [
        ("a", [["client_w1", "client_w2", "po_w1", "po_w2"]]),
        ("b", [["client_w1", "client_w2"], ["po_w1", "po_w2"]]),
        ("c", [["client_w1", "po_w1"], ["client_w2", "po_w2"]]),
        ("d", [["diff_w1"], ["diff_w2"]]),
    ]
    for letter, sets in options:
        hits = [s for s in sets if set(s) <= diff]
        if not hits:
            continue
        with_corr = [s for s in hits if set(s) <= corr]
        if with_corr:
            return letter, "X", sorted(set().union(*map(set, with_corr)))
        if not require_correlation:
            return letter, "Xa", sorted(set().union(*map(set, hits)))
    return "", "", []


# ----------------------------------------------------------------------------- step 3: logistic

def logistic_step(data: Mapping[str, pd.DataFrame], items: Sequence[str], crit: Criteria, *,
                  alpha: float = ALPHA, min_hits: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Forward stepwise logistic regression of each outcome on the step-2 items, per dataset.

    One :func:`wagk.logistic.forward_stepwise` per dataset and outcome (SPSS's FSTEP: score
    test for entry, likelihood-ratio test for removal; listwise over all items, as SPSS). Its
    step-0 score tests are the simple (one-item) logistic regressions of each item, the
    "Variables not in the Equation" SPSS prints at block 0; the selected items are the
    multiple regression's.

    Returns
    -------
    simple : DataFrame
        One row per dataset, outcome and item: ``n`` (listwise cases), ``score, p`` of the
        one-item score test, ``selected`` (entered the stepwise model), ``status`` of the fit.
    summary : DataFrame
        One row per item: ``hits`` (one-item tests with p < alpha), ``stepwise_models``
        (stepwise models that selected it), ``passes`` (hits >= min_hits or selected at least
        once).
    """
    from wagk.logistic import forward_stepwise

    rows = []
    for name in DATASETS:
        if name not in data:
            continue
        frame = data[name]
        present = [i for i in items if i in frame.columns]
        if not present:
            continue
        for outcome in crit.outcomes:
            sw = forward_stepwise(frame, outcome, present)
            fit = sw.fit.iloc[0]
            c0 = sw.candidates[sw.candidates["step"] == 0].set_index("variable")
            for item in present:
                rows.append(dict(dataset=name, outcome=outcome, item=item, n=fit["n"],
                                 score=c0["score"].get(item, np.nan), p=c0["p"].get(item, np.nan),
                                 selected=item in sw.selected, status=fit["status"]))
    simple = pd.DataFrame(rows, columns=["dataset", "outcome", "item", "n", "score", "p", "selected", "status"])
    g = simple.assign(sig=simple["p"] < alpha).groupby("item")
    summary = pd.DataFrame({"item": list(items)})
    summary["hits"] = summary["item"].map(g["sig"].sum()).fillna(0).astype(int)
    summary["stepwise_models"] = summary["item"].map(g["selected"].sum()).fillna(0).astype(int)
    summary["passes"] = (summary["hits"] >= min_hits) | (summary["stepwise_models"] > 0)
    return simple, summary


# ----------------------------------------------------------------------------- the whole selection

@dataclass
class Selection:
    """Result of :func:`select`.

    Attributes
    ----------
    items : DataFrame
        One row per pool item: ``item, selection_no, perspectives, step1, criterion``
        ("a"-"d" or ""), ``mark`` ("X", "Xa", ""), ``qualifying`` (datasets), ``step2``,
        ``logistic_hits, stepwise_models, step3``. Steps that could not be computed hold
        ``None`` (pending).
    tests : DataFrame
        Every step-1 test (:func:`item_tests`).
    per_dataset : DataFrame
        :func:`dataset_summary`.
    simple_logistic : DataFrame
        Step 3's simple regressions (empty when pending).
    status : dict
        Step -> "computed", "partial: ..." or "pending: ...".
    criteria : Criteria
    """

    items: pd.DataFrame
    tests: pd.DataFrame
    per_dataset: pd.DataFrame
    simple_logistic: pd.DataFrame
    status: dict
    criteria: Criteria

    def counts(self) -> dict:
        """Items passing each computed step (None for a pending step)."""
        it = self.items
        out = {}
        for step in ("step1", "step2", "step3"):
            out[step] = None if it[step].isna().all() else int(it[step].fillna(False).astype(bool).sum())
        if out["step3"] is not None:
            sel = it[it["step3"].fillna(False).astype(bool)]
            out["step3_parallel"] = int((sel["perspectives"] == "client|po").sum())
            out["step3_po_only"] = int((sel["perspectives"] == "po").sum())
        return out


def select(samples: Mapping[tuple[str, int], pd.DataFrame], crit: Criteria, *, alpha: float = ALPHA,
           require_correlation: bool = False, min_hits: int = 2) -> Selection:
    """Run the three selection steps on the four questionnaires (see the module docstring).

    Parameters
    ----------
    samples : dict
        ``{(perspective, wave): questionnaire}`` indexed by client_id.
    crit : Criteria
        From :func:`criteria`; steps needing absent variables are pending.
    alpha : float
        Significance level of every test (the thesis: .05).
    require_correlation : bool
        Whether step 2 requires the correlation with the grade or the rise in risk (the
        thesis's text) or only marks its absence (the thesis's practice, default).
    min_hits : int
        Step 3: significant one-item logistic tests an item needs (or one stepwise entry).
    """
    data = datasets(samples, crit)
    tests = item_tests(data, crit, alpha)
    per = dataset_summary(tests)
    meta = codebook.load_items()
    pool = list(dict.fromkeys(item_pool("client", meta) + item_pool("po", meta)))
    n_out = len(crit.outcomes)
    status = {}
    missing_out = [o for o in OUTCOMES if o not in crit.outcomes]
    need = missing_out + ([] if crit.has_risk else [RISK])
    if not need:
        status["step1"] = "computed"
    elif n_out == 0 and not crit.has_risk:
        status["step1"] = f"partial: only the correlation with the grade; missing {', '.join(need)}"
    else:
        status["step1"] = f"partial: missing {', '.join(need)}"
    step2_ok = n_out >= 2
    if not step2_ok:
        status["step2"] = f"{PENDING}: needs at least two outcomes; missing {', '.join(missing_out)}"
    elif missing_out:
        status["step2"] = f"partial: outcomes {', '.join(crit.outcomes)} only"
    elif not crit.has_risk and require_correlation:
        status["step2"] = f"partial: the correlation part uses the grade only ({RISK} missing)"
    elif not crit.has_risk:
        status["step2"] = (f"computed; the X/Xa marks use the correlation with the grade only ({RISK} "
                           "missing), which does not decide the pass")
    else:
        status["step2"] = "computed"
    if not step2_ok:
        status["step3"] = f"{PENDING}: needs the outcomes of step 2"
    elif missing_out or status["step2"].startswith("partial"):
        status["step3"] = f"partial: follows step 2 ({status['step2']})"
    else:
        status["step3"] = "computed"

    rows = []
    anysig = per[per["dataset"].isin(DATASETS)].groupby("item")["any_sig"].any()
    for item in pool:
        r = dict(item=item, selection_no=meta.loc[item, "selection_no"], perspectives=meta.loc[item, "perspectives"],
                 step1=bool(anysig.get(item, False)))
        if step2_ok:
            letter, mark, qual = _criterion(per[per["item"] == item], require_correlation)
            r.update(criterion=letter, mark=mark, qualifying=" ".join(qual), step2=bool(letter) and r["step1"])
        else:
            r.update(criterion=None, mark=None, qualifying=None, step2=None)
        rows.append(r)
    items = pd.DataFrame(rows)
    simple = pd.DataFrame(columns=["dataset", "outcome", "item", "n", "score", "p", "selected", "status"])
    if step2_ok:
        chosen = items.loc[items["step2"].astype(bool), "item"].tolist()
        simple, summ = logistic_step(data, chosen, crit, alpha=alpha, min_hits=min_hits)
        s = summ.set_index("item")
        items["logistic_hits"] = items["item"].map(s["hits"])
        items["stepwise_models"] = items["item"].map(s["stepwise_models"])
        items["step3"] = items["item"].map(s["passes"]).where(items["step2"].astype(bool), False)
    else:
        items["logistic_hits"] = np.nan
        items["stepwise_models"] = np.nan
        items["step3"] = None
    return Selection(items=items, tests=tests, per_dataset=per, simple_logistic=simple, status=status, criteria=crit)


# ----------------------------------------------------------------------------- Table 1

def table1(sel: Selection, final: codebook.Monitor, *, only_selected: bool = False) -> pd.DataFrame:
    """Appendix 1 Table 1 computed from the data: which item passes which step.

    Columns: ``No.`` (selection number of the thesis, blank for items it did not select),
    ``item``, ``label``, ``step 1``, ``a``-``d`` (X / Xa), ``datasets`` (where the criterion
    was met, :data:`SHORT_NAMES`: C1 clients wave 1, O2 officers wave 2, D1 differences wave 1,
    ...), ``logistic``, and the codebook's final membership ``client`` / ``officer`` (a
    definition, not a result: the PCA and SEM steps are the analyses of the fixed model).
    Cells of pending steps read "pending".
    """
    meta = codebook.load_items()
    it = sel.items.copy()
    if only_selected:
        keep = it["step2"].fillna(False).astype(bool) | it["selection_no"].notna()
        it = it[keep]
    members = {p: set(final.all_items(p)) for p in codebook.PERSPECTIVES}

    def yes(v, pending_text=PENDING):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return pending_text
        return "X" if bool(v) else ""

    out = pd.DataFrame({
        "No.": it["selection_no"].map(lambda v: "" if pd.isna(v) else str(int(v))),
        "item": it["item"],
        "label": it["item"].map(meta["short_name_en"]),
        "step 1": it["step1"].map(lambda v: "X" if v else ""),
    })
    if sel.status["step1"] != "computed":
        out["step 1"] = out["step 1"].where(out["step 1"] != "", "-")
    for letter in "abcd":
        out[letter] = [PENDING if c is None else (m if c == letter else "") for c, m in zip(it["criterion"], it["mark"])]
    out["datasets"] = it["qualifying"].map(
        lambda v: PENDING if v is None else " ".join(SHORT_NAMES.get(d, d) for d in v.split()))
    out["logistic"] = [yes(v) if s2 is not None else PENDING for v, s2 in zip(it["step3"], it["step2"])]
    out["client"] = it["item"].map(lambda i: "X" if i in members["client"] else "")
    out["officer"] = it["item"].map(lambda i: "X" if i in members["po"] else "")
    order = it["selection_no"].fillna(1000).astype(float).to_numpy()
    out = out.iloc[np.lexsort((np.arange(len(out)), order))]
    return out.reset_index(drop=True)


def status_table(sel: Selection) -> pd.DataFrame:
    """Which step could be computed, and with which variables (shown above Table 1)."""
    crit = sel.criteria
    rows = [dict(step=k, status=v) for k, v in sel.status.items()]
    rows.append(dict(step="variables found", status=", ".join(f"{v} ({crit.sources[v]})" for v in crit.available) or "none"))
    rows.append(dict(step="variables missing", status=", ".join(crit.missing) or "none"))
    return pd.DataFrame(rows)


def ledger_rows(sel: Selection) -> pd.DataFrame:
    """Counts of selected items as ledger rows (Appendix 1 section 1, chapter 7.2), computed steps only."""
    c = sel.counts()
    rows = []

    def add(refs, perspective, variable, value):
        for ref, section in refs:
            rows.append(dict(ref=ref, section=section, perspective=perspective, wave="none", analysis="frequency",
                             variable=variable, group="", statistic="count", value=float(value)))

    if sel.status["step1"] == "computed":
        add([("S7.2a", "7.2"), ("SB1-1b", "B1-1")], "sample", "items_selected_step1", c["step1"])
    if sel.status["step2"].startswith("computed"):
        add([("S7.2b", "7.2"), ("SB1-1c", "B1-1")], "sample", "items_selected_step2", c["step2"])
    if sel.status["step3"].startswith("computed"):
        add([("S7.2c", "7.2"), ("SB1-1d", "B1-1")], "sample", "items_selected_step3_parallel", c["step3_parallel"])
        add([("SB1-1d", "B1-1")], "sample", "items_dropped_step3", c["step2"] - c["step3"])
        add([("S7.2c", "7.2"), ("SB1-1d", "B1-1")], "po", "items_contra_reactance", c["step3_po_only"])
    return pd.DataFrame(rows, columns=["ref", "section", "perspective", "wave", "analysis", "variable", "group",
                                       "statistic", "value"])
