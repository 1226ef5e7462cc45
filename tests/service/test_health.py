"""Liveness, readiness against the real emulators, and a dependency that is not there."""

from __future__ import annotations

import json
import socket

import pytest

import function_app
from gait.service import context, health
from tests.service.harness import Http


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
    assert set(body["checks"]) == {
        "blob_storage",
        "cosmos_db",
        "task_hub_storage",
        "decoder",
        "person_model",
    }
    for check in body["checks"].values():
        # A real round trip (or an encode/decode) takes time, and all of it fits the budget.
        assert check["status"] == "ready"
        assert 0 < check["latency_ms"] < 1000 * health.READINESS_BUDGET_S
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
    # Anonymous answers name the dependency, never its address.
    assert "127.0.0.1" not in json.dumps(body)
    # A route that needs Cosmos answers 503 with the legacy error shape.
    status, error, _ = http.call(
        "list_analyses", "GET", "http://localhost/api/v1/analysis/list?limit=5"
    )
    assert status == 503
    assert set(error) == {"error", "message", "detail", "details", "timestamp"}
    assert "Cosmos DB" in error["detail"] and "127.0.0.1" not in json.dumps(error)


def test_decoder_self_test_runs_the_analysis_pyav_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """It decodes through gait.video (PyAV); when that path loses frames, it fails."""
    from gait import video

    health.decoder_self_test()  # the real thing passes
    real = video.read_frames

    def drops_the_last_frame(*args, **kwargs):
        return list(real(*args, **kwargs))[:-1]

    monkeypatch.setattr(video, "read_frames", drops_the_last_frame)
    with pytest.raises(RuntimeError, match=f"of {health.SELF_TEST_FRAMES} frames"):
        health.decoder_self_test()


def test_person_model_missing_file_is_not_ready(
    http: Http, service_env: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A model file that is not there makes readiness 503 naming the person model only."""
    from gait.person import models

    absent = models.ModelFile("absent.tflite", "none", "0" * 64)
    monkeypatch.setattr(models, "MODEL_FILES", (*models.MODEL_FILES, absent))
    status, body, _ = http.call("readiness", "GET", "http://localhost/api/health/ready")
    assert status == 503
    assert body["unavailable"] == ["person_model"]


def test_person_model_loads_and_runs_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first check builds the tracker and runs one frame; later checks do not rebuild."""
    from gait.person import tracker

    built = []
    real = tracker.PersonTracker

    def counting(*args, **kwargs):
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(health, "_person_model_ran", False)
    monkeypatch.setattr(tracker, "PersonTracker", counting)
    health.person_model_check()
    health.person_model_check()
    assert built == [1]
