"""Starting an analysis: ``upload`` (multipart, small videos), ``sas_token`` + ``process``
(the browser puts a large video straight into Blob Storage).

Every start answers **200** with the legacy body ``{analysis_id, status: "processing",
message, patient_id, created_at}`` (the frontend treats anything else, 202 included, as a
failed upload) and never the Durable management URLs (they carry the extension's key).
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from typing import Any

import azure.functions as func

from gait.service import context, steps
from gait.service.blobs import video_blob_name
from gait.service.errors import ServiceError
from gait.service.validation import (
    CONTENT_TYPES,
    AnalysisParams,
    TempVideo,
    bad_request,
    check_signature,
    find_file_part,
    integer,
    number,
    parse_params,
    probe_file,
)
from gait.service.web import Call, analysis_id, api_base, endpoint, json_body, json_response

log = logging.getLogger("gait.service")

#: The orchestrator function's name in function_app.py.
ORCHESTRATOR = "analysis_orchestrator"
#: Bytes read from the start of a video to check its container signature.
SIGNATURE_BYTES = 64
#: Multipart framing allowed beyond the file itself (boundaries and part headers), in bytes.
FORM_OVERHEAD_BYTES = 65536
_VIDEO_BLOB = re.compile(
    r"(?P<id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/video"
    r"(?P<ext>\.(mp4|mov|avi|mkv|webm))"
)


def height_of(params: AnalysisParams) -> dict[str, Any] | None:
    """The metric scale of a new analysis: the given height, else the deployment's assumed
    height when one is configured (marked ``assumed``), else none."""
    if params.height_m is not None:
        return {"height_m": params.height_m, "basis": "given"}
    assumed = context.settings().assumed_height_m
    return {"height_m": assumed, "basis": "assumed"} if assumed is not None else None


def _start(
    call: Call,
    *,
    analysis_id: str,
    video_blob: str,
    video_etag: str,
    video_size: int,
    filename: str,
    params: AnalysisParams,
    video: dict[str, Any] | None,
) -> func.HttpResponse:
    """Create the record, start the orchestration, answer 200. If anything fails, remove what
    the analysis left (record, video, artefacts) and let the error answer."""
    assert call.durable is not None
    try:
        settings = context.settings()
        height = height_of(params)
        record = context.records().create(
            {
                "id": analysis_id,
                "owner_id": call.caller.user_id if call.caller else None,
                "patient_id": params.patient_id,
                "filename": filename,
                "video_blob": video_blob,
                "video_etag": video_etag,
                "video_size": video_size,
                "video": video,
                "params": params.to_dict(),
                "height": height,
                "status": steps.PROCESSING,
                **steps.step_fields("queued"),
                "error": None,
                "metrics_si": None,
                "steps_completed": [],
            }
        )
        job = {
            "analysis_id": analysis_id,
            "video_blob": video_blob,
            "video_etag": video_etag,
            "height_m": height["height_m"] if height else None,
            "treadmill_speed_mps": params.treadmill_speed_mps,
            # Settings are read here, never in the orchestrator (replays must not see changes).
            "chunk_frames": settings.chunk_frames,
            "parallel_chunks": settings.parallel_chunks,
        }
        call.durable.start(ORCHESTRATOR, analysis_id, job)
        context.analysis_log(analysis_id).info(
            "started: %s, %d bytes, height %s", video_blob, video_size, height
        )
    except ServiceError:
        discard_quietly(analysis_id)
        raise
    status_url = f"{api_base(call.req)}/v1/analysis/{analysis_id}"
    body = {
        "analysis_id": analysis_id,
        "id": analysis_id,
        "status": steps.PROCESSING,
        "message": "Video accepted; analysis started.",
        "patient_id": params.patient_id,
        "created_at": record.get("created_at"),
        "status_url": status_url,
        "parameters": params.to_dict(),
        "height": height,
    }
    return json_response(
        {k: v for k, v in body.items() if v is not None}, 200, {"Location": status_url}
    )


def discard(analysis_id: str) -> None:
    """Remove an analysis' record and every blob of it."""
    settings = context.settings()
    try:
        context.records().delete(analysis_id)
    finally:
        store = context.blobs()
        store.delete_prefix(settings.videos_container, f"{analysis_id}/")
        store.delete_prefix(settings.artifacts_container, f"{analysis_id}/")


def discard_quietly(analysis_id: str) -> None:
    try:
        discard(analysis_id)
    except Exception:
        log.exception("could not clean up analysis %s", analysis_id)


def _too_large(size: int, limit: int, hint: str = "") -> ServiceError:
    return ServiceError(
        413,
        "FILE_TOO_LARGE",
        f"the video is {size / 2**20:.1f} MB; the limit is {limit / 2**20:.0f} MB{hint}",
        {"size": size, "limit": limit},
    )


