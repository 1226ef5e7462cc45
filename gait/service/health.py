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
import time
from collections.abc import Callable
from typing import Any

import azure.functions as func
import cv2
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


def decoder_self_test() -> None:
    """Encode 8 tiny frames with OpenCV, decode them back: the video stack works here."""
    handle, path = tempfile.mkstemp(prefix="gait-selftest-", suffix=".avi")
    os.close(handle)
    try:
        writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (64, 48))
        if not writer.isOpened():
            raise RuntimeError("OpenCV cannot open a video writer")
        for value in range(8):
            writer.write(np.full((48, 64, 3), value * 30, np.uint8))
        writer.release()
        capture = cv2.VideoCapture(path, cv2.CAP_FFMPEG)
        decoded = 0
        while capture.isOpened():
            ok, _ = capture.read()
            if not ok:
                break
            decoded += 1
        capture.release()
        if decoded != 8:
            raise RuntimeError(f"decoded {decoded} of 8 frames")
    finally:
        os.remove(path)


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
