"""Callers: the platform's ``x-ms-client-principal`` on every route but health, owners see
their own analyses, the clinic role sees all, anonymous mode only when turned on."""

from __future__ import annotations

import base64
import dataclasses
import importlib
import json
import logging
from pathlib import Path
from typing import Any

import pytest

import function_app
from gait.service import auth
from gait.service.errors import Unauthorized
from gait.service.settings import load
from tests.service.harness import Http
from tests.service.test_end_to_end import API, upload

ANALYSIS_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"
#: Every non-health route, as (function, method, url, route params).
ROUTES = [
    ("upload_analysis", "POST", f"{API}/v1/analysis/upload", {}),
    ("sas_token", "POST", f"{API}/v1/storage/sas-token", {}),
    ("process_analysis", "POST", f"{API}/v1/analysis/process", {}),
    ("list_analyses", "GET", f"{API}/v1/analysis/list", {}),
    ("get_analysis", "GET", f"{API}/v1/analysis/{ANALYSIS_ID}", {"analysis_id": ANALYSIS_ID}),
    ("rescale_analysis", "PATCH", f"{API}/v1/analysis/{ANALYSIS_ID}", {"analysis_id": ANALYSIS_ID}),
    ("delete_analysis", "DELETE", f"{API}/v1/analysis/{ANALYSIS_ID}", {"analysis_id": ANALYSIS_ID}),
    (
        "cancel_analysis",
        "POST",
        f"{API}/v1/analysis/{ANALYSIS_ID}/cancel",
        {"analysis_id": ANALYSIS_ID},
    ),
    (
        "get_report",
        "GET",
        f"{API}/v1/analysis/{ANALYSIS_ID}/report",
        {"analysis_id": ANALYSIS_ID},
    ),
]


@pytest.fixture
def http(hub, loop, service_env) -> Http:
    return Http(function_app.app, hub, loop)


@pytest.mark.parametrize(("name", "method", "url", "route"), ROUTES)
@pytest.mark.parametrize(
    "header",
    [None, "not base64 !", base64.b64encode(b'{"userRoles": ["anonymous"]}').decode()],
)
def test_every_non_health_route_needs_a_signed_in_user(
    http: Http, name: str, method: str, url: str, route: dict, header: str | None
) -> None:
    caller = http.as_user(None)
    headers = {"x-ms-client-principal": header} if header else {}
    status, body, _ = caller.call(name, method, url, route_params=route, headers=headers)
    assert status == 401, body
    assert body["error"] == "UNAUTHORIZED" and body["detail"]


def test_health_needs_no_user(http: Http) -> None:
    caller = http.as_user(None)
    for name, url in (("liveness", "health"), ("legacy_health", "v1/health")):
        status, _, _ = caller.call(name, "GET", f"{API}/{url}")
        assert status == 200


def test_app_service_principal_shape() -> None:
    """App Service Authentication's shape: claims, the object id, roles by ``role_typ``."""
    data = {
        "auth_typ": "aad",
        "name_typ": "name",
        "role_typ": "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
        "claims": [
            {"typ": "name", "val": "Dr Example"},
            {
                "typ": "http://schemas.microsoft.com/identity/claims/objectidentifier",
                "val": "oid-7",
            },
            {
                "typ": "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
                "val": "clinician",
            },
        ],
    }
    header = base64.b64encode(json.dumps(data).encode()).decode()
    who = auth.parse_principal(header, "clinician")
    assert who.user_id == "oid-7" and who.sees_all
    assert not auth.parse_principal(header, "admin").sees_all
    without_id = {**data, "claims": data["claims"][:1]}
    with pytest.raises(Unauthorized):
        auth.parse_principal(base64.b64encode(json.dumps(without_id).encode()).decode(), "x")


def test_owners_see_only_their_analyses_and_the_clinic_role_sees_all(
    http: Http, walker_video: Path
) -> None:
    alice, bob = http.as_user("alice"), http.as_user("bob")
    clinic = http.as_user("carol", roles=("clinician",))
    _, started = upload(alice, walker_video.read_bytes())
    analysis_id = started["analysis_id"]
    route = {"analysis_id": analysis_id}
    url = f"{API}/v1/analysis/{analysis_id}"

    def call(who: Http, name: str, method: str, suffix: str = "", body: bytes = b"") -> Any:
        return who.call(name, method, url + suffix, route_params=route, body=body)

    assert call(alice, "get_analysis", "GET")[0] == 200
    for name, method, suffix, body in (
        ("get_analysis", "GET", "", b""),
        ("rescale_analysis", "PATCH", "", b'{"height_m": 1.7}'),
        ("cancel_analysis", "POST", "/cancel", b""),
        ("get_report", "GET", "/report", b""),
        ("delete_analysis", "DELETE", "", b""),
    ):
        status, answer, _ = call(bob, name, method, suffix, body)
        assert status == 404, (name, answer)  # as if it did not exist
    _, listing, _ = bob.call("list_analyses", "GET", f"{API}/v1/analysis/list")
    assert listing["analyses"] == [] and listing["total"] == 0
    _, listing, _ = clinic.call("list_analyses", "GET", f"{API}/v1/analysis/list")
    assert [row["id"] for row in listing["analyses"]] == [analysis_id]
    assert call(clinic, "get_analysis", "GET")[0] == 200
    assert call(clinic, "get_report", "GET")[0] == 409  # seen, but still processing
    assert call(clinic, "delete_analysis", "DELETE")[0] == 200


def test_start_answers_carry_no_management_urls(http: Http, walker_video: Path) -> None:
    status, started = upload(http, walker_video.read_bytes())
    assert status == 200
    text = json.dumps(started)
    assert "code=" not in text and "runtime/webhooks" not in text
    assert not {"statusQueryGetUri", "sendEventPostUri", "terminatePostUri"} & set(started)


def test_anonymous_mode_only_when_turned_on_and_logged(
    http: Http, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="gait.service")
    monkeypatch.setenv("GAIT_REQUIRE_PLATFORM_AUTH", "false")
    try:
        module = importlib.reload(function_app)
        assert any("GAIT_REQUIRE_PLATFORM_AUTH is off" in r.getMessage() for r in caplog.records)
        anonymous = Http(module.app, http.hub, http.loop, user=None)
        status, _, _ = anonymous.call("list_analyses", "GET", f"{API}/v1/analysis/list")
        assert status == 200
    finally:
        monkeypatch.setenv("GAIT_REQUIRE_PLATFORM_AUTH", "true")
        importlib.reload(function_app)


def test_a_forgeable_header_is_reported_at_start(caplog: pytest.LogCaptureFixture) -> None:
    """On App Service without its authentication, anyone could send the header."""
    caplog.set_level(logging.WARNING, logger="gait.service")
    settings = dataclasses.replace(load(), require_platform_auth=True)
    auth.warn_at_start(settings, {"WEBSITE_SITE_NAME": "gait-api"})
    assert any("could be sent by anyone" in r.getMessage() for r in caplog.records)
    caplog.clear()
    auth.warn_at_start(settings, {"WEBSITE_SITE_NAME": "gait-api", "WEBSITE_AUTH_ENABLED": "True"})
    auth.warn_at_start(settings, {})  # not on App Service (local, tests)
    assert not caplog.records
