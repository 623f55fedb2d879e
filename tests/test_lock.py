"""The lock files agree with pyproject.toml: every pinned dependency is locked at the same version,
with hashes, and the production lock carries none of the demo-only servers or development tools.

A change of pyproject.toml without `make lock` fails here (pip-compile itself takes over a minute,
so CI checks the agreement rather than recomputing the lock).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;#]+)")


def _name(raw: str) -> str:
    return re.sub(r"[-_.]+", "-", raw).lower()


def _pins(requirements: list[str]) -> dict[str, str]:
    pins = {}
    for line in requirements:
        found = PIN.match(line.strip())
        assert found, f"pyproject.toml: {line!r} is not pinned with =="
        pins[_name(found[1])] = found[2]
    return pins


def _locked(path: Path) -> dict[str, str]:
    """name -> version of a pip-compile lock file, checking that every entry carries a hash."""
    text = path.read_text()
    entries = re.findall(
        r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)((?:\s*\\\n\s+--hash=sha256:[0-9a-f]{64})+)", text, re.M
    )
    names = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", text, re.M)
    assert len(entries) == len(names), f"{path.name}: an entry without a sha256 hash"
    return {_name(n): v for n, v, _ in entries}


PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
RUNTIME = _pins(PROJECT["dependencies"])
EXTRAS = {extra: _pins(reqs) for extra, reqs in PROJECT["optional-dependencies"].items()}


@pytest.mark.parametrize(
    ("lock", "wanted"),
    [
        ("dev.lock", {**RUNTIME, **EXTRAS["demo"], **EXTRAS["dev"]}),
        ("prod.lock", RUNTIME),
    ],
)
def test_every_pin_is_locked_at_its_version(lock: str, wanted: dict[str, str]) -> None:
    locked = _locked(ROOT / "requirements" / lock)
    wrong = {n: (v, locked.get(n)) for n, v in wanted.items() if locked.get(n) != v}
    assert not wrong, f"requirements/{lock} disagrees with pyproject.toml (run `make lock`): {wrong}"


def test_production_lock_has_no_demo_servers_or_dev_tools() -> None:
    """The embedded servers never reach production; a development tool does only as a runtime
    package's own dependency (pip-compile's "# via" names who pulls it in, e.g. httpx via litestar)."""
    text = (ROOT / "requirements" / "prod.lock").read_text()
    pulled_by = {
        _name(name): {_name(v) for v in re.findall(r"#\s+(?:via\s+)?([A-Za-z0-9][A-Za-z0-9._-]*)", via)}
        for name, via in re.findall(
            r"^([A-Za-z0-9][A-Za-z0-9._-]*)==.*?\n((?:\s+(?:--hash|#).*\n)+)", text, re.M
        )
    }
    assert "alembic" in pulled_by and "litestar" in pulled_by["httpx"]  # the parse itself works
    for server in EXTRAS["demo"]:
        assert server not in pulled_by, f"requirements/prod.lock carries the demo-only {server}"
    for tool in set(EXTRAS["dev"]) - set(RUNTIME):
        assert "child-portal" not in pulled_by.get(tool, set()), f"{tool} is a direct production dependency"
