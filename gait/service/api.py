"""The HTTP routes' logic. ``function_app.py`` parses nothing: it hands each request here.

Every route answers at once (nothing waits for an analysis), every failure answers in the
legacy error shape ``{"error", "message", "details", "timestamp"}``, and the blocking Storage
and Cosmos calls run in worker threads so one slow dependency does not stall the event loop
the Durable client shares.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import azure.functions as func

from gait.service import context, health
from gait.service.blobs import video_blob_name
from gait.service.errors import DependencyUnavailable, NotFound, ServiceError, short_reason
from gait.service.legacy import STEP_MESSAGES, analysis_view, error_body
from gait.service.records import now_iso
from gait.service.validation import (
    CONTENT_TYPES,
    AnalysisParams,
    TempVideo,
    bad_request,
    check_signature,
    find_file_part,
    parse_params,
    probe_file,
)

log = logging.getLogger("gait.service")

#: The orchestrator function's name in function_app.py.
ORCHESTRATOR = "analysis_orchestrator"
#: Bytes read from the start of a blob to check its container signature.
SIGNATURE_BYTES = 64
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_VIDEO_BLOB = re.compile(
    r"^(?P<id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/video"
    r"(?P<ext>\.(mp4|mov|avi|mkv|webm))$"
)
_TERMINAL = {"completed", "failed"}


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> func.HttpResponse:
    return func.HttpResponse(
        json.dumps(body), status_code=status, mimetype="application/json", headers=headers
    )


def error_response(exc: ServiceError) -> func.HttpResponse:
    if isinstance(exc, NotFound):
        # The legacy frontend reads 404s as {"detail": {"error": "NOT_FOUND", ...}}.
        body: dict[str, Any] = {"detail": error_body(exc.error, exc.message, exc.details)}
        body.update(error_body(exc.error, exc.message, exc.details))
        return json_response(body, 404)
    headers = {"Retry-After": "10"} if exc.status == 503 else None
    return json_response(error_body(exc.error, exc.message, exc.details), exc.status, headers)


async def guarded(handler: Callable[[], Awaitable[func.HttpResponse]]) -> func.HttpResponse:
    """Turn ServiceErrors into their status and anything unexpected into a logged 500."""
    try:
        return await handler()
    except ServiceError as exc:
        if exc.status >= 500:
            log.warning("%s: %s", exc.error, exc.message)
        return error_response(exc)
    except Exception as exc:
        log.exception("unexpected error")
        return json_response(
            error_body("INTERNAL_ERROR", "unexpected server error", {"reason": short_reason(exc)}),
            500,
        )


def _api_base(req: func.HttpRequest) -> str:
    """``https://host/api`` from the request URL (whatever the route prefix is)."""
    url = req.url.split("?", 1)[0]
    return url.split("/v1/", 1)[0]


def _analysis_id(raw: str | None) -> str:
    value = (raw or "").strip().lower()
    if not _UUID.match(value):
        raise bad_request("analysis_id must be a UUID", field="analysis_id")
    return value


