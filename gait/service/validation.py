"""Checks made before anything is stored or started: parameters, size, container signature,
and a probe of the bytes with :func:`gait.video.probe`.

The multipart parser works on a ``memoryview`` of the request body the worker already holds,
so the file part is never copied in memory: it goes from that one buffer to a temporary file
(for the probe) and from there to Blob Storage in blocks.
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gait.errors import NotAVideo, UnusableVideo
from gait.service.errors import ServiceError
from gait.video import container_signature, probe

#: Stature range accepted as the metric scale, in metres.
HEIGHT_RANGE_M = (0.5, 2.5)
VIEW_TYPES = ("side", "front", "back")
#: Container signatures of the formats the frontend offers (mp4, mov, avi, mkv, webm).
EXTENSIONS = {"mp4": ".mp4", "mov": ".mov", "avi": ".avi", "mkv": ".mkv"}
CONTENT_TYPES = {
    ".mp4": "video/mp4",
    ".mov": "video/quicktime",
    ".avi": "video/x-msvideo",
    ".mkv": "video/x-matroska",
    ".webm": "video/webm",
}


def bad_request(message: str, **details: Any) -> ServiceError:
    return ServiceError(400, "VALIDATION_ERROR", message, details)


@dataclass(frozen=True)
class AnalysisParams:
    """What the caller may set. ``reference_length_mm`` is kept for the record only: our
    method's scale is the walker's stature (``height_m``), and a reference length of unknown
    position in the scene gives no scale, so none is derived from it."""

    patient_id: str | None = None
    view_type: str = "side"
    height_m: float | None = None
    reference_length_mm: float | None = None
    fps: float | None = None
    processing_fps: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "view_type": self.view_type,
            "height_m": self.height_m,
            "reference_length_mm": self.reference_length_mm,
            "fps": self.fps,
            "processing_fps": self.processing_fps,
        }


def _number(source: Mapping[str, Any], name: str, low: float, high: float) -> float | None:
    raw = source.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise bad_request(f"{name} must be a number", field=name, value=str(raw)) from None
    if not math.isfinite(value) or not low <= value <= high:
        raise bad_request(f"{name} must be between {low:g} and {high:g}", field=name, value=value)
    return value


def parse_params(source: Mapping[str, Any]) -> AnalysisParams:
    """Validate the analysis parameters (query string or JSON body); 400 when out of range."""
    patient_id = source.get("patient_id")
    if patient_id is not None:
        patient_id = str(patient_id).strip()[:128] or None
    view_type = str(source.get("view_type") or "side").lower()
    if view_type not in VIEW_TYPES:
        raise bad_request("view_type must be side, front or back", field="view_type")
    fps = _number(source, "fps", 0.0, 120.0)
    return AnalysisParams(
        patient_id=patient_id,
        view_type=view_type,
        height_m=_number(source, "height_m", *HEIGHT_RANGE_M),
        reference_length_mm=_number(source, "reference_length_mm", 0.0, 10000.0),
        # fps 0 meant "from the file" in the old API; our probe always reads the timestamps.
        fps=fps or None,
        processing_fps=_number(source, "processing_fps", 0.0, 240.0) or None,
    )


def check_signature(head: bytes) -> str:
    extension = container_signature(head)
    if extension is None:
        raise ServiceError(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "the file is not a video this service reads (MP4, MOV, AVI, MKV or WebM)",
            {"code": "not_a_video"},
        )
    return extension


def probe_file(path: str) -> dict[str, Any]:
    """Probe a local copy; an unusable video answers 415 (not a video) or 400 (say why)."""
    try:
        info = probe(path)
    except NotAVideo as exc:
        raise ServiceError(
            415, "UNSUPPORTED_MEDIA_TYPE", _strip_path(exc.message, path), {"code": exc.code}
        ) from exc
    except UnusableVideo as exc:
        raise ServiceError(
            400, "UNUSABLE_VIDEO", _strip_path(exc.message, path), {"code": exc.code}
        ) from exc
    summary = info.to_dict()
    summary.pop("path", None)
    return summary


def _strip_path(message: str, path: str) -> str:
    # Temporary paths mean nothing to the caller.
    return message.replace(f"{path}: ", "").replace(path, "the upload")


@dataclass(frozen=True)
class FilePart:
    filename: str
    content_type: str
    start: int
    stop: int

    @property
    def size(self) -> int:
        return self.stop - self.start


def find_file_part(body: bytes, content_type: str, field_name: str = "file") -> FilePart:
    """Locate the ``field_name`` part of a multipart/form-data body, by offsets only."""
    boundary = _boundary(content_type)
    delimiter = b"--" + boundary
    position = body.find(delimiter)
    while position >= 0:
        header_start = position + len(delimiter)
        if body[header_start : header_start + 2] == b"--":
            break  # closing delimiter
        header_end = body.find(b"\r\n\r\n", header_start)
        if header_end < 0:
            break
        headers = _part_headers(body[header_start:header_end])
        data_start = header_end + 4
        next_delimiter = body.find(b"\r\n" + delimiter, data_start)
        if next_delimiter < 0:
            raise bad_request("the multipart body is truncated")
        disposition = headers.get("content-disposition", "")
        params = _disposition_params(disposition)
        if params.get("name") == field_name:
            return FilePart(
                filename=os.path.basename(params.get("filename", "") or "upload")[:200],
                content_type=headers.get("content-type", "application/octet-stream"),
                start=data_start,
                stop=next_delimiter,
            )
        position = next_delimiter + 2
    raise bad_request(f"the form has no file field named {field_name!r}", field=field_name)


def _boundary(content_type: str) -> bytes:
    kind, _, rest = content_type.partition(";")
    if kind.strip().lower() != "multipart/form-data":
        raise ServiceError(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "send the video as multipart/form-data with a field named 'file'",
        )
    for item in rest.split(";"):
        key, _, value = item.strip().partition("=")
        if key.lower() == "boundary" and value:
            return value.strip('"').encode("latin-1")
    raise bad_request("multipart/form-data without a boundary")


def _part_headers(block: bytes) -> dict[str, str]:
    headers = {}
    for line in block.decode("utf-8", "replace").split("\r\n"):
        name, _, value = line.partition(":")
        if name.strip():
            headers[name.strip().lower()] = value.strip()
    return headers


def _disposition_params(disposition: str) -> dict[str, str]:
    params = {}
    for item in disposition.split(";")[1:]:
        key, _, value = item.strip().partition("=")
        params[key.lower()] = value.strip().strip('"')
    return params


class TempVideo:
    """A temporary local file for probing, removed on exit (the temp dir is local disk)."""

    def __init__(self, suffix: str) -> None:
        handle, self.path = tempfile.mkstemp(prefix="gait-", suffix=suffix)
        os.close(handle)

    def __enter__(self) -> TempVideo:
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.remove(self.path)
