"""Derive the seed question banks from the standards' own data (deterministic).

    .venv/bin/python question_banks/generate.py          # write question_banks/<standard>.json
    .venv/bin/python question_banks/generate.py --check  # exit 1 if a file is out of date

Every key is a fact of the standard (exam_templates/<standard>.yaml, transcribed from
../shared/seeds/) and every item cites the clause it tests in ``source``. Distractors are drawn
from elsewhere in the same standard (other 工作内容, 职业功能, levels, topics) or from the other
standards, and each is verified NOT to be true of the item (``_check_false``) before it is used:
a skill offered as a distractor for 工作内容 X is checked not to be a skill of X at that level, a
number is checked to differ from the true one, and so on. Items derived from one fact share an
enemy group, so a paper never asks the same fact twice. Hand-written items (职业道德 scenarios
grounded in the 职业守则, and articles of the laws a standard names) come from handwritten.yaml.

Difficulty is a prior (expected proportion correct) by item kind, to be replaced by the item
statistics of real sittings: judge 0.75, fact-to-category single 0.62–0.70, reverse single 0.6,
level or number single 0.5–0.55, multiple 0.48; a small deterministic jitter (±0.04) per item.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from the repository root
    sys.path.insert(0, str(ROOT))

from app.banks.validation import check_item  # noqa: E402
from app.standards.loader import load_standards  # noqa: E402
from app.standards.schema import Standard  # noqa: E402

HERE = Path(__file__).resolve().parent
HANDWRITTEN = HERE / "handwritten.yaml"
LETTERS = "ABCDEFGH"

# Where each standard prints its work requirements per level (level index 1..n).
WORK_CLAUSE = {"3-01-01-04": "3.{n}", "3-01-04-03": "3.{n}", "590008": "6.2 表{n}"}
TRAINING_CLAUSE = {"3-01-01-04": "1.8.1", "3-01-04-03": "1.8"}
# Vocabulary of each standard's tables.
TERMS = {
    "3-01-01-04": ("职业功能", "工作内容", "技能要求"),
    "3-01-04-03": ("职业功能", "工作内容", "技能要求"),
    "590008": ("工作领域", "工作任务", "职业技能要求"),
}
PRIORS = {
    "judge": 0.75,
    "to_content": 0.62,
    "to_function": 0.70,
    "reverse": 0.60,
    "level": 0.50,
    "number": 0.55,
    "multiple": 0.48,
}


def _norm(text: str) -> str:
    return re.sub(r"[\s。；;，,、]", "", text)


def _digest(key: str) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest()[:12], 16)


@dataclass
class Builder:
    standard: Standard
    prefix: str
    items: list[dict] = field(default_factory=list)

    @property
    def doc(self) -> str:
        return f"《{self.standard.name}{self.standard.kind}》"

    def _difficulty(self, key: str, kind: str) -> float:
        jitter = (_digest(key + "#d") % 81 - 40) / 1000
        return round(min(0.95, max(0.05, PRIORS[kind] + jitter)), 2)

    def _base(self, key, area, level, source, group, prior):
        return {
            "external_id": f"{self.prefix}-{key}",
            "area": area,
            "level": level,
            "source": source,
            "enemy_group": f"{self.prefix}-{group}" if group else None,
            "difficulty": self._difficulty(key, prior),
        }

    def judge(self, key, stem, truth: bool, *, area, level, source, group):
        self.items.append(
            {
                **self._base(key, area, level, source, group, "judge"),
                "type": "judge",
                "stem": stem,
                "options": [],
                "answer": bool(truth),
                "points": 1,
            }  # fmt: skip
        )

    def single(self, key, stem, correct, distractors, *, area, level, source, group, prior, truths=()):
        """One correct option and up to three distractors, each verified false."""
        pool = _check_false(correct, distractors, truths or [correct])
        if not pool:
            return
        rng = random.Random(_digest(key))
        chosen = rng.sample(pool, min(3, len(pool)))
        options = [correct] + chosen
        rng.shuffle(options)
        self.items.append(
            {
                **self._base(key, area, level, source, group, prior),
                "type": "single",
                "stem": stem,
                "options": options,
                "answer": LETTERS[options.index(correct)],
                "points": 1,
            }  # fmt: skip
        )

    def multiple(self, key, stem, corrects, distractors, *, area, level, source, group, truths, n_false=2):
        """Two to four correct options plus distractors verified not to be among ``truths``."""
        corrects = list(dict.fromkeys(corrects))
        if len(corrects) < 2:
            return
        pool = _check_false(corrects[0], distractors, truths)
        if not pool:
            return
        rng = random.Random(_digest(key))
        options = corrects[:4] + rng.sample(pool, min(n_false, len(pool)))
        rng.shuffle(options)
        answer = sorted(LETTERS[options.index(c)] for c in corrects[:4])
        self.items.append(
            {
                **self._base(key, area, level, source, group, "multiple"),
                "type": "multiple",
                "stem": stem,
                "options": options,
                "answer": answer,
                "points": 2,
            }  # fmt: skip
        )


def _check_false(correct, distractors, truths) -> list:
    """Distractors that are certainly false: not a true answer, not equal to one after
    normalising punctuation and spaces, no duplicates. Sorted for determinism."""
    true_norm = {_norm(str(t)) for t in truths} | {_norm(str(correct))}
    seen = set()
    out = []
    for d in distractors:
        key = _norm(str(d))
        if key in true_norm or key in seen or not key:
            continue
        seen.add(key)
        out.append(d)
    return sorted(out, key=str)


# ---------------------------------------------------------------------------------------------
# 工作要求: 技能要求 / 相关知识要求 → 工作内容 → 职业功能 → level


def work_items(b: Builder, all_standards: dict[str, Standard]) -> None:
    s = b.standard
    func_t, content_t, skill_t = TERMS[s.id]
    texts_by_level = {
        lv: {_norm(sk.text) for f in s.work_requirements[lv] for c in f.contents for sk in c.skills}
        for lv in s.level_ids
    }
    for n, level in enumerate(s.level_ids, start=1):
        title = s.level(level).title
        clause = WORK_CLAUSE[s.id].format(n=n)
        functions = s.work_requirements[level]
        contents = [(f, c) for f in functions for c in f.contents]
        skill_home: dict[str, list[str]] = {}
        know_home: dict[str, list[str]] = {}
        for _, c in contents:
            for sk in c.skills:
                skill_home.setdefault(_norm(sk.text), []).append(c.name)
            for kn in c.knowledge:
                know_home.setdefault(_norm(kn.text), []).append(c.name)
        content_func: dict[str, set[str]] = {}
        for f, c in contents:
            content_func.setdefault(c.name, set()).add(f.name)
        tag = f"L{n}"
        for f, c in contents:
            area = f.name
            other_contents = [c2.name for _, c2 in contents if c2.name != c.name]
            other_functions = [f2.name for f2 in functions if f2.name != f.name]
            where = f"{clause} {title} {c.code} {c.name}"
            # 工作内容 → 职业功能
            if len(content_func[c.name]) == 1:
                g = f"{tag}-C{c.code}-F"
                b.single(f"{tag}-CF-{c.code}", f"{b.doc}中，{title}的{content_t}「{c.name}」属于下列哪个{func_t}？",
                         f.name, other_functions, area=area, level=level, source=f"{clause} {title} {f.code}",
                         group=g, prior="to_function")  # fmt: skip
                b.judge(f"{tag}-CFT-{c.code}", f"{b.doc}中，「{c.name}」是{title}「{f.name}」{func_t}下的{content_t}。",
                        True, area=area, level=level, source=f"{clause} {title} {f.code}", group=g)  # fmt: skip
                wrong = [x for x in other_functions if c.name not in [y.name for y in _function(s, level, x).contents]]
                if wrong:
                    pick = wrong[_digest(c.code + level) % len(wrong)]
                    b.judge(f"{tag}-CFF-{c.code}",
                            f"{b.doc}中，「{c.name}」是{title}「{pick}」{func_t}下的{content_t}。", False,
                            area=area, level=level, source=f"{clause} {title} {f.code}", group=g)  # fmt: skip
            for sk in c.skills:
                key = _norm(sk.text)
                if len(skill_home[key]) != 1:
                    continue  # the same text in two 工作内容: no single true answer
                sc = f"{tag}-S{sk.code}"
                src = f"{clause} {title} {sk.code} {skill_t}"
                g_c, g_f = f"{sc}-C", f"{sc}-F"
                b.single(f"{sc}-SC", f"{b.doc}中，{title}的{skill_t}「{sk.text}」属于下列哪项{content_t}？", c.name,
                         other_contents, area=area, level=level, source=src, group=g_c, prior="to_content")  # fmt: skip
                b.single(f"{sc}-SF", f"{b.doc}中，{title}的{skill_t}「{sk.text}」属于下列哪个{func_t}？", f.name,
                         other_functions, area=area, level=level, source=src, group=g_f, prior="to_function")  # fmt: skip
                same_content = [x.text for x in c.skills]
                other_skills = [x.text for _, c2 in contents if c2.name != c.name for x in c2.skills]
                b.single(f"{sc}-CS", f"下列哪一项是{title}「{c.name}」{content_t}的{skill_t}？", sk.text,
                         other_skills, area=area, level=level, source=src, group=g_c, prior="reverse",
                         truths=same_content)  # fmt: skip
                same_function = [x.text for x in c.skills] + [x.text for c2 in f.contents for x in c2.skills]
                foreign = [x.text for f2 in functions if f2.name != f.name for c2 in f2.contents for x in c2.skills]
                b.single(f"{sc}-FS", f"下列哪一项属于{title}「{f.name}」{func_t}的{skill_t}？", sk.text, foreign,
                         area=area, level=level, source=src, group=g_f, prior="reverse",
                         truths=same_function)  # fmt: skip
                b.judge(f"{sc}-JT", f"{title}「{c.name}」{content_t}的{skill_t}包括「{sk.text}」。", True,
                        area=area, level=level, source=src, group=g_c)  # fmt: skip
                wrong_c = [x for x in other_contents if x not in skill_home[key]]
                if wrong_c:
                    pick = wrong_c[_digest(sc) % len(wrong_c)]
                    b.judge(f"{sc}-JF", f"{title}「{pick}」{content_t}的{skill_t}包括「{sk.text}」。", False,
                            area=area, level=level, source=src, group=g_c)  # fmt: skip
                b.judge(f"{sc}-FT", f"{skill_t}「{sk.text}」属于{title}「{f.name}」{func_t}。", True,
                        area=area, level=level, source=src, group=g_f)  # fmt: skip
                if other_functions:
                    pick = other_functions[_digest(sc + "F") % len(other_functions)]
                    b.judge(f"{sc}-FF", f"{skill_t}「{sk.text}」属于{title}「{pick}」{func_t}。", False,
                            area=area, level=level, source=src, group=g_f)  # fmt: skip
                # the level whose table lists this text (only when exactly one level does)
                homes = [lv for lv in s.level_ids if key in texts_by_level[lv]]
                if homes == [level] and len(s.level_ids) > 1:
                    titles = [s.level(lv).title for lv in s.level_ids]
                    b.single(f"{sc}-LV", f"{b.doc}中，{skill_t}「{sk.text}」列在哪个等级的工作要求中？", title,
                             titles, area=area, level=level, source=src, group=f"{sc}-L", prior="level")  # fmt: skip
            for kn in c.knowledge:
                key = _norm(kn.text)
                if len(know_home[key]) != 1:
                    continue
                kc = f"{tag}-K{kn.code}"
                src = f"{clause} {title} {kn.code} 相关知识要求"
                same = [x.text for x in c.knowledge]
                others = [x.text for _, c2 in contents if c2.name != c.name for x in c2.knowledge]
                b.single(f"{kc}-CK", f"{title}「{c.name}」{content_t}的相关知识要求包括下列哪一项？", kn.text, others,
                         area=area, level=level, source=src, group=kc, prior="reverse", truths=same)  # fmt: skip
                b.single(f"{kc}-KC", f"{b.doc}中，{title}的相关知识要求「{kn.text}」对应下列哪项{content_t}？",
                         c.name, other_contents, area=area, level=level, source=src, group=kc,
                         prior="to_content")  # fmt: skip
                b.judge(f"{kc}-JT", f"{title}「{c.name}」{content_t}的相关知识要求包括「{kn.text}」。", True,
                        area=area, level=level, source=src, group=kc)  # fmt: skip
                wrong_c = [x for x in other_contents if x not in know_home[key]]
                if wrong_c:
                    pick = wrong_c[_digest(kc) % len(wrong_c)]
                    b.judge(f"{kc}-JF", f"{title}「{pick}」{content_t}的相关知识要求包括「{kn.text}」。", False,
                            area=area, level=level, source=src, group=kc)  # fmt: skip
            # multiples: the skills / knowledge of one 工作内容
            skills = [x.text for x in c.skills]
            other_skills = [x.text for _, c2 in contents if c2.name != c.name for x in c2.skills]
            for variant in range(2 if len(skills) >= 2 else 0):
                trues = skills if variant == 0 else _rotate(skills, c.code)[: max(2, len(skills) - 1)]
                b.multiple(f"{tag}-C{c.code}-MS{variant}",
                           f"下列哪些是{title}「{c.name}」{content_t}的{skill_t}？", trues, other_skills, area=area,
                           level=level, source=where, group=f"{tag}-C{c.code}-MS", truths=skills,
                           n_false=2 + variant)  # fmt: skip
            knowledge = [x.text for x in c.knowledge]
            other_know = [x.text for _, c2 in contents if c2.name != c.name for x in c2.knowledge]
            if len(knowledge) >= 2:
                b.multiple(f"{tag}-C{c.code}-MK", f"下列哪些是{title}「{c.name}」{content_t}的相关知识要求？",
                           knowledge, other_know, area=area, level=level, source=where,
                           group=f"{tag}-C{c.code}-MK", truths=knowledge)  # fmt: skip
        # multiples: the 工作内容 of one 职业功能
        for f in functions:
            names = [c.name for c in f.contents]
            others = [c.name for f2 in functions if f2.name != f.name for c in f2.contents]
            for variant in range(2 if len(names) >= 2 else 0):
                b.multiple(f"{tag}-F{f.code}-MC{variant}", f"下列哪些属于{title}「{f.name}」{func_t}的{content_t}？",
                           names, others, area=f.name, level=level, source=f"{clause} {title} {f.code} {f.name}",
                           group=f"{tag}-F{f.code}-MC", truths=names, n_false=2 + variant)  # fmt: skip
    del all_standards


def _rotate(values: list, key: str) -> list:
    k = _digest(key) % len(values)
    return values[k:] + values[:k]


def _function(s: Standard, level: str, name: str):
    return next(f for f in s.work_requirements[level] if f.name == name)


# ---------------------------------------------------------------------------------------------
# 基本要求: 职业守则, 职业素养, 基础知识 (topics and the laws named)


def basic_items(b: Builder, all_standards: dict[str, Standard]) -> None:
    s = b.standard
    br = s.basic_requirements
    if br is None:
        return
    lowest = s.level_ids[0]
    ethics = br.ethics_title
    conduct = br.code_of_conduct
    foreign_conduct = [line for o in all_standards.values() if o.id != s.id and o.basic_requirements
                       for line in o.basic_requirements.code_of_conduct]  # fmt: skip
    for i, line in enumerate(conduct, start=1):
        g = f"CC{i}"
        b.single(f"CC{i}-S", f"下列哪一项是{b.doc}规定的职业守则？", line, foreign_conduct, area=ethics,
                 level=lowest, source="2.1.2 职业守则", group=g, prior="to_function", truths=conduct)  # fmt: skip
        b.judge(f"CC{i}-JT", f"{b.doc}规定的职业守则包括「{line}」", True, area=ethics, level=lowest,
                source="2.1.2 职业守则", group=g)  # fmt: skip
    for j, line in enumerate(_check_false(None, foreign_conduct, conduct), start=1):
        b.judge(f"CCX{j}-JF", f"{b.doc}规定的职业守则包括「{line}」", False, area=ethics, level=lowest,
                source="2.1.2 职业守则", group=f"CCX{j}")  # fmt: skip
    for variant in range(2):
        trues = _rotate(conduct, f"cc{variant}")[: 4 - variant]
        b.multiple(f"CC-M{variant}", f"下列哪些属于{b.doc}规定的职业守则？", trues, foreign_conduct, area=ethics,
                   level=lowest, source="2.1.2 职业守则", group="CC-M", truths=conduct, n_false=2)  # fmt: skip
    topics = br.basic_knowledge
    all_topic_items = [it for t in topics for it in t.items]
    if br.professional_qualities:
        quals = br.professional_qualities
        for i, q in enumerate(quals, start=1):
            b.single(f"PQ{i}-S", f"下列哪一项属于{b.doc}中「职业素养」（2.1.3）的内容？", q, all_topic_items,
                     area=ethics, level=lowest, source="2.1.3 职业素养", group=f"PQ{i}", prior="reverse",
                     truths=quals)  # fmt: skip
            b.judge(f"PQ{i}-JT", f"{b.doc}中「职业素养」的内容包括「{q}」", True, area=ethics, level=lowest,
                    source="2.1.3 职业素养", group=f"PQ{i}")  # fmt: skip
        b.multiple("PQ-M", f"下列哪些属于{b.doc}中「职业素养」（2.1.3）的内容？", quals, all_topic_items,
                   area=ethics, level=lowest, source="2.1.3 职业素养", group="PQ-M", truths=quals)  # fmt: skip
    titles = [t.title for t in topics]
    for t in topics:
        other_titles = [x for x in titles if x != t.title]
        others = [it for t2 in topics if t2.title != t.title for it in t2.items]
        for i, it in enumerate(t.items, start=1):
            key = f"BK{t.code}-{i}"
            src = f"{t.code} {t.title}"
            homes = [t2.title for t2 in topics if _norm(it) in {_norm(x) for x in t2.items}]
            if homes != [t.title]:
                continue
            b.single(f"{key}-T", f"{b.doc}基础知识中，「{it}」属于下列哪一部分？", t.title, other_titles,
                     area="基础知识", level=lowest, source=src, group=key, prior="to_function")  # fmt: skip
            b.single(f"{key}-I", f"下列哪一项属于{b.doc}基础知识「{t.title}」的内容？", it, others,
                     area="基础知识", level=lowest, source=src, group=key, prior="reverse", truths=t.items)  # fmt: skip
            b.judge(f"{key}-JT", f"{b.doc}基础知识「{t.title}」包括「{it}」", True, area="基础知识", level=lowest,
                    source=src, group=key)  # fmt: skip
            if other_titles:
                pick = other_titles[_digest(key) % len(other_titles)]
                b.judge(f"{key}-JF", f"{b.doc}基础知识「{pick}」包括「{it}」", False, area="基础知识",
                        level=lowest, source=src, group=key)  # fmt: skip
        if len(t.items) >= 2:
            b.multiple(f"BK{t.code}-M", f"下列哪些属于{b.doc}基础知识「{t.title}」的内容？", t.items, others,
                       area="基础知识", level=lowest, source=f"{t.code} {t.title}", group=f"BK{t.code}-M",
                       truths=t.items)  # fmt: skip
    # the laws and regulations a standard names (相关法律、法规知识)
    law_re = re.compile(r"《([^》]+)》")
    own_laws = [m for t in topics if "法律" in t.title for it in t.items for m in law_re.findall(it)]
    law_topic = next((t for t in topics if "法律" in t.title), None)
    foreign_laws = [m for o in all_standards.values() if o.id != s.id and o.basic_requirements
                    for t in o.basic_requirements.basic_knowledge if "法律" in t.title
                    for it in t.items for m in law_re.findall(it)]  # fmt: skip
    if law_topic and own_laws:
        src = f"{law_topic.code} {law_topic.title}"
        for i, law in enumerate(own_laws, start=1):
            b.single(f"LAW{i}-S", f"下列哪一部法律法规列在{b.doc}基础知识「{law_topic.title}」中？", f"《{law}》",
                     [f"《{x}》" for x in foreign_laws], area="基础知识", level=lowest, source=src,
                     group=f"LAW{i}", prior="to_function", truths=[f"《{x}》" for x in own_laws])  # fmt: skip
        for j, law in enumerate(_check_false(None, foreign_laws, own_laws), start=1):
            b.judge(f"LAWX{j}-JF", f"{b.doc}基础知识「{law_topic.title}」列出了《{law}》相关知识。", False,
                    area="基础知识", level=lowest, source=src, group=f"LAWX{j}")  # fmt: skip
        b.multiple("LAW-M", f"下列哪些法律法规列在{b.doc}基础知识「{law_topic.title}」中？",
                   [f"《{x}》" for x in own_laws], [f"《{x}》" for x in foreign_laws], area="基础知识", level=lowest,
                   source=src, group="LAW-M", truths=[f"《{x}》" for x in own_laws])  # fmt: skip


# ---------------------------------------------------------------------------------------------
# 职业概况: numbers (levels, training hours, assessment rules, weights, 申报条件)


def _numbers(true: int, key: str, spread: list[int]) -> list[int]:
    """Plausible wrong numbers: the true value moved by each of ``spread``, positive, ≠ true."""
    return sorted({true + d for d in spread if true + d > 0 and true + d != true})


def number_items(b: Builder, all_standards: dict[str, Standard]) -> None:
    s = b.standard
    if "基础知识" not in {a for table in s.theory_weights.values() for a in table}:
        return  # 590008: no 基础知识 row to hold them (and no assessment numbers or 申报条件)
    lowest = s.level_ids[0]
    a = s.assessment
    clauses = a.clauses

    def num(key, stem, true, spread, source, level=lowest, unit="", group=None):
        """A number of the standard: a single with wrong numbers, a true and a false judge.
        ``group``: facts of one table share a group, so a paper asks at most one of them.
        For a minimum (不少于, 以上) the false judge states a LARGER number: "不少于 30 min" is
        still implied by "不少于 60 min", "不少于 90 min" is not."""
        group = group or f"N-{key}"
        options = [f"{true}{unit}"]
        numbers = _numbers(true, key, spread)
        wrong = [f"{x}{unit}" for x in numbers]
        b.single(f"N-{key}", stem, options[0], wrong, area="基础知识", level=level, source=source,
                 group=group, prior="number")  # fmt: skip
        minimum = any(word in stem for word in ("不少于", "以上"))
        false_pool = [f"{x}{unit}" for x in numbers if x > true] if minimum else wrong
        if false_pool:
            b.judge(f"N-{key}-JT", stem.replace("____", f"{true}{unit}").rstrip("？?") + "。", True,
                    area="基础知识", level=level, source=source, group=group)  # fmt: skip
            false_value = false_pool[_digest(key) % len(false_pool)]
            b.judge(f"N-{key}-JF", stem.replace("____", false_value).rstrip("？?") + "。", False,
                    area="基础知识", level=level, source=source, group=group)  # fmt: skip

    num("levels", f"{b.doc}共设____个职业技能等级？", len(s.levels), [-2, -1, 1, 2], "1.4 职业技能等级", unit="")
    for lv in s.levels:
        if lv.training_hours:
            other = sorted({x.training_hours for x in s.levels if x.training_hours} - {lv.training_hours})
            spread = [x - lv.training_hours for x in other] + [-20, 20, 40]
            num(
                f"hours-{lv.id}",
                f"{b.doc}规定，{lv.title}的培训参考学时为____标准学时？",
                lv.training_hours,
                spread,
                f"{TRAINING_CLAUSE[s.id]} 培训参考学时",
                level=lv.id,
                group="N-hours",
            )
    if a.pass_mark is not None:
        num(
            "pass",
            f"{b.doc}规定，各项考核均实行百分制，成绩皆达____分（含）以上为合格？",
            int(a.pass_mark),
            [-10, 10, 20],
            f"{clauses.get('pass_mark', '1.9.2')} 鉴定方式",
        )
    minutes = a.min_minutes
    labels = {"theory": "理论知识考试", "practical": "操作技能考核" if s.id == "3-01-01-04" else "技能考核",
              "review": "综合评审"}  # fmt: skip
    for comp in ("theory", "practical", "review"):
        value = getattr(minutes, comp)
        if value:
            level = lowest
            if comp == "review":  # 综合评审 only at the levels whose components include it (1.9.2)
                level = next(lv for lv in s.level_ids if "review" in a.components[lv])
            num(
                f"min-{comp}",
                f"{b.doc}规定，{labels[comp]}时间不少于____min？",
                value,
                [-30, -15, 30],
                f"{clauses.get('min_minutes', '1.9.4')} 鉴定时间",
                level=level,
            )
    if a.proctors:
        num(
            "proctor",
            f"{b.doc}规定，理论知识考试中监考人员与考生配比为1∶____？",
            a.proctors.candidates_per_proctor,
            [-5, 5, 15],
            f"{clauses.get('proctors', '1.9.3')} 考评人员配比",
        )
        num(
            "proctor-room",
            f"{b.doc}规定，理论知识考试每个考场不少于____名监考人员？",
            a.proctors.min_per_room,
            [-1, 1, 2],
            f"{clauses.get('proctors', '1.9.3')} 考评人员配比",
        )
    if a.graders:
        num(
            "grader",
            f"{b.doc}规定，{labels['practical']}中考评人员与考生配比为1∶____？",
            a.graders.candidates_per_grader,
            [-5, 5, 10],
            f"{clauses.get('graders', '1.9.3')} 考评人员配比",
        )
        num(
            "grader-panel",
            f"{b.doc}规定，{labels['practical']}的考评人员为____人（含）以上单数？",
            a.graders.min_panel,
            [-2, 2, 4],
            f"{clauses.get('graders', '1.9.3')} 考评人员配比",
        )
    if a.reviewers:
        level = next(lv for lv in s.level_ids if "review" in a.components[lv])
        num(
            "reviewer-panel",
            f"{b.doc}规定，综合评审委员为____人以上单数？",
            a.reviewers.min_panel,
            [-2, 2, 4],
            f"{clauses.get('reviewers', '1.9.3')} 考评人员配比",
            level=level,
        )
    if a.min_stations:
        num(
            "stations",
            f"{b.doc}规定，各操作技能考核场所考核工位不少于____个？",
            a.min_stations,
            [-1, 2, 3],
            f"{clauses.get('min_stations', '1.9.5')} 鉴定场所设备",
        )
    # which levels have 综合评审 (1.9.2)
    for lv in s.levels:
        has = "review" in a.components[lv.id]
        if any("review" in c for c in a.components.values()):
            b.judge(f"N-review-{lv.id}", f"{b.doc}规定，{lv.title}的鉴定包括综合评审。", has, area="基础知识",
                    level=lv.id, source=f"{clauses.get('components', '1.9.2')} 鉴定方式", group=f"N-review-{lv.id}")  # fmt: skip
    # 4.1 / 4.2 weights
    for table_name, table, clause, label in (("T", s.theory_weights, "4.1", "理论知识权重表"),
                                             ("K", s.skill_weights, "4.2", "技能要求权重表")):  # fmt: skip
        for n, lv in enumerate(s.level_ids, start=1):
            title = s.level(lv).title
            for i, (row, weight) in enumerate(table[lv].items(), start=1):
                num(
                    f"w{table_name}-{n}-{i}",
                    f"{b.doc}{label}中，{title}「{row}」的比重为____%？",
                    weight,
                    [-10, -5, 5, 10],
                    f"{clause} {label}",
                    level=lv,
                    unit="",
                    group=f"N-w{table_name}",
                )
    # 申报条件 (1.9.1): the numbers in each clause's own words
    number_re = re.compile(r"(\d+)")
    for lv in s.level_ids:
        title = s.level(lv).title
        texts = [c.text for c in s.eligibility.get(lv, [])]
        for clause in s.eligibility.get(lv, []):
            match = number_re.search(clause.text)
            if not match:
                continue
            true = int(match.group(1))
            blank = clause.text[: match.start()] + "____" + clause.text[match.end() :]
            wrong = [str(x) for x in _numbers(true, clause.text, [-1, 1, 2])]
            wrong = [w for w in wrong if clause.text[: match.start()] + w + clause.text[match.end() :] not in texts]
            key = f"E-{lv}-{clause.clause}"
            src = f"1.9.1 申报条件 {title} ({clause.clause})"
            b.single(key, f"{b.doc}规定的{title}申报条件之一为：“{blank}”空格处应为？", str(true), wrong,
                     area="基础知识", level=lv, source=src, group=key, prior="number")  # fmt: skip
    del all_standards


# ---------------------------------------------------------------------------------------------


def handwritten(standard_id: str) -> list[dict]:
    data = yaml.safe_load(HANDWRITTEN.read_text(encoding="utf-8")) or {}
    return [dict(item) for item in data.get(standard_id, [])]


PREFIX = {"3-01-01-04": "SH", "3-01-04-03": "LB", "590008": "SQ"}


def build(standard: Standard, all_standards: dict[str, Standard]) -> list[dict]:
    b = Builder(standard, PREFIX.get(standard.id, standard.id))
    work_items(b, all_standards)
    basic_items(b, all_standards)
    number_items(b, all_standards)
    items = b.items + handwritten(standard.id)
    seen = set()
    for index, item in enumerate(items):
        if item["external_id"] in seen:
            raise SystemExit(f"{standard.id}: duplicate external_id {item['external_id']}")
        seen.add(item["external_id"])
        _, problems = check_item(item, standard)
        if problems:
            raise SystemExit(f"{standard.id}[{index}] {item['external_id']}: {problems}")
    return items


def render(standard: Standard, items: list[dict]) -> str:
    body = {
        "standard": standard.id,
        "name": standard.name,
        "generated_by": "question_banks/generate.py",
        "items": items,
    }
    return json.dumps(body, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str]) -> int:
    standards = load_standards()
    stale = []
    for standard in standards.values():
        items = build(standard, standards)
        text = render(standard, items)
        path = HERE / f"{standard.id}.json"
        if "--check" in argv:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
            continue
        path.write_text(text, encoding="utf-8")
        print(f"{path.name}: {len(items)} items")
    if stale:
        print("out of date: " + ", ".join(stale) + " (run question_banks/generate.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
