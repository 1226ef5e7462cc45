"""One test per rule of the legacy frontend (``shared/docs/legacy-api.md``, R1-R9), driving
the app as the frontend does: its requests, its parameters, and the checks its code makes on
the answers (status 200 only, the four step names, ``!== undefined`` then ``.toFixed``)."""

from __future__ import annotations

import itertools
import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

import function_app
from gait.service import legacy, steps
from tests.service.harness import LEGACY_METRIC_NUMBERS, Http
from tests.service.test_end_to_end import API, run_analysis, upload


@pytest.fixture
def http(hub, loop, service_env) -> Http:
    return Http(function_app.app, hub, loop)


def frontend_upload(http: Http, data: bytes, filename: str = "walk.mp4") -> tuple[int, Any]:
    """R2 exactly: ``?view_type=front&fps=30.0``, one part ``file``, no patient or height."""
    return upload(http, data, query="view_type=front&fps=30.0", filename=filename)


def poll(http: Http, analysis_id: str) -> dict[str, Any]:
    status, view, _ = http.call(
        "get_analysis",
        "GET",
        f"{API}/v1/analysis/{analysis_id}",
        route_params={"analysis_id": analysis_id},
    )
    assert status == 200, view
    return view


def no_nulls(value: Any, path: str = "") -> None:
    """The frontend's ``!== undefined`` lets ``null`` through to ``.toFixed``: none anywhere
    it reads (``result`` and ``quality`` are the SI documents, which it does not read)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("result", "quality", "parameters"):
                continue
            assert item is not None, f"{path}.{key} is null"
            no_nulls(item, f"{path}.{key}")
    elif isinstance(value, list):
        for item in value:
            no_nulls(item, path)


def frontend_step_ok(view: dict[str, Any]) -> None:
    assert view["status"] in ("processing", "completed", "failed")
    assert view["current_step"] in steps.FRONTEND_STEPS
    assert isinstance(view["step_message"], str) and view["step_message"]
    assert 0 <= view["step_progress"] <= 100
    no_nulls(view)


def test_r1_health_answers_2xx(http: Http) -> None:
    status, body, _ = http.as_user(None).call("legacy_health", "GET", f"{API}/v1/health")
    assert status == 200 and body["status"] == "healthy"


def test_r2_upload_answers_200_with_the_legacy_body(http: Http, walker_video: Path) -> None:
    status, body = frontend_upload(http, walker_video.read_bytes())
    assert status == 200, body
    assert body["status"] == "processing" and body["analysis_id"] and body["message"]
    assert "created_at" in body
    # Without a patient id, the key is absent rather than null.
    assert "patient_id" not in body
    assert "code=" not in json.dumps(body)  # no Durable management URLs


def test_r2_upload_errors_reach_the_user_through_detail(http: Http) -> None:
    status, body = frontend_upload(http, b"this is not a video at all" * 100)
    assert status == 415
    assert isinstance(body["detail"], str) and "video" in body["detail"]


def test_r3_r6_first_get_reads_processing_with_a_frontend_step(
    http: Http, walker_video: Path
) -> None:
    _, body = frontend_upload(http, walker_video.read_bytes())
    view = poll(http, body["analysis_id"])
    assert view["status"] == "processing"  # never "pending": polling has no branch for it
    assert view["current_step"] == "pose_estimation"
    frontend_step_ok(view)
    assert view["created_at"] and view["updated_at"]  # R6 reads both on page load


def test_r4_polling_steps_progress_and_updated_at_move(
    http: Http, hub: Any, walker_video: Path
) -> None:
    _, body = frontend_upload(http, walker_video.read_bytes())
    analysis_id = body["analysis_id"]
    runner = run_analysis(http, hub, analysis_id)
    seen: list[dict[str, Any]] = [poll(http, analysis_id)]
    while not runner.done:
        runner.step(lambda pending: pending[-1])
        seen.append(poll(http, analysis_id))
    for view in seen:
        frontend_step_ok(view)
    progress = [view["step_progress"] for view in seen]
    assert progress == sorted(progress) and progress[-1] == 100
    # Every change of progress is a change of updated_at (the 10-minute auto-cancel rule).
    for before, after in itertools.pairwise(seen):
        if after["step_progress"] != before["step_progress"]:
            assert after["updated_at"] > before["updated_at"]
    assert {view["current_step"] for view in seen} >= {"pose_estimation", "report_generation"}
    assert seen[-1]["status"] == "completed"


def test_r5_cancel_answers_ok(http: Http, walker_video: Path) -> None:
    _, body = frontend_upload(http, walker_video.read_bytes())
    analysis_id = body["analysis_id"]
    status, answer, _ = http.call(
        "cancel_analysis",
        "POST",
        f"{API}/v1/analysis/{analysis_id}/cancel",
        route_params={"analysis_id": analysis_id},
    )
    assert status == 200 and answer["status"] == "cancelled"
    view = poll(http, analysis_id)
    assert view["status"] == "failed" and view["step_message"] == "Analysis cancelled: " + (
        "cancelled by the user"
    )
    frontend_step_ok(view)
    # Cancelling what has finished is a conflict, in the error shape the frontend reads.
    status, again, _ = http.call(
        "cancel_analysis",
        "POST",
        f"{API}/v1/analysis/{analysis_id}/cancel",
        route_params={"analysis_id": analysis_id},
    )
    assert status == 409 and "nothing to cancel" in again["detail"]


def test_r7_r8_list_shows_failed_analyses_so_they_can_be_deleted(
    http: Http, hub: Any, walker_video: Path
) -> None:
    _, done = frontend_upload(http, walker_video.read_bytes())
    run_analysis(http, hub, done["analysis_id"]).run()
    _, failed = frontend_upload(http, walker_video.read_bytes())
    http.call(
        "cancel_analysis",
        "POST",
        f"{API}/v1/analysis/{failed['analysis_id']}/cancel",
        route_params={"analysis_id": failed["analysis_id"]},
    )
    status, listing, _ = http.call("list_analyses", "GET", f"{API}/v1/analysis/list")
    assert status == 200 and listing["limit"] == 50 and listing["total"] == 2
    rows = {row["id"]: row for row in listing["analyses"]}
    assert rows[failed["analysis_id"]]["status"] == "failed"
    completed = rows[done["analysis_id"]]
    assert completed["status"] == "completed"
    for key in ("id", "status", "filename", "created_at", "updated_at"):
        assert completed[key]
    # The list page reads metrics.fall_risk_assessment.risk_level: the object is there.
    assert isinstance(completed["metrics"]["fall_risk_assessment"], dict)
    assert isinstance(completed["metrics"]["functional_mobility"], dict)
    no_nulls(listing)
    status, deleted, _ = http.call(
        "delete_analysis",
        "DELETE",
        f"{API}/v1/analysis/{failed['analysis_id']}",
        route_params={"analysis_id": failed["analysis_id"]},
    )
    assert status == 200 and deleted["status"] == "success"
    status, again, _ = http.call(
        "delete_analysis",
        "DELETE",
        f"{API}/v1/analysis/{failed['analysis_id']}",
        route_params={"analysis_id": failed["analysis_id"]},
    )
    assert status == 404 and again["message"]  # R8 shows `message` on failure


def test_r9_report_has_measured_numbers_only_and_a_playable_video(
    http: Http, hub: Any, walker_video: Path
) -> None:
    _, body = frontend_upload(http, walker_video.read_bytes())
    analysis_id = body["analysis_id"]
    run_analysis(http, hub, analysis_id).run()
    view = poll(http, analysis_id)
    assert view["status"] == "completed"
    no_nulls(view)
    for key in LEGACY_METRIC_NUMBERS:
        if key in view["metrics"]:
            assert isinstance(view["metrics"][key], int | float)
    # No height was sent and none is assumed: no lengths, speed or speed-based levels.
    for key in ("step_length", "stride_length", "walking_speed"):
        assert key not in view["metrics"]
    assert "risk_level" not in view["metrics"]["fall_risk_assessment"]
    quality = view["result"]["quality"]
    assert view["video_quality_score"] == pytest.approx(100 * quality["confidence"], abs=0.05)
    assert 0 <= view["video_quality_score"] <= 100
    assert view["pose_detection_rate"] == pytest.approx(
        quality["frames_with_walker_pct"] / 100, abs=1e-4
    )
    assert view["video_quality_valid"] is True
    assert isinstance(view["video_quality_issues"], list)
    with urllib.request.urlopen(view["video_url"], timeout=10) as response:
        assert response.read() == walker_video.read_bytes()


def test_its_own_scores_get_a_speed_and_levels_once_a_height_is_known(
    http: Http, hub: Any, walker_video: Path
) -> None:
    """With a speed the page computes speed / 1.4 m/s and shows the risk and mobility
    levels: the speed in mm/s and both levels, each with the source of its threshold."""
    _, body = frontend_upload(http, walker_video.read_bytes())
    analysis_id = body["analysis_id"]
    run_analysis(http, hub, analysis_id).run()
    status, view, _ = http.call(
        "rescale_analysis",
        "PATCH",
        f"{API}/v1/analysis/{analysis_id}",
        route_params={"analysis_id": analysis_id},
        body=b'{"height_cm": 175}',
    )
    assert status == 200, view
    metrics = view["metrics"]
    speed_mps = view["result"]["metrics"]["speed_mps"]
    assert metrics["walking_speed"] == pytest.approx(1000 * speed_mps, abs=0.1)
    expected = legacy.speed_levels(speed_mps)
    assert metrics["fall_risk_assessment"]["risk_level"] == expected[0]
    assert metrics["functional_mobility"]["mobility_level"] == expected[1]
    assert "Studenski" in metrics["fall_risk_assessment"]["source"]
    no_nulls(view)
