"""End to end without the host: real HTTP functions, the orchestrator replayed episode by
episode with its activities run for real against Azurite and the Cosmos-protocol server on
a real (OpenCV-written) video, then the status, list and delete routes."""

from __future__ import annotations

import json
import logging
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
from azure.storage.blob import BlobServiceClient

import function_app
from gait import pipeline
from gait.errors import NoReliableGait
from gait.service import activities, context, orchestration, steps
from tests.service.harness import LEGACY_METRIC_NUMBERS, Http, Runner

API = "http://localhost:7071/api"


@pytest.fixture
def http(hub, loop, service_env) -> Http:
    return Http(function_app.app, hub, loop)


def multipart(data: bytes, filename: str = "walk.mp4", field: str = "file") -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{filename}"\r\nContent-Type: video/mp4\r\n\r\n'
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def upload(
    http: Http,
    data: bytes,
    query: str = "patient_id=p-1&height_m=1.75&view_type=front",
    filename: str = "walk.mp4",
) -> tuple[int, Any]:
    body, content_type = multipart(data, filename)
    status, payload, _ = http.call(
        "upload_analysis",
        "POST",
        f"{API}/v1/analysis/upload?{query}",
        body=body,
        headers={"content-type": content_type, "content-length": str(len(body))},
    )
    return status, payload


def get(http: Http, analysis_id: str) -> tuple[int, Any]:
    status, payload, _ = http.call(
        "get_analysis",
        "GET",
        f"{API}/v1/analysis/{analysis_id}",
        route_params={"analysis_id": analysis_id},
    )
    return status, payload


def blob_names(env: dict[str, str]) -> list[str]:
    service = BlobServiceClient.from_connection_string(env["GAIT_STORAGE_CONNECTION"])
    names = []
    for container in (env["GAIT_VIDEOS_CONTAINER"], env["GAIT_ARTIFACTS_CONTAINER"]):
        client = service.get_container_client(container)
        if client.exists():
            names += [f"{container}/{b.name}" for b in client.list_blobs()]
    return names


def local_result(video: Path, height_m: float, chunk_frames: int) -> dict[str, Any]:
    """The same analysis run locally (no Azure): what the service must report."""
    the_plan = pipeline.plan(video, height_m=height_m, chunk_frames=chunk_frames)
    features = [pipeline.analyze_chunk(the_plan, chunk) for chunk in the_plan.chunks]
    try:
        return pipeline.aggregate(the_plan, features).to_dict()
    except NoReliableGait as exc:
        return {"no_reliable_gait": exc.to_dict()}


def run_analysis(http: Http, hub: Any, analysis_id: str, **kwargs: Any) -> Runner:
    runner = Runner(
        function_app.app,
        "analysis_orchestrator",
        analysis_id,
        hub.instances[analysis_id].input,
        hub=hub,
        **kwargs,
    )
    runner.start()
    return runner


def report(http: Http, analysis_id: str) -> tuple[int, Any, Any]:
    return http.call(
        "get_report",
        "GET",
        f"{API}/v1/analysis/{analysis_id}/report",
        route_params={"analysis_id": analysis_id},
    )


