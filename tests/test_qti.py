"""/api/v1/banks/<standard>/items.qti (api-contract v1.2, Banks in QTI): our package round-trips exactly
into a fresh platform and validates against the QTI 2.1 schema; another tool's package of choice items
imports; what the platform cannot hold is refused naming the item; the package is read safely."""

from __future__ import annotations

import io
import shutil

import pytest
from lxml import etree
from sqlalchemy import delete, func, select

from app import create_app
from app.auth.operations import create_user
from app.banks.models import Item
from app.extensions import db
from tests.conftest import PASSWORD, USE_POSTGRES, _config, csrf_from
from tests.qti_helpers import (
    QTIWORKS_PACKAGE,
    choice_item,
    essay_item,
    files_of,
    hotspot_item,
    manifest,
    qti21_schema,
    zip_of,
)
from tests.test_banks_api import STD, item, sample_items

QTI = "http://www.imsglobal.org/xsd/imsqti_v2p1"
URL = f"/api/v1/banks/{STD}/items.qti"
KEPT = ("external_id", "type", "stem", "options", "answer", "points", "area", "level", "difficulty", "enemy_group",
        "source")  # fmt: skip


@pytest.fixture
def admin(make_user, token_for):
    make_user("boss", role="center_admin")
    return token_for("boss")


def bank_items() -> list[dict]:
    """A bank with every type, several levels and areas, enemy groups, sources, multi-line stems."""
    items = sample_items(per_cell=2, prefix="Q")
    items[0].update(enemy_group="G1", stem="第一行\n第二行  两个空格\n\n空行之后", source="1.9.1 四级 (2)")
    items[1].update(enemy_group="G1", stem='含 <标记> & "引号" 的题干')
    items[3]["difficulty"] = 0.123456789
    items.append(item(900, external_id="0042", options=["一", "二"], answer="A"))  # not an NCName
    return items


def count_items(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Item))


def upload(client, headers, data: bytes, **form):
    body = {"package": (io.BytesIO(data), "bank.zip"), **form}
    return client.post(URL, data=body, headers=headers, content_type="multipart/form-data")


def listing(client, headers) -> list[dict]:
    rows = client.get(f"/api/v1/banks/{STD}/items", headers=headers).get_json()["items"]
    return sorted(({k: row[k] for k in KEPT} for row in rows), key=lambda r: r["external_id"])


