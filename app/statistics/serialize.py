"""JSON shapes of the statistics domain: the contract's "Test statistics" body (v1.1) plus the
platform's own fields (form label, alpha band, option rates, flags), write-back records, the dashboard."""

from __future__ import annotations

from app import timeutil

from .models import DifficultyWriteback

FORM_FIELDS = ("paper_id", "attempts", "mean", "sd", "alpha", "form", "alpha_band")
ITEM_FIELDS = ("item_id", "external_id", "responses", "facility", "discrimination", "type", "option_rates", "flags")


def statistics_json(figures: dict) -> dict:
    return {
        "forms": [{key: form[key] for key in FORM_FIELDS} for form in figures["forms"]],
        "items": [{key: item[key] for key in ITEM_FIELDS} for item in figures["items"]],
        "pass_rates": dict(figures["pass_rates"]),
    }


def writeback_json(record: DifficultyWriteback) -> dict:
    return {
        "id": record.id,
        "item_id": record.item_id,
        "external_id": record.item.external_id,
        "session_id": record.session_id,
        "old": record.old_difficulty,
        "new": record.new_difficulty,
        "responses": record.responses,
        "by": record.actor.username,
        "at": timeutil.iso(record.created_at),
    }


def dashboard_json(data: dict) -> dict:
    return {
        "sessions": data["sessions"],
        "by_state": {status.value: count for status, count in data["by_state"].items()},
        "enrollments": data["enrollments"],
        "candidates": data["candidates"],
        "outcomes": [
            {
                "session_id": o["session"].id,
                "name": o["session"].name,
                "status": o["session"].status.value,
                "standard": o["standard"],
                "level": o["level"],
                "period": o["period"],
                "candidates": o["candidates"],
                "decided": o["decided"],
                "passed": o["passed"],
                "rate": o["rate"],
                "provisional": o["provisional"],
            }
            for o in data["outcomes"]
        ],
        "series": data["series"],
    }
