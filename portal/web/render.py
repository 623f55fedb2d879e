"""Rendering pages: one Jinja2 environment (autoescaped), the words of the reader's language, CSRF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.template.config import TemplateConfig

from portal.web import i18n
from portal.web.deps import lang_of
from portal.web.session import CSRF_FIELD, csrf_token, with_pre_session

TEMPLATES = Path(__file__).resolve().parent / "templates"

_TABLES = {
    "role": i18n.ROLE_WORDS,
    "school": i18n.SCHOOL_WORDS,
    "relationship": i18n.RELATIONSHIP_WORDS,
    "status": i18n.STATUS_WORDS,
    "report_status": i18n.REPORT_STATUS_WORDS,
}


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date"] = i18n.fmt_date
    return env


TEMPLATE_CONFIG = TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment()))


def is_fragment(request: Request[Any, Any, Any]) -> bool:
    """A request from portal.js that wants only the part of the page it replaces."""
    return request.headers.get("x-portal-fragment") == "1"


def page(
    request: Request[Any, Any, Any],
    name: str,
    status_code: int = 200,
    pre_session: bool = False,
    **context: Any,
) -> Template:
    """``pre_session``: give an anonymous browser the secret its form tokens derive from (login page)."""
    lang = lang_of(request)

    def t(key: str, **values: Any) -> str:
        return i18n.word(key, lang, **values)

    def label(table: str, key: str | None) -> str:
        return i18n.pick(_TABLES[table], key, lang)

    def cell(value: object) -> str:
        """A count as shown: 1.234; "<5" for a hidden small cell; "—" for a count not kept."""
        if isinstance(value, int):
            return f"{value:,}".replace(",", ".")
        return "—" if value is None else str(value)

    response = Template(
        template_name=name,
        context={
            "lang": lang,
            "t": t,
            "label": label,
            "cell": cell,
            "caller": request.state.get("caller"),
            "csrf_field": CSRF_FIELD,
            "csrf": csrf_token(request, create=pre_session),
            "path": request.url.path,
            "errors": {},
            "flash": None,
            **context,
        },
        status_code=status_code,
    )
    return with_pre_session(request, response)  # type: ignore[return-value]


def see_other(location: str) -> Redirect:
    """After a successful POST: the browser loads the next page with GET (no resubmission)."""
    return Redirect(path=location, status_code=303)
