"""The function index the host reads at start: every function, binding and route."""

from __future__ import annotations

from azure.functions import AuthLevel

import function_app
from tests.service.harness import functions_by_name

EXPECTED_ROUTES = {
    "upload_analysis": ("v1/analysis/upload", {"POST"}),
    "sas_token": ("v1/storage/sas-token", {"POST"}),
    "process_analysis": ("v1/analysis/process", {"POST"}),
    "list_analyses": ("v1/analysis/list", {"GET"}),
    # :guid, so "list" is never taken for an id whatever order the host tries routes in.
    "get_analysis": ("v1/analysis/{analysis_id:guid}", {"GET"}),
    "rescale_analysis": ("v1/analysis/{analysis_id:guid}", {"PATCH"}),
    "delete_analysis": ("v1/analysis/{analysis_id:guid}", {"DELETE"}),
    "cancel_analysis": ("v1/analysis/{analysis_id:guid}/cancel", {"POST"}),
    "get_report": ("v1/analysis/{analysis_id:guid}/report", {"GET"}),
    "liveness": ("health", {"GET"}),
    "readiness": ("health/ready", {"GET"}),
    "legacy_health": ("v1/health", {"GET"}),
    "openapi_document": ("openapi.json", {"GET"}),
}
ANONYMOUS = {"liveness", "readiness", "legacy_health", "openapi_document"}
DURABLE_CLIENTS = {
    "upload_analysis",
    "process_analysis",
    "get_analysis",
    "delete_analysis",
    "cancel_analysis",
    "retention_sweep",
}
ACTIVITIES = {
    "plan_video",
    "analyze_video_chunk",
    "aggregate_features",
    "persist_result",
    "record_failure",
}


def _index() -> dict:
    return functions_by_name(function_app.app)


def test_every_function_is_indexed_with_valid_bindings() -> None:
    index = _index()
    assert set(index) == set(EXPECTED_ROUTES) | ACTIVITIES | {
        "analysis_orchestrator",
        "retention_sweep",
        "stuck_analysis_watchdog",
    }
    for name, fn in index.items():
        # get_raw_bindings() is what the host reads; it fails on an invalid binding.
        raw = fn.get_raw_bindings()
        assert raw, name
        assert fn.get_user_function() is not None


def test_routes_methods_and_auth_levels() -> None:
    index = _index()
    for name, (route, methods) in EXPECTED_ROUTES.items():
        trigger = index[name].get_trigger()
        assert trigger.type == "httpTrigger"
        assert trigger.route == route
        assert {m.value if hasattr(m, "value") else m for m in trigger.methods} == methods
        # No function keys by default: the browser has none; the platform's sign-in and
        # GAIT_REQUIRE_PLATFORM_AUTH guard the non-health routes instead.
        assert trigger.auth_level == AuthLevel.ANONYMOUS, name
        has_client = any(b.type == "durableClient" for b in index[name].get_bindings())
        assert has_client == (name in DURABLE_CLIENTS), name


def test_orchestrator_and_activities_triggers() -> None:
    index = _index()
    assert index["analysis_orchestrator"].get_trigger().type == "orchestrationTrigger"
    for name in ACTIVITIES:
        assert index[name].get_trigger().type == "activityTrigger"
    timer = index["retention_sweep"].get_trigger()
    assert timer.type == "timerTrigger" and timer.schedule.count(" ") == 5  # NCRONTAB


def test_watchdog_timer_has_a_durable_client() -> None:
    fn = _index()["stuck_analysis_watchdog"]
    trigger = fn.get_trigger()
    assert trigger.type == "timerTrigger" and trigger.schedule == "0 */5 * * * *"
    assert any(b.type == "durableClient" for b in fn.get_bindings())


def test_auth_level_follows_the_app_setting(monkeypatch) -> None:
    import importlib

    monkeypatch.setenv("GAIT_HTTP_AUTH_LEVEL", "function")
    try:
        module = importlib.reload(function_app)
        index = functions_by_name(module.app)
        assert index["upload_analysis"].get_trigger().auth_level == AuthLevel.FUNCTION
        assert index["liveness"].get_trigger().auth_level == AuthLevel.ANONYMOUS
    finally:
        monkeypatch.delenv("GAIT_HTTP_AUTH_LEVEL")
        importlib.reload(function_app)
