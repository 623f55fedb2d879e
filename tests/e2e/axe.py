"""axe-core (Deque, MPL-2.0; version 4.14.1 vendored from the npm package as tests/e2e/axe.min.js) run on
a page in the browser tests: the violations of impact serious or critical, which the pages must not have.

The script is put into the page through the DevTools protocol (``page.evaluate``), not as a <script>:
the pages' content security policy stays as it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).with_name("axe.min.js")
SERIOUS = ("serious", "critical")

_RUN = """() => axe.run(document, { resultTypes: ["violations"] }).then(r => r.violations
  .filter(v => v.impact === "serious" || v.impact === "critical")
  .map(v => ({ id: v.id, impact: v.impact, help: v.help,
               nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ")) })))"""


def serious_violations(page: Any) -> list[dict[str, Any]]:
    """The page's axe violations of impact serious or critical (id, impact, help, up to five nodes)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = page.evaluate(_RUN)
    return found
