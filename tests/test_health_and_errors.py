from app import create_app


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_503_when_database_does_not_answer():
    dead = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite:////nonexistent-dir/none.db"})
    response = dead.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] != "ok"


def test_unknown_api_path_answers_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_secret_key_required_to_serve_outside_development(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("APP_ENV", "production")
    production = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert production.test_client().get("/login").status_code == 500
    configured = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "s3cret"})
    assert configured.test_client().get("/login").status_code == 200
    assert create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True}).config["SECRET_KEY"]
