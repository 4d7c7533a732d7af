"""Issue 14 (part): WTForms 3.3 deprecates SelectField choices given as tuples (removed in 3.4).
Every form's choices are SelectChoice, and pytest turns that deprecation into an error (pyproject.toml),
so that a form bringing tuples back fails its page tests."""

from __future__ import annotations

import importlib
import pkgutil
import warnings

import pytest
from flask_wtf import FlaskForm
from wtforms import Form, SelectField

import app as app_package
from app.auth.account_forms import options


def _form_classes():
    for info in pkgutil.walk_packages(app_package.__path__, "app."):
        if "forms" in info.name.rsplit(".", 1)[-1]:
            module = importlib.import_module(info.name)
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, Form) and value.__module__ == module.__name__:
                    yield value


def test_the_deprecation_is_an_error_in_the_test_run():
    class Legacy(Form):
        pick = SelectField("选择", choices=[("a", "甲")])

    with pytest.raises(DeprecationWarning, match="SelectField choices as tuples"):
        Legacy()


@pytest.mark.parametrize("form_class", sorted(_form_classes(), key=lambda c: c.__qualname__), ids=lambda c: c.__name__)
def test_every_form_renders_its_choices_without_a_deprecation(app, form_class):
    with app.test_request_context(), warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        form = form_class(meta={"csrf": False}) if issubclass(form_class, FlaskForm) else form_class()
        for field in form:
            if isinstance(field, SelectField):
                if field.choices is None:  # filled by the view: the helper the views use
                    field.choices = options([("1", "一")])
                assert "<option" in field()


def test_options_keeps_values_and_labels():
    assert [(c.value, c.label) for c in options([("", "不选择机构"), ("3", "甲中心")])] == [
        ("", "不选择机构"),
        ("3", "甲中心"),
    ]
