"""The stuck-analysis watchdog against the real Cosmos-protocol server and Azurite, with the
task hub's HTTP API (harness.FakeTaskHub) answering for the Durable extension; the timer
function is called through the app's own function index with the SDK's client binding."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import uuid
from typing import Any

import pytest

import function_app
from gait.service import context, records
from gait.service.blobs import artifact_name
from gait.service.settings import watchdog_stall_minutes
from tests.service.harness import FakeTaskHub, Instance, functions_by_name

LONG_AGO = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _record(status: str = "processing", when: dt.datetime = LONG_AGO) -> str:
    analysis_id = str(uuid.uuid4())
    context.records().create(
        {
            "id": analysis_id,
            "status": status,
            "current_step": "analyzing",
            "step_progress": 40,
            "error": None,
            "created_at": records.iso(when),
        }
    )
    return analysis_id


def _instance(
    hub: FakeTaskHub, analysis_id: str, runtime: str, when: dt.datetime, output: Any = None
) -> None:
    hub.instances[analysis_id] = Instance(
        "analysis_orchestrator",
        analysis_id,
        {},
        runtime_status=runtime,
        output=output,
        updated=_stamp(when),
    )


def _sweep(hub: FakeTaskHub, loop: asyncio.AbstractEventLoop) -> None:
    timer = functions_by_name(function_app.app)["stuck_analysis_watchdog"].get_user_function()
    loop.run_until_complete(timer(timer=None, client=hub.binding()))


def test_a_silent_running_orchestration_is_terminated_and_recorded_failed(
    service_env: dict, hub: FakeTaskHub, loop: asyncio.AbstractEventLoop, caplog: Any
) -> None:
    stuck = _record()
    _instance(hub, stuck, "Running", LONG_AGO)
    with caplog.at_level(logging.WARNING, logger="gait.service"):
        _sweep(hub, loop)
    assert hub.instances[stuck].runtime_status == "Terminated"
    assert "no progress" in hub.instances[stuck].output
    record = context.records().get(stuck)
    assert record["status"] == "failed"
    assert record["error"]["code"] == "stalled"
    assert "30 minutes" in record["error"]["message"]  # the default stall time, in words
    assert f"[analysis {stuck}] watchdog: stuck Running" in caplog.text  # the alert's line


def test_moving_analyses_are_left_alone(
    service_env: dict, hub: FakeTaskHub, loop: asyncio.AbstractEventLoop
) -> None:
    now = dt.datetime.now(dt.UTC)
    fresh = _record(when=now)  # the record moved a minute ago
    _instance(hub, fresh, "Running", LONG_AGO)
    chunks_moving = _record()  # the record is old, but the orchestration status just moved
    _instance(hub, chunks_moving, "Running", now)
    done = _record(status="completed")
    _instance(hub, done, "Completed", LONG_AGO)
    _sweep(hub, loop)
    for analysis_id, status in [
        (fresh, "processing"),
        (chunks_moving, "processing"),
        (done, "completed"),
    ]:
        assert context.records().get(analysis_id)["status"] == status
        assert hub.instances[analysis_id].runtime_status != "Terminated"


def test_orchestrations_that_ended_without_recording_are_made_consistent(
    service_env: dict, hub: FakeTaskHub, loop: asyncio.AbstractEventLoop
) -> None:
    failed = _record()
    _instance(hub, failed, "Failed", LONG_AGO, output="chunk_failed: chunk 3 failed: boom")
    missing = _record(status="pending")
    completed = _record()
    _instance(hub, completed, "Completed", LONG_AGO, output={"status": "completed"})
    result = {"metrics": {"cadence_spm": 104.0}, "quality": {"confidence": 0.8}, "warnings": []}
    context.blobs().write_bytes(
        service_env["GAIT_ARTIFACTS_CONTAINER"],
        artifact_name(completed, "result.json"),
        json.dumps(result).encode(),
        "application/json",
    )
    _sweep(hub, loop)

    record = context.records().get(failed)
    assert record["status"] == "failed"
    assert record["error"] == {
        "code": "orchestration_failed",
        "message": "chunk_failed: chunk 3 failed: boom",
    }
    record = context.records().get(missing)
    assert record["status"] == "failed" and record["error"]["code"] == "orchestration_missing"
    record = context.records().get(completed)
    assert record["status"] == "completed"
    assert record["metrics_si"] == result["metrics"]
    assert record["result_blob"] == artifact_name(completed, "result.json")


def test_stall_time_is_a_setting(
    service_env: dict,
    hub: FakeTaskHub,
    loop: asyncio.AbstractEventLoop,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ten_minutes_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
    analysis_id = _record(when=ten_minutes_ago)
    _instance(hub, analysis_id, "Running", ten_minutes_ago)
    _sweep(hub, loop)  # the default, 30 minutes, has not passed
    assert context.records().get(analysis_id)["status"] == "processing"
    monkeypatch.setenv("GAIT_WATCHDOG_STALL_MINUTES", "6")
    _sweep(hub, loop)
    record = context.records().get(analysis_id)
    assert record["status"] == "failed" and "6 minutes" in record["error"]["message"]
    monkeypatch.setenv("GAIT_WATCHDOG_STALL_MINUTES", "0.01")  # clamped to 5 minutes
    assert watchdog_stall_minutes() == 5.0
