"""Default paper structures (exam_templates/papers/<standard>.yaml), validated when loaded.

The standards fix the points per area (4.1 理论知识权重表) and the 100-point scale (1.9.2 百分制)
but not the item types; a paper template gives the platform's default sections. A template is
refused unless its total splits by every level's weights into whole points, so the default
paper is always well-formed. Pure Python (no Flask), like the standards loader.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from app.standards.loader import TEMPLATES_DIR, TemplateError
from app.standards.schema import Standard

PAPERS_DIR = TEMPLATES_DIR / "papers"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SectionSpec(_Strict):
    type: Literal["single", "multiple", "judge"]
    count: int = Field(ge=1, le=500)
    points: int = Field(ge=1, le=100)


class Band(_Strict):
    min: float = Field(ge=0, le=1)
    max: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> Band:
        if self.min > self.max:
            raise ValueError("difficulty: min must not exceed max")
        return self


class PaperTemplate(_Strict):
    standard: str
    sections: list[SectionSpec] = Field(min_length=1)
    difficulty: Band
    max_overlap: float = Field(ge=0, le=1)

    @property
    def total_points(self) -> int:
        return sum(s.count * s.points for s in self.sections)

    def points_for(self, item_type: str) -> int | None:
        return next((s.points for s in self.sections if s.type == item_type), None)

    @model_validator(mode="after")
    def _unique_sections(self) -> PaperTemplate:
        keys = [(s.type, s.points) for s in self.sections]
        if len(keys) != len(set(keys)):
            raise ValueError("sections: a (type, points) pair appears twice")
        return self


def check_against(template: PaperTemplate, standard: Standard, name: str) -> None:
    """Every level's weights × total / 100 must be whole points (4.1 exactly, never roughly)."""
    if template.standard != standard.id:
        raise TemplateError(f"{name}: standard: '{template.standard}' does not match the file name")
    for level, weights in standard.theory_weights.items():
        for area, weight in weights.items():
            if weight * template.total_points % 100:
                raise TemplateError(
                    f"{name}: sections: total {template.total_points} × {level} {area} {weight}% is not a whole number"
                )


def load_paper_template(path: Path, standard: Standard) -> PaperTemplate:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        template = PaperTemplate.model_validate(raw)
    except (yaml.YAMLError, ValidationError) as exc:
        raise TemplateError(f"{path.name}: {exc}") from exc
    check_against(template, standard, path.name)
    return template


@lru_cache(maxsize=16)
def _cached(path: str, mtime: float, standard_json: str) -> PaperTemplate:
    return load_paper_template(Path(path), Standard.model_validate_json(standard_json))


def paper_template(standard: Standard, directory: Path | None = None) -> PaperTemplate:
    """The default paper of ``standard`` (cached per file version)."""
    path = (directory or PAPERS_DIR) / f"{standard.id}.yaml"
    if not path.exists():
        raise TemplateError(f"{path.name}: no paper template for standard {standard.id}")
    return _cached(str(path), path.stat().st_mtime, standard.model_dump_json())
