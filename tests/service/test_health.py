"""Liveness, readiness against the real emulators, and a dependency that is not there."""

from __future__ import annotations

import socket

import pytest
from harness import Http

import function_app
from gait.service import context


@pytest.fixture
def http(hub, loop) -> Http:
    return Http(function_app.app, hub, loop)


def test_liveness_does_no_io(http: Http, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GAIT_COSMOS_ENDPOINT", "https://127.0.0.1:1")
    monkeypatch.setenv("GAIT_STORAGE_CONNECTION", "garbage")
    context.reset()
    status, body, _ = http.call("liveness", "GET", "http://localhost/api/health")
    assert status == 200 and body["status"] == "alive"


def test_readiness_all_ready(http: Http, service_env: dict) -> None:
    status, body, _ = http.call("readiness", "GET", "http://localhost/api/health/ready")
    assert status == 200, body
    assert set(body["checks"]) == {"blob_storage", "cosmos_db", "task_hub_storage", "decoder"}
    for check in body["checks"].values():
        assert check["status"] == "ready" and check["latency_ms"] >= 0
    status, legacy, _ = http.call("legacy_health", "GET", "http://localhost/api/v1/health")
    assert status == 200 and legacy["status"] == "healthy"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_cosmos_unreachable_at_import(
    http: Http, service_env: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app imports and answers liveness; readiness is 503 naming Cosmos only."""
    import importlib

    monkeypatch.setenv("GAIT_COSMOS_ENDPOINT", f"https://127.0.0.1:{_closed_port()}")
    context.reset()
    module = importlib.reload(function_app)
    http = Http(module.app, http.hub, http.loop)
    status, _, _ = http.call("liveness", "GET", "http://localhost/api/health")
    assert status == 200
    status, body, _ = http.call("readiness", "GET", "http://localhost/api/health/ready")
    assert status == 503
    assert body["unavailable"] == ["cosmos_db"]
    assert body["checks"]["cosmos_db"]["reason"]
    assert body["checks"]["blob_storage"]["status"] == "ready"
    # A route that needs Cosmos answers 503 with the legacy error shape and the reason.
    status, error, _ = http.call(
        "list_analyses", "GET", "http://localhost/api/v1/analysis/list?limit=5"
    )
    assert status == 503
    assert set(error) == {"error", "message", "details", "timestamp"}
    assert "Cosmos DB" in error["message"]


def test_decoder_self_test_runs_the_analysis_pyav_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """It decodes through gait.video (PyAV); when that path loses frames, it fails."""
    from gait import video
    from gait.service import health

    health.decoder_self_test()  # the real thing passes
    real = video.read_frames

    def drops_the_last_frame(*args, **kwargs):
        return list(real(*args, **kwargs))[:-1]

    monkeypatch.setattr(video, "read_frames", drops_the_last_frame)
    with pytest.raises(RuntimeError, match=f"of {health.SELF_TEST_FRAMES} frames"):
        health.decoder_self_test()
