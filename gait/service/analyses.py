"""Reading and changing analyses: get, list, delete, cancel, and re-scaling to a height.

A caller sees only the analyses they own, unless they hold the clinic role
(:mod:`gait.service.auth`); another user's analysis answers 404, as a missing one does.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import azure.functions as func

from gait.errors import GaitError
from gait.pipeline import ChunkFeatures, Plan, aggregate
from gait.service import activities, auth, context, steps
from gait.service.blobs import artifact_name
from gait.service.errors import NotFound, ServiceError
from gait.service.legacy import analysis_view
from gait.service.records import now_iso
from gait.service.validation import bad_request, integer, parse_height, parse_treadmill_speed
from gait.service.web import Call, api_base, endpoint, json_body, json_response

#: Durable runtime statuses of an orchestration that is still going (or may still go).
RUNNING = frozenset({"Pending", "Running", "ContinuedAsNew", "Suspended"})
#: Durable runtime statuses of an orchestration that ended without recording how.
ENDED = frozenset({"Failed", "Terminated", "Canceled"})


def _record(call: Call) -> dict[str, Any]:
    """The route's analysis record if the caller may see it; 404 otherwise."""
    analysis_id = call.route_id()
    record = context.records().get(analysis_id)
    if record is None or not auth.may_access(call.caller, record):
        raise NotFound(analysis_id)
    return record


def _video_url(record: dict[str, Any]) -> str | None:
    settings = context.settings()
    if not record.get("video_blob"):
        return None
    try:
        return context.blobs().sas_url(
            settings.videos_container, record["video_blob"], settings.sas_minutes, write=False
        )
    except ServiceError:
        return None  # the view is still worth answering without a playable video


def _result(record: dict[str, Any]) -> dict[str, Any] | None:
    if record.get("status") != steps.COMPLETED or not record.get("result_blob"):
        return None
    settings = context.settings()
    return json.loads(
        context.blobs().read_bytes(settings.artifacts_container, record["result_blob"])
    )


@endpoint
def get_analysis(call: Call) -> func.HttpResponse:
    """``GET v1/analysis/{id}``: status, progress, metrics, a read SAS video URL."""
    assert call.durable is not None
    record = _record(call)
    if record.get("status") not in steps.FINISHED:
        runtime, _output = call.durable.runtime_status(record["id"])
        if runtime in ENDED:
            # The orchestration ended without recording it (a worker crash, a failure while
            # recording the failure): say so rather than show "processing" forever.
            context.analysis_log(record["id"]).warning("orchestration %s unrecorded", runtime)
            error = {
                "code": f"orchestration_{runtime.lower()}",
                "message": "the analysis stopped unexpectedly; please upload the video again",
            }
            record = (
                context.records().update(
                    record["id"],
                    unless_status=tuple(steps.FINISHED),
                    **activities.failure_fields(error),
                )
                or record
            )
    view = analysis_view(record, video_url=_video_url(record), result=_result(record))
    return json_response({**view, "report_url": report_url(call, record["id"])})


def report_url(call: Call, analysis_id: str) -> str:
    """Where :func:`get_report` serves the analysis' HTML page."""
    return f"{api_base(call.req)}/v1/analysis/{analysis_id}/report"


@endpoint
def get_report(call: Call) -> func.HttpResponse:
    """``GET v1/analysis/{id}/report``: the HTML report page of a completed analysis, the
    page saying why for a failed one; 409 while it runs. Same access rule as the analysis."""
    from gait import html_report

    record = _record(call)
    status = record.get("status")
    if status not in steps.FINISHED:
        raise ServiceError(
            409,
            "CONFLICT",
            "the analysis is still running; its report is not ready",
            {"analysis_id": record["id"], "status": status},
        )
    result = _result(record)
    if result is None:
        error = record.get("error") or {"code": status, "message": f"the analysis {status}"}
        page = html_report.render_failure(error, video_name=record.get("filename"))
    else:
        page = html_report.render_report(
            result,
            frame_jpeg=_walk_frame(record["id"]),
            angles=result.get("angles"),
            height=record.get("height"),
        )
    return func.HttpResponse(page, status_code=200, mimetype="text/html", charset="utf-8")


