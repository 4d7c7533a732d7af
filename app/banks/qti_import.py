"""Importing an IMS QTI 2.1 content package into a bank (api-contract v1.2, Banks in QTI).

The items are the resources of type ``imsqti_item_xmlv2p1`` (2p0 and 2p2 too) the manifest lists, in its
order. Each must be one ``choiceInteraction`` with a ``correctResponse``: anything else the platform
cannot hold (an essay, a hotspot, a gap, an image in the stem…) refuses the whole package, naming the
item's identifier and why. The items then pass the JSON import's own checks (validation.check_item,
duplicates, another owner's external id) and are stored by the same operation: all or nothing.

Packages we wrote carry the platform's fields in the resource metadata (namespace ``BANK``): those
items come back exactly. A package from another tool (TAO, Moodle, Inspera…) lacks them, so:
- ``external_id`` is the item's identifier (the manifest's resource identifier where several items of
  the package share one identifier);
- ``single`` where the response's cardinality is single, ``multiple`` where it is multiple; two choices
  正确/错误 (or true/false) make a ``judge`` item;
- ``level``, ``area``, ``points`` and ``difficulty`` come from the upload's defaults (form fields);
  the item's own maximum score (``MAXSCORE``, else ``SCORE``'s normalMaximum) gives the points where it
  is a whole number; an item that still lacks one is refused by the JSON import's rule for that field.
"""

from __future__ import annotations

import re

from app.auth.models import User
from app.errors import Invalid
from app.standards.registry import get_standard

from . import operations as ops
from .qti_package import BANK, ITEM_RESOURCE_PREFIX, MANIFEST, QTI_ITEM_NAMESPACES, Package, local, namespace, refuse

DEFAULT_FIELDS = ("level", "area", "points", "difficulty")
INTERACTION_NAMES = {
    "extendedTextInteraction": "问答/作文题", "textEntryInteraction": "填空题", "hotspotInteraction": "热点题",
    "graphicOrderInteraction": "图形排序题", "graphicAssociateInteraction": "图形配对题",
    "graphicGapMatchInteraction": "图形拖放题", "selectPointInteraction": "选点题", "inlineChoiceInteraction": "下拉填空题",
    "orderInteraction": "排序题", "matchInteraction": "匹配题", "associateInteraction": "配对题",
    "gapMatchInteraction": "拖放填空题", "uploadInteraction": "文件上传题", "drawingInteraction": "绘图题",
    "sliderInteraction": "滑块题", "mediaInteraction": "媒体题", "customInteraction": "自定义题",
    "positionObjectInteraction": "定位题", "endAttemptInteraction": "结束作答按钮",
}  # fmt: skip
MEDIA = {"img": "图片", "object": "媒体对象", "math": "公式（MathML）", "audio": "音频", "video": "视频"}
BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "blockquote", "pre", "table", "tr",
          "dl", "dt", "dd", "address", "hr"}  # fmt: skip
TRUE_WORDS = {"正确", "对", "true"}
FALSE_WORDS = {"错误", "错", "false"}
HINT = "（其他工具导出的包不带本平台的等级、知识领域、分值：上传时用表单字段 level、area、points 给出默认值）"


class Unrepresentable(Exception):
    """One item the platform cannot hold: ``reason`` says why."""

    def __init__(self, reason: str, field: str = "interaction") -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


def _qti(element, name: str) -> list:
    return [e for e in element.iter() if local(e) == name and namespace(e) in QTI_ITEM_NAMESPACES]


def _exact_text(element) -> str:
    """A prompt we wrote: its text, ``<br/>`` as a line break, nothing collapsed."""
    parts = [element.text or ""]
    for child in element:
        parts.append("\n" if local(child) == "br" else "".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts).strip()