def check_report(http: Http, analysis_id: str, view: dict[str, Any]) -> None:
    """The report page is served at ``report_url``: the metrics rows of a completed
    analysis, the failure's code for a failed one."""
    assert view["report_url"] == f"{API}/v1/analysis/{analysis_id}/report"
    status, page, response = report(http, analysis_id)
    assert status == 200 and response.mimetype == "text/html"
    assert response.charset == "utf-8"
    page = page.decode("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    if view["status"] == "completed":
        assert 'data-key="cadence_spm"' in page and 'data-key="stance_pct"' in page
        assert "data:image/jpeg;base64," in page, "the stored walk frame is drawn"
    else:
        assert f"<code>{view['failure']['code']}</code>" in page


def check_completed(http: Http, analysis_id: str, video: Path) -> dict[str, Any]:
    status, view = get(http, analysis_id)
    assert status == 200
    expected = local_result(video, 1.75, 30)
    if "no_reliable_gait" in expected:
        assert view["status"] == "failed"
        assert view["failure"]["code"] == "no_reliable_gait"
        assert view["failure"]["reason"] == expected["no_reliable_gait"]["reason"]
        return view
    assert view["status"] == "completed", view
    assert view["step_progress"] == 100
    result = view["result"]
    assert set(result) == {
        "schema_version",
        "video",
        "events",
        "steps",
        "metrics",
        "quality",
        "warnings",
        "angles",
    }
    for key in ("events", "steps", "metrics", "quality", "warnings", "schema_version", "angles"):
        assert result[key] == expected[key], key
    expected["video"].pop("path")
    assert {k: v for k, v in result["video"].items() if k != "path"} == expected["video"]
    metrics = view["metrics"]
    for key in LEGACY_METRIC_NUMBERS:
        # measured, or absent: never null (the report page crashes on null)
        assert metrics.get(key, 0) is not None
    si = expected["metrics"]
    for legacy, si_key, factor in (
        ("cadence", "cadence_spm", 1),
        ("walking_speed", "speed_mps", 1000),
        ("step_length", "step_length_m", 1000),
    ):
        if si.get(si_key) is None:
            assert legacy not in metrics
        else:
            assert metrics[legacy] == pytest.approx(si[si_key] * factor, abs=0.1)
    assert ("risk_level" in metrics["fall_risk_assessment"]) == (si["speed_mps"] is not None)
    return view


def test_upload_progress_complete_list_delete(
    http: Http,
    hub: Any,
    service_env: dict[str, str],
    walker_video: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="gait.service")
    data = walker_video.read_bytes()
    status, started = upload(http, data)
    assert status == 200, started
    analysis_id = started["analysis_id"]
    assert started["status_url"] == f"{API}/v1/analysis/{analysis_id}"
    assert started["patient_id"] == "p-1"
    job = hub.instances[analysis_id].input
    assert job == {
        "analysis_id": analysis_id,
        "video_blob": f"{analysis_id}/video.mp4",
        "video_etag": context.records().get(analysis_id)["video_etag"],
        "height_m": 1.75,
        "treadmill_speed_mps": None,
        "chunk_frames": 50,
        "parallel_chunks": 2,
    }

    runner = run_analysis(http, hub, analysis_id)
    runner.step()  # the plan activity, for real
    chunks = [p for p in runner.pending if p.name == orchestration.CHUNK]
    # 150 frames in chunks of at most about 50, all scheduled at once: 3, made 4 for two
    # activities at a time (GAIT_PARALLEL_CHUNKS).
    assert len(chunks) == 4
    progress, messages = [], []
    for _ in chunks:
        runner.step(lambda pending: pending[-1])  # the last chunk first
        status, view = get(http, analysis_id)
        assert view["status"] == "processing" and view["current_step"] == "pose_estimation"
        progress.append(view["step_progress"])
        messages.append(view["step_message"])
    assert progress == sorted(progress) and progress[0] > steps.STEPS["analyzing"].progress
    assert f"{len(chunks)} of {len(chunks)}" in messages[-1]
    status, conflict, _ = report(http, analysis_id)
    assert status == 409 and conflict["details"]["status"] == "processing"
    runner.run()
    assert runner.done and runner.error is None
    assert hub.instances[analysis_id].runtime_status == "Completed"

    view = check_completed(http, analysis_id, walker_video)
    check_report(http, analysis_id, view)
    # Every log line about the analysis names it; each activity logs duration and frames/s.
    lines = [r.getMessage() for r in caplog.records if r.name == "gait.service"]
    assert lines and all(f"[analysis {analysis_id}]" in line for line in lines)
    chunk_lines = [line for line in lines if "] chunk " in line]
    assert len(chunk_lines) == len(chunks)
    assert all(" frames in " in line and "frames/s" in line for line in chunk_lines)
    chunk_frames = sum(int(line.split("): ")[1].split(" frames")[0]) for line in chunk_lines)
    aggregate_lines = [line for line in lines if "] aggregate: " in line]
    # aggregate reads the chunks as a stream and counts the frames it was given.
    assert [line.split("aggregate: ")[1].split(" frames")[0] for line in aggregate_lines] == [
        str(chunk_frames)
    ]
    with urllib.request.urlopen(view["video_url"], timeout=10) as response:
        assert response.read() == data  # the read SAS serves the original bytes

    status, listing, _ = http.call("list_analyses", "GET", f"{API}/v1/analysis/list?limit=10")
    assert status == 200 and listing["total"] == 1 and listing["limit"] == 10
    assert listing["analyses"][0]["id"] == analysis_id

    assert any(name.endswith("result.json") for name in blob_names(service_env))
    status, deleted, _ = http.call(
        "delete_analysis",
        "DELETE",
        f"{API}/v1/analysis/{analysis_id}",
        route_params={"analysis_id": analysis_id},
    )
    assert status == 200 and deleted["status"] == "success"
    assert blob_names(service_env) == []
    assert context.records().get(analysis_id) is None
    assert analysis_id not in hub.instances  # history purged
    assert not Path(activities._cache_dir(analysis_id)).exists()  # nor the local copy
    assert get(http, analysis_id)[0] == 404


def test_sas_upload_then_process(
    http: Http, hub: Any, service_env: dict[str, str], walker_video: Path
) -> None:
    status, token, _ = http.call(
        "sas_token",
        "POST",
        f"{API}/v1/storage/sas-token",
        body=json.dumps({"blob_name": "clip.mp4", "expiry_minutes": 5}).encode(),
    )
    assert status == 200, token
    assert token["blob_name"] == f"{token['analysis_id']}/video.mp4"
    assert "sig=" in token["sas_url"] and "sp=c&" in token["sas_url"]  # create only
    data = walker_video.read_bytes()
    request = urllib.request.Request(
        token["sas_url"],
        data=data,
        method="PUT",
        headers={"x-ms-blob-type": "BlockBlob", "Content-Type": "video/mp4"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
    # The write SAS cannot read the blob back.
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(token["sas_url"], timeout=10)

    status, started, _ = http.call(
        "process_analysis",
        "POST",
        f"{API}/v1/analysis/process",
        body=json.dumps(
            {"blob_name": token["blob_name"], "patient_id": "p-2", "height_m": 1.75}
        ).encode(),
    )
    assert status == 200, started
    assert started["analysis_id"] == token["analysis_id"]
    runner = run_analysis(http, hub, started["analysis_id"])
    runner.run()
    assert runner.error is None
    check_completed(http, started["analysis_id"], walker_video)
    # Starting the same upload twice is refused.
    status, _again, _ = http.call(
        "process_analysis",
        "POST",
        f"{API}/v1/analysis/process",
        body=json.dumps({"analysis_id": token["analysis_id"], "height_m": 1.75}).encode(),
    )
    assert status == 409


def test_cancel_terminates_and_records(
    http: Http, hub: Any, service_env: dict[str, str], walker_video: Path
) -> None:
    status, started = upload(http, walker_video.read_bytes())
    analysis_id = started["analysis_id"]
    runner = run_analysis(http, hub, analysis_id)
    runner.step()
    status, body, _ = http.call(
        "cancel_analysis",
        "POST",
        f"{API}/v1/analysis/{analysis_id}/cancel",
        route_params={"analysis_id": analysis_id},
    )
    assert status == 200 and body == {
        "status": "cancelled",
        "message": "analysis cancelled",
        "analysis_id": analysis_id,
    }
    assert hub.instances[analysis_id].runtime_status == "Terminated"
    status, view = get(http, analysis_id)
    assert view["status"] == "failed" and view["failure"]["code"] == "cancelled"
    assert view["error"] == "cancelled by the user"


# ../shared/data/videos/ relative to the repository root (test data, never in the repo).
REAL_CLIP = (
    Path(__file__).resolve().parents[2].parent
    / "shared/data/videos/side-indoor-forward-then-backward.mp4"
)


@pytest.mark.skipif(not REAL_CLIP.exists(), reason=f"{REAL_CLIP} is absent (shared test data)")
def test_real_clip_through_the_service_matches_the_local_pipeline(
    http: Http, hub: Any, service_env: dict[str, str]
) -> None:
    """A real phone-style clip (1280x720, 401 frames): same answer as the local pipeline,
    whether that is a completed analysis or a readable "no reliable gait"."""
    status, started = upload(http, REAL_CLIP.read_bytes(), filename=REAL_CLIP.name)
    assert status == 200, started
    runner = run_analysis(http, hub, started["analysis_id"])
    runner.run(pick=lambda pending: pending[-1])
    check_report(
        http, started["analysis_id"], check_completed(http, started["analysis_id"], REAL_CLIP)
    )


def test_an_activity_finishing_after_cancel_does_not_revive_the_analysis(
    http: Http, hub: Any, service_env: dict[str, str], walker_video: Path
) -> None:
    _, started = upload(http, walker_video.read_bytes())
    analysis_id = started["analysis_id"]
    http.call(
        "cancel_analysis",
        "POST",
        f"{API}/v1/analysis/{analysis_id}/cancel",
        route_params={"analysis_id": analysis_id},
    )
    # The plan activity was already running on a worker when the cancel came in.
    function_app.plan_video.build().get_user_function()(hub.instances[analysis_id].input)
    status, view = get(http, analysis_id)
    assert status == 200
    assert view["status"] == "failed" and view["failure"]["code"] == "cancelled"
    assert blob_names(service_env) == [
        f"{service_env['GAIT_VIDEOS_CONTAINER']}/{analysis_id}/video.mp4"
    ]


def test_a_video_under_15_fps_fails_at_plan_with_a_typed_reason(
    http: Http, hub: Any, service_env: dict[str, str], tmp_path: Path
) -> None:
    """The frame rate is known at plan: a 10 fps walk (the CCTV clip's rate) is recorded as
    a failed analysis naming ``frame_rate_too_low``, before any chunk runs."""
    from gait.synth import SynthParams, render_clip

    video = tmp_path / "walk_10fps.mp4"
    render_clip(video, SynthParams(width=320, height=180, duration_s=4.0, fps=10.0))
    status, started = upload(http, video.read_bytes())
    assert status == 200, started
    runner = run_analysis(http, hub, started["analysis_id"])
    runner.run()
    status, view = get(http, started["analysis_id"])
    assert view["status"] == "failed", view
    assert view["failure"]["code"] == "no_reliable_gait"
    assert view["failure"]["reason"] == "frame_rate_too_low"
    assert "10.0 frames/s" in view["error"]
    assert not any("features" in name for name in blob_names(service_env))