# -- starting an analysis -----------------------------------------------------------------------
async def _start(
    req: func.HttpRequest,
    client: Any,
    *,
    analysis_id: str,
    video_blob: str,
    video_size: int,
    filename: str,
    params: AnalysisParams,
    video: dict[str, Any],
) -> func.HttpResponse:
    """Create the record, start the orchestration, answer 202. If anything fails, remove what
    the analysis left (record, video, artefacts) and let the error answer."""
    try:
        settings = context.settings()
        records = await asyncio.to_thread(context.records)
        record = {
            "id": analysis_id,
            "patient_id": params.patient_id,
            "filename": filename,
            "video_blob": video_blob,
            "video_size": video_size,
            "video": video,
            "params": params.to_dict(),
            "status": "pending",
            "current_step": "queued",
            "step_progress": 0,
            "step_message": STEP_MESSAGES["queued"],
            "error": None,
            "metrics_si": None,
            "steps_completed": [],
        }
        record = await asyncio.to_thread(records.create, record)
        job = {
            "analysis_id": analysis_id,
            "video_blob": video_blob,
            "height_m": params.height_m,
            # Settings are read here, never in the orchestrator (replays must not see changes).
            "chunk_frames": settings.chunk_frames,
        }
        try:
            await client.start_new(ORCHESTRATOR, analysis_id, job)
        except Exception as exc:
            raise DependencyUnavailable("Durable task hub", short_reason(exc)) from exc
        context.analysis_log(analysis_id).info(
            "started: %s, %d bytes, height_m=%s", video_blob, video_size, params.height_m
        )
        durable = json.loads(client.create_check_status_response(req, analysis_id).get_body())
        status_url = f"{_api_base(req)}/v1/analysis/{analysis_id}"
        body = {
            **durable,
            "analysis_id": analysis_id,
            "status": "processing",
            "message": "Video accepted; analysis started. Poll status_url for progress.",
            "patient_id": params.patient_id,
            "created_at": record.get("created_at"),
            "status_url": status_url,
            "parameters": params.to_dict(),
        }
        return json_response(body, 202, {"Location": status_url, "Retry-After": "3"})
    except ServiceError:
        await asyncio.to_thread(_discard_quietly, analysis_id)
        raise


def _discard(analysis_id: str) -> None:
    """Remove what a failed start left: the record and every blob of the analysis."""
    settings = context.settings()
    try:
        context.records().delete(analysis_id)
    finally:
        store = context.blobs()
        store.delete_prefix(settings.videos_container, f"{analysis_id}/")
        store.delete_prefix(settings.artifacts_container, f"{analysis_id}/")


async def upload(req: func.HttpRequest, client: Any) -> func.HttpResponse:
    """``POST v1/analysis/upload``: multipart field ``file`` (small videos only)."""

    async def handler() -> func.HttpResponse:
        settings = context.settings()
        params = parse_params(req.params)
        declared = req.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > settings.max_upload_bytes + 65536:
            raise _too_large(int(declared), settings.max_upload_bytes)
        body = req.get_body()  # the one copy of the body in memory (the worker's own)
        part = find_file_part(body, req.headers.get("content-type", ""))
        if part.size > settings.max_upload_bytes:
            raise _too_large(part.size, settings.max_upload_bytes)
        if part.size == 0:
            raise bad_request("the file is empty", field="file")
        extension = check_signature(body[part.start : part.start + SIGNATURE_BYTES])
        with TempVideo(extension) as temp:
            with open(temp.path, "wb") as handle:
                handle.write(memoryview(body)[part.start : part.stop])  # no copy
            video = await asyncio.to_thread(probe_file, temp.path)
            # Dependencies are needed only now: bad input is refused even when they are down.
            store = await asyncio.to_thread(context.blobs)
            await asyncio.to_thread(context.records)
            analysis_id = str(uuid.uuid4())
            blob = video_blob_name(analysis_id, extension)
            with open(temp.path, "rb") as handle:
                try:
                    await asyncio.to_thread(
                        store.upload_stream,
                        settings.videos_container,
                        blob,
                        handle,
                        part.size,
                        CONTENT_TYPES[extension],
                    )
                except ServiceError:
                    await asyncio.to_thread(_discard_quietly, analysis_id)
                    raise
        return await _start(
            req,
            client,
            analysis_id=analysis_id,
            video_blob=blob,
            video_size=part.size,
            filename=part.filename,
            params=params,
            video=video,
        )

    return await guarded(handler)


def _discard_quietly(analysis_id: str) -> None:
    try:
        _discard(analysis_id)
    except Exception:
        log.exception("could not clean up analysis %s", analysis_id)


def _too_large(size: int, limit: int) -> ServiceError:
    return ServiceError(
        413,
        "FILE_TOO_LARGE",
        f"the upload is {size / 2**20:.1f} MB; uploads through this route are limited to "
        f"{limit / 2**20:.0f} MB: use POST /api/v1/storage/sas-token for larger videos",
        {"size": size, "limit": limit},
    )


