"""The OpenAPI document: valid OpenAPI 3.1, one operation per route the app registers (and
no other), anonymous exactly where the app is, served by the app itself."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
from openapi_spec_validator import validate

import function_app
from gait.errors import NO_GAIT_REASONS
from gait.service import openapi
from tests.service.harness import (
    Http,
    check_response,
    functions_by_name,
    index_with_keys_required,
)


@pytest.fixture
def http(hub, loop) -> Http:
    return Http(function_app.app, hub, loop)


def document() -> dict:
    return json.loads(openapi.DOCUMENT.read_text())


def registered_operations() -> dict[tuple[str, str], bool]:
    """(method, path) -> anonymous whatever GAIT_HTTP_AUTH_LEVEL says?, for every HTTP
    function in the app's index."""
    operations = {}
    for fn in index_with_keys_required().values():
        trigger = fn.get_trigger()
        if trigger.type != "httpTrigger":
            continue
        # Route constraints ("{analysis_id:guid}") are not part of the OpenAPI path.
        path = "/api/" + re.sub(r"\{(\w+):[^}]+\}", r"{\1}", trigger.route)
        anonymous = str(trigger.auth_level).lower().endswith("anonymous")
        for method in trigger.methods:
            operations[(str(method).split(".")[-1].lower(), path)] = anonymous
    return operations


def described_operations() -> dict[tuple[str, str], dict]:
    methods = {"get", "post", "put", "patch", "delete"}
    return {
        (method, path): operation
        for path, item in document()["paths"].items()
        for method, operation in item.items()
        if method in methods
    }


def test_document_is_valid_openapi_3_1() -> None:
    spec = document()
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_the_refusal_reasons_are_the_engines_whole_set() -> None:
    failure = document()["components"]["schemas"]["Failure"]["properties"]["reason"]
    assert failure["enum"] == list(NO_GAIT_REASONS)


def test_every_route_is_described_and_nothing_else() -> None:
    registered = registered_operations()
    described = described_operations()
    assert len(registered) >= 11
    assert set(registered) == set(described), set(registered) ^ set(described)
    # One operation per function, named after it (the harness finds schemas by that name).
    names = {
        fn.get_function_name()
        for fn in functions_by_name(function_app.app).values()
        if fn.get_trigger().type == "httpTrigger"
    }
    assert {op["operationId"] for op in described.values()} == names


def test_anonymous_exactly_where_the_app_is() -> None:
    described = described_operations()
    for key, anonymous in registered_operations().items():
        assert (described[key]["security"] == [{}]) == anonymous, key


def test_served_by_the_app_and_liveness_matches_its_schema(http: Http) -> None:
    status, body, response = http.call(
        "openapi_document", "GET", "http://localhost/api/openapi.json"
    )
    assert status == 200 and response.mimetype == "application/json"
    assert body == document()
    status, alive, _ = http.call("liveness", "GET", "http://localhost/api/health")
    schema = body["paths"]["/api/health"]["get"]["responses"]["200"]["content"]
    jsonschema.validate(alive, schema["application/json"]["schema"])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"status": "dead"}, schema["application/json"]["schema"])


def test_the_harness_refuses_answers_the_document_does_not_describe(http: Http) -> None:
    """Http.call checks every JSON answer (harness.check_response): a real answer passes; a
    null metric, an undescribed field or an undescribed status does not."""
    status, ready, _ = http.call("readiness", "GET", "http://localhost/api/health/ready")
    check_response("readiness", status, ready)
    view = {
        "id": "6f1c2b1e-8d6a-4c36-9a53-0d6a1f6b9a10",
        "analysis_id": "6f1c2b1e-8d6a-4c36-9a53-0d6a1f6b9a10",
        "status": "completed",
        "current_step": "report_generation",
        "step": "done",
        "step_progress": 100,
        "step_message": "Analysis complete",
        "steps_completed": [],
        "video_quality_issues": [],
        "video_quality_recommendations": [],
        "parameters": {},
        "metrics": {"fall_risk_assessment": {}, "functional_mobility": {}, "cadence": 101.5},
    }
    check_response("get_analysis", 200, view)
    with pytest.raises(jsonschema.ValidationError):  # unmeasured must be absent, not null
        check_response(
            "get_analysis", 200, {**view, "metrics": {**view["metrics"], "cadence": None}}
        )
    with pytest.raises(jsonschema.ValidationError):
        check_response("get_analysis", 200, {**view, "statusQueryGetUri": "http://x"})
    with pytest.raises(jsonschema.ValidationError):  # the frontend reads `detail`
        check_response("get_analysis", 404, {"error": "NOT_FOUND", "message": "no"})
    with pytest.raises(AssertionError, match="202"):
        check_response("upload_analysis", 202, {"analysis_id": view["id"]})
