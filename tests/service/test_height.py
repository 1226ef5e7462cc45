"""Height: ``height_m`` / ``height_cm`` on every start route, re-scaling a completed analysis
from its stored features (PATCH), and the opt-in assumed height, marked wherever it is used."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import function_app
from gait.pipeline import ChunkFeatures
from gait.service import context
from tests.service.harness import Http
from tests.service.test_end_to_end import API, local_result, report, run_analysis, upload


@pytest.fixture
def http(hub, loop, service_env) -> Http:
    return Http(function_app.app, hub, loop)


def view_of(http: Http, analysis_id: str) -> dict[str, Any]:
    status, view, _ = http.call(
        "get_analysis",
        "GET",
        f"{API}/v1/analysis/{analysis_id}",
        route_params={"analysis_id": analysis_id},
    )
    assert status == 200
    return view


def patch(http: Http, analysis_id: str, body: dict[str, Any]) -> tuple[int, Any]:
    status, payload, _ = http.call(
        "rescale_analysis",
        "PATCH",
        f"{API}/v1/analysis/{analysis_id}",
        route_params={"analysis_id": analysis_id},
        body=json.dumps(body).encode(),
    )
    return status, payload


@pytest.mark.parametrize(
    ("query", "height_m"),
    [("height_cm=175", 1.75), ("height_m=1.75&height_cm=175.0", 1.75), ("", None)],
)
def test_height_in_metres_or_centimetres_reaches_the_analysis(
    http: Http, hub: Any, walker_video: Path, query: str, height_m: float | None
) -> None:
    status, started = upload(http, walker_video.read_bytes(), query=query)
    assert status == 200, started
    assert hub.instances[started["analysis_id"]].input["height_m"] == height_m


@pytest.mark.parametrize(
    "query",
    [
        "height_cm=30",
        "height_m=1.75&height_cm=160",
        "height_cm=١٧٥",
        "height_m=Infinity",
        "height_m=nan",
        "height_cm=1e400",
    ],
)
def test_bad_heights_are_refused(http: Http, walker_video: Path, query: str) -> None:
    status, body = upload(http, walker_video.read_bytes(), query=query)
    assert status == 400 and body["details"]["field"] in ("height_m", "height_cm"), body


def test_patch_rescales_a_completed_analysis_from_its_features(
    http: Http, hub: Any, service_env: dict[str, str], walker_video: Path
) -> None:
    _, started = upload(http, walker_video.read_bytes(), query="view_type=front")
    analysis_id = started["analysis_id"]
    assert patch(http, analysis_id, {"height_m": 1.75})[0] == 409  # not completed yet
    run_analysis(http, hub, analysis_id).run()
    before = view_of(http, analysis_id)
    assert "step_length" not in before["metrics"]
    # Nothing is decoded again: the video itself may be gone.
    context.blobs().delete_prefix(service_env["GAIT_VIDEOS_CONTAINER"], f"{analysis_id}/")
    assert patch(http, analysis_id, {"height_m": "tall"})[0] == 400
    assert patch(http, analysis_id, {})[0] == 400
    status, after = patch(http, analysis_id, {"height_cm": 175})
    assert status == 200, after
    expected = local_result(walker_video, 1.75, 30)
    assert after["result"]["metrics"] == expected["metrics"]
    assert after["metrics"]["step_length"] == pytest.approx(
        1000 * expected["metrics"]["step_length_m"], abs=0.1
    )
    assert after["height"] == {"height_m": 1.75, "basis": "given"}
    assert view_of(http, analysis_id)["metrics"] == after["metrics"]  # stored
    # Features written before one of today's arrays existed are not measured as if it were
    # empty (a following camera's lengths would then be withheld): upload again.
    artifacts = service_env["GAIT_ARTIFACTS_CONTAINER"]
    store = context.blobs()
    first = sorted(store.list_prefix(artifacts, f"{analysis_id}/features/"))[0]
    stored = store.read_bytes(artifacts, first)
    chunk = ChunkFeatures.from_bytes(stored)
    chunk.arrays.pop("camera_floor_shift_px")
    store.write_bytes(artifacts, first, chunk.to_bytes(), "application/octet-stream")
    status, refused = patch(http, analysis_id, {"height_m": 1.8})
    assert status == 409 and "older version" in json.dumps(refused)
    assert view_of(http, analysis_id)["metrics"] == after["metrics"]  # unchanged
    store.write_bytes(artifacts, first, stored, "application/octet-stream")
    # The features are read one chunk at a time; without them nothing is re-scaled.
    context.blobs().delete_prefix(
        service_env["GAIT_ARTIFACTS_CONTAINER"], f"{analysis_id}/features/"
    )
    status, refused = patch(http, analysis_id, {"height_m": 1.8})
    assert status == 409 and "no longer stored" in json.dumps(refused)
    assert view_of(http, analysis_id)["metrics"] == after["metrics"]  # unchanged


def test_assumed_height_is_marked_wherever_it_is_used(
    http: Http, hub: Any, walker_video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GAIT_ASSUMED_HEIGHT_M", "1.75")
    _, started = upload(http, walker_video.read_bytes(), query="view_type=front")
    analysis_id = started["analysis_id"]
    assert started["height"] == {"height_m": 1.75, "basis": "assumed"}
    run_analysis(http, hub, analysis_id).run()
    view = view_of(http, analysis_id)
    metrics = view["metrics"]
    expected = local_result(walker_video, 1.75, 30)["metrics"]
    assert metrics["step_length"] == pytest.approx(1000 * expected["step_length_m"], abs=0.1)
    assert "assumed" in metrics["spatial_basis"]
    assert "assumed" in metrics["fall_risk_assessment"]["basis"]
    assert "assumed" in metrics["functional_mobility"]["basis"]
    assert any("1.75 m tall" in issue for issue in view["video_quality_issues"])
    assert "height 1.75 m <strong>assumed</strong>" in report_page(http, analysis_id)
    # A real height given afterwards replaces the assumption, and its warning.
    _, after = patch(http, analysis_id, {"height_m": 1.75})
    assert "assumed" not in after["metrics"]["fall_risk_assessment"]["basis"]
    assert not any("1.75 m tall" in issue for issue in after["video_quality_issues"])
    page = report_page(http, analysis_id)
    assert "height 1.75 m (given)" in page and "assumed" not in page


def report_page(http: Http, analysis_id: str) -> str:
    status, page, _ = report(http, analysis_id)
    assert status == 200
    return page.decode("utf-8")
