def test_standards_pages_for_every_signed_in_user(login, make_user):
    make_user("cand")
    browser = login("cand")
    index = browser.get("/standards/").get_data(as_text=True)
    assert "社团会员管理员" in index and "劳动保障协理员" in index and "社区治理" in index
    detail = browser.get("/standards/3-01-01-04").get_data(as_text=True)
    for text in ("五级/初级工", "理论知识权重表", "技能要求权重表", "工作要求", "尊重会员，友善热忱"):
        assert text in detail
    derived = browser.get("/standards/590008").get_data(as_text=True)
    assert "平台派生" in derived and "本标准未规定申报条件" in derived


def test_weights_chart_is_a_png(login, make_user):
    make_user("cand")
    response = login("cand").get("/standards/3-01-04-03/weights.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_standards_pages_need_sign_in(client):
    assert client.get("/standards/").status_code == 302
    assert client.get("/standards/nope").status_code == 302


def test_unknown_standard_page_is_404(login, make_user):
    make_user("cand")
    assert login("cand").get("/standards/nope").status_code == 404
