"""Items from 工作要求: each 技能要求 and 相关知识要求 of a level to its 工作内容, 职业功能 and level, and back."""

from __future__ import annotations

from app.standards.schema import Standard
from question_banks.builder import Builder, digest, norm, rotate


def work_items(b: Builder, all_standards: dict[str, Standard]) -> None:
    s = b.standard
    func_t, content_t, skill_t = s.wording.function, s.wording.content, s.wording.skill
    texts_by_level = {
        lv: {norm(sk.text) for f in s.work_requirements[lv] for c in f.contents for sk in c.skills}
        for lv in s.level_ids
    }
    for n, level in enumerate(s.level_ids, start=1):
        title = s.level(level).title
        clause = s.wording.work_clause.format(n=n)
        functions = s.work_requirements[level]
        contents = [(f, c) for f in functions for c in f.contents]
        skill_home: dict[str, list[str]] = {}
        know_home: dict[str, list[str]] = {}
        for _, c in contents:
            for sk in c.skills:
                skill_home.setdefault(norm(sk.text), []).append(c.name)
            for kn in c.knowledge:
                know_home.setdefault(norm(kn.text), []).append(c.name)
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
                    pick = wrong[digest(c.code + level) % len(wrong)]
                    b.judge(f"{tag}-CFF-{c.code}",
                            f"{b.doc}中，「{c.name}」是{title}「{pick}」{func_t}下的{content_t}。", False,
                            area=area, level=level, source=f"{clause} {title} {f.code}", group=g)  # fmt: skip
            for sk in c.skills:
                key = norm(sk.text)
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
                    pick = wrong_c[digest(sc) % len(wrong_c)]
                    b.judge(f"{sc}-JF", f"{title}「{pick}」{content_t}的{skill_t}包括「{sk.text}」。", False,
                            area=area, level=level, source=src, group=g_c)  # fmt: skip
                b.judge(f"{sc}-FT", f"{skill_t}「{sk.text}」属于{title}「{f.name}」{func_t}。", True,
                        area=area, level=level, source=src, group=g_f)  # fmt: skip
                if other_functions:
                    pick = other_functions[digest(sc + "F") % len(other_functions)]
                    b.judge(f"{sc}-FF", f"{skill_t}「{sk.text}」属于{title}「{pick}」{func_t}。", False,
                            area=area, level=level, source=src, group=g_f)  # fmt: skip
                # the level whose table lists this text (only when exactly one level does)
                homes = [lv for lv in s.level_ids if key in texts_by_level[lv]]
                if homes == [level] and len(s.level_ids) > 1:
                    titles = [s.level(lv).title for lv in s.level_ids]
                    b.single(f"{sc}-LV", f"{b.doc}中，{skill_t}「{sk.text}」列在哪个等级的工作要求中？", title,
                             titles, area=area, level=level, source=src, group=f"{sc}-L", prior="level")  # fmt: skip
            for kn in c.knowledge:
                key = norm(kn.text)
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
                    pick = wrong_c[digest(kc) % len(wrong_c)]
                    b.judge(f"{kc}-JF", f"{title}「{pick}」{content_t}的相关知识要求包括「{kn.text}」。", False,
                            area=area, level=level, source=src, group=kc)  # fmt: skip
            # multiples: the skills / knowledge of one 工作内容
            skills = [x.text for x in c.skills]
            other_skills = [x.text for _, c2 in contents if c2.name != c.name for x in c2.skills]
            for variant in range(2 if len(skills) >= 2 else 0):
                trues = skills if variant == 0 else rotate(skills, c.code)[: max(2, len(skills) - 1)]
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


def _function(s: Standard, level: str, name: str):
    return next(f for f in s.work_requirements[level] if f.name == name)