def _flow_text(element, skip: frozenset[str] = frozenset()) -> str:
    """Another tool's markup as plain text: whitespace collapsed, blocks and ``<br/>`` as line breaks."""
    parts: list[str] = []

    def text(value: str | None) -> None:
        parts.append(re.sub(r"\s+", " ", value or ""))

    def walk(node) -> None:
        name = local(node)
        if name in skip:
            return
        if name in BLOCKS or name == "br":
            parts.append("\n")
        text(node.text)
        for child in node:
            if isinstance(child.tag, str):
                walk(child)
            text(child.tail)
        if name in BLOCKS:
            parts.append("\n")

    text(element.text)
    for child in element:
        if isinstance(child.tag, str):
            walk(child)
        text(child.tail)
    lines = (line.strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _stem(body, interaction, ours: bool) -> str:
    prompts = [p for p in interaction if local(p) == "prompt"]
    if ours and prompts:
        return _exact_text(prompts[0])
    # everything of the body but the choices; the prompt where it stands
    return _flow_text(body, skip=frozenset({"simpleChoice", "feedbackInline", "feedbackBlock", "rubricBlock"}))


def _our_fields(resource) -> dict | None:
    block = next((e for e in resource.iter() if local(e) == "item" and namespace(e) == BANK), None)
    if block is None:
        return None
    fields = {local(e): (e.text or "") for e in block if isinstance(e.tag, str)}
    out: dict = {"external_id": fields.get("externalId"), "type": fields.get("type")}
    for key, name in (("area", "area"), ("level", "level"), ("source", "source")):
        if name in fields:
            out[key] = fields[name]
    out["enemy_group"] = fields.get("enemyGroup") or None
    out["points"] = _number(fields.get("points"))
    out["difficulty"] = _number(fields.get("difficulty"), as_float=True)
    return out


def _number(text, as_float: bool = False):
    """A number from a text (form field or metadata), or the text itself for the check to name."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    try:
        value = float(text)
    except (TypeError, ValueError):
        return text
    return value if as_float or not value.is_integer() else int(value)


def _declared_points(root):
    for name, attribute in (("MAXSCORE", None), ("SCORE", "normalMaximum")):
        for outcome in _qti(root, "outcomeDeclaration"):
            if outcome.get("identifier") != name:
                continue
            text = outcome.get(attribute) if attribute else next((v.text for v in _qti(outcome, "value")), None)
            value = _number(text)
            if isinstance(value, int) and 1 <= value <= 100:
                return value
    return None


def read_item(root, ours: dict | None) -> dict:
    """An item (the JSON import's shape, less what the defaults give) or Unrepresentable."""
    if local(root) != "assessmentItem" or namespace(root) not in QTI_ITEM_NAMESPACES:
        raise Unrepresentable("不是 QTI 2.x 的 assessmentItem", field="item")
    if root.get("adaptive") == "true":
        raise Unrepresentable("自适应试题（adaptive）平台无法表示")
    if _qti(root, "templateDeclaration"):
        raise Unrepresentable("含模板变量（templateDeclaration，随机生成的试题）平台无法表示")
    body = next(iter(_qti(root, "itemBody")), None)
    if body is None:
        raise Unrepresentable("没有题干（itemBody）", field="stem")
    interactions = [e for e in body.iter() if local(e).endswith("Interaction") and namespace(e) in QTI_ITEM_NAMESPACES]
    others = [local(e) for e in interactions if local(e) != "choiceInteraction"]
    if others:
        name = others[0]
        label = INTERACTION_NAMES.get(name, "非选择题")
        raise Unrepresentable(f"{label}（{name}）平台无法表示，只能导入单选、多选、判断题（choiceInteraction）")
    if not interactions:
        raise Unrepresentable("没有作答交互（choiceInteraction）")
    if len(interactions) > 1:
        raise Unrepresentable(f"一题含 {len(interactions)} 个选择交互（组合题）平台无法表示")
    media = [local(e) for e in body.iter() if local(e) in MEDIA]
    if media:
        raise Unrepresentable(f"题干或选项含{MEDIA[media[0]]}（{media[0]}），平台试题只保存文字", field="stem")
    interaction = interactions[0]
    response_id = interaction.get("responseIdentifier")
    declaration = next((d for d in _qti(root, "responseDeclaration") if d.get("identifier") == response_id), None)
    if declaration is None or declaration.get("baseType") not in (None, "identifier"):
        raise Unrepresentable(f"没有作答变量 {response_id} 的 identifier 型声明（responseDeclaration）", field="answer")
    cardinality = declaration.get("cardinality")
    if cardinality not in ("single", "multiple"):
        raise Unrepresentable(f"作答基数 {cardinality} 平台无法表示（只能为 single 或 multiple）", field="answer")
    correct = [(v.text or "").strip() for v in _qti(declaration, "value") if v.getparent() is not None
               and local(v.getparent()) == "correctResponse"]  # fmt: skip
    if not correct:
        raise Unrepresentable("没有标准答案（correctResponse）", field="answer")
    choices = [c for c in interaction if local(c) == "simpleChoice"]
    ids = [c.get("identifier") for c in choices]
    unknown = [v for v in correct if v not in ids]
    if unknown:
        raise Unrepresentable(f"标准答案 {'、'.join(unknown)} 不是本题的选项", field="answer")
    texts = [_exact_text(c) if ours else _flow_text(c) for c in choices]
    letters = [chr(ord("A") + ids.index(v)) for v in correct]
    item = dict(ours or {})
    item["stem"] = _stem(body, interaction, ours is not None)
    words = [t.lower() for t in texts]
    is_judge = ours["type"] == "judge" if ours else cardinality == "single" and _true_false(words)
    if is_judge:
        if len(correct) != 1 or len(words) != 2:
            raise Unrepresentable("判断题须恰有 正确、错误 两个选项和一个答案", field="answer")
        item.update(type="judge", options=[], answer=words[ids.index(correct[0])] in TRUE_WORDS)
        return item
    if ours is None:
        item["type"] = "multiple" if cardinality == "multiple" else "single"
        item["points"] = _declared_points(root)
    item["options"] = texts
    item["answer"] = sorted(letters) if item["type"] == "multiple" else (letters[0] if len(letters) == 1 else letters)
    return item


def _true_false(words: list[str]) -> bool:
    """Two choices, one 正确 (true) and one 错误 (false), in either order: a judge item."""
    known = all(w in TRUE_WORDS | FALSE_WORDS for w in words)
    return len(words) == 2 and known and {w in TRUE_WORDS for w in words} == {True, False}


def _defaults(form: dict) -> dict:
    out = {}
    for key in DEFAULT_FIELDS:
        value = (form.get(key) or "").strip() if isinstance(form.get(key), str) else form.get(key)
        if value in (None, ""):
            continue
        out[key] = _number(value, as_float=key == "difficulty") if key in ("points", "difficulty") else value
    return out


def read_package(data: bytes, defaults: dict | None = None) -> list[tuple[str, dict, bool]]:
    """(identifier, raw item, written by us) in manifest order; an unrepresentable item refuses them all."""
    package = Package(data)
    manifest = package.read_xml(MANIFEST) if MANIFEST in package.names else None
    if manifest is None:
        raise refuse("QTI 包的根目录没有 imsmanifest.xml（不是 IMS 内容包）")
    given = _defaults(defaults or {})
    resources = [r for r in manifest.iter() if local(r) == "resource"
                 and (r.get("type") or "").startswith(ITEM_RESOURCE_PREFIX)]  # fmt: skip
    if not resources:
        raise refuse("QTI 包的 imsmanifest.xml 没有列出试题（类型 imsqti_item_xmlv2p1 的资源）")
    parsed, refused = [], []
    for index, resource in enumerate(resources):
        href = resource.get("href") or next((f.get("href") for f in resource if local(f) == "file"), None)
        name = package.resolve(href or "")
        if name is None:
            raise refuse(f"资源 {resource.get('identifier')} 的文件路径「{href}」越出包目录或为空", index=index)
        root = package.read_xml(name)
        identifier = root.get("identifier") or resource.get("identifier") or name
        ours = _our_fields(resource)
        try:
            item = read_item(root, ours)
        except Unrepresentable as exc:
            refused.append((index, identifier, name, exc))
            continue
        parsed.append((index, identifier, resource.get("identifier"), item, ours is not None))
    if refused:
        index, identifier, name, exc = refused[0]
        raise refuse(
            f"试题 {identifier}（{name}）：{exc.reason}；整个包未导入"
            + (f"（另有 {len(refused) - 1} 题同样无法导入）" if len(refused) > 1 else ""),
            index=index,
            identifier=identifier,
            reason=exc.field,
            refused=[r[1] for r in refused][:20],
        )
    foreign = [p[1] for p in parsed if not p[4]]
    shared = {identifier for identifier in foreign if foreign.count(identifier) > 1}
    out = []
    for _index, identifier, resource_id, item, is_ours in parsed:
        if not is_ours:
            item["external_id"] = resource_id if identifier in shared and resource_id else identifier
            for key, value in given.items():
                if item.get(key) is None:
                    item[key] = value
            if item.get("difficulty") is None:
                item.pop("difficulty", None)  # the JSON import's default (0.5)
        out.append((identifier, item, is_ours))
    return out


def import_package(standard_id: str, data: bytes, defaults: dict | None = None, user: User | None = None) -> int:
    """Refuse (422 naming the item's identifier) or store every item: the JSON import's rules and operation."""
    standard = get_standard(standard_id)
    read = read_package(data, defaults)
    items = [item for _identifier, item, _ours in read]
    clean, problems = ops.validate_items(items, standard)
    if problems:
        index, problem = problems[0]
        identifier, _item, ours = read[index]
        hint = HINT if problem.field in ("level", "area", "points") and not ours else ""
        raise Invalid(
            f"试题 {identifier}：{problem.message}{hint}；整个包未导入",
            field=problem.field,
            index=index,
            details={"identifier": identifier},
        )
    return ops.upsert_items(standard, clean, ops.owner_of(user), user)
