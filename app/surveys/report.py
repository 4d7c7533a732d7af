"""A survey's report (§7.2 统计分析): response rate, 满意率 and means per question and overall, the 95%
interval of each mean, free texts, and the improvement records kept with it. The arithmetic is
``scoring.surveys``; this module reads the rows and applies the withholding rule:

on an anonymous survey a question answered fewer than 5 times shows no counts, mean, rate, interval or
texts (``null``), and the survey's overall 满意率 is withheld while it rests on fewer than 5 responses.
Overall 满意率 = satisfied answers ÷ valid answers over all likert5 questions, pooled — those whose
breakdown is shown (a withheld question's answers would otherwise be the difference).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import zip_longest

from scoring import surveys as stats

from . import operations as ops
from .models import Survey
from .settings import Effective, settings_of


@dataclass
class QuestionReport:
    index: int
    text: str
    type: str
    multiple: bool
    answered: int
    withheld: bool
    counts: dict[str, int] | None = None
    mean: float | None = None
    sd: float | None = None
    ci95: tuple[float, float] | None = None
    satisfied: int | None = None
    satisfaction_rate: float | None = None
    below_target: bool = False
    texts: list[str] | None = None


@dataclass
class SurveyReport:
    survey: Survey
    settings: Effective
    invited: int
    responses: int
    response_rate: float | None
    satisfaction_rate: float | None
    overall_withheld: bool
    below_target: bool
    questions: list[QuestionReport] = field(default_factory=list)


def build(survey: Survey) -> SurveyReport:
    settings = settings_of(survey.center_id)
    invited, responded = ops.counts(survey)
    answers = ops.responses_of(survey)
    responses = len(answers)
    questions, likerts = [], []
    columns = list(zip_longest(*answers))  # one tuple per question, None where a response is shorter
    for index, question in enumerate(survey.questions):
        column = columns[index] if index < len(columns) else (None,) * responses
        questions.append(_question(survey, index, question, column, settings, likerts))
    overall_withheld = stats.withheld(survey.anonymous, responses)
    rate = None if overall_withheld else stats.overall_rate(likerts)
    return SurveyReport(
        survey=survey,
        settings=settings,
        invited=invited,
        responses=responses,
        response_rate=stats.ratio(responses, invited),
        satisfaction_rate=rate,
        overall_withheld=overall_withheld,
        below_target=stats.below_target(rate, settings.target_rate),
        questions=questions,
    )


def _question(survey: Survey, index: int, question: dict, column: tuple, settings: Effective, likerts: list):
    kind = question["type"]
    answered = len(column) - column.count(None) - column.count([])  # an empty multiple choice is no answer
    report = QuestionReport(
        index=index,
        text=question["text"],
        type=kind,
        multiple=bool(question.get("multiple")),
        answered=answered,
        withheld=stats.withheld(survey.anonymous, answered),
    )
    if kind == "likert5":
        summary = stats.likert_summary(column, settings.satisfied_levels)
        if not report.withheld:  # a withheld question stays out of the overall rate too (else it could be derived)
            likerts.append(summary)
            report.counts = summary.counts
            report.mean, report.sd, report.ci95 = summary.mean, summary.sd, summary.ci95
            report.satisfied, report.satisfaction_rate = summary.satisfied, summary.satisfaction_rate
            report.below_target = stats.below_target(summary.satisfaction_rate, settings.target_rate)
    elif kind == "choice":
        if not report.withheld:
            report.counts, _ = stats.choice_counts(column, question["options"])
    elif not report.withheld:
        report.texts = sorted(a for a in column if a)  # sorted by text: no arrival order
    return report


@dataclass
class ComparisonRow:
    survey: Survey
    responses: int
    response_rate: float | None
    satisfaction_rate: float | None
    below_target: bool


def comparison(surveys: list[Survey]) -> tuple[list[ComparisonRow], Effective | None]:
    """The center's surveys by opening date with their overall 满意率 (the comparison over time, §7.2
    持续改进): one row per survey, oldest first."""
    rows = []
    for survey in sorted(surveys, key=lambda s: (s.opens, s.id)):
        built = build(survey)
        rows.append(
            ComparisonRow(survey, built.responses, built.response_rate, built.satisfaction_rate, built.below_target)
        )
    return rows, (settings_of(surveys[0].center_id) if surveys else None)
