"""Refused uploads leave nothing behind; Blob Storage failing during a chunk is retried by the
activity itself, then ends the analysis with a readable failure; a lost orchestration never
shows "processing"."""

from __future__ import annotations

import json
import os
import socket
import urllib.request
from pathlib import Path
from typing import Any

import pytest

import function_app
from gait.service import activities, context, transient
from tests.service.harness import Http, Runner
from tests.service.test_end_to_end import (
    API,
    blob_names,
    check_completed,
    get,
    run_analysis,
    upload,
)


@pytest.fixture
def http(hub, loop, service_env) -> Http:
    return Http(function_app.app, hub, loop)


def nothing_started(hub: Any, before: int, env: dict[str, str]) -> None:
    assert len(hub.started) == before, "an orchestration was started"
    assert blob_names(env) == []
    assert context.records().list_recent(10) == []


@pytest.mark.parametrize(
    ("case", "expected_status", "expected_error"),
    [
        ("random_bytes", 415, "UNSUPPORTED_MEDIA_TYPE"),
        # A container signature over garbage, or a clip cut short: the probe refuses them;
        # whether it calls them "not a video" (415) or "truncated" (400) is gait.video's call.
        ("fake_signature", (400, 415), ("UNUSABLE_VIDEO", "UNSUPPORTED_MEDIA_TYPE")),
        ("truncated", (400, 415), ("UNUSABLE_VIDEO", "UNSUPPORTED_MEDIA_TYPE")),
        ("height_out_of_range", 400, "VALIDATION_ERROR"),
        ("bad_view_type", 400, "VALIDATION_ERROR"),
        ("fps_not_a_number", 400, "VALIDATION_ERROR"),
        ("too_large", 413, "FILE_TOO_LARGE"),
        ("no_file_field", 400, "VALIDATION_ERROR"),
    ],
)
def test_unusable_uploads_are_refused(
    case: str,
    expected_status: int | tuple[int, ...],
    expected_error: str | tuple[str, ...],
    http: Http,
    hub: Any,
    service_env: dict[str, str],
    walker_video: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = walker_video.read_bytes()
    query = "height_m=1.75"
    if case == "random_bytes":
        data = os.urandom(200_000)
    elif case == "fake_signature":
        data = b"\x00\x00\x00\x18ftypmp42" + os.urandom(50_000)  # an MP4 header, no video
    elif case == "truncated":
        data = data[: len(data) // 3]
    elif case == "height_out_of_range":
        query = "height_m=3.2"
    elif case == "bad_view_type":
        query = "view_type=top"
    elif case == "fps_not_a_number":
        query = "fps=fast"
    elif case == "too_large":
        monkeypatch.setenv("GAIT_MAX_UPLOAD_MB", "1")
        data = data + os.urandom(1_200_000)
    before = len(hub.started)
    if case == "no_file_field":
        from tests.service.test_end_to_end import multipart

        body, content_type = multipart(data, field="video")
        status, payload, _ = http.call(
            "upload_analysis",
            "POST",
            f"{API}/v1/analysis/upload",
            body=body,
            headers={"content-type": content_type},
        )
    else:
        status, payload = upload(http, data, query=query)
    allowed_status = expected_status if isinstance(expected_status, tuple) else (expected_status,)
    allowed_error = expected_error if isinstance(expected_error, tuple) else (expected_error,)
    assert status in allowed_status, payload
    assert set(payload) == {"error", "message", "detail", "details", "timestamp"}
    assert payload["error"] in allowed_error and payload["message"]
    assert payload["detail"] == payload["message"]  # the one field the frontend shows
    assert "/tmp" not in payload["message"]  # no server paths in messages
    assert "rrno" not in payload["message"]  # nor the decoder's own words
    nothing_started(hub, before, service_env)


def test_sas_upload_of_random_bytes_is_refused_and_removed(
    http: Http, hub: Any, service_env: dict[str, str]
) -> None:
    status, token, _ = http.call("sas_token", "POST", f"{API}/v1/storage/sas-token", body=b"{}")
    request = urllib.request.Request(
        token["sas_url"],
        data=os.urandom(100_000),
        method="PUT",
        headers={"x-ms-blob-type": "BlockBlob"},
    )
    urllib.request.urlopen(request, timeout=10).close()
    before = len(hub.started)
    status, payload, _ = http.call(
        "process_analysis",
        "POST",
        f"{API}/v1/analysis/process",
        body=json.dumps({"blob_name": token["blob_name"], "height_m": 1.75}).encode(),
    )
    assert status == 415 and payload["error"] == "UNSUPPORTED_MEDIA_TYPE"
    assert payload["detail"]
    nothing_started(hub, before, service_env)


def test_process_refuses_names_it_did_not_issue(http: Http, hub: Any) -> None:
    status, payload, _ = http.call(
        "process_analysis",
        "POST",
        f"{API}/v1/analysis/process",
        body=json.dumps({"blob_name": "../other/video.mp4"}).encode(),
    )
    assert status == 400 and payload["details"]["field"] == "blob_name"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BrokenStorage:
    """Blob Storage unreachable (settings pointing at a closed port) for the chunk activity
    of ``chunk`` on the listed runs of its body; the app's real activity binding runs it,
    retrying its own transient I/O (gait/service/transient.py) without pausing."""

    def __init__(self, chunk: int, attempts: set[int], monkeypatch: pytest.MonkeyPatch) -> None:
        self.chunk, self.attempts, self.monkeypatch = chunk, attempts, monkeypatch
        self.failures: list[str] = []
        self.runs = 0
        self.real = activities.analyze_video_chunk
        monkeypatch.setattr(activities, "analyze_video_chunk", self)
        monkeypatch.setattr(transient, "PAUSE_S", 0.0)

    def __call__(self, task: dict[str, Any]) -> Any:
        if task["chunk"]["index"] != self.chunk:
            return self.real(task)
        self.runs += 1
        if self.runs not in self.attempts:
            return self.real(task)
        good = os.environ["GAIT_STORAGE_CONNECTION"]
        self.monkeypatch.setenv(
            "GAIT_STORAGE_CONNECTION",
            good.replace(
                good.split("BlobEndpoint=")[1].split(";")[0],
                f"http://127.0.0.1:{_closed_port()}/devstoreaccount1",
            ),
        )
        activities.drop_local_video(task["analysis_id"])  # force a download from Storage
        try:
            return self.real(task)
        except Exception as exc:
            self.failures.append(str(exc))
            raise
        finally:
            self.monkeypatch.setenv("GAIT_STORAGE_CONNECTION", good)


def _runner_with(hub: Any, analysis_id: str) -> Runner:
    runner = Runner(
        function_app.app,
        "analysis_orchestrator",
        analysis_id,
        hub.instances[analysis_id].input,
        hub=hub,
    )
    runner.start()
    return runner


def test_blob_storage_failing_once_during_a_chunk_is_retried(
    http: Http,
    hub: Any,
    service_env: dict[str, str],
    walker_video: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _status, started = upload(http, walker_video.read_bytes())
    analysis_id = started["analysis_id"]
    broken = BrokenStorage(chunk=1, attempts={1}, monkeypatch=monkeypatch)
    runner = _runner_with(hub, analysis_id)
    runner.run()
    assert len(broken.failures) == 1 and broken.runs == 2  # retried inside the activity
    assert runner.error is None
    check_completed(http, analysis_id, walker_video)


def test_blob_storage_failing_on_every_attempt_fails_readably(
    http: Http,
    hub: Any,
    service_env: dict[str, str],
    walker_video: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    status, started = upload(http, walker_video.read_bytes())
    assert status == 200
    analysis_id = started["analysis_id"]
    broken = BrokenStorage(chunk=1, attempts={1, 2, 3}, monkeypatch=monkeypatch)
    runner = _runner_with(hub, analysis_id)
    runner.run()
    assert len(broken.failures) == transient.ATTEMPTS == 3  # bounded
    assert runner.error is not None
    assert hub.instances[analysis_id].runtime_status == "Failed"
    _status, view = get(http, analysis_id)
    assert view["status"] == "failed"
    assert view["failure"]["code"] == "chunk_failed"
    assert "part 1 of the video could not be analysed" in view["error"]
    assert view["step_message"].startswith("Analysis failed: part 1")
    assert "metrics" not in view
    # The cause (a connection to a closed port) is logged, never shown.
    for text in (view["error"], view["step_message"], json.dumps(view["failure"])):
        assert "127.0.0.1" not in text and "Errno" not in text


def test_an_orchestration_that_died_unrecorded_shows_failed(
    http: Http, hub: Any, service_env: dict[str, str], walker_video: Path
) -> None:
    _, started = upload(http, walker_video.read_bytes())
    analysis_id = started["analysis_id"]
    runner = run_analysis(http, hub, analysis_id)
    runner.step()
    instance = hub.instances[analysis_id]
    instance.runtime_status, instance.output = "Failed", "worker process exited"
    _status, view = get(http, analysis_id)
    assert view["status"] == "failed"
    assert view["failure"]["code"] == "orchestration_failed"
    assert "worker process exited" not in view["error"]  # an internal text: logged only
    # Recorded, so the list shows it failed too.
    assert context.records().get(analysis_id)["status"] == "failed"
