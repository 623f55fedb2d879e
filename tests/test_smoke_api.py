from tests.support import child_payload, login


def test_health_and_schema(client):
    assert client.get("/health").json() == {"status": "ok", "database": "ok"}
    schema = client.get("/schema/openapi.json").json()
    assert "/api/v1/children/{child_id}" in schema["paths"]
    for path in (
        "/api/v1/reports",
        "/api/v1/reports/{report_id}/consolidate",
        "/api/v1/units/{unit_id}/dashboard",
        "/api/v1/report-documents/{document_id}/download",
    ):
        assert path in schema["paths"], path


def test_demo_collaborator_round_trip(client, owner, uid):
    headers = login(client, "demo-collab-1", "demo-password")
    me = client.get("/api/v1/me", headers=headers).json()
    assert me["role"] == "collaborator" and me["unit"]["level"] == "hamlet"
    created = client.post(
        "/api/v1/children", headers=headers, json=child_payload(me["unit"]["id"], full_name=f"Trần Văn {uid}")
    )
    assert created.status_code == 201, created.text
    child = created.json()
    assert child["hamlet_id"] == me["unit"]["id"] and child["guardians"][0]["relationship"] == "father"
    listed = client.get(
        f"/api/v1/units/{me['unit']['id']}/children", params={"q": uid}, headers=headers
    ).json()
    assert [c["id"] for c in listed["items"]] == [child["id"]] and listed["total"] == 1


def test_reference_codes_carry_the_law(client):
    headers = login(client, "demo-collab-1", "demo-password")
    ref = client.get("/api/v1/reference", headers=headers).json()
    groups = {g["code"]: g for g in ref["group"]}
    assert len(groups) == 14 and groups["dd"]["legal_basis"].endswith("điểm đ")
    assert "Kinh" in ref["ethnicities"] and len(ref["ethnicities"]) == 55
    assert client.get("/api/v1/reference").status_code == 401
