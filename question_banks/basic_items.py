"""Items from 基本要求: 职业守则, 职业素养, 基础知识 topics and the laws a standard names."""

from __future__ import annotations

import re

from app.standards.schema import Standard
from question_banks.builder import Builder, check_false, digest, norm, rotate


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
    for j, line in enumerate(check_false(None, foreign_conduct, conduct), start=1):
        b.judge(f"CCX{j}-JF", f"{b.doc}规定的职业守则包括「{line}」", False, area=ethics, level=lowest,
                source="2.1.2 职业守则", group=f"CCX{j}")  # fmt: skip
    for variant in range(2):
        trues = rotate(conduct, f"cc{variant}")[: 4 - variant]
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
            homes = [t2.title for t2 in topics if norm(it) in {norm(x) for x in t2.items}]
            if homes != [t.title]:
                continue
            b.single(f"{key}-T", f"{b.doc}基础知识中，「{it}」属于下列哪一部分？", t.title, other_titles,
                     area="基础知识", level=lowest, source=src, group=key, prior="to_function")  # fmt: skip
            b.single(f"{key}-I", f"下列哪一项属于{b.doc}基础知识「{t.title}」的内容？", it, others,
                     area="基础知识", level=lowest, source=src, group=key, prior="reverse", truths=t.items)  # fmt: skip
            b.judge(f"{key}-JT", f"{b.doc}基础知识「{t.title}」包括「{it}」", True, area="基础知识", level=lowest,
                    source=src, group=key)  # fmt: skip
            if other_titles:
                pick = other_titles[digest(key) % len(other_titles)]
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
        for j, law in enumerate(check_false(None, foreign_laws, own_laws), start=1):
            b.judge(f"LAWX{j}-JF", f"{b.doc}基础知识「{law_topic.title}」列出了《{law}》相关知识。", False,
                    area="基础知识", level=lowest, source=src, group=f"LAWX{j}")  # fmt: skip
        b.multiple("LAW-M", f"下列哪些法律法规列在{b.doc}基础知识「{law_topic.title}」中？",
                   [f"《{x}》" for x in own_laws], [f"《{x}》" for x in foreign_laws], area="基础知识", level=lowest,
                   source=src, group="LAW-M", truths=[f"《{x}》" for x in own_laws])  # fmt: skip
