"""Liveness (no I/O) and readiness (every dependency, each with a time limit and a latency).

Health routes are anonymous: their answers name which dependency is not ready and nothing
else (no host, port or SDK message: those are logged).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any

import azure.functions as func
import numpy as np

from gait.errors import first_line
from gait.service import context
from gait.service.settings import Settings
from gait.service.web import json_response

log = logging.getLogger("gait.service")

#: The whole readiness answer's time limit, in seconds: load balancers and the legacy
#: frontend (10 s) must get an answer well within 3 s even when a dependency is silent.
READINESS_BUDGET_S = 2.5


def liveness() -> dict[str, Any]:
    return {"status": "alive", "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def _blob_storage() -> None:
    context.blobs().ping()


def _cosmos() -> None:
    context.records().ping()


def _task_hub(settings: Settings) -> Callable[[], None]:
    """The storage account Durable keeps its task hub in (AzureWebJobsStorage)."""

    def check() -> None:
        from azure.storage.blob import BlobServiceClient, LinearRetry

        options = {
            "connection_timeout": READINESS_BUDGET_S,
            "read_timeout": READINESS_BUDGET_S,
            "retry_policy": LinearRetry(backoff=0.5, random_jitter_range=0.2, retry_total=0),
        }
        if settings.jobs_storage:
            client = BlobServiceClient.from_connection_string(settings.jobs_storage, **options)
        elif settings.jobs_storage_account_url:
            from azure.identity import DefaultAzureCredential

            client = BlobServiceClient(
                settings.jobs_storage_account_url, credential=DefaultAzureCredential(), **options
            )
        else:
            raise RuntimeError("AzureWebJobsStorage is not set")
        next(iter(client.list_containers(results_per_page=1).by_page()), None)

    return check


#: The self-test clip: 12 frames of 64x48 at 10 fps (1.2 s), small enough to encode and
#: decode in milliseconds, long enough to pass the probe's own minimums.
SELF_TEST_FRAMES = 12
SELF_TEST_SIZE = (64, 48)


def decoder_self_test() -> None:
    """Encode a tiny clip (FFmpeg's built-in MPEG-4 encoder, no external codec library),
    then probe and decode it with :mod:`gait.video`: the analysis's own PyAV path."""
    from fractions import Fraction

    import av

    from gait import video

    width, height = SELF_TEST_SIZE
    handle, path = tempfile.mkstemp(prefix="gait-selftest-", suffix=".mp4")
    os.close(handle)
    try:
        with av.open(path, mode="w", format="mp4") as container:
            stream = container.add_stream("mpeg4", rate=10)
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            for index in range(SELF_TEST_FRAMES):
                image = np.full((height, width, 3), index * 20, np.uint8)
                frame = av.VideoFrame.from_ndarray(image, format="bgr24")
                frame.pts, frame.time_base = index, Fraction(1, 10)
                container.mux(stream.encode(frame))
            container.mux(stream.encode(None))
        info = video.probe(path)
        decoded = sum(1 for _ in video.read_frames(info, 0, info.frame_count, SELF_TEST_SIZE))
        if decoded != SELF_TEST_FRAMES:
            raise RuntimeError(f"decoded {decoded} of {SELF_TEST_FRAMES} frames")
    finally:
        os.remove(path)


#: Whether the person model has loaded and run once in this process. Importing LiteRT,
#: hashing the 9.6 MB of model files, building three interpreters and running one frame took
#: 0.19-0.63 s on the development machine (cold file cache: the larger): done once, within
#: the readiness budget, then only the files' presence is checked (0.1 ms).
_person_model_ran = False
_person_model_lock = threading.Lock()
#: The one-frame input: small, blank (no person is expected; the run itself is the check).
PERSON_MODEL_FRAME_SHAPE = (48, 64, 3)


def person_model_check() -> None:
    """The person model's files are present, load (hashes verified) and run on one frame.

    The load and run happen once per process (the lock keeps concurrent readiness calls
    from building interpreters side by side); later calls only look for the files.
    """
    global _person_model_ran
    from gait.person.models import missing_models

    missing = missing_models()
    if missing:
        raise RuntimeError(f"person model files missing: {', '.join(missing)}")
    with _person_model_lock:
        if _person_model_ran:
            return
        from gait.person.tracker import PersonTracker

        frames = PersonTracker().run([np.zeros(PERSON_MODEL_FRAME_SHAPE, np.uint8)])
        if len(frames) != 1:
            raise RuntimeError(f"the person model gave {len(frames)} rows for one frame")
        _person_model_ran = True


def _timed(check: Callable[[], None]) -> float:
    started = time.perf_counter()
    check()
    return time.perf_counter() - started


def readiness() -> tuple[bool, dict[str, Any]]:
    """Run every check in parallel, all bounded by :data:`READINESS_BUDGET_S`."""
    settings = context.settings()
    checks: dict[str, Callable[[], None]] = {
        "blob_storage": _blob_storage,
        "cosmos_db": _cosmos,
        "task_hub_storage": _task_hub(settings),
        "decoder": decoder_self_test,
        "person_model": person_model_check,
    }
    timeout = READINESS_BUDGET_S
    results: dict[str, dict[str, Any]] = {}
    # Not a context manager: a hung check must not hold the answer past its timeout.
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=len(checks))
    try:
        started = {name: time.perf_counter() for name in checks}
        futures = {name: pool.submit(_timed, check) for name, check in checks.items()}
        deadline = time.perf_counter() + timeout
        for name, future in futures.items():
            try:
                took = future.result(timeout=max(0.0, deadline - time.perf_counter()))
                results[name] = {"status": "ready", "latency_ms": round(1000 * took, 1)}
            except concurrent.futures.TimeoutError:
                log.warning("readiness: %s gave no answer in %g s", name, timeout)
                results[name] = {"status": "unavailable", "reason": "no answer in time"}
            except Exception as exc:
                log.warning("readiness: %s failed: %s", name, first_line(exc))
                results[name] = {"status": "unavailable", "reason": "check failed"}
            results[name].setdefault(
                "latency_ms", round(1000 * (time.perf_counter() - started[name]), 1)
            )
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    ready = all(r["status"] == "ready" for r in results.values())
    failing = [name for name, r in results.items() if r["status"] != "ready"]
    return ready, {
        "status": "ready" if ready else "not_ready",
        "unavailable": failing,
        "checks": results,
    }


# -- the routes (anonymous: no caller check, no Durable client) ---------------------------------
def liveness_response() -> func.HttpResponse:
    return json_response(liveness())


async def readiness_response() -> func.HttpResponse:
    ready, body = await asyncio.to_thread(readiness)
    return json_response(body, 200 if ready else 503)


async def legacy_health_response() -> func.HttpResponse:
    """The frontend checks this before every upload: answer as readiness does, so it does
    not upload while Storage or Cosmos is down, with the old ``status: healthy`` wording."""
    ready, body = await asyncio.to_thread(readiness)
    body = {**body, "status": "healthy" if ready else "unhealthy", "service": "gait-analysis"}
    return json_response(body, 200 if ready else 503)
