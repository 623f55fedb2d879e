"""axe-core (Deque, MPL-2.0; version 4.14.1 vendored from the npm package as tests/e2e/axe.min.js) run on
a page in the browser tests: the violations of impact serious or critical, which the pages must not have.

WCAG 2.2's target size (axe's ``target-size``, tag wcag22aa, off by default in axe) is switched on: every
target at least 24 px, or 44 px with ``min_target=44`` (a phone). Inline links in running text are
exempt, as WCAG exempts them.

The script is put into the page through the DevTools protocol (``page.evaluate``), not as a <script>:
the pages' content security policy stays as it is. tests/e2e/axe_watch.py runs this on every page a
browser test visits.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).with_name("axe.min.js")
SERIOUS = ("serious", "critical")
DESK_TARGET = 24
PHONE_TARGET = 44

_RUN = """(minTarget) => {
  axe.configure({ checks: [{ id: "target-size", options: { minSize: minTarget } },
                           { id: "target-offset", options: { minOffset: minTarget } }] });
  return axe.run(document, { resultTypes: ["violations"], rules: { "target-size": { enabled: true } } })
    .then(r => r.violations
      .filter(v => v.impact === "serious" || v.impact === "critical")
      .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                   nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ")) })));
}"""


def serious_violations(page: Any, min_target: int = DESK_TARGET) -> list[dict[str, Any]]:
    """The page's axe violations of impact serious or critical (id, impact, help, up to five nodes),
    targets smaller than ``min_target`` px among them."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = page.evaluate(_RUN, min_target)
    return found
