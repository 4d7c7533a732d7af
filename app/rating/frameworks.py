"""Rating frameworks (评估指标体系) as data: ``exam_templates/rating/<id>.yaml``, loaded and validated
once like the standards (pure Python, no Flask).

A file that cannot be used stops start-up with :class:`FrameworkError` naming the file and the
node's code: every node's points equal the sum of its children's, the top level sums to ``total``,
codes are unique and each code is its parent's code plus one segment (seed 004's own numbering,
gaps included: 2.3.2.2 is followed by 2.3.2.5), every leaf of a scored framework states its
材料明细, formulas sit on leaves only and name a known kind.

Two kinds of framework: ``scored`` (changzhou-vocational, seed 004: 1000 points, grades) and the
unscored checklist (ssof-capacity, T/SSOF 0001-2024 appendices A and B: no points, each indicator
达到 / 部分达到 / 未达到 with an improvement measure, §7.2 整改措施).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scoring.rating import thresholds_problem

FRAMEWORKS_DIR = Path(__file__).resolve().parents[2] / "exam_templates" / "rating"
FORMULA_KINDS = {"share", "growth", "cagr", "staff_points"}
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FrameworkError(Exception):
    """A framework file that cannot be used; the message names the file and the node's code."""


# The Chinese names of the formula inputs the frameworks use (the pages and messages name an input by
# these, never by its key), each what its leaf's title and 材料明细 count.
INPUT_LABELS = {
    "members": "会员（代表）总数",
    "council": "理事人数",
    "standing_council": "常务理事人数",
    "full_time_staff": "专职工作人员人数",
    "staff": "从业人员人数",
    "under_50": "50岁以下人员人数",
    "college": "大专以上学历人数",
    "liabilities": "负债总额",
    "assets": "资产总额",
    "net_assets_start": "期初净资产",
    "net_assets_end": "期末净资产",
    "business_expense": "业务活动支出",
    "total_expense": "总支出",
    "members_by_year": "各年度会员数",
    "dues_paid": "缴纳会费的会员人数",
    "attended": "参加活动的会员人数",
}


def input_label(name: str) -> str:
    return INPUT_LABELS.get(name, name)


def with_input_labels(text: str) -> str:
    """A message of the formulas (``不能大于 members``) with each input key as its Chinese name."""
    for name in sorted(INPUT_LABELS, key=len, reverse=True):
        text = re.sub(rf"(?<![A-Za-z_]){name}(?![A-Za-z_0-9])", INPUT_LABELS[name], text)
    return text


class Formula(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)  # the kind's parameters (part, whole, limit…)

    rule: str
    inputs: list[str] = Field(min_length=1)
    kind: str

    def public(self) -> dict:
        """What the API shows (contract v1.2): the rule and its inputs."""
        return {"rule": self.rule, "inputs": list(self.inputs)}

    @property
    def params(self) -> dict:
        return {"kind": self.kind, "inputs": list(self.inputs), **(self.model_extra or {})}


class Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    title: str
    points: int = Field(default=0, ge=0)
    materials: str | None = None  # 材料明细 (seed 004), year references made relative
    materials_original: str | None = None  # the printed words where they name years (17、18年度)
    description: str | None = None  # 内容描述 (T/SSOF 0001-2024 A.1/B.1)
    note: str | None = None
    formula: Formula | None = None
    children: list[Node] = Field(default_factory=list)

    @property
    def is_leaf(self) -> bool:
        return not self.children


