"""A bounded schemathesis run against the application's own OpenAPI document (issue 11, CI).

Every operation is called with generated input (positive and negative) as a collaborator, a ward
officer and a provincial inspector of a province of their own (tests.cases_support.build_world), so
nothing another test reads is touched. No answer may be a 5xx, and every answer must match the
document: its status code listed, its body valid against the listed schema.

Bounded for CI: ``EXAMPLES`` inputs per operation, role and mode, derandomized (the same inputs on
every run), no shrinking; under a minute on a 2-core machine.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session

from infra.db import admin_engine
from portal.app import create_app
from tests.cases_support import build_world, child_in, intake_body, open_case, who

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
"""Per operation, role and mode. FUZZ_EXAMPLES=50 for a longer run by hand (still derandomized)."""
ROLES = ("col1", "wo", "insp")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXCLUDED = {
    # would end the fuzz users' sessions or change their credentials mid-run
    ("POST", "/api/v1/auth/logout"),
    ("POST", "/api/v1/auth/set-password"),
    ("PATCH", "/api/v1/staff/{user_id}"),
    ("POST", "/api/v1/staff/{user_id}/deactivate"),
    ("POST", "/api/v1/staff/{user_id}/password-reset"),
    ("POST", "/api/v1/staff/{user_id}/sessions/revoke"),
    # failed logins count against the test client's address (the login throttle): tried by hand instead
    ("POST", "/api/v1/auth/login"),
}


@pytest.fixture(scope="module")
def world(client, database) -> dict[str, Any]:
    """The fuzz users' province, and ids of its records that every other example puts in the path."""
    with Session(admin_engine(), expire_on_commit=False) as owner:
        world = build_world(owner)
        child = child_in(owner, world["units"]["H1"])
    case = open_case(client, who(client, world, "wo"), intake_body(child))
    units = world["units"]
    world["known"] = {
        "unit_id": [units["H1"].id, units["C"].id, units["P"].id],
        "hamlet_id": [units["H1"].id],
        "child_id": [child],
        "case_id": [case["id"]],
        "user_id": [world["users"]["col1b"]],
    }
    world["headers"] = {role: who(client, world, role) for role in ROLES}
    return world


def _run(
    operation: Any, world: dict[str, Any], role: str, mode: GenerationMode, statuses: Counter[int]
) -> list[str]:
    """``EXAMPLES`` generated calls; every other one with known ids in its path, to reach the handlers."""
    failures: list[str] = []
    headers, known = world["headers"][role], world["known"]
    examples = iter(range(EXAMPLES * 4))

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        if next(examples, 0) % 2 and case.path_parameters:
            for name in case.path_parameters:
                if name in known:
                    case.path_parameters[name] = known[name][hash(name) % len(known[name])]
        try:
            response = case.call(headers=headers)
            statuses[response.status_code] += 1
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Exception, BaseExceptionGroup) as exc:  # every failure is collected, reported at the end
            failures.append(f"{operation.label} [{mode.value}]: {exc}"[:3000])

    with contextlib.suppress(Unsatisfiable):  # nothing to make invalid: no parameters, no body
        run()
    return failures


def test_no_operation_answers_5xx_or_breaks_the_schema(world):
    started = time.monotonic()
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", create_app())
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in EXCLUDED:
            continue
        for role in ROLES:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                failures += [f"as {role}: {f}" for f in _run(operation, world, role, mode, statuses)]
    elapsed = time.monotonic() - started
    print(
        f"schemathesis: {sum(statuses.values())} calls in {elapsed:.1f}s, by status {sorted(statuses.items())}"
    )
    assert not failures, "\n\n".join(failures[:30]) + f"\n\n{len(failures)} failures in all"
