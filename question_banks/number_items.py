"""Items from 职业概况 and 4 权重表: numbers (levels, training hours, assessment rules, weights, 申报条件)."""

from __future__ import annotations

import re

from app.standards.schema import Standard
from question_banks.builder import Builder, digest, numbers


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
        values = numbers(true, key, spread)
        wrong = [f"{x}{unit}" for x in values]
        b.single(f"N-{key}", stem, options[0], wrong, area="基础知识", level=level, source=source,
                 group=group, prior="number")  # fmt: skip
        minimum = any(word in stem for word in ("不少于", "以上"))
        false_pool = [f"{x}{unit}" for x in values if x > true] if minimum else wrong
        if false_pool:
            b.judge(f"N-{key}-JT", stem.replace("____", f"{true}{unit}").rstrip("？?") + "。", True,
                    area="基础知识", level=level, source=source, group=group)  # fmt: skip
            false_value = false_pool[digest(key) % len(false_pool)]
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
                f"{s.wording.training_clause} 培训参考学时",
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
    labels = {"theory": "理论知识考试", "practical": s.wording.practical,
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
            wrong = [str(x) for x in numbers(true, clause.text, [-1, 1, 2])]
            wrong = [w for w in wrong if clause.text[: match.start()] + w + clause.text[match.end() :] not in texts]
            key = f"E-{lv}-{clause.clause}"
            src = f"1.9.1 申报条件 {title} ({clause.clause})"
            b.single(key, f"{b.doc}规定的{title}申报条件之一为：“{blank}”空格处应为？", str(true), wrong,
                     area="基础知识", level=lv, source=src, group=key, prior="number")  # fmt: skip
    del all_standards
