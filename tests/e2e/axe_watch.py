"""axe-core on every page a browser test visits, by construction rather than by a call to remember.

``watched(browser)`` wraps the Playwright browser the ``chromium`` fixture yields: each context it makes
gets an init script (put in by the DevTools protocol, so the pages' content security policy stays as it
is) that sends the document's HTML to the test when it has loaded and again when it is left (a link, a
form, ``goto``). After each test the autouse fixture of tests/e2e/pages.py replays every document sent
(scripts taken out, the portal's own styles, the same viewport and device) in a context of its own, runs
tests/e2e/axe.py on it and fails the test on any violation of impact serious or critical, naming the
address. On a phone-sized context (``is_mobile``) targets must be 44 px, elsewhere 24 px.

The check runs after the test, on a copy, because a check in the live page would race the test's next
click (a route handler that waits for it deadlocks Playwright's navigation).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tests.e2e.axe import DESK_TARGET, PHONE_TARGET, serious_violations

BINDING = "__axeSnapshot"
# In the top document only, and only for HTML: a download or a JSON answer is no page.
INIT = (
    "(() => { if (window.top !== window) return;"
    " const id = Math.random().toString(36).slice(2);"
    " const send = (when) => { if (document.contentType !== 'text/html' || !window." + BINDING + ") return;"
    "   try { window." + BINDING + "({ id, when, url: location.href,"
    "     html: document.documentElement.outerHTML }); } catch (e) {} };"
    " window.addEventListener('load', () => send('load'));"
    " window.addEventListener('pagehide', () => send('left')); })();"
)
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S | re.I)
DEVICE = ("viewport", "is_mobile", "has_touch", "device_scale_factor", "locale")


@dataclass
class Visit:
    url: str
    html: str
    device: dict[str, Any]


@dataclass
class AxeWatch:
    """The documents visited since the last check, by document (a later snapshot of one replaces its
    earlier one), and the digests of those already checked."""

    browser: Any = None
    pending: dict[str, Visit] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)

    def watch(self, context: Any, options: dict[str, Any]) -> None:
        device = {k: v for k, v in options.items() if k in DEVICE}

        def record(source: Any, snap: dict[str, str]) -> None:
            self.pending[snap["id"]] = Visit(snap["url"], snap["html"], device)

        context.expose_binding(BINDING, record)
        context.add_init_script(INIT)

    def take(self) -> dict[str, list[dict[str, Any]]]:
        """Check every pending document; the violations by "address (desk|phone)", only those with any."""
        visits, self.pending = list(self.pending.values()), {}
        found: dict[str, list[dict[str, Any]]] = {}
        checkers: dict[str, Any] = {}
        try:
            for visit in visits:
                digest = hashlib.sha256(repr((visit.device, visit.html)).encode()).hexdigest()
                if digest in self.seen:
                    continue
                self.seen.add(digest)
                phone = bool(visit.device.get("is_mobile"))
                key = repr(sorted(visit.device.items()))
                if key not in checkers:
                    checkers[key] = self.browser.new_context(**visit.device)
                    checkers[key].set_default_timeout(30_000)
                violations = _check(checkers[key], visit, PHONE_TARGET if phone else DESK_TARGET)
                if violations:
                    found[f"{visit.url} ({'phone' if phone else 'desk'})"] = violations
        finally:
            for checker in checkers.values():
                checker.close()
        return found


def _check(context: Any, visit: Visit, min_target: int) -> list[dict[str, Any]]:
    """The copy of ``visit`` in a page of the same origin (so its styles load), without its scripts."""
    parts = urlsplit(visit.url)
    page = context.new_page()
    try:
        page.goto(f"{parts.scheme}://{parts.netloc}/health")
        page.set_content("<!doctype html>" + SCRIPT.sub("", visit.html), wait_until="load")
        return serious_violations(page, min_target)
    finally:
        page.close()


WATCH = AxeWatch()


class WatchedBrowser:
    """A Playwright browser whose every new context is watched by ``WATCH``; the rest is the browser's."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser
        WATCH.browser = browser

    def new_context(self, **options: Any) -> Any:
        context = self._browser.new_context(**options)
        WATCH.watch(context, options)
        return context

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


def watched(browser: Any) -> WatchedBrowser:
    return WatchedBrowser(browser)
