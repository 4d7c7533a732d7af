"""Paper templates (exam_templates/papers/): all three load, and a template whose total does not
split by the weights into whole points, or that is malformed, is refused naming the problem."""

from __future__ import annotations

import pytest

from app.papers.templates import PAPERS_DIR, load_paper_template, paper_template
from app.standards.loader import TemplateError, load_standards

STANDARDS = load_standards()


@pytest.mark.parametrize("standard_id", list(STANDARDS))
def test_default_templates_load_and_give_100_points(standard_id):
    template = paper_template(STANDARDS[standard_id])
    assert template.total_points == 100  # 1.9.2 百分制
    assert [(s.type, s.count, s.points) for s in template.sections] == [("judge", 20, 1), ("single", 60, 1),
                                                                        ("multiple", 10, 2)]  # fmt: skip
    assert (PAPERS_DIR / f"{standard_id}.yaml").exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        # 90 points: 5% of 90 = 4.5 (3-01-01-04 职业道德) is no whole number
        ("sections: [{type: single, count: 90, points: 1}]", "is not a whole number"),
        ("sections: [{type: essay, count: 10, points: 10}]", "sections"),
        ("sections: [{type: single, count: 50, points: 1}, {type: single, count: 50, points: 1}]", "twice"),
        ("sections: [{type: single, count: 100, points: 1}]\ncolour: red", "colour"),
    ],
)
def test_bad_templates_are_refused(tmp_path, body, message):
    path = tmp_path / "3-01-01-04.yaml"
    path.write_text(f'standard: "3-01-01-04"\ndifficulty: {{min: 0.5, max: 0.8}}\nmax_overlap: 0.2\n{body}\n',
                    encoding="utf-8")  # fmt: skip
    with pytest.raises(TemplateError) as info:
        load_paper_template(path, STANDARDS["3-01-01-04"])
    assert message in str(info.value)
    assert "3-01-01-04.yaml" in str(info.value)


def test_template_for_another_standard_is_refused(tmp_path):
    path = tmp_path / "590008.yaml"
    path.write_text('standard: "3-01-01-04"\nsections: [{type: single, count: 100, points: 1}]\n'
                    "difficulty: {min: 0.5, max: 0.8}\nmax_overlap: 0.2\n", encoding="utf-8")  # fmt: skip
    with pytest.raises(TemplateError, match="does not match"):
        load_paper_template(path, STANDARDS["590008"])
