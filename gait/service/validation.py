"""Checks made before anything is stored or started: parameters, size, container signature,
and a probe of the bytes with :func:`gait.video.probe`.

The multipart parser runs in the route's worker thread, never on the event loop, and stops
after :data:`MAX_FORM_PARTS` parts. It works on a ``memoryview`` of the request body the
worker already holds, so the file part is never copied in memory: it goes from that one
buffer to a temporary file (for the probe) and from there to Blob Storage in blocks.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gait.cli import HEIGHT_RANGE_M
from gait.errors import GaitError, NotAVideo, UnusableVideo
from gait.service.errors import ServiceError
from gait.video import container_signature, probe
from gait.walk.scale import TREADMILL_SPEED_RANGE_MPS

VIEW_TYPES = ("side", "front", "back")
CONTENT_TYPES = {
    ".mp4": "video/mp4",
    ".mov": "video/quicktime",
    ".avi": "video/x-msvideo",
    ".mkv": "video/x-matroska",
    ".webm": "video/webm",
}
#: Parts a multipart upload may have: the frontend sends one (``file``); a body of
#: hundreds of thousands of tiny parts is refused instead of parsed.
MAX_FORM_PARTS = 16

_ASCII_INT = re.compile(r"[0-9]{1,12}", re.ASCII)
_ASCII_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]{1,3})?", re.ASCII)


def bad_request(message: str, **details: Any) -> ServiceError:
    return ServiceError(400, "VALIDATION_ERROR", message, details)


def integer(raw: Any, name: str, low: int, high: int) -> int:
    """An integer written in ASCII digits (``²`` and ``٣`` are digits to Python, not to us)
    or a JSON integer, within ``[low, high]``; 400 otherwise."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str) and _ASCII_INT.fullmatch(raw.strip()):
        value = int(raw.strip())
    else:
        raise bad_request(f"{name} must be an integer from {low} to {high}", field=name)
    if not low <= value <= high:
        raise bad_request(f"{name} must be an integer from {low} to {high}", field=name)
    return value


def number(raw: Any, name: str, low: float, high: float) -> float | None:
    """A finite decimal number (ASCII text, or a JSON number) within ``[low, high]``;
    ``None`` when absent or empty; 400 otherwise (``Infinity``, ``NaN``, ``1e400``, ``٣``)."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        value = float(raw)
    elif isinstance(raw, str) and _ASCII_NUMBER.fullmatch(raw.strip()):
        value = float(raw.strip())
    else:
        raise bad_request(f"{name} must be a number", field=name)
    if not math.isfinite(value) or not low <= value <= high:
        raise bad_request(f"{name} must be a number from {low:g} to {high:g}", field=name)
    return value


@dataclass(frozen=True)
class AnalysisParams:
    """What the caller may set. ``reference_length_mm`` is kept for the record only: our
    method's scale is the walker's stature (``height_m``), and a reference length of unknown
    position in the scene gives no scale, so none is derived from it. ``treadmill_speed_mps``:
    the belt speed of a walk on a treadmill, its spatial scale (carried to the analysis)."""

    patient_id: str | None = None
    view_type: str = "side"
    height_m: float | None = None
    treadmill_speed_mps: float | None = None
    reference_length_mm: float | None = None
    fps: float | None = None
    processing_fps: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "view_type": self.view_type,
            "height_m": self.height_m,
            "treadmill_speed_mps": self.treadmill_speed_mps,
            "reference_length_mm": self.reference_length_mm,
            "fps": self.fps,
            "processing_fps": self.processing_fps,
        }


def parse_height(source: Mapping[str, Any]) -> float | None:
    """The walker's height in metres from ``height_m`` or ``height_cm`` (both: they must
    agree to the millimetre); ``None`` when neither is given."""
    low, high = HEIGHT_RANGE_M
    metres = number(source.get("height_m"), "height_m", low, high)
    centimetres = number(source.get("height_cm"), "height_cm", 100 * low, 100 * high)
    if metres is not None and centimetres is not None and abs(metres - centimetres / 100) > 1e-3:
        raise bad_request("height_m and height_cm disagree", field="height_cm")
    if metres is None and centimetres is not None:
        metres = round(centimetres / 100, 4)
    return metres


def parse_treadmill_speed(source: Mapping[str, Any]) -> float | None:
    """The treadmill's belt speed in m/s from ``treadmill_speed_mps``, within
    :data:`gait.walk.scale.TREADMILL_SPEED_RANGE_MPS` (outside it is km/h, mph or a typo);
    ``None`` when not given."""
    low, high = TREADMILL_SPEED_RANGE_MPS
    return number(source.get("treadmill_speed_mps"), "treadmill_speed_mps", low, high)


def parse_params(source: Mapping[str, Any]) -> AnalysisParams:
    """Validate the analysis parameters (query string or JSON body); 400 when out of range."""
    patient_id = source.get("patient_id")
    if patient_id is not None:
        patient_id = str(patient_id).strip()[:128] or None
    view_type = str(source.get("view_type") or "side").lower()
    if view_type not in VIEW_TYPES:
        raise bad_request("view_type must be side, front or back", field="view_type")
    fps = number(source.get("fps"), "fps", 0.0, 120.0)
    return AnalysisParams(
        patient_id=patient_id,
        view_type=view_type,
        height_m=parse_height(source),
        treadmill_speed_mps=parse_treadmill_speed(source),
        reference_length_mm=number(
            source.get("reference_length_mm"), "reference_length_mm", 0.0, 10000.0
        ),
        # fps 0 meant "from the file" in the old API; our probe always reads the timestamps.
        fps=fps or None,
        processing_fps=number(source.get("processing_fps"), "processing_fps", 0.0, 240.0) or None,
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


def public_message(exc: GaitError, path: str | os.PathLike[str] | None = None) -> str:
    """An analysis error's message as users may read it: without the local file's path
    (meaningless to them) and without the decoder's own words, which the analysis appends
    in parentheses when it quotes a third-party error (``exc.__cause__``); those stay in
    the log."""
    message = exc.message
    if path is not None:
        message = message.replace(f"{os.fspath(path)}: ", "").replace(os.fspath(path), "the video")
    elif ": " in message:
        message = message.split(": ", 1)[1]
    if exc.__cause__ is not None:
        message = re.sub(r"\s*\([^()]*\)\s*$", "", message)
    return message


def probe_file(path: str) -> dict[str, Any]:
    """Probe a local copy; an unusable video answers 415 (not a video) or 400 (say why)."""
    try:
        info = probe(path)
    except NotAVideo as exc:
        raise ServiceError(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            public_message(exc, path),
            {"code": exc.code},
            log_reason=exc.message,
        ) from exc
    except UnusableVideo as exc:
        raise ServiceError(
            400,
            "UNUSABLE_VIDEO",
            public_message(exc, path),
            {"code": exc.code},
            log_reason=exc.message,
        ) from exc
    summary = info.to_dict()
    summary.pop("path", None)
    return summary


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
    parts = 0
    while position >= 0:
        parts += 1
        if parts > MAX_FORM_PARTS:
            raise bad_request(f"the form has more than {MAX_FORM_PARTS} parts")
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
