#!/usr/bin/env python3
"""Extract Vietnamese administrative units (GSO codes) into CSV seed files.

Source: the PyPI package ``vietnam-provinces`` (GPL-3.0-or-later), whose data
comes from the national statistics office (GSO, Tổng cục Thống kê). Only the
factual list of official names and codes is extracted; the package is not
installed and is not a runtime dependency.

    .venv/bin/python scripts/extract_units.py

Writes:
    tenancy/data/units_2025.csv     two tiers (province -> commune), from 2025.10.1
    tenancy/data/units_pre2025.csv  three tiers (province -> district -> commune), from 0.6.0

Standard library only.
"""

from __future__ import annotations

import csv
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from package_archive import download, read_members  # noqa: E402

PACKAGE = "vietnam-provinces"
VERSION_2025 = "2025.10.1"
VERSION_PRE2025 = "0.6.0"
DATA_MEMBER = "vietnam_provinces/data/nested-divisions.json"

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "tenancy" / "data"
OUT_2025 = OUT_DIR / "units_2025.csv"
OUT_PRE2025 = OUT_DIR / "units_pre2025.csv"

HEADER = ["level", "code", "name", "kind", "parent_code"]
LEVEL_ORDER = {"province": 0, "district": 1, "commune": 2}
CODE_WIDTH = {"province": 2, "district": 3, "commune": 5}

# Unit-type words, longest first so "Thành phố" wins over shorter prefixes.
NAME_PREFIXES = [
    "Thành phố",
    "Thị trấn",
    "Thị xã",
    "Đặc khu",
    "Phường",
    "Huyện",
    "Quận",
    "Tỉnh",
    "Xã",
]

# division_type values used by 2025.10.1 -> kind as written in the CSV.
KIND_2025 = {
    "thành phố trung ương": "Thành phố Trung ương",
    "tỉnh": "Tỉnh",
    "phường": "Phường",
    "xã": "Xã",
    "đặc khu": "Đặc khu",
}


def name_prefix(name: str) -> str:
    """The unit-type word(s) a name starts with (case-insensitive), in canonical case."""
    low = name.lower()
    for prefix in NAME_PREFIXES:
        if low.startswith(prefix.lower() + " "):
            return prefix
    raise ValueError(f"no unit-type prefix in {name!r}")


def canonical_name(name: str) -> str:
    """Collapse whitespace and write the type prefix in canonical case
    (the 0.6.0 data has e.g. 'Thành Phố Bắc Kạn')."""
    name = " ".join(name.split())
    prefix = name_prefix(name)
    return prefix + name[len(prefix) :]


def row(level: str, code: int, name: str, kind: str, parent: str) -> dict[str, str]:
    return {
        "level": level,
        "code": str(code).zfill(CODE_WIDTH[level]),
        "name": name,
        "kind": kind,
        "parent_code": parent,
    }


def rows_2025(data: list[dict]) -> list[dict[str, str]]:
    rows = []
    for p in data:
        kind = KIND_2025[p["division_type"]]
        name = " ".join(p["name"].split())
        if kind == "Tỉnh" and not name.startswith("Tỉnh "):
            # 2025.10.1 writes provinces as bare names ('Cao Bằng'); the
            # official full name is 'Tỉnh Cao Bằng'.
            name = f"Tỉnh {name}"
        if kind == "Thành phố Trung ương":
            assert name.startswith("Thành phố "), name
        prov = row("province", p["code"], name, kind, "")
        rows.append(prov)
        for w in p["wards"]:
            wkind = KIND_2025[w["division_type"]]
            wname = canonical_name(w["name"])
            assert name_prefix(wname) == wkind, (wname, wkind)
            rows.append(row("commune", w["code"], wname, wkind, prov["code"]))
    return rows


