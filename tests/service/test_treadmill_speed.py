"""Treadmill belt speed: ``treadmill_speed_mps`` on every start route (upload query,
``/process`` JSON body) and on PATCH, carried to the analysis' plan and stored on the record;
out of range (another unit, a typo) is a 400 naming the field."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

import function_app
from gait.pipeline import Plan
from gait.service import context
from gait.service.blobs import artifact_name
from tests.service.harness import Http
from tests.service.test_end_to_end import API, run_analysis, upload
from tests.service.test_height import patch


@pytest.fixture
def http(hub, loop, service_env) -> Http:
    return Http(function_app.app, hub, loop)


def stored_plan(service_env: dict[str, str], analysis_id: str) -> Plan:
    data = context.blobs().read_bytes(
        service_env["GAIT_ARTIFACTS_CONTAINER"], artifact_name(analysis_id, "plan.npz")
    )
    return Plan.from_bytes(data)


def process(http: Http, walker_video: Path, body: dict[str, Any]) -> tuple[int, Any]:
    """Upload ``walker_video`` through a SAS URL, then ``POST /process`` with ``body``."""
    _, token, _ = http.call(
        "sas_token", "POST", f"{API}/v1/storage/sas-token", body=b'{"blob_name": "w.mp4"}'
    )
    request = urllib.request.Request(
        token["sas_url"],
        data=walker_video.read_bytes(),
        method="PUT",
        headers={"x-ms-blob-type": "BlockBlob", "Content-Type": "video/mp4"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
    status, started, _ = http.call(
        "process_analysis",
        "POST",
        f"{API}/v1/analysis/process",
        body=json.dumps({"blob_name": token["blob_name"], **body}).encode(),
    )
    return status, started


def test_upload_carries_the_belt_speed_to_the_plan_and_the_record(
    http: Http, hub: Any, service_env: dict[str, str], walker_video: Path
) -> None:
    status, started = upload(http, walker_video.read_bytes(), query="treadmill_speed_mps=1.25")
    assert status == 200, started
    analysis_id = started["analysis_id"]
    assert started["parameters"]["treadmill_speed_mps"] == 1.25
    assert hub.instances[analysis_id].input["treadmill_speed_mps"] == 1.25
    assert context.records().get(analysis_id)["params"]["treadmill_speed_mps"] == 1.25
    runner = run_analysis(http, hub, analysis_id)
    runner.step()  # the plan activity, for real
    assert stored_plan(service_env, analysis_id).treadmill_speed_mps == 1.25


def test_process_body_carries_the_belt_speed(http: Http, hub: Any, walker_video: Path) -> None:
    status, started = process(http, walker_video, {"treadmill_speed_mps": 0.8})
    assert status == 200, started
    analysis_id = started["analysis_id"]
    assert hub.instances[analysis_id].input["treadmill_speed_mps"] == 0.8
    assert context.records().get(analysis_id)["params"]["treadmill_speed_mps"] == 0.8


def test_without_a_belt_speed_none_is_stored(http: Http, hub: Any, walker_video: Path) -> None:
    status, started = upload(http, walker_video.read_bytes(), query="")
    assert status == 200, started
    assert hub.instances[started["analysis_id"]].input["treadmill_speed_mps"] is None
    record = context.records().get(started["analysis_id"])
    assert record["params"]["treadmill_speed_mps"] is None


#: Out of range: km/h (4.5) or mph given as m/s would be 6+ m/s; 0 and negatives are no belt.
BAD_SPEEDS = ["0", "0.05", "-1", "6", "12.5", "Infinity", "nan", "fast", "١"]


@pytest.mark.parametrize("value", BAD_SPEEDS)
def test_out_of_range_belt_speeds_are_refused_on_upload(
    http: Http, hub: Any, walker_video: Path, value: str
) -> None:
    before = set(hub.instances)
    status, body = upload(http, walker_video.read_bytes(), query=f"treadmill_speed_mps={value}")
    assert status == 400 and body["details"]["field"] == "treadmill_speed_mps", body
    assert set(hub.instances) == before  # nothing started


@pytest.mark.parametrize("value", [0, 5.5, "Infinity"])
def test_out_of_range_belt_speeds_are_refused_on_process(
    http: Http, walker_video: Path, value: Any
) -> None:
    status, body = process(http, walker_video, {"treadmill_speed_mps": value})
    assert status == 400 and body["details"]["field"] == "treadmill_speed_mps", body


def test_patch_sets_the_belt_speed_and_keeps_the_height(
    http: Http, hub: Any, service_env: dict[str, str], walker_video: Path
) -> None:
    _, started = upload(http, walker_video.read_bytes(), query="height_m=1.75")
    analysis_id = started["analysis_id"]
    run_analysis(http, hub, analysis_id).run()
    assert patch(http, analysis_id, {"treadmill_speed_mps": 9})[0] == 400
    status, after = patch(http, analysis_id, {"treadmill_speed_mps": 1.1})
    assert status == 200, after
    record = context.records().get(analysis_id)
    assert record["params"]["treadmill_speed_mps"] == 1.1
    assert record["params"]["height_m"] == 1.75
    assert record["height"] == {"height_m": 1.75, "basis": "given"}
    assert after["height"] == {"height_m": 1.75, "basis": "given"}