@endpoint
def upload(call: Call) -> func.HttpResponse:
    """``POST v1/analysis/upload``: multipart field ``file`` (small videos only)."""
    req = call.req
    settings = context.settings()
    params = parse_params(req.params)
    hint = ": use POST /api/v1/storage/sas-token for larger videos"
    declared = req.headers.get("content-length")
    if declared is not None:
        length = integer(declared, "Content-Length", 0, 2**50)
        if length > settings.max_upload_bytes + FORM_OVERHEAD_BYTES:
            raise _too_large(length, settings.max_upload_bytes, hint)
    body = req.get_body()  # the one copy of the body in memory (the worker's own)
    part = find_file_part(body, req.headers.get("content-type", ""))
    if part.size > settings.max_upload_bytes:
        raise _too_large(part.size, settings.max_upload_bytes, hint)
    if part.size == 0:
        raise bad_request("the file is empty", field="file")
    extension = check_signature(body[part.start : part.start + SIGNATURE_BYTES])
    with TempVideo(extension) as temp:
        with open(temp.path, "wb") as handle:
            handle.write(memoryview(body)[part.start : part.stop])  # no copy
        video = probe_file(temp.path)
        # Dependencies are needed only now: bad input is refused even when they are down.
        store = context.blobs()
        context.records()
        new_id = str(uuid.uuid4())
        blob = video_blob_name(new_id, extension)
        with open(temp.path, "rb") as handle:
            try:
                etag = store.upload_stream(
                    settings.videos_container, blob, handle, part.size, CONTENT_TYPES[extension]
                )
            except ServiceError:
                discard_quietly(new_id)
                raise
    return _start(
        call,
        analysis_id=new_id,
        video_blob=blob,
        video_etag=etag,
        video_size=part.size,
        filename=part.filename,
        params=params,
        video=video,
    )


@endpoint
def sas_token(call: Call) -> func.HttpResponse:
    """``POST v1/storage/sas-token``: a create-only URL for a blob the service names."""
    settings = context.settings()
    body = json_body(call.req)
    requested = str(body.get("filename") or body.get("blob_name") or "video.mp4")
    extension = os.path.splitext(requested)[1].lower()
    if extension not in CONTENT_TYPES:
        extension = ".mp4"
    minutes = number(body.get("expiry_minutes"), "expiry_minutes", 0, 1e6)
    minutes = (
        settings.sas_minutes if minutes is None else min(max(int(minutes), 1), settings.sas_minutes)
    )
    new_id = str(uuid.uuid4())
    blob = video_blob_name(new_id, extension)
    url = context.blobs().sas_url(settings.videos_container, blob, minutes, write=True)
    return json_response(
        {
            "sas_url": url,
            "blob_name": blob,
            "analysis_id": new_id,
            "expiry_minutes": minutes,
            "method": "PUT",
            "headers": {"x-ms-blob-type": "BlockBlob", "Content-Type": CONTENT_TYPES[extension]},
            "max_size_bytes": settings.max_video_bytes,
            "process_url": f"{api_base(call.req)}/v1/analysis/process",
        }
    )


@endpoint
def process(call: Call) -> func.HttpResponse:
    """``POST v1/analysis/process``: start the analysis of a video uploaded with a SAS URL.

    Checks size and container signature with one range read of the blob version it saw
    (its ETag), and pins the analysis to that version: the plan activity downloads only it,
    and makes the full probe."""
    settings = context.settings()
    body = json_body(call.req)
    params = parse_params(body)
    store = context.blobs()
    blob = str(body.get("blob_name") or "")
    if not blob and body.get("analysis_id"):
        wanted = analysis_id(body["analysis_id"])
        names = store.list_prefix(settings.videos_container, f"{wanted}/video")
        if not names:
            raise bad_request("no video uploaded for this analysis_id", field="analysis_id")
        blob = names[0]
    match = _VIDEO_BLOB.fullmatch(blob)
    if not match:
        raise bad_request(
            "blob_name must be one handed out by /v1/storage/sas-token", field="blob_name"
        )
    new_id = match["id"]
    if context.records().get(new_id) is not None:
        raise ServiceError(
            409, "CONFLICT", "this analysis has already been started", {"analysis_id": new_id}
        )
    found = store.properties(settings.videos_container, blob)
    if found is None:
        raise bad_request(
            "no video at this blob_name: PUT the file to sas_url first", field="blob_name"
        )
    size, etag = found
    try:
        if size > settings.max_video_bytes:
            raise _too_large(size, settings.max_video_bytes)
        if size == 0:
            raise bad_request("the uploaded file is empty", field="blob_name")
        check_signature(store.read_head(settings.videos_container, blob, SIGNATURE_BYTES, etag))
    except ServiceError as exc:
        if exc.status < 500:
            # A refused video is not kept: the client uploads a better one under a new id.
            discard_quietly(new_id)
        raise
    return _start(
        call,
        analysis_id=new_id,
        video_blob=blob,
        video_etag=etag,
        video_size=size,
        filename=os.path.basename(str(body.get("filename") or blob))[:200],
        params=params,
        video=None,
    )
