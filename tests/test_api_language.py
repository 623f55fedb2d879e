"""The API's error answers in the caller's language: Vietnamese by default, English on request; the JSON
keys, the status and the field codes do not change with the language."""

from __future__ import annotations

import uuid

import pytest

from tests.support import child_payload, login, make_unit, make_user

VI = {"Accept-Language": "vi-VN,vi;q=0.9"}
EN = {"Accept-Language": "en-GB,en;q=0.8"}
NONE = {"Accept-Language": ""}  # as if the header were absent (the shared client sends English)


@pytest.fixture()
def collaborator(client, owner) -> tuple[dict[str, str], int]:
    tag = uuid.uuid4().hex[:6]
    province = make_unit(owner, None, "province", f"Tỉnh API {tag}")
    commune = make_unit(owner, province, "commune", f"Xã API {tag}")
    hamlet = make_unit(owner, commune, "hamlet", f"Thôn API {tag}")
    user = make_user(owner, f"api-lang-{tag}", "collaborator", hamlet.id)
    return login(client, user.username), hamlet.id


def test_field_errors_follow_the_language_and_keep_their_codes(client, collaborator):
    headers, hamlet_id = collaborator
    body = child_payload(hamlet_id, national_id="123", full_name=f"Lê Văn Sai {uuid.uuid4().hex[:4]}")
    answers = {
        name: client.post("/api/v1/children", headers={**headers, **lang}, json=body)
        for name, lang in (("vi", VI), ("en", EN), ("none", NONE))
    }
    assert {r.status_code for r in answers.values()} == {422}
    vi, en, default = (answers[k].json() for k in ("vi", "en", "none"))
    assert vi == default  # Vietnamese is the default
    assert set(vi) == set(en) == {"status_code", "detail", "errors"}
    assert [(e["field"], e["code"]) for e in vi["errors"]] == [(e["field"], e["code"]) for e in en["errors"]]
    assert vi["errors"] == [
        {"field": "national_id", "message": "Phải gồm đúng 12 chữ số.", "code": "invalid"}
    ]
    assert vi["detail"] == "Dữ liệu gửi lên không hợp lệ: national_id"
    assert en["detail"] == "invalid input: national_id"  # English keeps the service's own sentence
    assert "12-digit" in en["errors"][0]["message"]


def test_refusals_and_framework_errors_follow_the_language(client):
    missing = client.get("/api/v1/cases", headers=NONE)
    assert missing.status_code == 401
    assert missing.json()["detail"].startswith("Bạn chưa đăng nhập")
    assert client.get("/api/v1/cases", headers=EN).json()["detail"].startswith("missing bearer token")
    nowhere = client.get("/api/v1/no-such-thing", headers=NONE)
    assert nowhere.status_code == 404 and nowhere.json() == {
        "status_code": 404,
        "detail": "Không tìm thấy trang hoặc hồ sơ này.",
    }
    assert client.get("/api/v1/no-such-thing", headers=EN).json()["detail"] == "Not Found"
