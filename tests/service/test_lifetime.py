"""Storage and lifetime: a SAS upload cannot be swapped once accepted, ``/process`` reads
only the head of the blob, nothing outlives a DELETE or cancel, and what is never processed
or failed expires."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from azure.durable_functions import DurableOrchestrationClient
from azure.storage.blob import BlobServiceClient

import function_app
from gait.service import activities, context, orchestration, retention
from gait.service.blobs import BlobStore
from gait.service.web import Durable
from tests.service.harness import Http
from tests.service.test_end_to_end import API, blob_names, run_analysis, upload


@pytest.fixture
def http(hub, loop, service_env) -> Http:
    return Http(function_app.app, hub, loop)


def sas_upload(http: Http, data: bytes) -> dict[str, Any]:
    status, token, _ = http.call(
        "sas_token", "POST", f"{API}/v1/storage/sas-token", body=b'{"filename": "a.mp4"}'
    )
    assert status == 200
    put(token["sas_url"], data)
    return token


def put(url: str, data: bytes) -> int:
    request = urllib.request.Request(
        url, data=data, method="PUT", headers={"x-ms-blob-type": "BlockBlob"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def process(http: Http, blob_name: str) -> tuple[int, Any]:
    status, body, _ = http.call(
        "process_analysis",
        "POST",
        f"{API}/v1/analysis/process",
        body=json.dumps({"blob_name": blob_name, "height_m": 1.75}).encode(),
    )
    return status, body


def test_the_upload_url_cannot_replace_the_video(http: Http, walker_video: Path) -> None:
    token = sas_upload(http, walker_video.read_bytes())
    with pytest.raises(urllib.error.HTTPError) as refused:
        put(token["sas_url"], os.urandom(5000))  # create-only: no second write
    assert refused.value.code in (403, 409)


def test_a_replaced_video_is_refused_by_the_plan(
    http: Http, hub: Any, service_env: dict[str, str], walker_video: Path
) -> None:
    """Even a writer with the account key cannot get a different clip analysed: the
    analysis is pinned to the blob version /process accepted (its ETag)."""
    token = sas_upload(http, walker_video.read_bytes())
    status, started = process(http, token["blob_name"])
    assert status == 200, started
    account = BlobServiceClient.from_connection_string(service_env["GAIT_STORAGE_CONNECTION"])
    account.get_blob_client(service_env["GAIT_VIDEOS_CONTAINER"], token["blob_name"]).upload_blob(
        walker_video.read_bytes()[:-10], overwrite=True
    )
    run_analysis(http, hub, started["analysis_id"]).run()
    record = context.records().get(started["analysis_id"])
    assert record["status"] == "failed" and record["error"]["code"] == "video_changed"


def test_process_reads_only_the_head_of_the_blob(
    http: Http, walker_video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = sas_upload(http, walker_video.read_bytes())
    reads: list[str] = []
    monkeypatch.setattr(BlobStore, "download_to_file", lambda *a, **k: reads.append("full") or 0)
    original = BlobStore.read_head

    def head(self: BlobStore, container: str, name: str, length: int, etag: str) -> bytes:
        reads.append(f"head {length}")
        return original(self, container, name, length, etag)

    monkeypatch.setattr(BlobStore, "read_head", head)
    status, body = process(http, token["blob_name"])
    assert status == 200, body
    assert reads == ["head 64"]


def test_delete_while_a_chunk_runs_leaves_nothing(
    http: Http, hub: Any, service_env: dict[str, str], walker_video: Path
) -> None:
    _, started = upload(http, walker_video.read_bytes())
    analysis_id = started["analysis_id"]
    runner = run_analysis(http, hub, analysis_id)
    runner.step()  # plan: the video is now on this worker
    chunk = next(p for p in runner.pending if p.name == orchestration.CHUNK)
    status, _, _ = http.call(
        "delete_analysis",
        "DELETE",
        f"{API}/v1/analysis/{analysis_id}",
        route_params={"analysis_id": analysis_id},
    )
    assert status == 200
    # The chunk was already running on another worker when the DELETE came.
    output = function_app.analyze_video_chunk.build().get_user_function()(chunk.input)
    assert output["error"]["code"] == "cancelled"
    assert blob_names(service_env) == []
    assert context.records().get(analysis_id) is None
    assert not Path(activities._cache_dir(analysis_id)).exists()


def test_an_instance_drops_copies_of_analyses_no_longer_running(
    http: Http, hub: Any, walker_video: Path
) -> None:
    """An instance that analysed some chunks of a since deleted (or finished) analysis
    drops its copy before it next downloads a video."""
    _, old = upload(http, walker_video.read_bytes())
    _, new = upload(http, walker_video.read_bytes())
    stale = Path(activities._cache_dir(old["analysis_id"]))
    stale.mkdir(parents=True, exist_ok=True)
    (stale / "video.mp4").write_bytes(b"a copy")
    status, _, _ = http.call(
        "delete_analysis",
        "DELETE",
        f"{API}/v1/analysis/{old['analysis_id']}",
        route_params={"analysis_id": old["analysis_id"]},
    )
    assert status == 200
    stale.mkdir(parents=True, exist_ok=True)  # as on another instance, which kept its copy
    (stale / "video.mp4").write_bytes(b"a copy")
    job = hub.instances[new["analysis_id"]].input
    activities.local_video(new["analysis_id"], job["video_blob"], job["video_etag"])
    assert not stale.exists()
    assert Path(activities._cache_dir(new["analysis_id"])).exists()
    activities.drop_local_video(new["analysis_id"])


def test_a_write_racing_a_delete_is_removed_by_its_writer(
    http: Http, service_env: dict[str, str], walker_video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The record vanishes between the activity's check and its write: the check after the
    write sees it and removes what was written."""
    _, started = upload(http, walker_video.read_bytes())
    analysis_id = started["analysis_id"]
    answers = iter([True, False])
    monkeypatch.setattr(activities, "running", lambda _id: next(answers))
    assert activities.write_artifact(analysis_id, "result.json", b"{}", "application/json") is None
    artifacts = service_env["GAIT_ARTIFACTS_CONTAINER"]
    assert not [n for n in blob_names(service_env) if n.startswith(artifacts)]


