"""The rating frameworks read back against their source texts, and the loader's refusals.

EXPECTED_* below are a second, independent reading of 常州市职业类社会团体等级评估准备材料明细
(建议稿): every node's code and points, in the printed order (2.3.2.2 is followed by 2.3.2.5)."""

from __future__ import annotations

import pytest
import yaml

from app import create_app
from app.rating.frameworks import FRAMEWORKS_DIR, FrameworkError, load_framework_file, parse_framework

EXPECTED_NODES = """
1 80; 1.1 30; 1.1.1 10; 1.1.2 10; 1.1.3 10; 1.2 10; 1.2.1 10; 1.3 20; 1.3.1 10; 1.3.2 10; 1.4 20; 1.4.1 10; 1.4.2 10;
2 380; 2.1 20; 2.1.1 20; 2.2 135; 2.2.1 20; 2.2.2 30; 2.2.3 10; 2.2.4 30; 2.2.5 10; 2.2.6 15; 2.2.7 20;
2.3 80; 2.3.1 35; 2.3.2 20; 2.3.3 25; 2.4 80; 2.4.1 15; 2.4.2 30; 2.4.3 10; 2.4.4 15; 2.4.5 10;
2.5 20; 2.5.1 10; 2.5.2 10; 2.6 20; 2.6.1 10; 2.6.2 10; 2.7 15; 2.7.1 10; 2.7.2 5; 2.8 10; 2.8.1 10;
3 440; 3.1 140; 3.1.1 70; 3.1.2 40; 3.1.3 30; 3.2 90; 3.2.1 50; 3.2.2 40; 3.3 60; 3.3.1 30; 3.3.2 30;
3.4 60; 3.4.1 60; 3.5 40; 3.5.1 40; 3.6 50; 3.6.1 50;
4 100; 4.1 50; 4.1.1 20; 4.1.2 30; 4.2 50; 4.2.1 20; 4.2.2 20; 4.2.3 10
"""
EXPECTED_LEAVES = """
1.1.1.1 4; 1.1.1.2 3; 1.1.1.3 3; 1.1.2.1 10; 1.1.3.1 4; 1.1.3.2 3; 1.1.3.3 3; 1.2.1.1 5; 1.2.1.2 5;
1.3.1.1 10; 1.3.2.1 10; 1.4.1.1 10; 1.4.2.1 10;
2.1.1.1 10; 2.1.1.2 5; 2.1.1.3 5; 2.2.1.1 10; 2.2.1.2 10; 2.2.2.1 10; 2.2.2.2 5; 2.2.2.3 5; 2.2.2.4 10;
2.2.3.1 5; 2.2.3.2 3; 2.2.3.3 2; 2.2.4.1 10; 2.2.4.2 10; 2.2.4.3 10; 2.2.5.1 5; 2.2.5.2 5;
2.2.6.1 5; 2.2.6.2 5; 2.2.6.3 5; 2.2.7.1 10; 2.2.7.2 10;
2.3.1.1 10; 2.3.1.2 5; 2.3.1.3 5; 2.3.1.4 5; 2.3.1.5 5; 2.3.1.6 5; 2.3.2.1 10; 2.3.2.2 5; 2.3.2.5 5;
2.3.3.1 5; 2.3.3.2 5; 2.3.3.3 15; 2.4.1.1 10; 2.4.1.2 5; 2.4.2.1 5; 2.4.2.2 5; 2.4.2.3 10; 2.4.2.4 5;
2.4.2.5 5; 2.4.3.1 5; 2.4.3.2 5; 2.4.4.1 5; 2.4.4.2 5; 2.4.4.3 5; 2.4.5.1 5; 2.4.5.2 5;
2.5.1.1 5; 2.5.1.2 5; 2.5.2.1 5; 2.5.2.2 5; 2.6.1.1 5; 2.6.1.2 5; 2.6.2.1 5; 2.6.2.2 5; 2.7.1.1 10;
2.7.2.1 5; 2.8.1.1 10;
3.1.1.1 10; 3.1.1.2 15; 3.1.1.3 15; 3.1.1.4 10; 3.1.1.5 10; 3.1.1.6 10; 3.1.2.1 20; 3.1.2.2 10;
3.1.2.3 10; 3.1.3.1 15; 3.1.3.2 15; 3.2.1.1 10; 3.2.1.2 10; 3.2.1.3 10; 3.2.1.4 10; 3.2.1.5 10;
3.2.2.1 15; 3.2.2.2 15; 3.2.2.3 10; 3.3.1.1 10; 3.3.1.2 10; 3.3.1.3 10; 3.3.2.1 10; 3.3.2.2 10;
3.3.2.3 10; 3.4.1.1 20; 3.4.1.2 40; 3.5.1.1 20; 3.5.1.2 20; 3.6.1.1 50;
4.1.1.1 20; 4.1.2.1 10; 4.1.2.2 10; 4.1.2.3 10; 4.2.1.1 20; 4.2.2.1 20; 4.2.3.1 10
"""
FORMULA_INPUTS = {
    "2.3.1.1": ["full_time_staff"],
    "2.2.2.2": ["members", "council"],
    "2.2.2.3": ["council", "standing_council"],
    "2.3.1.2": ["staff", "under_50"],
    "2.3.1.3": ["staff", "college"],
    "2.4.4.1": ["liabilities", "assets"],
    "2.4.4.2": ["net_assets_start", "net_assets_end"],
    "2.4.4.3": ["business_expense", "total_expense"],
    "4.1.2.1": ["members_by_year"],
    "4.1.2.2": ["members", "dues_paid"],
    "4.1.2.3": ["members", "attended"],
}
PATH = FRAMEWORKS_DIR / "changzhou-vocational.yaml"


