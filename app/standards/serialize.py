"""The standards' JSON shapes of the contract (GET /api/v1/standards[/<id>])."""

from __future__ import annotations

from .schema import Standard


def _number(value: float | None):
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def standard_summary(standard: Standard) -> dict:
    return {"id": standard.id, "name": standard.name, "levels": standard.level_ids}


def standard_detail(standard: Standard) -> dict:
    rules = standard.assessment
    return {
        "id": standard.id,
        "name": standard.name,
        "version": standard.version,
        "kind": standard.kind,
        "levels": [{"id": lv.id, "title": lv.title, "training_hours": lv.training_hours} for lv in standard.levels],
        "assessment": {
            "pass_mark": _number(rules.pass_mark),
            "pass_mark_derived": rules.pass_mark_derived,
            "components": {lv: list(rules.components[lv]) for lv in standard.level_ids},
            "components_derived": rules.components_derived,
            "min_minutes": rules.min_minutes.model_dump(),
            "proctors": rules.proctors.model_dump() if rules.proctors else None,
            "graders": rules.graders.model_dump() if rules.graders else None,
            "reviewers": rules.reviewers.model_dump() if rules.reviewers else None,
            "min_stations": rules.min_stations,
        },
        "theory_weights": {lv: dict(standard.theory_weights[lv]) for lv in standard.level_ids},
        "skill_weights": {lv: dict(standard.skill_weights[lv]) for lv in standard.level_ids},
        "training": standard.training.model_dump() if standard.training else None,  # 1.8 职业培训要求
        "weights_source": standard.weights_source,
        "weights_note": standard.weights_note,
        "eligibility": {
            lv: [{"clause": c.clause, "text": c.text} for c in standard.eligibility[lv]]
            for lv in standard.level_ids
            if standard.eligibility.get(lv)
        },
    }