def test_cancel_while_running_keeps_only_the_video(
    http: Http, hub: Any, service_env: dict[str, str], walker_video: Path
) -> None:
    _, started = upload(http, walker_video.read_bytes())
    analysis_id = started["analysis_id"]
    runner = run_analysis(http, hub, analysis_id)
    runner.step()
    http.call(
        "cancel_analysis",
        "POST",
        f"{API}/v1/analysis/{analysis_id}/cancel",
        route_params={"analysis_id": analysis_id},
    )
    for task in [p for p in runner.pending if p.name == orchestration.CHUNK]:
        function_app.analyze_video_chunk.build().get_user_function()(task.input)
    assert blob_names(service_env) == [
        f"{service_env['GAIT_VIDEOS_CONTAINER']}/{analysis_id}/video.mp4"
    ]
    record = context.records().get(analysis_id)
    assert record["status"] == "failed" and record["ttl"] == 7 * 86400  # expires


def test_retention_expires_unprocessed_uploads_and_failed_analyses(
    http: Http, hub: Any, loop: Any, service_env: dict[str, str], walker_video: Path
) -> None:
    token = sas_upload(http, walker_video.read_bytes())  # never processed
    _, failed = upload(http, walker_video.read_bytes())
    http.call(
        "cancel_analysis",
        "POST",
        f"{API}/v1/analysis/{failed['analysis_id']}/cancel",
        route_params={"analysis_id": failed["analysis_id"]},
    )
    _, running = upload(http, walker_video.read_bytes())
    _, expired = upload(http, walker_video.read_bytes())
    context.records().delete(expired["analysis_id"])  # as Cosmos TTL would
    client = DurableOrchestrationClient(hub.binding())

    async def sweep(now: dt.datetime) -> dict[str, int]:
        durable = Durable(client, asyncio.get_running_loop())
        return await asyncio.to_thread(retention.sweep, durable, now)

    now = dt.datetime.now(dt.UTC)
    # An hour on, nothing has expired.
    assert loop.run_until_complete(sweep(now + dt.timedelta(hours=1))) == {
        "failed_analyses": 0,
        "orphaned_blobs": 0,
    }
    # Eight days on: the failed analysis and the unprocessed upload are gone; the running
    # analysis is not touched.
    swept = loop.run_until_complete(sweep(now + dt.timedelta(days=8)))
    assert swept == {"failed_analyses": 1, "orphaned_blobs": 2}
    names = blob_names(service_env)
    for gone in (token["analysis_id"], failed["analysis_id"], expired["analysis_id"]):
        assert not [n for n in names if gone in n]
    assert failed["analysis_id"] not in hub.instances  # Durable history purged too
    assert expired["analysis_id"] not in hub.instances
    assert context.records().get(failed["analysis_id"]) is None
    assert context.records().get(running["analysis_id"]) is not None
    assert any(running["analysis_id"] in n for n in names)