class Grade(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    grade: str
    min: float


class Framework(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    source: str
    kind: Literal["scored", "checklist"] = "scored"
    total: int = Field(ge=0)
    grades: list[Grade] = Field(default_factory=list)
    grades_source: str | None = None
    certificate_min_grade: str | None = None
    levels: list[str] = Field(default_factory=list)  # checklist answers (达到 / 部分达到 / 未达到)
    nodes: list[Node]

    def walk(self) -> Iterator[Node]:
        stack = list(reversed(self.nodes))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def leaves(self) -> list[Node]:
        return [n for n in self.walk() if n.is_leaf]

    def node(self, code: str) -> Node | None:
        return self.index().get(code)

    def index(self) -> dict[str, Node]:
        return {n.code: n for n in self.walk()}

    @property
    def scored(self) -> bool:
        return self.kind == "scored"

    def grade_list(self) -> list[dict]:
        return [{"grade": g.grade, "min": _number(g.min)} for g in self.grades]


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _check_node(framework: Framework, node: Node, parent: str | None, seen: set[str], where: str) -> None:
    if node.code in seen:
        raise FrameworkError(f"{where}: 编码 {node.code} 重复")
    seen.add(node.code)
    segments = node.code.split(".")
    if not all(s.isdigit() or (framework.kind == "checklist" and s.isalnum()) for s in segments):
        raise FrameworkError(f"{where}: 编码 {node.code} 不是由数字与“.”组成的层级编码")
    expected_depth = 1 if parent is None else len(parent.split(".")) + 1
    if len(segments) != expected_depth or (parent is not None and not node.code.startswith(parent + ".")):
        raise FrameworkError(f"{where}: 编码 {node.code} 与上级 {parent} 不符（应为 {parent}.n）")
    if node.children:
        if node.formula is not None:
            raise FrameworkError(f"{where}: {node.code} 有下级指标，不能有计算规则")
        total = sum(child.points for child in node.children)
        if total != node.points:
            parts = " + ".join(f"{c.code} {c.points}" for c in node.children)
            raise FrameworkError(f"{where}: {node.code} 分值 {node.points} 不等于下级之和 {parts} = {total}")
        for child in node.children:
            _check_node(framework, child, node.code, seen, where)
        return
    if framework.scored and not (node.materials or "").strip():
        raise FrameworkError(f"{where}: {node.code} 缺少材料明细")
    if framework.scored and node.points <= 0:
        raise FrameworkError(f"{where}: {node.code} 分值须大于 0")
    if not framework.scored and not (node.description or "").strip():
        raise FrameworkError(f"{where}: {node.code} 缺少内容描述")
    if node.formula is not None and node.formula.kind not in FORMULA_KINDS:
        raise FrameworkError(f"{where}: {node.code} 计算规则类型 {node.formula.kind} 未知")


def validate(framework: Framework, where: str) -> Framework:
    seen: set[str] = set()
    for node in framework.nodes:
        _check_node(framework, node, None, seen, where)
    top = sum(n.points for n in framework.nodes)
    if top != framework.total:
        parts = " + ".join(f"{n.code} {n.points}" for n in framework.nodes)
        raise FrameworkError(f"{where}: 总分 {framework.total} 不等于一级指标之和 {parts} = {top}")
    if framework.scored:
        problem = thresholds_problem(framework.grade_list(), framework.total)
        if problem:
            raise FrameworkError(f"{where}: grades: {problem}")
        if framework.certificate_min_grade not in (None, *[g.grade for g in framework.grades]):
            raise FrameworkError(f"{where}: certificate_min_grade: 未知等级 {framework.certificate_min_grade}")
    return framework


def parse_framework(raw: object, where: str) -> Framework:
    if not isinstance(raw, dict):
        raise FrameworkError(f"{where}: (top level): expected a mapping")
    try:
        framework = Framework.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            ".".join(str(p) for p in err["loc"]) + f": {err['msg']}" for err in exc.errors(include_url=False)
        )
        raise FrameworkError(f"{where}: {problems}") from exc
    return validate(framework, where)


_cache: dict[tuple[str, int, int], Framework] = {}


def load_framework_file(path: Path) -> Framework:
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _cache:
        try:
            raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)  # noqa: S506 - a safe loader
        except yaml.YAMLError as exc:
            raise FrameworkError(f"{path.name}: not valid YAML: {exc}") from exc
        framework = parse_framework(raw, path.name)
        if framework.id != path.stem:
            raise FrameworkError(f"{path.name}: id: '{framework.id}' does not match the file name")
        _cache[key] = framework
    return _cache[key]


def load_frameworks(directory: Path | str | None = None) -> dict[str, Framework]:
    directory = Path(directory) if directory else FRAMEWORKS_DIR
    return {f.id: f for f in (load_framework_file(p) for p in sorted(directory.glob("*.yaml")))}
