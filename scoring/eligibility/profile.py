"""The candidate profile of 申报条件 checks: parsed and validated from plain JSON-like data.

Pure Python. Both the API and the pages pass the ``candidate`` object through
:func:`parse_profile`, so a bad date, an end before its start or a date after ``as_of`` is
refused in one place with the path of the field ("candidate.work[1].end") and the list index.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from datetime import date

# Contract vocabulary (api-contract.md, Eligibility).
SCHOOLS = ("技工学校", "高级技工学校", "技师学院", "中等职业学校", "高等职业学校", "普通高等学校")
SCHOOL_GROUPS = {
    "技工院校": ("技工学校", "高级技工学校", "技师学院"),
    "职业院校": ("中等职业学校", "高等职业学校"),
}
PROGRAMS = ("中级工班", "高级工班", "预备技师班", "技师班", "中职", "专科", "本科", "研究生")
STATUSES = ("graduated", "final_year", "enrolled")
STATUS_LABELS = {"graduated": "已毕业", "final_year": "在读应届毕业生", "enrolled": "在读"}
# 同等学力 (contract v1.2: "equivalent": true) is of 专科 or 本科 level; the school may be omitted.
EQUIVALENT_PROGRAMS = ("专科", "本科")
# 副高 and 正高 are 高级 (contract).
TITLE_RANKS = {"初级": 1, "中级": 2, "高级": 3, "副高": 3, "正高": 3}
# National skill levels, lowest first: a certificate of a higher level includes the lower ones.
CERTIFICATE_LEVELS = ("五级", "四级", "三级", "二级", "一级")
# The titles of the same levels (五级/初级工 …), accepted for the level ids.
LEVEL_ALIASES = {"初级工": "五级", "中级工": "四级", "高级工": "三级", "技师": "二级", "高级技师": "一级"}

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SANE_YEARS = range(1900, 2201)
# Training hours (学时): the longest 预备培训 of the standards is a few hundred hours; 10,000 is far beyond
# any course, so a larger figure (1e29) is refused instead of evaluated.
MAX_HOURS = 10_000


class ProfileError(Exception):
    """Bad input; ``field`` is the dotted path of the value, ``index`` the list index if any."""

    def __init__(self, message: str, field: str, index: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.index = index


@dataclass(frozen=True)
class Job:
    occupation: str
    start: date
    end: date | None  # None: still working on as_of


@dataclass(frozen=True)
class Certificate:
    occupation: str
    level: str
    issued: date


@dataclass(frozen=True)
class Education:
    school: str
    program: str
    major: str
    status: str
    graduated: date | None
    assessed: bool
    equivalent: bool = False  # 同等学力 (school may be ""): counts only where the clause says （含同等学力）
    probation_end: date | None = None  # a graduate's last day of 见习期 (contract v1.2)

    def in_probation(self, as_of: date) -> bool:
        """In the 见习期 on ``as_of``: a graduate whose probation ends on or after it."""
        return self.status == "graduated" and self.probation_end is not None and as_of <= self.probation_end


@dataclass(frozen=True)
class Title:
    rank: str
    matches_field: bool
    obtained: date


@dataclass(frozen=True)
class Training:
    level: str
    hours: float
    completion_certificate: bool
    completed: date | None


@dataclass(frozen=True)
class Profile:
    birth_date: date | None = None
    work: tuple[Job, ...] = ()
    certificates: tuple[Certificate, ...] = ()
    education: tuple[Education, ...] = ()
    titles: tuple[Title, ...] = ()
    training: tuple[Training, ...] = ()


def normalize_level(level: str) -> str:
    """ "五级/初级工" and "初级工" → "五级"; anything else unchanged."""
    head = level.split("/")[0].strip()
    if head in CERTIFICATE_LEVELS:
        return head
    return LEVEL_ALIASES.get(level, level)


def parse_date(value: object, path: str, index: int | None = None) -> date:
    """A ``YYYY-MM-DD`` string (or a date) as a date, else ProfileError naming ``path``."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE_RE.match(value):
        raise ProfileError(f"{path}：日期格式应为 YYYY-MM-DD", path, index)
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise ProfileError(f"{path}：不存在的日期 {value}", path, index) from None
    if parsed.year not in SANE_YEARS:  # year 1 or 9999 is a typo, and overflows when years are added
        raise ProfileError(f"{path}：年份 {parsed.year} 超出允许范围（1900–2200）", path, index)
    return parsed


