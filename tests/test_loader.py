"""A malformed standard file stops start-up with a message naming the file and the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from app import create_app
from app.standards.loader import TEMPLATES_DIR, TemplateError, load_standards

FIXTURE = Path(__file__).parent / "fixtures" / "standards" / "T-01.yaml"


def write(tmp_path: Path, data: dict, name: str = "T-01.yaml") -> Path:
    (tmp_path / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return tmp_path


def fixture_data() -> dict:
    return yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))


def test_fixture_loads(tmp_path):
    shutil.copy(FIXTURE, tmp_path)
    assert list(load_standards(tmp_path)) == ["T-01"]


def test_real_templates_load():
    assert list(load_standards(TEMPLATES_DIR)) == ["3-01-01-04", "3-01-04-03", "590008"]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["levels"][1].update(training_hours="abc"), "levels[1].training_hours"),
        (lambda d: d["theory_weights"]["五级"].update(甲功能=55), "theory_weights.五级: weights add up to 95"),
        (lambda d: d["assessment"]["proctors"].pop("min_per_room"), "assessment.proctors.min_per_room"),
        (lambda d: d["assessment"].update(pass_mark=160), "assessment.pass_mark"),
        (lambda d: d["assessment"]["components"].update(五级=["theory", "essay"]), "assessment.components.五级[1]"),
        (lambda d: d.update(colour="red"), "colour"),
        (lambda d: d["skill_weights"].update(三级={"甲功能": 100}), "skill_weights: unknown level ['三级']"),
        (lambda d: d["work_requirements"]["四级"].pop(), "work_requirements.四级: functions"),
        (lambda d: d["eligibility"]["四级"][0].update(clause=2), "eligibility.四级: clauses must be numbered"),
        (lambda d: d.update(id="T-02"), "id: 'T-02' does not match the file name"),
    ],
)
def test_malformed_file_names_file_and_field(tmp_path, mutate, expected):
    data = fixture_data()
    mutate(data)
    with pytest.raises(TemplateError) as info:
        load_standards(write(tmp_path, data))
    message = str(info.value)
    assert message.startswith("T-01.yaml: ")
    assert expected in message


def test_invalid_yaml_is_reported_with_file(tmp_path):
    (tmp_path / "T-01.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"^T-01.yaml: not valid YAML"):
        load_standards(tmp_path)


def test_empty_directory_is_an_error(tmp_path):
    with pytest.raises(TemplateError, match="no standard files"):
        load_standards(tmp_path)


def test_broken_template_stops_create_app(tmp_path):
    data = fixture_data()
    data["levels"][0]["training_hours"] = -5
    write(tmp_path, data)
    with pytest.raises(TemplateError, match=r"T-01.yaml: levels\[0\].training_hours"):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "EXAM_TEMPLATES_DIR": str(tmp_path)})