def _walk_frame(analysis_id: str) -> bytes | None:
    """The walk frame the aggregate activity stored beside the result, if it did."""
    settings = context.settings()
    store = context.blobs()
    name = artifact_name(analysis_id, activities.REPORT_FRAME)
    if name not in store.list_prefix(settings.artifacts_container, name):
        return None
    return store.read_bytes(settings.artifacts_container, name)


@endpoint
def list_analyses(call: Call) -> func.HttpResponse:
    """``GET v1/analysis/list?limit=``: newest first, every status (failed analyses must be
    listed so they can be deleted); no video URLs (one SAS per row is waste)."""
    limit = integer(call.req.params.get("limit", "50"), "limit", 1, 1000)
    owner = auth.owner_filter(call.caller)
    records = context.records()
    rows = records.list_recent(limit, owner)
    return json_response(
        {
            "analyses": [analysis_view(row, video_url=None) for row in rows],
            "total": records.count(owner),
            "limit": limit,
        }
    )


def delete_everything(analysis_id: str, durable: Any) -> dict[str, Any]:
    """Terminate, purge, and delete the record, then every blob and the local copy.

    The record goes first: an activity still running checks it after each write and
    removes what it wrote once the record is gone (``activities.write_artifact``)."""
    settings = context.settings()
    store = context.blobs()
    runtime, _ = durable.runtime_status(analysis_id)
    if runtime in RUNNING:
        durable.terminate(analysis_id, "deleted by the user")
    # Purge whatever the status call said: a status lookup can fail where a purge works,
    # and a purge of an unknown instance is a harmless 404.
    history = durable.purge(analysis_id)
    had_record = context.records().delete(analysis_id)
    videos = store.delete_prefix(settings.videos_container, f"{analysis_id}/")
    artifacts = store.delete_prefix(settings.artifacts_container, f"{analysis_id}/")
    activities.drop_local_video(analysis_id)
    context.analysis_log(analysis_id).info(
        "deleted: %d video blobs, %d artefacts, history purged: %s", videos, artifacts, history
    )
    return {
        "videos": videos,
        "artifacts": artifacts,
        "record": had_record,
        "orchestration_history": history,
    }


@endpoint
def delete_analysis(call: Call) -> func.HttpResponse:
    """``DELETE v1/analysis/{id}``: video, artefacts, record and Durable history."""
    assert call.durable is not None
    analysis_id = call.route_id()
    record = context.records().get(analysis_id)
    if record is None:
        # A video uploaded with a SAS URL and never processed has no record, hence no
        # owner: only the clinic role may remove it (everyone in anonymous mode).
        settings = context.settings()
        orphan = context.blobs().list_prefix(settings.videos_container, f"{analysis_id}/")
        if not orphan or not (call.caller is None or call.caller.sees_all):
            raise NotFound(analysis_id)
    elif not auth.may_access(call.caller, record):
        raise NotFound(analysis_id)
    deleted = delete_everything(analysis_id, call.durable)
    return json_response(
        {
            "status": "success",
            "message": f"analysis {analysis_id} deleted",
            "analysis_id": analysis_id,
            "deleted": deleted,
        }
    )


@endpoint
def cancel_analysis(call: Call) -> func.HttpResponse:
    """``POST v1/analysis/{id}/cancel``: terminate the orchestration, record it, remove the
    artefacts (the video stays until the analysis is deleted or expires)."""
    assert call.durable is not None
    record = _record(call)
    analysis_id = record["id"]
    if record.get("status") in steps.FINISHED:
        raise ServiceError(
            409,
            "CONFLICT",
            f"the analysis has already {record['status']}; nothing to cancel",
            {"analysis_id": analysis_id, "status": record["status"]},
        )
    runtime, _ = call.durable.runtime_status(analysis_id)
    if runtime in RUNNING:
        call.durable.terminate(analysis_id, "cancelled by the user")
    error = {"code": "cancelled", "message": "cancelled by the user"}
    context.records().update(
        analysis_id,
        unless_status=tuple(steps.FINISHED),
        cancelled_at=now_iso(),
        **activities.failure_fields(error, "cancelled"),
    )
    settings = context.settings()
    context.blobs().delete_prefix(settings.artifacts_container, f"{analysis_id}/")
    activities.drop_local_video(analysis_id)
    context.analysis_log(analysis_id).info("cancelled (orchestration was %s)", runtime)
    return json_response(
        {"status": "cancelled", "message": "analysis cancelled", "analysis_id": analysis_id}
    )