def test_our_package_round_trips_exactly_into_a_fresh_platform(client, admin, app, _template_db, tmp_path):
    assert client.post(f"/api/v1/banks/{STD}/items", json={"items": bank_items()}, headers=admin).status_code == 201
    before = listing(client, admin)
    response = client.get(URL, headers=admin)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    files = files_of(response.data)
    assert "imsmanifest.xml" in files and len([n for n in files if n.startswith("items/")]) == len(before)

    if USE_POSTGRES:  # one server database per run: the same platform with its bank emptied
        with app.app_context():
            db.session.execute(delete(Item))
            db.session.commit()
        assert count_items(app) == 0
        imported = upload(client, admin, response.data)
        assert imported.status_code == 201, imported.get_json()
        assert imported.get_json() == {"imported": len(before)}
        assert listing(client, admin) == before
        return
    # a fresh platform: a new database from the same template, nothing in its bank
    fresh_db = tmp_path / "fresh" / "fresh.db"
    fresh_db.parent.mkdir()
    shutil.copyfile(_template_db[1], fresh_db)
    fresh = create_app(_config(f"sqlite:///{fresh_db}", fresh_db.parent))
    with fresh.app_context():
        create_user("admin2", PASSWORD, "admin")
        db.session.commit()
    other = fresh.test_client()
    token = other.post("/api/v1/auth/token", json={"username": "admin2", "password": PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert count_items(fresh) == 0
    imported = upload(other, headers, response.data)
    assert imported.status_code == 201, imported.get_json()
    assert imported.get_json() == {"imported": len(before)}
    assert listing(other, headers) == before
    with fresh.app_context():
        db.session.remove()
        db.engine.dispose()


def test_exported_items_are_valid_qti21_with_the_contract_shapes(client, admin):
    client.post(f"/api/v1/banks/{STD}/items", json={"items": bank_items()}, headers=admin)
    files = files_of(client.get(URL, headers=admin).data)
    schema = qti21_schema()
    types = {i["external_id"]: i["type"] for i in bank_items()}
    seen = set()
    for name, data in files.items():
        if not name.startswith("items/"):
            continue
        root = etree.fromstring(data)
        assert schema.validate(root), (name, str(schema.error_log.last_error))
        interaction = root.find(f".//{{{QTI}}}choiceInteraction")
        cardinality = root.find(f"{{{QTI}}}responseDeclaration").get("cardinality")
        choices = [c.text for c in interaction.findall(f"{{{QTI}}}simpleChoice")]
        kind = types[root.get("title")]
        seen.add(kind)
        if kind == "single":  # maxChoices 1
            assert (cardinality, interaction.get("maxChoices")) == ("single", "1")
        elif kind == "multiple":  # cardinality multiple
            assert cardinality == "multiple" and interaction.get("maxChoices") == str(len(choices))
        else:  # two choices 正确/错误
            assert (cardinality, interaction.get("maxChoices"), choices) == ("single", "1", ["正确", "错误"])
    assert seen == {"single", "multiple", "judge"}
    manifest_root = etree.fromstring(files["imsmanifest.xml"])
    types = {r.get("type") for r in manifest_root.iter("{http://www.imsglobal.org/xsd/imscp_v1p1}resource")}
    assert types == {"imsqti_item_xmlv2p1"}


def test_export_follows_level_and_area_filters(client, admin):
    client.post(f"/api/v1/banks/{STD}/items", json={"items": bank_items()}, headers=admin)
    expected = client.get(f"/api/v1/banks/{STD}/items?level=五级&area=会员发展", headers=admin).get_json()["items"]
    files = files_of(client.get(URL + "?level=五级&area=会员发展", headers=admin).data)
    items = [n for n in files if n.startswith("items/")]
    assert 0 < len(items) == len(expected) < len(bank_items())
    bad = client.get(URL + "?area=不存在", headers=admin)
    assert bad.status_code == 422 and bad.get_json()["error"]["details"]["field"] == "area"


def _with_extra(client, admin, extra: dict[str, str]) -> bytes:
    """Our export of a small bank plus further item files listed in its manifest."""
    client.post(f"/api/v1/banks/{STD}/items", json={"items": [item(1), item(2)]}, headers=admin)
    files = files_of(client.get(URL, headers=admin).data)
    root = etree.fromstring(files["imsmanifest.xml"])
    resources = root.find("{http://www.imsglobal.org/xsd/imscp_v1p1}resources")
    for ident, href in ((i, f"extra/{i}.xml") for i in extra):
        resource = etree.SubElement(resources, "{http://www.imsglobal.org/xsd/imscp_v1p1}resource",
                                    identifier=f"R-{ident}", type="imsqti_item_xmlv2p1", href=href)  # fmt: skip
        etree.SubElement(resource, "{http://www.imsglobal.org/xsd/imscp_v1p1}file", href=href)
        files[href] = extra[ident].encode()
    files["imsmanifest.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return zip_of(files)


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({"essay-7": essay_item("essay-7")}, ["essay-7", "extendedTextInteraction", "作文"]),
        ({"hot-3": hotspot_item("hot-3")}, ["hot-3", "hotspotInteraction", "热点"]),
    ],
)
def test_an_item_we_cannot_hold_is_refused_by_its_identifier_and_nothing_imported(client, admin, app, extra, words):
    package = _with_extra(client, admin, extra)
    client.post(f"/api/v1/banks/{STD}/items", json={"items": [item(1, stem="改前")]}, headers=admin)
    before = listing(client, admin)
    response = upload(client, admin, package)
    assert response.status_code == 422
    error = response.get_json()["error"]
    for word in words:
        assert word in error["message"]
    identifier = next(iter(extra))
    assert error["details"]["identifier"] == identifier and error["details"]["index"] == 2
    assert listing(client, admin) == before  # the two good items of the package were not imported either


def test_a_package_written_by_another_tool_imports_its_choice_items(client, admin):
    """QTIWorks' WebDeveloperTest1 (tests/data/qti/qtiworks, BSD licence): 9 items, all sharing the identifier
    ``choice`` / ``choiceMultiple``; question4 shows an image and question8 is an inline choice."""
    original = QTIWORKS_PACKAGE.read_bytes()
    refused = upload(client, admin, original, level="四级", area="会员发展", points="1")
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert "question4.xml" in error["message"] and "图片" in error["message"] and "另有 1 题" in error["message"]
    assert error["details"]["identifier"] == "choice" and error["details"]["index"] == 3

    # the same package less the two items: its seven choice items import
    files = files_of(original)
    root = etree.fromstring(files["imsmanifest.xml"])
    for resource in list(root.iter("{http://www.imsglobal.org/xsd/imscp_v1p1}resource")):
        if resource.get("identifier") in ("question4", "question8"):
            resource.getparent().remove(resource)
    files["imsmanifest.xml"] = etree.tostring(root)
    subset = zip_of(files)

    missing = upload(client, admin, subset)
    assert missing.status_code == 422
    assert missing.get_json()["error"]["details"]["field"] == "points"  # the first field it cannot take from the item
    assert "表单字段" in missing.get_json()["error"]["message"]
    assert upload(client, admin, subset, points="1").get_json()["error"]["details"]["field"] == "level"

    body = {"package": (io.BytesIO(subset), "bank.zip"), "points": "2", "difficulty": "0.7"}
    response = client.post(URL + "?level=四级&area=会员发展", data=body, headers=admin)  # defaults as query parameters
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {"imported": 7}
    items = {i["external_id"]: i for i in listing(client, admin)}
    assert set(items) == {f"question{n}" for n in (1, 2, 3, 5, 6, 7, 9)}
    first = items["question1"]
    assert first["type"] == "single" and first["options"] == [".xml", ".php", ".html"] and first["answer"] == "C"
    assert first["stem"].startswith("Question 1\nFrom what you have learned so far")
    assert (first["level"], first["area"], first["points"], first["difficulty"]) == ("四级", "会员发展", 2, 0.7)
    assert items["question5"]["type"] == "multiple" and items["question5"]["answer"] == ["B", "E"]


def test_foreign_items_judge_and_declared_points(client, admin):
    judge = choice_item("tf-1", ["正确", "错误"], ["C1"])
    multiple = choice_item("m-1", ["甲", "乙", "丙"], ["C2", "C0"], cardinality="multiple").replace(
        "<itemBody>",
        '<outcomeDeclaration identifier="MAXSCORE" cardinality="single" baseType="float"><defaultValue>'
        "<value>3</value></defaultValue></outcomeDeclaration><itemBody>",
    )
    package = zip_of({"imsmanifest.xml": manifest(("r1", "a/tf.xml"), ("r2", "a/m.xml")), "a/tf.xml": judge,
                      "a/m.xml": multiple})  # fmt: skip
    response = upload(client, admin, package, level="五级", area="职业道德", points="1")
    assert response.status_code == 201, response.get_json()
    items = {i["external_id"]: i for i in listing(client, admin)}
    assert items["tf-1"]["type"] == "judge" and items["tf-1"]["answer"] is False and items["tf-1"]["options"] == []
    assert items["tf-1"]["stem"] == "社团会员管理员 的职责是？"
    assert items["m-1"]["answer"] == ["A", "C"] and items["m-1"]["points"] == 3  # its own MAXSCORE wins


def test_import_reuses_the_json_rules_and_ownership(client, admin, make_user, token_for):
    one_correct = choice_item("m-2", ["甲", "乙", "丙"], ["C1"], cardinality="multiple")
    package = zip_of({"imsmanifest.xml": manifest(("r1", "m.xml")), "m.xml": one_correct})
    response = upload(client, admin, package, level="五级", area="职业道德", points="1")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["details"] == {"field": "answer", "index": 0, "identifier": "m-2"} and "m-2" in error["message"]
    # an item of the platform's bank is not a center's to overwrite (the JSON import's rule)
    make_user("root", role="admin")
    root = token_for("root")
    client.post(f"/api/v1/banks/{STD}/items", json={"items": [item(1)]}, headers=root)
    ours = client.get(URL, headers=root).data
    taken = upload(client, admin, ours)
    assert taken.status_code == 422 and taken.get_json()["error"]["details"]["field"] == "external_id"


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE manifest [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"><resources>&secret;</resources></manifest>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"><resources>&lol3;</resources></manifest>"""


@pytest.mark.parametrize(
    ("package", "word"),
    [
        (zip_of({"imsmanifest.xml": XXE}), "DOCTYPE"),
        (zip_of({"imsmanifest.xml": LAUGHS}), "DOCTYPE"),
        (
            zip_of(
                {"imsmanifest.xml": manifest(("r1", "i.xml")), "i.xml": XXE.replace(b"manifest", b"assessmentItem")}
            ),
            "DOCTYPE",
        ),
        (zip_of({"imsmanifest.xml": manifest(("r1", "../i.xml")), "i.xml": essay_item("x")}), "越出"),
        (zip_of({"imsmanifest.xml": manifest(("r1", "i.xml")), "../../evil.xml": "x", "i.xml": "x"}), "越出"),
        (zip_of({"imsmanifest.xml": manifest(("r1", "i.xml")), "big.bin": b"\0" * (65 * 1024 * 1024)}), "解压后超过"),
        (zip_of({"imsmanifest.xml": manifest(("r1", "/etc/passwd"))}), "越出"),
        (zip_of({"imsmanifest.xml": manifest(("r1", "i.xml")), **{f"f{n}.txt": "" for n in range(20001)}}), "文件过多"),
        (zip_of({"imsmanifest.xml": manifest(("r1", "i.xml"))}), "缺少文件 i.xml"),
        (zip_of({"items/i.xml": essay_item("x")}), "imsmanifest.xml"),
        (b"PK not really a zip", "不是 zip"),
        (zip_of({"imsmanifest.xml": "<manifest"}), "不是合法的 XML"),
    ],
    ids=[
        "xxe",
        "billion-laughs",
        "xxe-in-item",
        "href-traversal",
        "entry-traversal",
        "zip-bomb",
        "absolute-href",
        "too-many-entries",
        "missing-file",
        "no-manifest",
        "not-a-zip",
        "bad-xml",
    ],  # fmt: skip
)
def test_unsafe_or_broken_packages_are_refused(client, admin, app, package, word):
    response = upload(client, admin, package, level="五级", area="职业道德", points="1")
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert word in error["message"] and error["details"]["field"] == "package"
    assert count_items(app) == 0


def test_no_package_field_is_refused(client, admin):
    response = client.post(URL, data={}, headers=admin, content_type="multipart/form-data")
    assert response.status_code == 422 and response.get_json()["error"]["details"]["field"] == "package"


def test_openapi_describes_the_qti_routes(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    route = paths["/banks/{standard_id}/items.qti"]
    assert "application/zip" in route["get"]["responses"]["200"]["content"]
    assert "multipart/form-data" in route["post"]["requestBody"]["content"]
    assert "201" in route["post"]["responses"] and "422" in route["post"]["responses"]


def test_bank_page_exports_and_imports_a_package(app, client, make_user, login, token_for):
    make_user("boss", role="center_admin")
    client.post(f"/api/v1/banks/{STD}/items", json={"items": [item(7)]}, headers=token_for("boss"))
    browser = login("boss")
    page = browser.get(f"/banks/?standard={STD}").get_data(True)
    assert "导出 QTI" in page and "QTI 导入" in page
    exported = browser.get(f"/banks/export.qti?standard={STD}&level=四级")
    assert exported.status_code == 200 and exported.mimetype == "application/zip"
    assert len([n for n in files_of(exported.data) if n.startswith("items/")]) == 1

    form = browser.get(f"/banks/import-qti?standard={STD}").get_data(True)
    package = zip_of({"imsmanifest.xml": manifest(("r1", "e.xml")), "e.xml": essay_item("essay-9")})
    refused = browser.post("/banks/import-qti", data={"csrf_token": csrf_from(form), "standard": STD,
                                                      "package": (io.BytesIO(package), "p.zip")})  # fmt: skip
    assert refused.status_code == 422 and "essay-9" in refused.get_data(True)
    good = zip_of({"imsmanifest.xml": manifest(("r1", "c.xml")), "c.xml": choice_item("c-1", ["甲", "乙"], ["C1"])})
    response = browser.post("/banks/import-qti", data={"csrf_token": csrf_from(form), "standard": STD, "level": "五级",
                                                       "area": "职业道德", "points": "1",
                                                       "package": (io.BytesIO(good), "p.zip")})  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.scalar(select(Item).where(Item.external_id == "c-1"))
        assert stored.answer == "B" and stored.center_id is not None  # the center's own item