async def sas_token(req: func.HttpRequest) -> func.HttpResponse:
    """``POST v1/storage/sas-token``: a write-only URL for a blob the service names."""

    async def handler() -> func.HttpResponse:
        settings = context.settings()
        body = _json_body(req)
        requested = str(body.get("filename") or body.get("blob_name") or "video.mp4")
        extension = os.path.splitext(requested)[1].lower()
        if extension not in CONTENT_TYPES:
            extension = ".mp4"
        minutes = body.get("expiry_minutes", settings.sas_minutes)
        try:
            minutes = int(min(max(int(minutes), 1), settings.sas_minutes))
        except (TypeError, ValueError):
            raise bad_request("expiry_minutes must be an integer", field="expiry_minutes") from None
        analysis_id = str(uuid.uuid4())
        blob = video_blob_name(analysis_id, extension)
        store = await asyncio.to_thread(context.blobs)
        url = await asyncio.to_thread(
            store.sas_url, settings.videos_container, blob, minutes, write=True
        )
        return json_response(
            {
                "sas_url": url,
                "blob_name": blob,
                "analysis_id": analysis_id,
                "expiry_minutes": minutes,
                "method": "PUT",
                "headers": {
                    "x-ms-blob-type": "BlockBlob",
                    "Content-Type": CONTENT_TYPES[extension],
                },
                "max_size_bytes": settings.max_video_bytes,
                "process_url": f"{_api_base(req)}/v1/analysis/process",
            }
        )

    return await guarded(handler)


async def process(req: func.HttpRequest, client: Any) -> func.HttpResponse:
    """``POST v1/analysis/process``: start the analysis of a video uploaded with a SAS URL."""

    async def handler() -> func.HttpResponse:
        settings = context.settings()
        body = _json_body(req)
        params = parse_params(body)
        blob = str(body.get("blob_name") or "")
        if not blob and body.get("analysis_id"):
            analysis_id = _analysis_id(str(body["analysis_id"]))
            store = await asyncio.to_thread(context.blobs)
            names = await asyncio.to_thread(
                store.list_prefix, settings.videos_container, f"{analysis_id}/video"
            )
            if not names:
                raise bad_request("no video uploaded for this analysis_id", field="analysis_id")
            blob = names[0]
        match = _VIDEO_BLOB.match(blob)
        if not match:
            raise bad_request(
                "blob_name must be one handed out by /v1/storage/sas-token", field="blob_name"
            )
        analysis_id, extension = match["id"], match["ext"]
        store = await asyncio.to_thread(context.blobs)
        records = await asyncio.to_thread(context.records)
        if await asyncio.to_thread(records.get, analysis_id) is not None:
            raise ServiceError(
                409,
                "CONFLICT",
                "this analysis has already been started",
                {"analysis_id": analysis_id},
            )
        size = await asyncio.to_thread(store.size, settings.videos_container, blob)
        if size is None:
            raise bad_request(
                "no video at this blob_name: PUT the file to sas_url first", field="blob_name"
            )
        try:
            if size > settings.max_video_bytes:
                raise ServiceError(
                    413,
                    "FILE_TOO_LARGE",
                    f"the video is {size / 2**20:.0f} MB; the limit is "
                    f"{settings.max_video_bytes / 2**20:.0f} MB",
                    {"size": size, "limit": settings.max_video_bytes},
                )
            if size == 0:
                raise bad_request("the uploaded file is empty", field="blob_name")
            head = await asyncio.to_thread(
                store.read_head, settings.videos_container, blob, SIGNATURE_BYTES
            )
            check_signature(head)
            with TempVideo(extension) as temp:
                await asyncio.to_thread(
                    store.download_to_file, settings.videos_container, blob, temp.path
                )
                video = await asyncio.to_thread(probe_file, temp.path)
        except ServiceError as exc:
            if exc.status < 500:
                # A refused video is not kept: the client uploads a better one under a new id.
                await asyncio.to_thread(_discard_quietly, analysis_id)
            raise
        filename = os.path.basename(str(body.get("filename") or blob))
        return await _start(
            req,
            client,
            analysis_id=analysis_id,
            video_blob=blob,
            video_size=size,
            filename=filename,
            params=params,
            video=video,
        )

    return await guarded(handler)