@endpoint
def rescale_analysis(call: Call) -> func.HttpResponse:
    """``PATCH v1/analysis/{id}`` ``{"height_m"}`` (or ``height_cm``) and/or
    ``{"treadmill_speed_mps"}``: measure a completed analysis again at a new height or belt
    speed, from its stored plan and chunk features (no video is decoded:
    :func:`gait.pipeline.aggregate` only). What is not given keeps its stored value."""
    record = _record(call)
    analysis_id = record["id"]
    body = json_body(call.req)
    height_m = parse_height(body)
    speed_mps = parse_treadmill_speed(body)
    if height_m is None and speed_mps is None:
        raise bad_request(
            "give height_m (metres), height_cm or treadmill_speed_mps", field="height_m"
        )
    changed = {
        key: value
        for key, value in (("height_m", height_m), ("treadmill_speed_mps", speed_mps))
        if value is not None
    }
    if record.get("status") != steps.COMPLETED:
        raise ServiceError(
            409,
            "CONFLICT",
            "only a completed analysis can be re-scaled",
            {"status": record.get("status")},
        )
    settings = context.settings()
    store = context.blobs()
    container = settings.artifacts_container
    names = sorted(store.list_prefix(container, artifact_name(analysis_id, "features/")))
    older = ServiceError(
        409, "CONFLICT", "the analysis was stored by an older version; upload it again"
    )
    gone = ServiceError(409, "CONFLICT", "the analysis' features are no longer stored")
    if not names:
        raise gone
    try:
        plan = Plan.from_bytes(store.read_bytes(container, artifact_name(analysis_id, "plan.npz")))
    except ValueError as exc:  # stored by an older version (pipeline.FORMAT_VERSION)
        raise older from exc

    def features() -> Iterator[ChunkFeatures]:
        """Each chunk's features read when aggregate asks for them (it compresses each
        chunk's bulky rows as it reads it, as the aggregate activity's): the errors above
        are raised from here, after the last chunk and before any measuring."""
        frames = 0
        for name in names:
            try:
                chunk = ChunkFeatures.from_bytes(store.read_bytes(container, name))
            except ValueError as exc:
                raise older from exc
            frames += int(chunk.frame_indices.size)
            yield chunk
        if frames == 0:
            raise gone

    try:
        result = aggregate(dataclasses.replace(plan, **changed), features()).to_dict()
    except GaitError as exc:  # the same features gave a result before: should not happen
        raise ServiceError(
            409, "CONFLICT", "the analysis cannot be re-scaled", {"code": exc.code}
        ) from exc
    result["video"]["path"] = record.get("video_blob")
    store.write_bytes(
        container, record["result_blob"], json.dumps(result).encode(), "application/json"
    )
    height = {"height_m": height_m, "basis": "given"} if height_m is not None else None
    updated = context.records().update(
        analysis_id,
        metrics_si=result.get("metrics"),
        quality=result.get("quality"),
        warnings=result.get("warnings", []),
        **({"height": height} if height else {}),
        params={**(record.get("params") or {}), **changed},
        rescaled_at=now_iso(),
    )
    if updated is None:
        raise NotFound(analysis_id)
    context.analysis_log(analysis_id).info("re-scaled to %s from %d chunks", changed, len(names))
    return json_response(analysis_view(updated, video_url=_video_url(updated), result=result))
