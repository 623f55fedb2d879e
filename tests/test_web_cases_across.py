"""Cases across communes on the pages: the hotline's intake, the ward officer's transfer by commune code,
the receiving commune's acceptance, the sender's stub, and errors named by field in Vietnamese."""

from __future__ import annotations

import re

from sqlalchemy import text


def test_the_hotline_intake_is_transferred_and_accepted_on_the_pages(login, tree, owner):
    # the receiving commune gets a code out of the official range, in an era of its own (the official
    # counts of tests/test_tenancy.py are of the two official eras)
    code = f"99{int(tree['tag'], 16) % 1000:03d}"
    owner.execute(
        text("UPDATE units SET code = :c, valid_from = '2024-01-01' WHERE id = :u"),
        {"c": code, "u": tree["other"].id},
    )
    owner.commit()
    hotline = login("hotline")
    home = hotline.get("/intake")
    assert home.status_code == 200 and tree["commune"].name in home.text
    assert "/children" not in re.sub(r"<form.*?</form>", "", home.text, flags=re.S).split("</nav>")[0]
    chosen = hotline.get(f"/intake?commune={tree['commune'].id}")
    assert tree["hamlet"].name in chosen.text
    form = {
        "commune_id": str(tree["commune"].id),
        "hamlet_id": str(tree["hamlet"].id),
        "channel": "hotline_111",
        "case_type": "neglect",
        "description": "Người gọi báo trẻ bị bỏ mặc nhiều ngày.",
        "child_full_name": "Lò Văn Gọi",
        "child_sex": "male",
        "child_age_years": "25",
        "informant_anonymous": "on",
    }
    bad = hotline.post("/intake", form)
    assert bad.status_code == 422 and 'id="child_age_years-error"' in bad.text
    assert "Không phải ngày sinh hoặc tuổi của trẻ dưới 18 tuổi." in bad.text
    good = hotline.post("/intake", {**form, "child_age_years": "7"})
    assert good.status_code == 201, good.text
    reference = re.search(r"(HS\d{4}-\d{6})", good.text).group(1)
    assert tree["commune"].name in good.text
    case_id = str(
        owner.execute(text("SELECT id FROM cases WHERE reference = :r"), {"r": reference}).scalar_one()
    )
    assert hotline.get(f"/cases/{case_id}").status_code == 403  # the hotline keeps nothing

    officer = login("officer")
    page = officer.get(f"/cases/{case_id}")
    assert page.status_code == 200 and "chưa xác định trong sổ theo dõi" in page.text
    location = f"/cases/{case_id}"
    refer = {
        "kind": "transfer",
        "receiver": "commune",
        "commune_code": "00000",
        "reason": "Gia đình chuyển đi",
    }
    unknown = officer.post(f"{location}/act/refer", refer)
    assert unknown.status_code == 422 and 'id="refer-commune_code-error"' in unknown.text
    moved = officer.post(f"{location}/act/refer", {**refer, "commune_code": code})
    assert moved.status_code == 303, moved.text

    receiver = login("other_officer")
    listing = receiver.get("/referrals")
    assert reference in listing.text and "Chờ trả lời" in listing.text
    shown = receiver.get(location)
    assert shown.status_code == 200 and "Chấp nhận" in shown.text
    referral_id = re.search(r"/referrals/([0-9a-f-]{36})/accept", shown.text).group(1)
    empty = receiver.post(f"{location}/referrals/{referral_id}/accept", {"hamlet_id": ""})
    assert empty.status_code == 422 and f'id="referral-{referral_id}-accept-hamlet_id-error"' in empty.text
    accepted = receiver.post(
        f"{location}/referrals/{referral_id}/accept", {"hamlet_id": str(tree["other_hamlet"].id)}
    )
    assert accepted.status_code == 303, accepted.text
    assert receiver.get(location).status_code == 200
    # the sender keeps the stub: the reference, no link to the case
    stub = officer.get("/referrals?state=accepted")
    assert reference in stub.text and f'href="/cases/{case_id}"' not in stub.text
    assert officer.get(location).status_code == 404