def _json_body(req: func.HttpRequest) -> dict[str, Any]:
    raw = req.get_body()
    if not raw:
        return dict(req.params)
    try:
        body = json.loads(raw)
    except ValueError:
        raise bad_request("the body must be JSON") from None
    if not isinstance(body, dict):
        raise bad_request("the body must be a JSON object")
    return {**dict(req.params), **body}


# -- reading, listing, deleting, cancelling -----------------------------------------------------
async def _durable_state(client: Any, analysis_id: str) -> tuple[str | None, Any, Any]:
    """(runtime status, custom status, output) of the orchestration, or Nones if unknown."""
    try:
        status = await client.get_status(analysis_id)
    except Exception as exc:
        log.warning("[analysis %s] durable status unavailable: %s", analysis_id, short_reason(exc))
        return None, None, None
    runtime = status.runtime_status.value if status and status.runtime_status else None
    return runtime, status.custom_status if status else None, status.output if status else None


def _video_url(record: dict[str, Any]) -> str | None:
    settings = context.settings()
    if not record.get("video_blob"):
        return None
    try:
        return context.blobs().sas_url(
            settings.videos_container, record["video_blob"], settings.sas_minutes, write=False
        )
    except ServiceError:
        return None


def _result(record: dict[str, Any]) -> dict[str, Any] | None:
    if record.get("status") != "completed" or not record.get("result_blob"):
        return None
    settings = context.settings()
    return json.loads(
        context.blobs().read_bytes(settings.artifacts_container, record["result_blob"])
    )


async def _existing_record(req: func.HttpRequest) -> tuple[str, Any, dict[str, Any]]:
    """The route's analysis id, the record store and the record; 404 when there is none."""
    analysis_id = _analysis_id(req.route_params.get("analysis_id"))
    records = await asyncio.to_thread(context.records)
    record = await asyncio.to_thread(records.get, analysis_id)
    if record is None:
        raise NotFound(analysis_id)
    return analysis_id, records, record


async def get_analysis(req: func.HttpRequest, client: Any) -> func.HttpResponse:
    """``GET v1/analysis/{analysis_id}``: status, progress, metrics, a read SAS video URL."""

    async def handler() -> func.HttpResponse:
        analysis_id, _records, record = await _existing_record(req)
        progress = None
        if record.get("status") not in _TERMINAL:
            runtime, custom, output = await _durable_state(client, analysis_id)
            progress = custom if isinstance(custom, dict) else None
            if runtime in {"Failed", "Terminated", "Canceled"}:
                # The orchestration ended without recording it (worker crash, a failure while
                # recording the failure): say so rather than show "processing" forever.
                error = (progress or {}).get("error") or {
                    "code": "orchestration_" + runtime.lower(),
                    "message": str(output or f"the analysis orchestration is {runtime}"),
                }
                record = {
                    **record,
                    "status": "failed",
                    "current_step": "failed",
                    "step_message": f"Analysis failed: {error.get('message')}",
                    "error": error,
                }
                progress = None
        result = await asyncio.to_thread(_result, record)
        video_url = await asyncio.to_thread(_video_url, record)
        return json_response(
            analysis_view(record, video_url=video_url, result=result, progress=progress)
        )

    return await guarded(handler)


async def list_analyses(req: func.HttpRequest) -> func.HttpResponse:
    """``GET v1/analysis/list?limit=``: newest first (no video URLs: one SAS per row is waste)."""

    async def handler() -> func.HttpResponse:
        raw = req.params.get("limit", "50")
        if not raw.isdigit() or not 1 <= int(raw) <= 1000:
            raise bad_request("limit must be an integer from 1 to 1000", field="limit")
        limit = int(raw)
        records = await asyncio.to_thread(context.records)
        rows = await asyncio.to_thread(records.list_recent, limit)
        total = await asyncio.to_thread(records.count)
        return json_response(
            {
                "analyses": [analysis_view(row, video_url=None) for row in rows],
                "total": total,
                "limit": limit,
            }
        )

    return await guarded(handler)


