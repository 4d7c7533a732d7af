"""Rater agreement of a panel (考评一致性): ICC(A,1), Kendall's W, each grader's severity and consistency.

Pure: numpy/scipy only. ``scores`` is a 2-D array-like, one row per candidate (the targets / the
objects ranked), one column per panel member (the raters / judges), complete rows only: the caller
drops candidates lacking a member's sheet. Every figure is a plain ``float``, or ``None`` when it
cannot be computed (contract v1.1 "Rater agreement": fewer than 2 complete candidates, zero
variance). Panels are odd and at least 3 (1.9.3 of 3-01-01-04: "考评人员为3人以上单数，每位考生由不少于
3名考评员评分"; 3-01-04-03: "考评人员为3人（含）以上单数"), yet nothing here depends on that.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.stats import rankdata

from scoring.correlation import pearson

# The documented rule for "a grader far from their panel" (flag_graders): on the 100-point scale of
# 1.9.2 (百分制), a grader whose totals sit on average more than 5 points above or below the panel's
# mean for the same candidates, or whose totals correlate below 0.3 with the mean of the others.
SEVERITY_LIMIT = 5.0
CONSISTENCY_LIMIT = 0.3
RULE = (
    f"对同一批考生，平均比小组均值偏严或偏宽超过{SEVERITY_LIMIT:g}分，"
    f"或与其他考评员均分的相关系数低于{CONSISTENCY_LIMIT:g}的考评员标记为偏离小组"
)


def _matrix(scores) -> np.ndarray:
    matrix = np.asarray(scores, dtype=float)
    if matrix.size == 0:
        return matrix.reshape(0, 0 if matrix.ndim < 2 else matrix.shape[-1])
    if matrix.ndim != 2:
        raise ValueError("scores: a 2-D table (candidates × graders) is needed")
    if not np.all(np.isfinite(matrix)):
        raise ValueError("scores: complete rows of finite numbers only")
    return matrix


def mean_squares(scores) -> tuple[float, float, float]:
    """The two-way ANOVA mean squares (MSR candidates, MSC graders, MSE residual) of a complete table
    with at least 2 rows and 2 columns; Shrout & Fleiss (1979) call them BMS, JMS and EMS."""
    x = _matrix(scores)
    n, k = x.shape
    grand = x.mean()
    ss_rows = k * float(((x.mean(axis=1) - grand) ** 2).sum())
    ss_cols = n * float(((x.mean(axis=0) - grand) ** 2).sum())
    ss_error = max(float(((x - grand) ** 2).sum()) - ss_rows - ss_cols, 0.0)
    return ss_rows / (n - 1), ss_cols / (k - 1), ss_error / ((n - 1) * (k - 1))


def _two_way(scores) -> tuple[int, int, float, float, float] | None:
    x = _matrix(scores)
    if x.ndim != 2 or x.shape[0] < 2 or x.shape[1] < 2:
        return None
    return (*x.shape, *mean_squares(x))


def icc_a1(scores) -> float | None:
    """ICC(A,1), two-way random effects, absolute agreement, single rater (McGraw & Wong 1996 case 2A;
    Shrout & Fleiss 1979 ICC(2,1)).

    With n candidates, k graders and the mean squares MSR, MSC, MSE (``mean_squares``):
    ``(MSR − MSE) / (MSR + (k − 1)·MSE + k·(MSC − MSE)/n)``. None for fewer than 2 candidates or
    graders, or when the denominator is 0 (no variance at all).
    """
    anova = _two_way(scores)
    if anova is None:
        return None
    n, k, msr, msc, mse = anova
    denominator = msr + (k - 1) * mse + k * (msc - mse) / n
    if math.isclose(denominator, 0.0, abs_tol=1e-12):
        return None
    return float((msr - mse) / denominator)


def icc_c1(scores) -> float | None:
    """ICC(C,1), consistency, single rater (Shrout & Fleiss ICC(3,1)): ``(MSR − MSE) / (MSR + (k − 1)·MSE)``.

    Not part of the contract; kept beside icc_a1 as its sanity check (grader offsets do not count).
    """
    anova = _two_way(scores)
    if anova is None:
        return None
    _, k, msr, _, mse = anova
    denominator = msr + (k - 1) * mse
    if math.isclose(denominator, 0.0, abs_tol=1e-12):
        return None
    return float((msr - mse) / denominator)


def kendall_w(scores) -> float | None:
    """Kendall's coefficient of concordance W with the correction for ties, as R ``irr::kendall(correct=TRUE)``.

    The candidates (n rows) are the objects, the graders (m columns) the judges. Each grader's
    totals are ranked, ties sharing the mean rank; R_i is a candidate's rank sum, S = Σ(R_i − R̄)²,
    and for every group of t tied totals of one grader T = t³ − t. Then
    ``W = 12·S / (m²·(n³ − n) − m·ΣT)``. None for fewer than 2 candidates or graders, or when the
    denominator is 0 (every grader gave every candidate the same total).
    """
    x = _matrix(scores)
    if x.ndim != 2 or x.shape[0] < 2 or x.shape[1] < 2:
        return None
    n, m = x.shape
    ranks = np.column_stack([rankdata(x[:, j]) for j in range(m)])
    rank_sums = ranks.sum(axis=1)
    s = float(((rank_sums - rank_sums.mean()) ** 2).sum())
    ties = 0
    for j in range(m):
        _, counts = np.unique(x[:, j], return_counts=True)
        ties += int(sum(t**3 - t for t in counts.tolist()))
    denominator = m * m * (n**3 - n) - m * ties
    if denominator <= 0:
        return None
    return float(12 * s / denominator)


def severity(scores) -> list[float | None]:
    """Per grader: the mean over the candidates of (their total − the panel's mean total for that candidate).

    Negative for a harsh grader, positive for a lenient one; the figures of a panel sum to 0. All
    None with fewer than 2 complete candidates (contract v1.1: such a figure is null).
    """
    x = _matrix(scores)
    if x.ndim != 2:
        return []
    if x.shape[0] < 2:
        return [None] * x.shape[1]
    deviations = x - x.mean(axis=1, keepdims=True)
    return [float(value) for value in deviations.mean(axis=0)]


def consistency(scores) -> list[float | None]:
    """Per grader: Pearson r of their totals with the mean of the OTHER members' totals per candidate.

    None when there are fewer than 2 candidates, no other member, or either side has zero variance.
    """
    x = _matrix(scores)
    if x.ndim != 2:
        return []
    n, k = x.shape
    if k < 2:
        return [None] * k
    row_sums = x.sum(axis=1)
    return [pearson(x[:, j], (row_sums - x[:, j]) / (k - 1)) for j in range(k)]


def flag_graders(
    scores,
    severity_limit: float = SEVERITY_LIMIT,
    consistency_limit: float = CONSISTENCY_LIMIT,
) -> list[bool]:
    """Graders far from their panel, by the rule in ``RULE``: |severity| > severity_limit points, or a
    consistency below consistency_limit. A figure that cannot be computed (None) flags nothing."""
    flags = []
    for sev, con in zip(severity(scores), consistency(scores), strict=True):
        far = sev is not None and abs(sev) > severity_limit
        loose = con is not None and con < consistency_limit
        flags.append(far or loose)
    return flags


def panel_agreement(scores, graders: int | None = None) -> dict:
    """Every figure of one panel: {"candidates", "icc", "kendall_w", "severity", "consistency",
    "flagged", "rule"}; the lists follow the columns (graders) of ``scores``.

    ``graders`` (the panel's size) keeps the lists one entry per member when no candidate is
    complete and ``scores`` is an empty list.
    """
    x = _matrix(scores)
    if x.shape[0] == 0 and graders is not None:
        x = x.reshape(0, graders)
    return {
        "candidates": int(x.shape[0]) if x.ndim == 2 else 0,
        "icc": icc_a1(x),
        "kendall_w": kendall_w(x),
        "severity": severity(x),
        "consistency": consistency(x),
        "flagged": flag_graders(x),
        "rule": RULE,
    }


def spread(totals: Sequence[float]) -> float:
    """max − min of one candidate's totals from the panel members (issue 9 item 3: the sheet's spread)."""
    values = [float(value) for value in totals]
    if not values:
        raise ValueError("totals: at least one grader's total is needed")
    return max(values) - min(values)
