"""The reports and inspections API describe their answers in the OpenAPI document (issue 13): every
JSON answer names a schema, and every key of it is always sent (``null`` when empty, never left out)."""

from __future__ import annotations

from typing import Any

TYPED_TAGS = {"reports", "inspections"}


def _answers(schema: dict[str, Any]) -> dict[str, str]:
    """``METHOD path`` -> the schema named by its 2xx JSON answer, for the operations of TYPED_TAGS."""
    found = {}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if not TYPED_TAGS & set(operation.get("tags", [])) or path.endswith("/download"):
                continue  # a download streams the file itself
            for code, answer in operation["responses"].items():
                json = answer.get("content", {}).get("application/json")
                if code.startswith("2") and json is not None:
                    found[f"{method.upper()} {path}"] = json["schema"]["$ref"].rsplit("/", 1)[-1]
    return found


def _short(name: str) -> str:
    """A component's class name (Litestar prefixes the module when two classes share a name)."""
    return name.rsplit("_", 1)[-1]


def _named(node: Any) -> set[str]:
    """The component schemas a schema refers to (directly or through lists, maps and unions)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        own = {ref.rsplit("/", 1)[-1]} if isinstance(ref, str) else set()
        return own.union(*(_named(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_named(v) for v in node))
    return set()


def test_every_json_answer_of_reports_and_inspections_names_a_schema(client):
    schema = client.get("/schema/openapi.json").json()
    components = schema["components"]["schemas"]
    answers = _answers(schema)
    # 23 report operations (the reporting rates and the months taken again among them), 2 of their data
    # checks and 20 inspection operations (4 of them: addressees outside the tree and their replies), less
    # the two downloads
    assert len(answers) == 43, sorted(answers)
    named = {where: _short(name) for where, name in answers.items()}
    assert named["GET /api/v1/reports/{report_id}"] == "ReportOut"
    assert named["POST /api/v1/reports/{report_id}/approve"] == "ReportOut"
    assert named["GET /api/v1/units/{unit_id}/dashboard"] == "DashboardOut"
    assert named["PUT /api/v1/report-definitions/{code}/due-days"] == "DueDaysOut"
    assert named["GET /api/v1/inspections/{plan_id}"] == "InspectionPlanOut"
    assert named["GET /api/v1/reports/{report_id}/checks"] == "ChecksOut"
    assert named["PUT /api/v1/reports/{report_id}/explanations"] == "ChecksOut"
    # lists answer the one envelope, Page[item] (portal.boundary.pagination), named after its item
    assert answers["GET /api/v1/recommendations"] == "Page_portal.inspections.responses.RecommendationOut_"
    assert answers["GET /api/v1/reports"] == "Page_portal.reports.responses.ReportSummary_"
    seen: set[str] = set()
    todo = set(answers.values())
    while todo:
        name = todo.pop()
        seen.add(name)
        component = components[name]
        assert component["type"] == "object" and component["properties"], name
        assert set(component["required"]) == set(component["properties"]), name  # no key is optional
        todo |= _named(component) - seen
    shown = {_short(name): name for name in seen}
    assert {"UnitRef", "RateRow", "ReportEventOut", "CheckOut", "RecommendationResponseOut"} <= set(shown)
    assert "from" in components[shown["ReportEventOut"]]["properties"]  # the JSON name, not from_


def test_request_bodies_of_inspections_are_typed(client):
    schema = client.get("/schema/openapi.json").json()
    plan = schema["paths"]["/api/v1/inspections"]["post"]["requestBody"]["content"]["application/json"]
    assert plan["schema"] == {"$ref": "#/components/schemas/InspectionPlanIn"}
    fields = schema["components"]["schemas"]["InspectionPlanIn"]
    assert set(fields["required"]) == {"title", "period_start", "period_end", "unit_ids"}
    assert fields["properties"]["period_start"] == {"type": "string", "format": "date"}