def rows_pre2025(data: list[dict]) -> list[dict[str, str]]:
    # 0.6.0 gives division_type only as the generic 'tỉnh'/'huyện'/'xã' for
    # every unit of a level, so the kind is taken from the official name.
    rows = []
    for p in data:
        name = canonical_name(p["name"])
        kind = "Thành phố Trung ương" if name_prefix(name) == "Thành phố" else name_prefix(name)
        assert kind in ("Tỉnh", "Thành phố Trung ương"), name
        prov = row("province", p["code"], name, kind, "")
        rows.append(prov)
        for d in p["districts"]:
            dname = canonical_name(d["name"])
            dkind = name_prefix(dname)
            assert dkind in ("Quận", "Huyện", "Thị xã", "Thành phố"), dname
            dist = row("district", d["code"], dname, dkind, prov["code"])
            rows.append(dist)
            for w in d["wards"]:
                wname = canonical_name(w["name"])
                wkind = name_prefix(wname)
                assert wkind in ("Phường", "Xã", "Thị trấn"), wname
                rows.append(row("commune", w["code"], wname, wkind, dist["code"]))
    return rows


def check_integrity(label: str, rows: list[dict[str, str]]) -> None:
    keys = Counter((r["level"], r["code"]) for r in rows)
    dups = [k for k, n in keys.items() if n > 1]
    assert not dups, f"{label}: duplicate codes {dups[:10]}"
    codes = {lvl: {r["code"] for r in rows if r["level"] == lvl} for lvl in LEVEL_ORDER}
    for r in rows:
        if r["level"] == "province":
            assert r["parent_code"] == "", r
        elif r["level"] == "district" or label == "2025":
            assert r["parent_code"] in codes["province"], r
        else:
            assert r["parent_code"] in codes["district"], r
    childless = [
        r
        for r in rows
        if r["level"] != "commune"
        and not any(
            c["parent_code"] == r["code"] for c in rows if LEVEL_ORDER[c["level"]] > LEVEL_ORDER[r["level"]]
        )
    ]
    if childless:
        print(
            f"  note: {len(childless)} {label} unit(s) without sub-units: "
            + ", ".join(f"{r['code']} {r['name']}" for r in childless)
        )


def write_csv(path: Path, rows: list[dict[str, str]]) -> Counter:
    rows = sorted(rows, key=lambda r: (LEVEL_ORDER[r["level"]], r["code"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    counts = Counter(r["level"] for r in rows)
    print(
        f"{path.relative_to(ROOT)}: "
        + ", ".join(f"{lvl} {counts[lvl]}" for lvl in LEVEL_ORDER if counts[lvl])
    )
    return counts


def find(rows: list[dict[str, str]], level: str, code: str) -> dict[str, str]:
    hits = [r for r in rows if r["level"] == level and r["code"] == code]
    assert len(hits) == 1, (level, code, hits)
    return hits[0]


def expect(rows, level, code, name, parent) -> None:
    r = find(rows, level, code)
    assert r["name"] == name and r["parent_code"] == parent, r
    print(f"  ok: {level} {code} {r['name']} ({r['kind']}) under {parent}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        sources = {}
        for version in (VERSION_2025, VERSION_PRE2025):
            archive = download(PACKAGE, version, tmpdir)
            member, raw = read_members(archive, [DATA_MEMBER])[1][DATA_MEMBER]
            print(f"read {archive.name}:{member}")
            sources[version] = json.loads(raw.decode("utf-8"))

    new = rows_2025(sources[VERSION_2025])
    old = rows_pre2025(sources[VERSION_PRE2025])
    check_integrity("2025", new)
    check_integrity("pre-2025", old)

    c_new = write_csv(OUT_2025, new)
    assert c_new["province"] == 34, c_new
    assert c_new["district"] == 0, c_new
    assert c_new["commune"] == 3321, c_new

    c_old = write_csv(OUT_PRE2025, old)
    assert c_old["province"] == 63, c_old
    assert c_old["district"] == 696, c_old
    if c_old["commune"] != 10051:
        print(f"  note: pre-2025 commune count is {c_old['commune']}, not the expected ~10051")

    print("spot checks:")
    expect(old, "district", "004", "Quận Long Biên", "01")
    expect(old, "district", "008", "Quận Hoàng Mai", "01")
    expect(old, "commune", "00340", "Phường Yên Sở", "008")
    expect(old, "commune", "00139", "Phường Bồ Đề", "004")
    expect(new, "commune", "00331", "Phường Yên Sở", "01")


if __name__ == "__main__":
    main()