class _Reader:
    """Reads one object of a list, building field paths like ``candidate.work[1].end``."""

    def __init__(self, data: object, path: str, index: int | None, as_of: date) -> None:
        if not isinstance(data, dict):
            raise ProfileError(f"{path}：应为对象", path, index)
        self.data, self.path, self.index, self.as_of = data, path, index, as_of

    def _where(self, key: str) -> str:
        return f"{self.path}.{key}"

    def text(self, key: str, *, required: bool = True, choices: tuple[str, ...] | None = None) -> str:
        value = self.data.get(key)
        if not required and (value is None or (isinstance(value, str) and not value.strip())):
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise ProfileError(f"{self._where(key)}：必须填写（文本）", self._where(key), self.index)
        value = value.strip()
        if choices is not None and value not in choices:
            raise ProfileError(
                f"{self._where(key)}：{value!r} 不是可选值（{'、'.join(choices)}）", self._where(key), self.index
            )
        return value

    def date(
        self, key: str, *, required: bool = True, not_before: date | None = None, may_be_later: bool = False
    ) -> date | None:
        value = self.data.get(key)
        if value is None:
            if required:
                raise ProfileError(f"{self._where(key)}：必须填写日期", self._where(key), self.index)
            return None
        parsed = parse_date(value, self._where(key), self.index)
        if parsed > self.as_of and not may_be_later:
            raise ProfileError(
                f"{self._where(key)}：日期 {parsed} 晚于核验日期 {self.as_of}", self._where(key), self.index
            )
        if not_before is not None and parsed < not_before:
            raise ProfileError(
                f"{self._where(key)}：结束日期 {parsed} 早于开始日期 {not_before}", self._where(key), self.index
            )
        return parsed

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise ProfileError(f"{self._where(key)}：应为 true 或 false", self._where(key), self.index)
        return value

    def number(self, key: str) -> float:
        value = self.data.get(key, 0)
        if value is None:
            value = 0
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
            raise ProfileError(f"{self._where(key)}：应为不小于 0 的数", self._where(key), self.index)
        if value > MAX_HOURS:
            raise ProfileError(
                f"{self._where(key)}：{value:g} 超出合理范围（不超过 {MAX_HOURS}）", self._where(key), self.index
            )
        return value


def _rows(candidate: dict, key: str, path: str) -> list:
    value = candidate.get(key)
    if value is None:
        return []  # Missing lists are empty lists (contract).
    if not isinstance(value, list):
        raise ProfileError(f"{path}.{key}：应为列表", f"{path}.{key}")
    return value


def parse_profile(candidate: object, as_of: date, path: str = "candidate") -> Profile:
    """Validate the contract's ``candidate`` object; dates must parse and none may lie after ``as_of``."""
    if candidate is None:
        candidate = {}
    if not isinstance(candidate, dict):
        raise ProfileError(f"{path}：应为对象", path)
    birth = candidate.get("birth_date")
    birth_date = None
    if birth is not None:
        birth_date = parse_date(birth, f"{path}.birth_date")
        if birth_date > as_of:
            raise ProfileError(f"{path}.birth_date：出生日期晚于核验日期 {as_of}", f"{path}.birth_date")

    work = []
    for i, raw in enumerate(_rows(candidate, "work", path)):
        r = _Reader(raw, f"{path}.work.{i}", i, as_of)
        start = r.date("start")
        work.append(Job(r.text("occupation"), start, r.date("end", required=False, not_before=start)))

    certificates = []
    for i, raw in enumerate(_rows(candidate, "certificates", path)):
        r = _Reader(raw, f"{path}.certificates.{i}", i, as_of)
        certificates.append(Certificate(r.text("occupation"), normalize_level(r.text("level")), r.date("issued")))

    education = []
    for i, raw in enumerate(_rows(candidate, "education", path)):
        r = _Reader(raw, f"{path}.education.{i}", i, as_of)
        status = r.text("status", choices=STATUSES)
        equivalent = r.flag("equivalent")
        school = r.text("school", required=not equivalent, choices=SCHOOLS)
        program = r.text("program", choices=EQUIVALENT_PROGRAMS if equivalent else PROGRAMS)
        # The contract refuses "a date after as_of where that cannot be": a final-year or
        # enrolled student's expected graduation date can lie ahead (含在读应届毕业生).
        graduated = r.date("graduated", required=status == "graduated", may_be_later=status != "graduated")
        if raw.get("probation_end") is not None and status != "graduated":
            where = f"{r.path}.probation_end"
            raise ProfileError(f"{where}：只有已毕业的学历才有见习期", where, i)
        # The 见习期 may still run after as_of; it cannot end before the graduation.
        probation_end = r.date("probation_end", required=False, not_before=graduated, may_be_later=True)
        education.append(
            Education(
                school=school,
                program=program,
                major=r.text("major", required=False),
                status=status,
                graduated=graduated,
                assessed=r.flag("assessed"),
                equivalent=equivalent,
                probation_end=probation_end,
            )
        )

    titles = []
    for i, raw in enumerate(_rows(candidate, "titles", path)):
        r = _Reader(raw, f"{path}.titles.{i}", i, as_of)
        titles.append(Title(r.text("rank", choices=tuple(TITLE_RANKS)), r.flag("matches_field"), r.date("obtained")))

    training = []
    for i, raw in enumerate(_rows(candidate, "training", path)):
        r = _Reader(raw, f"{path}.training.{i}", i, as_of)
        training.append(
            Training(
                normalize_level(r.text("level")),
                r.number("hours"),
                r.flag("completion_certificate"),
                r.date("completed", required=False),
            )
        )

    return Profile(birth_date, tuple(work), tuple(certificates), tuple(education), tuple(titles), tuple(training))


def profile_to_json(profile: Profile) -> dict:
    """The profile back in the contract's shape (dates as strings): what an application snapshots."""

    def plain(obj) -> dict:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(obj).items()}

    return {
        "birth_date": profile.birth_date.isoformat() if profile.birth_date else None,
        "work": [plain(x) for x in profile.work],
        "certificates": [plain(x) for x in profile.certificates],
        "education": [plain(x) for x in profile.education],
        "titles": [plain(x) for x in profile.titles],
        "training": [plain(x) for x in profile.training],
    }