def pairs(text: str) -> list[tuple[str, int]]:
    return [(code, int(points)) for code, points in (item.split() for item in text.replace("\n", " ").split(";"))]


def test_every_node_and_leaf_as_printed(client, make_user, token_for):
    make_user("reader", "expert")
    body = client.get("/api/v1/rating/frameworks/changzhou-vocational", headers=token_for("reader")).get_json()
    nodes, leaves = [], []

    def walk(node):
        if "children" in node:
            nodes.append((node["code"], node["points"]))
            assert node["points"] == sum(c["points"] for c in node["children"]), node["code"]
            for child in node["children"]:
                walk(child)
        else:
            leaves.append((node["code"], node["points"]))
            assert node["materials"], node["code"]
            assert (node["formula"] is not None) == (node["code"] in FORMULA_INPUTS), node["code"]

    for top in body["nodes"]:
        walk(top)
    assert nodes == pairs(EXPECTED_NODES)
    assert leaves == pairs(EXPECTED_LEAVES)
    assert sum(p for c, p in leaves) == 1000 == body["total"]


def test_formula_leaves_name_the_contracts_inputs():
    framework = load_framework_file(PATH)
    for code, inputs in FORMULA_INPUTS.items():
        formula = framework.node(code).formula
        assert formula.public() == {"rule": formula.rule, "inputs": inputs}, code


def test_texts_kept_with_years_made_relative():
    framework = load_framework_file(PATH)
    leaf = framework.node("2.1.1.2")
    assert leaf.materials == "评估年度前两年的年度计划、总结" and leaf.materials_original == "17、18年度计划、总结"
    assert framework.node("4.1.2.2").materials_original.startswith("会员总人数、17、18年度")
    assert framework.node("1.1.1.1").materials == "章程该页，2/3会员出席，到会1/2通过，纪要或决议要出席会员或代表签名"
    assert framework.node("2.3.2.3") is None and framework.node("2.3.2.5").title == "落实社会保险和住房公积金政策"
    assert "2.3.2.5" in framework.node("2.3.2").note
    assert not any("17、18" in (n.materials or "") for n in framework.leaves())


def raw() -> dict:
    return yaml.safe_load(PATH.read_text(encoding="utf-8"))


def test_children_that_do_not_sum_are_refused_naming_the_node():
    data = raw()
    data["nodes"][0]["children"][0]["children"][0]["children"][0]["points"] = 5  # 1.1.1.1: 4 → 5
    with pytest.raises(
        FrameworkError, match=r"1\.1\.1 分值 10 不等于下级之和 1\.1\.1\.1 5 \+ 1\.1\.1\.2 3 \+ 1\.1\.1\.3 3 = 11"
    ):
        parse_framework(data, "x.yaml")


def test_a_duplicate_code_is_refused_naming_it():
    data = raw()
    data["nodes"][0]["children"][0]["children"][0]["children"][1]["code"] = "1.1.1.1"
    with pytest.raises(FrameworkError, match=r"编码 1\.1\.1\.1 重复"):
        parse_framework(data, "x.yaml")


def test_a_code_outside_its_parent_is_refused():
    data = raw()
    data["nodes"][0]["children"][0]["children"][0]["children"][2]["code"] = "1.2.1.3"
    with pytest.raises(FrameworkError, match=r"编码 1\.2\.1\.3 与上级 1\.1\.1 不符"):
        parse_framework(data, "x.yaml")


def test_a_total_that_is_not_the_sum_is_refused():
    data = raw()
    data["total"] = 999
    with pytest.raises(FrameworkError, match="总分 999"):
        parse_framework(data, "x.yaml")


def test_a_leaf_without_materials_is_refused():
    data = raw()
    del data["nodes"][3]["children"][1]["children"][2]["children"][0]["materials"]  # 4.2.3.1
    with pytest.raises(FrameworkError, match=r"4\.2\.3\.1 缺少材料明细"):
        parse_framework(data, "x.yaml")


def test_a_broken_file_stops_start_up(tmp_path):
    data = raw()
    data["nodes"][1]["points"] = 381
    (tmp_path / "changzhou-vocational.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(FrameworkError, match="changzhou-vocational.yaml"):
        create_app({"TESTING": True, "RATING_FRAMEWORKS_DIR": str(tmp_path), "SECRET_KEY": "x"})
