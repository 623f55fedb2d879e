"""Migrations on main never change: every file of infra/migrations/versions/ has its SHA-256 in
infra/migrations/MANIFEST.sha256 (``sha256sum`` format, so ``sha256sum -c`` also checks it).

A database already migrated never runs an edited revision again, so an edit makes databases differ
by when they were migrated. A new revision is added with its line in the manifest, deliberately:
``cd infra/migrations/versions && sha256sum NNNN_name.py >> ../MANIFEST.sha256``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from infra.bootstrap import ROOT

VERSIONS = ROOT / "infra" / "migrations" / "versions"
MANIFEST = ROOT / "infra" / "migrations" / "MANIFEST.sha256"
RULE = "a fix is a new revision, never an edit"


def read_manifest(path: Path) -> dict[str, str]:
    """File name -> SHA-256 from ``sha256sum`` lines ("<hex>  <name>")."""
    listed: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64 or not name or name in listed:
            raise ValueError(
                f"{path.name} line {number} is not '<sha256>  <file name>' once per file: {line!r}"
            )
        listed[name] = digest
    return listed


def frozen_violations(versions: Path, listed: dict[str, str]) -> list[str]:
    """What differs between the revision files in ``versions`` and the manifest ``listed``."""
    present = {p.name: p for p in versions.iterdir() if p.is_file()}
    problems = [
        f"{name} is listed in the manifest but missing" for name in sorted(listed.keys() - present.keys())
    ]
    for name in sorted(listed.keys() & present.keys()):
        if hashlib.sha256(present[name].read_bytes()).hexdigest() != listed[name]:
            problems.append(f"{name} was edited (its SHA-256 is not the manifest's)")
    problems += [
        f"{name} is not in the manifest (add its line deliberately: a new revision)"
        for name in sorted(present.keys() - listed.keys())
    ]
    return problems


def test_migrations_are_frozen() -> None:
    problems = frozen_violations(VERSIONS, read_manifest(MANIFEST))
    assert not problems, f"Migrations are frozen, {RULE}:\n" + "\n".join(problems)


def test_the_manifest_lists_every_revision_up_to_head() -> None:
    listed = read_manifest(MANIFEST)
    assert listed and all(name.endswith(".py") for name in listed)
    assert any(name.startswith("0017_") for name in listed)


def _copy_versions(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    versions = tmp_path / "versions"
    versions.mkdir()
    for p in VERSIONS.iterdir():
        if p.is_file():
            (versions / p.name).write_bytes(p.read_bytes())
    return versions, read_manifest(MANIFEST)


def test_an_edit_is_reported(tmp_path: Path) -> None:
    versions, listed = _copy_versions(tmp_path)
    target = versions / "0005_reorg_operations.py"
    target.write_text(target.read_text(encoding="utf-8") + "\n# reformatted\n", encoding="utf-8")
    assert frozen_violations(versions, listed) == [
        "0005_reorg_operations.py was edited (its SHA-256 is not the manifest's)"
    ]


def test_a_missing_and_an_unlisted_file_are_reported(tmp_path: Path) -> None:
    versions, listed = _copy_versions(tmp_path)
    (versions / "0016_statistics_layer.py").unlink()
    (versions / "0018_new.py").write_text('revision = "0018"\n', encoding="utf-8")
    problems = frozen_violations(versions, listed)
    assert problems == [
        "0016_statistics_layer.py is listed in the manifest but missing",
        "0018_new.py is not in the manifest (add its line deliberately: a new revision)",
    ]


def test_a_malformed_manifest_is_refused(tmp_path: Path) -> None:
    manifest = tmp_path / "MANIFEST.sha256"
    manifest.write_text("abc 0001_foundation.py\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 1"):
        read_manifest(manifest)
