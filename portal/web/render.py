"""Rendering pages: one Jinja2 environment (autoescaped), the words of the reader's language, CSRF.

The environment has Jinja2's i18n extension (new-style gettext: ``_("Saved.")``, ``_("Page %(p)s of
%(n)s", p=1, n=3)``, ``ngettext("%(n)s child", "%(n)s children", count, n=shown)``); its callables read
the page's ``lang`` from the template context, so one environment serves both languages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.template.config import TemplateConfig
from markupsafe import Markup, escape

from portal.locale import DEFAULT_LANG, number, translations
from portal.locale.periods import period_name
from portal.web import i18n
from portal.web.deps import lang_of
from portal.web.session import CSRF_FIELD, csrf_token, with_pre_session

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _lang(context: Context) -> str:
    return str(context.get("lang") or DEFAULT_LANG)


# The translated text is escaped here: new-style gettext marks it safe before filling the (escaped)
# placeholders, and a message may hold "<" (e.g. "hidden (<5)").
@pass_context
def _gettext(context: Context, message: str) -> Markup:
    return escape(translations(_lang(context)).gettext(message))


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> Markup:
    return escape(translations(_lang(context)).ngettext(singular, plural, n))


@pass_context
def _pgettext(context: Context, msgctxt: str, message: str) -> Markup:
    return escape(translations(_lang(context)).pgettext(msgctxt, message))


@pass_context
def _npgettext(context: Context, msgctxt: str, singular: str, plural: str, n: int) -> Markup:
    return escape(translations(_lang(context)).npgettext(msgctxt, singular, plural, n))


@pass_context
def _date(context: Context, value: Any) -> str:
    return i18n.fmt_date(value, _lang(context))


@pass_context
def _period(context: Context, key: str | None) -> str:
    """``{{ report.period|period }}``: "Tháng 12/2026" (see portal.locale.periods)."""
    return period_name(key, _lang(context))


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]  # the i18n extension's
        _gettext, _ngettext, newstyle=True, pgettext=_pgettext, npgettext=_npgettext
    )
    env.filters["date"] = _date
    env.filters["period"] = _period
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

    def message(key: str, **values: Any) -> str:
        return i18n.message(key, lang, **values)

    def label(table: str, key: str | None) -> str:
        return i18n.label(table, key, lang)

    def cell(value: object) -> str:
        """A count as shown: 1.234 (English 1,234); "<5" for a hidden small cell; "—" for one not kept."""
        if isinstance(value, int) and not isinstance(value, bool):
            return number(value, lang)
        return "—" if value is None else str(value)

    response = Template(
        template_name=name,
        context={
            "lang": lang,
            "message": message,
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
