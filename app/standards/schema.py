"""The schema every file in ``exam_templates/`` must satisfy.

The standards are the ground truth of the platform; a file that does not match this schema
stops start-up (see ``loader.py``) so that a typo can never become a wrong weight, ratio or
clause at run time. Models forbid unknown keys for the same reason.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Component = Literal["theory", "practical", "review"]
COMPONENTS: tuple[str, ...] = ("theory", "practical", "review")

# Rows of a theory weight table that are 基本要求 rather than 职业功能.
BASIC_ROWS = ("职业道德", "职业道德和职业素养", "基础知识")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Level(Strict):
    id: str
    title: str
    training_hours: int | None = Field(default=None, ge=0)


TITLE_RANKS = ("初级", "中级", "高级")


class TrainerOption(Strict):
    """One way a trainer qualifies (1.8.2): a certificate of this occupation at ``certificate`` or
    above, or a title of the related field at ``title`` or above, held ``years`` 以上 (0: any time)."""

    certificate: str | None = None
    title: Literal["初级", "中级", "高级"] | None = None
    years: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _one(self) -> TrainerOption:
        if (self.certificate is None) == (self.title is None):
            raise ValueError("a trainer option names exactly one of certificate or title")
        return self


class TrainerRule(Strict):
    levels: list[str] = Field(min_length=1)
    text: str
    any_of: list[TrainerOption] = Field(min_length=1)


class VenueRule(Strict):
    """1.8.3: the venue types of theory and practical training, and the practical stations minimum."""

    theory: list[str] = []
    practical: list[str] = []
    min_stations: int | None = Field(default=None, ge=1)
    text: str


class TrainingRules(Strict):
    """The standard's 1.8 职业培训要求 (hours are each level's ``training_hours``)."""

    clause: str
    hours_clause: str
    hours_text: str
    trainers_clause: str | None = None
    trainers: list[TrainerRule] = []
    trainers_note: str | None = None
    venue_clause: str | None = None
    venue: VenueRule | None = None
    venue_note: str | None = None

    def trainer_rule(self, level: str) -> TrainerRule | None:
        return next((r for r in self.trainers if level in r.levels), None)


class ProctorRule(Strict):
    candidates_per_proctor: int = Field(gt=0)
    min_per_room: int = Field(ge=1)


class GraderRule(Strict):
    candidates_per_grader: int = Field(gt=0)
    min_panel: int = Field(ge=1)
    odd: bool


class ReviewerRule(Strict):
    min_panel: int = Field(ge=1)
    odd: bool


class MinMinutes(Strict):
    theory: int | None = Field(default=None, gt=0)
    practical: int | None = Field(default=None, gt=0)
    review: int | None = Field(default=None, gt=0)


class Assessment(Strict):
    # 1.9.2 of the national standards: 60. A standard that states none (590008) carries the platform's
    # 60 with pass_mark_derived: true, shown as derived on the page and in GET /standards/<id>.
    pass_mark: float = Field(ge=0, le=100)
    pass_mark_derived: bool = False
    components: dict[str, list[Component]]
    components_derived: bool = False
    min_minutes: MinMinutes
    proctors: ProctorRule | None = None
    graders: GraderRule | None = None
    reviewers: ReviewerRule | None = None
    min_stations: int | None = Field(default=None, ge=1)
    # Clause of the standard each rule comes from, e.g. {"pass_mark": "1.9.2"}.
    clauses: dict[str, str] = {}
    # Free text of 评价方式 per component, as the standard words it.
    methods: dict[str, str] = {}
    # How the theory exam is sat where the text prescribes it: "paper" for 书面笔答闭卷
    # (3-01-04-03 1.9.2); the session creation page proposes it. None: the text leaves it open.
    theory_mode: Literal["machine", "paper"] | None = None


class Requirement(Strict):
    code: str
    text: str


class WorkContent(Strict):
    code: str
    name: str
    skills: list[Requirement]
    knowledge: list[Requirement] = []


class WorkFunction(Strict):
    code: str
    name: str
    contents: list[WorkContent] = Field(min_length=1)


class KnowledgeTopic(Strict):
    code: str
    title: str
    items: list[str] = []


class BasicRequirements(Strict):
    clause: str
    ethics_title: str
    code_of_conduct: list[str]
    professional_qualities: list[str] = []
    basic_knowledge: list[KnowledgeTopic]


class Clause(Strict):
    clause: int = Field(ge=1)
    text: str
    # The machine-readable rule; its vocabulary is checked by scoring.eligibility.validate_rule.
    rule: dict | None = None


class RelatedMajors(Strict):
    school_type: str
    program: str
    majors: list[str]


class ApplicableMajors(Strict):
    catalog: str
    school_type: str
    majors: list[str]


class Wording(Strict):
    """How the standard names its own parts and where it prints them, as worded in its text: the
    question-bank generator words and cites its items so (question_banks/)."""

    function: str  # the table's first column: 职业功能 (3 工作要求) or 工作领域 (6.2 表n)
    content: str  # 工作内容 or 工作任务
    skill: str  # 技能要求 or 职业技能要求
    work_clause: str  # where level n's work requirements are printed, n = 1 for the lowest: "3.{n}"
    training_clause: str | None = None  # the clause of 培训参考学时, where the standard gives hours
    practical: str | None = None  # the practical component's name in 1.9: 操作技能考核 or 技能考核

    @model_validator(mode="after")
    def _placeholder(self) -> Wording:
        if "{n}" not in self.work_clause or self.work_clause.replace("{n}", "").count("{"):
            raise ValueError("work_clause: must hold '{n}' (the level's number, 1 for the lowest) and no other braces")
        return self


class Standard(Strict):
    id: str
    name: str
    kind: str
    version: str
    source: str
    definition: str
    levels: list[Level] = Field(min_length=1)
    related_occupations: list[str] = []
    related_majors: list[RelatedMajors] = []
    applicable_majors: list[ApplicableMajors] = []
    eligibility: dict[str, list[Clause]] = {}
    assessment: Assessment
    training: TrainingRules | None = None
    theory_weights: dict[str, dict[str, int]]
    skill_weights: dict[str, dict[str, int]]
    weights_source: Literal["standard", "derived"]
    weights_note: str | None = None
    basic_requirements: BasicRequirements | None = None
    work_requirements: dict[str, list[WorkFunction]]
    wording: Wording
    # external ids of the generated seed-bank items start with it (SH-L1-…): unique per standard
    bank_prefix: str = Field(pattern=r"^[A-Z]{2,6}$")

    @property
    def level_ids(self) -> list[str]:
        return [level.id for level in self.levels]

    def level(self, level_id: str) -> Level | None:
        return next((lv for lv in self.levels if lv.id == level_id), None)

    @model_validator(mode="after")
    def _consistent(self) -> Standard:
        ids = self.level_ids
        if len(set(ids)) != len(ids):
            raise ValueError("levels: duplicate level id")
        keyed = {
            "eligibility": self.eligibility,
            "assessment.components": self.assessment.components,
            "theory_weights": self.theory_weights,
            "skill_weights": self.skill_weights,
            "work_requirements": self.work_requirements,
        }
        for name, mapping in keyed.items():
            unknown = set(mapping) - set(ids)
            if unknown:
                raise ValueError(f"{name}: unknown level {sorted(unknown)}")
        for name in ("assessment.components", "theory_weights", "skill_weights", "work_requirements"):
            missing = set(ids) - set(keyed[name])
            if missing:
                raise ValueError(f"{name}: missing level {sorted(missing)}")
        for table_name in ("theory_weights", "skill_weights"):
            for level_id, table in getattr(self, table_name).items():
                total = sum(table.values())
                if total != 100:
                    raise ValueError(f"{table_name}.{level_id}: weights add up to {total}, not 100")
                if any(v <= 0 for v in table.values()):
                    raise ValueError(f"{table_name}.{level_id}: a row of 0 must be left out (standard '-')")
        for level_id, functions in self.work_requirements.items():
            names = [f.name for f in functions]
            skill_rows = list(self.skill_weights[level_id])
            if sorted(names) != sorted(skill_rows):
                raise ValueError(
                    f"work_requirements.{level_id}: functions {names} differ from skill_weights rows {skill_rows}"
                )
            theory_rows = [r for r in self.theory_weights[level_id] if r not in BASIC_ROWS]
            if sorted(theory_rows) != sorted(names):
                raise ValueError(f"theory_weights.{level_id}: rows {theory_rows} differ from work functions {names}")
        if any(lv.training_hours for lv in self.levels) and not self.wording.training_clause:
            raise ValueError("wording.training_clause: the levels give training hours, name their clause")
        rules = self.assessment
        if (rules.min_minutes.practical or rules.graders) and not self.wording.practical:
            raise ValueError("wording.practical: the assessment has practical rules, name the component as worded")
        if self.training is not None:
            for rule in self.training.trainers:
                unknown = set(rule.levels) - set(ids)
                if unknown:
                    raise ValueError(f"training.trainers: unknown level {sorted(unknown)}")
                for option in rule.any_of:
                    if option.certificate is not None and option.certificate not in ids:
                        raise ValueError(f"training.trainers: unknown certificate level {option.certificate}")
            if self.training.trainers and not self.training.trainers_clause:
                raise ValueError("training.trainers: rules need their clause (trainers_clause)")
            if self.training.venue is not None and not self.training.venue_clause:
                raise ValueError("training.venue: a rule needs its clause (venue_clause)")
        for level_id, clauses in self.eligibility.items():
            numbers = [c.clause for c in clauses]
            if numbers != list(range(1, len(numbers) + 1)):
                raise ValueError(f"eligibility.{level_id}: clauses must be numbered 1..n, got {numbers}")
        return self
