"""The gettext catalogues (portal/locale): complete, in step with the code, and used for every error code."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from jinja2 import DictLoader

from infra.errors import FieldError
from portal.boundary.messages import CODE_OF_CLASS, CODE_OF_STATUS, MESSAGES, message_for
from portal.locale import LANGS, Msg, catalogue_path, language_of, translate
from portal.web import i18n
from portal.web.render import environment

ROOT = Path(__file__).resolve().parent.parent


def _catalogue(lang: str) -> dict[tuple[str | None, str], object]:
    with catalogue_path(lang).open("rb") as po:
        return {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m for m in read_po(po) if m.id}


def _key(marked: Msg) -> tuple[str | None, str]:
    return (marked[0], marked[1]) if isinstance(marked, tuple) else (None, marked)


@pytest.mark.parametrize("lang", LANGS)
def test_the_catalogue_has_no_untranslated_and_no_fuzzy_message(lang):
    with catalogue_path(lang).open("rb") as po:
        catalogue = read_po(po)
    assert not catalogue.fuzzy
    messages = [m for m in catalogue if m.id]
    assert len(messages) > 400
    untranslated = [
        m.id for m in messages if not all(m.string if isinstance(m.string, tuple) else [m.string])
    ]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert untranslated == [] and fuzzy == []
    if lang == "vi":
        assert catalogue.num_plurals == 1  # Vietnamese has one plural form


def test_the_catalogues_hold_every_message_of_the_code_and_nothing_else(tmp_path):
    """``pybabel extract`` over the code gives exactly the catalogues' messages (run it after a change)."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "-k",
            "NP_:1c,2",
        ]
        + ["-o", str(pot), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as extracted:
        wanted = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in read_po(extracted) if m.id}
    for lang in LANGS:
        assert set(_catalogue(lang)) == wanted, lang


def _error_codes_in_the_code() -> set[str]:
    """Every literal code given to ``FieldError(field, message, code)`` or ``check.fail(field, message, code)``."""
    codes = set()
    for path in (ROOT / "portal").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name not in ("FieldError", "fail"):
                continue
            given = (
                node.args[2]
                if len(node.args) > 2
                else next((k.value for k in node.keywords if k.arg == "code"), None)
            )
            if isinstance(given, ast.Constant) and isinstance(given.value, str):
                codes.add(given.value)
    return codes


def test_every_error_code_has_a_vietnamese_and_an_english_message():
    vi, en = _catalogue("vi"), _catalogue("en")
    codes = _error_codes_in_the_code()
    assert {"required", "too_large", "duplicate", "closed"} <= codes  # the scan finds the codes
    fields = {code for _, code in i18n.FIELD_ERRORS}
    for code in codes:
        assert code in i18n.ERRORS or code in fields or f"input_{code}" in i18n.ERRORS, code
    marked = [*i18n.ERRORS.values(), *i18n.FIELD_ERRORS.values(), *MESSAGES.values()]
    for message in marked:
        assert vi[_key(message)].string and en[_key(message)].string, message
    refusals = set(CODE_OF_CLASS.values()) | set(CODE_OF_STATUS.values())
    assert refusals <= set(MESSAGES)
    for code in refusals:
        assert message_for(code, "vi", n=3, fields="x") != message_for(code, "en", n=3, fields="x"), code


def test_the_oversize_upload_has_the_file_size_message_and_a_count_its_own():
    assert i18n.field_errors([FieldError("file", "is larger than 10 MB", "too_large")], "vi") == {
        "file": "Tệp lớn hơn 10 MB."
    }
    assert message_for("too_large", "vi", "file") == "Tệp lớn hơn 10 MB."
    assert i18n.field_errors([FieldError("values.injuries.fall", "x", "too_large")], "vi") == {
        "values.injuries.fall": "Số quá lớn."
    }


def test_english_counts_have_singular_and_plural():
    env = environment()
    env.loader = DictLoader({"n.html": '{{ ngettext("%(n)s child", "%(n)s children", n, n=n) }}'})
    template = env.get_template("n.html")
    assert template.render(lang="en", n=1) == "1 child"
    assert template.render(lang="en", n=2) == "2 children"
    assert template.render(lang="vi", n=1) == "1 trẻ em" and template.render(lang="vi", n=2) == "2 trẻ em"


def test_template_messages_are_escaped_and_filled():
    env = environment()
    env.loader = DictLoader({"t.html": '{{ _("Children of %(unit)s", unit=u) }}|{{ _(m) }}'})
    rendered = env.get_template("t.html").render(
        lang="vi", u="<b>", m="Aggregates only; cells of 1 to 4 children are hidden (<5)."
    )
    assert rendered.startswith("Trẻ em của &lt;b&gt;|") and "(&lt;5)" in rendered


def test_the_callers_language_comes_from_accept_language():
    assert language_of(None) == "vi" and language_of("") == "vi" and language_of("fr-FR") == "vi"
    assert language_of("en-GB,en;q=0.9") == "en" and language_of("vi-VN,en;q=0.5") == "vi"
    assert language_of("fr, en;q=0.8, vi;q=0.9") == "vi" and language_of("en;q=0, vi") == "vi"


def test_labels_of_codes_and_evidence_are_translated():
    assert i18n.label("evidence", "no_guardian", "vi") == "Chưa ghi người chăm sóc"
    assert i18n.label("evidence", "cases_late", "en") == "Cases with a late step"
    assert i18n.label("status", "active", "vi") == "Đang theo dõi"
    assert translate("vi", ("account", "Active")) == "Đang hoạt động"
    assert i18n.label("role", None, "vi") == "—"
