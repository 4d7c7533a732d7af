"""Item and test statistics of theory papers (试卷与试题分析), pure numpy (contract v1.1 "Test statistics").

``earned`` is an attempts × items matrix of the points each attempt earned on each item of one
paper (form), unanswered = 0; ``max_points`` the points of each item. An item's score in an attempt
is earned ÷ its points.

- facility: the mean item score (Moodle's facility index);
- discrimination: Pearson r of the item score with the rest of the attempt's points (the attempt's
  points minus that item's), Moodle's discrimination index; None when either has no variance;
- per form: mean and sample SD (n − 1) of the scores out of 100, Cronbach's alpha of the item points
  (equal to KR-20 for one-point items);
- flags and alpha bands as Moodle's statistics report documents them: facility above 0.95 or below
  0.2, discrimination below 0.2; alpha below 0.64 unsatisfactory, from 0.75 satisfactory.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

from scoring.correlation import pearson
from scoring.results import component_passed

TOO_EASY = 0.95
TOO_HARD = 0.2
LOW_DISCRIMINATION = 0.2
ALPHA_UNSATISFACTORY_BELOW = 0.64
ALPHA_SATISFACTORY_FROM = 0.75

FLAG_LABELS = {
    "too_easy": "过易（通过率高于0.95）",
    "too_hard": "过难（通过率低于0.2）",
    "low_discrimination": "区分度低（低于0.2）",
}
ALPHA_LABELS = {
    "unsatisfactory": "信度不足（α低于0.64）",
    "acceptable": "信度可接受（α 0.64–0.75）",
    "satisfactory": "信度良好（α不低于0.75）",
}
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_EPS = 1e-12


def _table(earned, max_points) -> tuple[np.ndarray, np.ndarray]:
    points = np.asarray(max_points, dtype=float).reshape(-1)
    matrix = np.asarray(earned, dtype=float)
    if matrix.size == 0:
        matrix = matrix.reshape(0, len(points))
    if matrix.ndim != 2 or matrix.shape[1] != len(points):
        raise ValueError("earned: one column per item of max_points is needed")
    if np.any(points <= 0):
        raise ValueError("max_points: every item has positive points")
    if np.any(matrix < 0) or np.any(matrix > points + _EPS) or not np.all(np.isfinite(matrix)):
        raise ValueError("earned: points between 0 and the item's points")
    return matrix, points


def cronbach_alpha(earned, max_points) -> float | None:
    """k/(k − 1) · (1 − Σ var(item points) / var(attempt points)), sample variances throughout
    (the ratio is the same with population ones, so this is KR-20 for one-point items). None for
    fewer than 2 items or 2 attempts, or when the attempts' totals do not vary."""
    matrix, _ = _table(earned, max_points)
    n, k = matrix.shape
    if n < 2 or k < 2:
        return None
    total_var = float(matrix.sum(axis=1).var(ddof=1))
    if total_var <= _EPS:
        return None
    item_var = float(matrix.var(axis=0, ddof=1).sum())
    return float(k / (k - 1) * (1 - item_var / total_var))


def form_statistics(earned, max_points) -> dict:
    """{"attempts", "mean", "sd", "alpha"} of one form: mean and sample SD of the scores out of 100
    (earned sum × 100 / points sum); None where not computable (mean of 0 attempts, SD of fewer than 2)."""
    matrix, points = _table(earned, max_points)
    n = matrix.shape[0]
    scores = matrix.sum(axis=1) * 100 / points.sum() if len(points) else np.zeros(n)
    return {
        "attempts": int(n),
        "mean": float(scores.mean()) if n else None,
        "sd": float(scores.std(ddof=1)) if n >= 2 else None,
        "alpha": cronbach_alpha(matrix, points),
    }


def item_statistics(forms: Sequence[tuple[Sequence[Hashable], object, Sequence[float]]]) -> dict[Hashable, dict]:
    """Per item, pooled over every attempt whose paper (form) holds it: {"responses", "facility",
    "discrimination"}. ``forms``: (item_ids, earned matrix, max_points) per paper. Items keep the
    order of their first appearance."""
    scores: dict[Hashable, list[np.ndarray]] = {}
    rests: dict[Hashable, list[np.ndarray]] = {}
    for item_ids, earned, max_points in forms:
        matrix, points = _table(earned, max_points)
        if len(item_ids) != len(points):
            raise ValueError("item_ids: one per column of the earned matrix")
        totals = matrix.sum(axis=1)
        for j, item_id in enumerate(item_ids):
            scores.setdefault(item_id, []).append(matrix[:, j] / points[j])
            rests.setdefault(item_id, []).append(totals - matrix[:, j])
    result: dict[Hashable, dict] = {}
    for item_id, parts in scores.items():
        item_scores = np.concatenate(parts)
        rest = np.concatenate(rests[item_id])
        responses = len(item_scores)
        result[item_id] = {
            "responses": responses,
            "facility": float(item_scores.mean()) if responses else None,
            "discrimination": pearson(item_scores, rest),
        }
    return result


def option_rates(choices: Sequence[None | str | Sequence[str]], n_options: int) -> list[float]:
    """Share of the attempts choosing each option letter A, B, … (a multiple-choice answer counts
    for each letter it holds; unanswered attempts count in the denominator). 0.0 for every option
    when there are no attempts."""
    counts = [0] * n_options
    for choice in choices:
        if choice is None:
            continue
        letters = {choice} if isinstance(choice, str) else set(choice)
        for letter in letters:
            index = LETTERS.find(letter) if isinstance(letter, str) and len(letter) == 1 else -1
            if not 0 <= index < n_options:
                raise ValueError(f"choices: {letter!r} is not one of the {n_options} options")
            counts[index] += 1
    total = len(choices)
    return [count / total if total else 0.0 for count in counts]


def item_flags(facility: float | None, discrimination: float | None) -> list[str]:
    """Codes among "too_easy" (facility > 0.95), "too_hard" (< 0.2), "low_discrimination" (< 0.2);
    a figure that cannot be computed (None) raises no flag. Labels in ``FLAG_LABELS``."""
    flags = []
    if facility is not None and facility > TOO_EASY:
        flags.append("too_easy")
    if facility is not None and facility < TOO_HARD:
        flags.append("too_hard")
    if discrimination is not None and discrimination < LOW_DISCRIMINATION:
        flags.append("low_discrimination")
    return flags


def alpha_band(alpha: float | None) -> str | None:
    """ "unsatisfactory" below 0.64, "satisfactory" from 0.75, "acceptable" between; None for None."""
    if alpha is None:
        return None
    if alpha < ALPHA_UNSATISFACTORY_BELOW:
        return "unsatisfactory"
    if alpha >= ALPHA_SATISFACTORY_FROM:
        return "satisfactory"
    return "acceptable"


def pass_rate(scores: Sequence[float | None]) -> float | None:
    """Share of passes among the candidates with a final result in one component (contract v1.1
    "pass_rates"): one entry per such candidate, None (缺考 / 违纪) counting as a fail, the pass as
    1.9.2 (``results.component_passed``). None when there is nobody."""
    if not scores:
        return None
    return sum(1 for score in scores if component_passed(score)) / len(scores)
