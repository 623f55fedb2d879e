#!/usr/bin/env python3
"""Write portal/registry/data/id_province_codes.csv: the province codes of the personal identification
number (Circular 07/2016/TT-BCA, Appendix I), with the 2025 province each old province went into.

The 63 codes of Circular 07/2016/TT-BCA are the national statistics office's (GSO) province codes of
the pre-2025 provinces with a leading zero (001 Hà Nội, 006 Bắc Kạn, 070 Bình Phước): read here from
tenancy/data/units_pre2025.csv. The 2025 province of each comes from the commune reform mapping
(tenancy/data/reform_2025_communes.csv: the default new commune of the old communes, and its province
in tenancy/data/units_2025.csv); every old province went whole into one 2025 province.

    .venv/bin/python scripts/extract_id_provinces.py
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tenancy" / "data"
OUT = ROOT / "portal" / "registry" / "data" / "id_province_codes.csv"


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def main() -> None:
    old = _rows("units_pre2025.csv")
    new = _rows("units_2025.csv")
    old_provinces = {r["code"]: r["name"] for r in old if r["level"] == "province"}
    new_provinces = {r["code"]: r["name"] for r in new if r["level"] == "province"}
    district_province = {r["code"]: r["parent_code"] for r in old if r["level"] == "district"}
    old_commune_province = {
        r["code"]: district_province[r["parent_code"]] for r in old if r["level"] == "commune"
    }
    new_commune_province = {r["code"]: r["parent_code"] for r in new if r["level"] == "commune"}
    went: dict[str, Counter[str]] = defaultdict(Counter)
    for r in _rows("reform_2025_communes.csv"):
        if r["is_default"] == "1" and r["old_code"] in old_commune_province:
            went[old_commune_province[r["old_code"]]][new_commune_province[r["new_code"]]] += 1
    assert len(old_provinces) == 63 and len(new_provinces) == 34
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["id_code", "gso_code", "name", "province_2025_code", "province_2025_name"])
        for code, name in sorted(old_provinces.items()):
            target = went[code].most_common(1)[0][0]
            assert len(went[code]) == 1, (code, went[code])  # whole provinces only
            out.writerow([f"0{code}", code, name, target, new_provinces[target]])
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
