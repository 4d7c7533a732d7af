"""Satisfaction survey statistics (满意度测评, T/SSOF 0001-2024 §7.2: 统计分析、问题识别). Pure: plain
answers in, plain numbers out; no Flask, no database.

- The five-level scale (contract v1.2 "Satisfaction surveys"): 非常满意 满意 基本满意 不满意 非常不满意,
  scored 5 … 1 for the mean.
- 满意率 = answers at a satisfied level ÷ valid answers (an unanswered optional question is not a valid
  answer). Which levels are satisfied is the center's setting (default 非常满意 + 满意).
- The 95% confidence interval of the mean uses Student's t with n − 1 degrees of freedom and the sample
  standard deviation (ddof = 1); it needs at least two answers.
- Anonymity threshold: on an anonymous survey a question's breakdown (counts, mean, rate, interval, free
  texts) is withheld below ``MIN_ANONYMOUS`` answers (contract: "withheld (null) below 5 responses").

Nothing is rounded here: rates and means are the exact quotients; pages round for display.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import chain

from scipy import stats

LIKERT_LEVELS: tuple[str, ...] = ("非常满意", "满意", "基本满意", "不满意", "非常不满意")
LIKERT_SCORES: dict[str, int] = {level: 5 - i for i, level in enumerate(LIKERT_LEVELS)}
MIN_ANONYMOUS = 5  # contract v1.2: per-question counts withheld below 5 responses on an anonymous survey
CONFIDENCE = 0.95


@dataclass(frozen=True)
class LikertSummary:
    counts: dict[str, int]
    valid: int  # answers given (the denominator of 满意率)
    satisfied: int
    mean: float | None
    sd: float | None
    ci95: tuple[float, float] | None
    satisfaction_rate: float | None


def satisfied_prefix_ok(levels: Sequence[str]) -> bool:
    """A center's satisfied levels are the top of the scale: 非常满意 alone, 非常满意 + 满意 (the default),
    or 基本满意以上 (some provinces report it); counting 不满意 as satisfied would be absurd."""
    return 1 <= len(levels) <= 3 and list(levels) == list(LIKERT_LEVELS[: len(levels)])


def mean_ci(values: Sequence[float], confidence: float = CONFIDENCE) -> tuple[float, float] | None:
    """The t-interval of the mean (None below two values); a zero spread gives (mean, mean)."""
    n = len(values)
    if n < 2:
        return None
    mean = math.fsum(values) / n
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    return _t_interval(mean, sd, n, confidence)


def _t_interval(mean: float, sd: float, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    if sd == 0:
        return (mean, mean)
    half = float(stats.t.ppf((1 + confidence) / 2, n - 1)) * sd / math.sqrt(n)
    return (mean - half, mean + half)


def likert_summary(answers: Iterable[str | None], satisfied_levels: Iterable[str]) -> LikertSummary:
    """Counts per level (every level listed, zeros too), mean on 5 … 1, its 95% interval and 满意率.

    Everything follows from the five counts: the mean is the exact quotient of integers, and the sum of
    squared deviations is the exact fraction (n·Σs² − (Σs)²) / n, so the standard deviation is rounded
    once, at the end (a report over 10,000 responses no longer walks every score twice: issue 25 item 4)."""
    satisfied_set = set(satisfied_levels)
    tally = Counter(answers)
    tally.pop(None, None)
    for answer in tally:
        if answer not in LIKERT_SCORES:
            raise ValueError(f"not a level of the scale: {answer!r}")
    counts = {level: tally.get(level, 0) for level in LIKERT_LEVELS}
    valid = sum(counts.values())
    satisfied = sum(n for level, n in counts.items() if level in satisfied_set)
    if not valid:
        return LikertSummary(counts, 0, 0, None, None, None, None)
    total = sum(LIKERT_SCORES[level] * n for level, n in counts.items())
    mean = total / valid  # exact quotient of integers
    if valid < 2:
        return LikertSummary(counts, valid, satisfied, mean, None, None, satisfied / valid)
    squares = sum(LIKERT_SCORES[level] ** 2 * n for level, n in counts.items())
    sd = math.sqrt(Fraction(valid * squares - total * total, valid * (valid - 1)))
    return LikertSummary(counts, valid, satisfied, mean, sd, _t_interval(mean, sd, valid), satisfied / valid)


def choice_counts(answers: Iterable[str | list[str] | None], options: Sequence[str]) -> tuple[dict[str, int], int]:
    """Counts per option (a multiple-choice answer counts once for each option chosen) and the number of
    answers given."""
    given = [answer for answer in answers if answer is not None and answer != []]
    chosen = Counter(chain.from_iterable(answer if isinstance(answer, list) else (answer,) for answer in given))
    counts = dict.fromkeys(options, 0)
    for option, n in chosen.items():
        if option not in counts:
            raise ValueError(f"not an option of the question: {option!r}")
        counts[option] = n
    return counts, len(given)


def overall_rate(summaries: Iterable[LikertSummary]) -> float | None:
    """The survey's 满意率: satisfied answers ÷ valid answers over every likert question, pooled (each
    answer weighs the same; a question answered by fewer people weighs less)."""
    satisfied = valid = 0
    for summary in summaries:
        satisfied += summary.satisfied
        valid += summary.valid
    return satisfied / valid if valid else None


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def withheld(anonymous: bool, answered: int) -> bool:
    """Whether a breakdown of ``answered`` answers is withheld (anonymous surveys, below MIN_ANONYMOUS)."""
    return anonymous and answered < MIN_ANONYMOUS


def below_target(rate: float | None, target: float) -> bool:
    """A 满意率 under the center's target (compared exactly, no rounding); an unknown rate is not below."""
    return rate is not None and rate < target
