"""The unit tree holds both official structures, with depth as data."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, text

from tenancy.load import load_official_units
from tenancy.models import Unit
from tenancy.resolve import scope_for
from tenancy.scope import in_subtree, subtree_end
from tests.support import hamlets_of, unit


def _count(owner, level, era_from):
    era = Unit.valid_from.is_(None) if era_from is None else Unit.valid_from == era_from
    return owner.scalar(select(func.count()).where(Unit.level == level, Unit.code.is_not(None), era))


def test_both_structures_are_loaded_with_official_counts(owner):
    assert (_count(owner, "province", None), _count(owner, "district", None)) == (63, 696)
    assert _count(owner, "commune", None) == 10051
    reform = date(2025, 7, 1)
    assert (_count(owner, "province", reform), _count(owner, "district", reform)) == (34, 0)
    assert _count(owner, "commune", reform) == 3321
    assert load_official_units(owner) == {"units_pre2025.csv": 0, "units_2025.csv": 0}  # idempotent


def test_yen_so_before_and_after_2025(owner):
    old = unit(owner, "commune", "00340")
    district = owner.get(Unit, old.parent_id)
    assert (old.name, old.depth, district.code, district.name) == (
        "Phường Yên Sở",
        3,
        "008",
        "Quận Hoàng Mai",
    )
    assert old.valid_to == date(2025, 7, 1)
    new = owner.scalar(select(Unit).where(Unit.code == "00331", Unit.valid_from == date(2025, 7, 1)))
    parent = owner.get(Unit, new.parent_id)
    assert (new.name, new.depth, parent.level, parent.code) == ("Phường Yên Sở", 2, "province", "01")
    bo_de = unit(owner, "commune", "00139")
    assert owner.get(Unit, bo_de.parent_id).code == "004"
    assert 5 <= len(hamlets_of(owner, old)) <= 12 and all(h.code is None for h in hamlets_of(owner, old))


def test_paths_are_consistent_with_parents(owner):
    broken = owner.execute(
        text(
            "SELECT count(*) FROM units u LEFT JOIN units p ON p.id = u.parent_id "
            "WHERE u.path <> coalesce(p.path, '/') || u.id || '/' OR u.depth <> coalesce(p.depth, 0) + 1"
        )
    ).scalar()
    assert broken == 0
    child = owner.get(Unit, hamlets_of(owner, unit(owner, "commune", "00340"))[0].id)
    chain = [int(x) for x in child.path.strip("/").split("/")]
    assert chain[-1] == child.id and chain[-2] == child.parent_id and len(chain) == child.depth


def test_subtree_arithmetic_does_not_confuse_prefixes():
    assert in_subtree("/1/23/", "/1/") and in_subtree("/1/", "/1/")
    assert not in_subtree("/12/3/", "/1/") and not in_subtree("/1/", "/1/23/")
    assert subtree_end("/1/23/") == "/1/230" and not in_subtree("/1/230/", "/1/23/")
    assert not in_subtree("/1/", None)


def test_scope_defaults_to_deny():
    assert scope_for(None, "/1/").records is None and scope_for(None, "/1/").aggregates is None
    assert scope_for("ward_officer", None).records is None
    assert scope_for("ward_officer", "/1/", active=False).records is None
    assert scope_for("provincial_inspector", "/1/").records is None
    assert scope_for("provincial_inspector", "/1/").aggregates == "/1/"
    assert scope_for("collaborator", "/1/2/3/4/").records == "/1/2/3/4/"


def test_units_are_listed_in_the_order_people_read_them(owner):
    from tenancy.service import child_units, natural_key, units_below
    from tests.support import make_unit

    commune = make_unit(owner, None, "province", "Tỉnh thứ tự")
    for name in ("Tổ dân phố số 10", "Tổ dân phố số 2", "Tổ dân phố số 1", "Thôn Đông"):
        make_unit(owner, commune, "district", name)
    names = [u.name for u in child_units(owner, commune.id)]
    assert names == ["Thôn Đông", "Tổ dân phố số 1", "Tổ dân phố số 2", "Tổ dân phố số 10"]
    assert [u.name for u in units_below(owner, commune, "district")] == names
    assert natural_key("Tổ 2") < natural_key("Tổ 10") < natural_key("Tổ 10a")