async def delete_analysis(req: func.HttpRequest, client: Any) -> func.HttpResponse:
    """``DELETE v1/analysis/{analysis_id}``: video, artefacts, record and Durable history."""

    async def handler() -> func.HttpResponse:
        analysis_id = _analysis_id(req.route_params.get("analysis_id"))
        settings = context.settings()
        records = await asyncio.to_thread(context.records)
        store = await asyncio.to_thread(context.blobs)
        record = await asyncio.to_thread(records.get, analysis_id)
        videos = await asyncio.to_thread(
            store.list_prefix, settings.videos_container, f"{analysis_id}/"
        )
        if record is None and not videos:
            raise NotFound(analysis_id)
        runtime, _, _ = await _durable_state(client, analysis_id)
        if runtime in {"Running", "Pending", "ContinuedAsNew", "Suspended"}:
            await client.terminate(analysis_id, "deleted by the user")
        # Purge whatever the status call said: a status lookup can fail where a purge works,
        # and a purge of an unknown instance is a harmless 404.
        try:
            purged = await client.purge_instance_history(analysis_id)
            history = int(getattr(purged, "instances_deleted", 0) or 0)
        except Exception as exc:
            raise DependencyUnavailable("Durable task hub", short_reason(exc)) from exc
        deleted_videos = await asyncio.to_thread(
            store.delete_prefix, settings.videos_container, f"{analysis_id}/"
        )
        deleted_artifacts = await asyncio.to_thread(
            store.delete_prefix, settings.artifacts_container, f"{analysis_id}/"
        )
        await asyncio.to_thread(records.delete, analysis_id)
        context.analysis_log(analysis_id).info(
            "deleted: %d video blobs, %d artefacts, history purged: %s",
            deleted_videos,
            deleted_artifacts,
            bool(history),
        )
        return json_response(
            {
                "status": "success",
                "message": f"analysis {analysis_id} deleted",
                "analysis_id": analysis_id,
                "deleted": {
                    "videos": deleted_videos,
                    "artifacts": deleted_artifacts,
                    "record": record is not None,
                    "orchestration_history": history,
                },
            }
        )

    return await guarded(handler)


async def cancel_analysis(req: func.HttpRequest, client: Any) -> func.HttpResponse:
    """``POST v1/analysis/{analysis_id}/cancel``: terminate the orchestration, record it."""

    async def handler() -> func.HttpResponse:
        analysis_id, records, record = await _existing_record(req)
        if record.get("status") in _TERMINAL:
            return json_response(
                {
                    "status": record["status"],
                    "message": f"the analysis has already {record['status']}; nothing to cancel",
                    "analysis_id": analysis_id,
                },
                409,
            )
        runtime, _, _ = await _durable_state(client, analysis_id)
        if runtime in {"Running", "Pending", "Suspended"}:
            await client.terminate(analysis_id, "cancelled by the user")
        error = {"code": "cancelled", "message": "cancelled by the user"}
        await asyncio.to_thread(
            records.update,
            analysis_id,
            status="failed",
            current_step="cancelled",
            step_message=STEP_MESSAGES["cancelled"],
            error=error,
            cancelled_at=now_iso(),
        )
        context.analysis_log(analysis_id).info("cancelled (orchestration was %s)", runtime)
        return json_response(
            {"status": "cancelled", "message": "analysis cancelled", "analysis_id": analysis_id}
        )

    return await guarded(handler)


# -- health -------------------------------------------------------------------------------------
def liveness() -> func.HttpResponse:
    return json_response(health.liveness())


async def readiness() -> func.HttpResponse:
    ready, body = await asyncio.to_thread(health.readiness)
    return json_response(body, 200 if ready else 503)


async def legacy_health() -> func.HttpResponse:
    """The frontend checks this before every upload: answer as readiness does, so it does
    not upload while Storage or Cosmos is down, with the old ``status: healthy`` wording."""
    ready, body = await asyncio.to_thread(health.readiness)
    body = {**body, "status": "healthy" if ready else "unhealthy", "service": "gait-analysis"}
    return json_response(body, 200 if ready else 503)
