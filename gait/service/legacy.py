"""The legacy frontend's response shapes, filled with measured values.

The old service's metric keys stay (``cadence``, ``step_length`` in mm, ...), but each one is
converted from the SI result of :mod:`gait.pipeline` and is ``None`` when the SI value is
``None``: nothing is estimated to fill a key. The SI result itself is served beside them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

#: Gait speed thresholds for the fall-risk and mobility levels, in m/s. Source: Studenski S.
#: et al., "Gait speed and survival in older adults", JAMA 2011;305(1):50-58, which reports
#: < 0.8 m/s as a marker of poor health and higher risk (falls, hospitalisation, death) and
#: > 1.0 m/s as better-than-expected survival; 0.8-1.0 m/s is the intermediate band. (Also
#: Fritz & Lusardi 2009, "White paper: walking speed: the sixth vital sign".)
SLOW_GAIT_MPS = 0.8
NORMAL_GAIT_MPS = 1.0
THRESHOLD_SOURCE = "Studenski et al., JAMA 2011;305(1):50-58 (gait speed < 0.8 / >= 1.0 m/s)"

STEP_MESSAGES = {
    "queued": "Video received; waiting for a worker",
    "planning": "Reading the video and building the background model",
    "analyzing": "Analysing video chunks",
    "aggregating": "Measuring steps and gait metrics",
    "saving": "Saving the result",
    "done": "Analysis complete",
    "failed": "Analysis failed",
    "cancelled": "Analysis cancelled",
}


def _scale(value: Any, factor: float, digits: int = 3) -> float | None:
    return None if value is None else round(float(value) * factor, digits)


def _symmetry(asymmetry_pct: Any) -> float | None:
    """Legacy symmetry (1.0 = symmetric) from an asymmetry percentage (0 = symmetric)."""
    if asymmetry_pct is None:
        return None
    return round(max(0.0, 1.0 - float(asymmetry_pct) / 100.0), 4)


def speed_levels(speed_mps: Any) -> tuple[str | None, str | None]:
    """(fall risk level, mobility level) from gait speed alone; (None, None) without it."""
    if speed_mps is None:
        return None, None
    speed = float(speed_mps)
    if speed < SLOW_GAIT_MPS:
        return "high", "limited"
    if speed < NORMAL_GAIT_MPS:
        return "moderate", "reduced"
    return "low", "normal"


def legacy_metrics(si: dict[str, Any] | None) -> dict[str, Any] | None:
    """The legacy ``metrics`` object converted from the SI metrics (``None`` if no result)."""
    if si is None:
        return None
    speed = si.get("speed_mps")
    risk, mobility = speed_levels(speed)
    return {
        "cadence": _scale(si.get("cadence_spm"), 1.0, 2),
        "step_length": _scale(si.get("step_length_m"), 1000.0, 1),
        "stride_length": _scale(si.get("stride_length_m"), 1000.0, 1),
        "walking_speed": _scale(speed, 1000.0, 1),
        "step_time": _scale(si.get("step_time_s"), 1.0, 4),
        "stance_time": _scale(si.get("stance_time_s"), 1.0, 4),
        "swing_time": _scale(si.get("swing_time_s"), 1.0, 4),
        "double_support_time": _scale(si.get("double_support_time_s"), 1.0, 4),
        "step_time_symmetry": _symmetry(si.get("step_time_asymmetry_pct")),
        "step_length_symmetry": _symmetry(si.get("step_length_asymmetry_pct")),
        "step_length_cv": _scale(si.get("step_length_cv_pct"), 1.0, 2),
        "step_time_cv": _scale(si.get("step_time_cv_pct"), 1.0, 2),
        "fall_risk_assessment": {
            "risk_level": risk,
            "basis": "gait speed" if risk else None,
            "source": THRESHOLD_SOURCE if risk else None,
        },
        "functional_mobility": {
            "mobility_level": mobility,
            "basis": "gait speed" if mobility else None,
            "source": THRESHOLD_SOURCE if mobility else None,
        },
    }


def error_body(error: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "error": error,
        "message": message,
        "details": details or {},
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def analysis_view(
    record: dict[str, Any],
    *,
    video_url: str | None,
    result: dict[str, Any] | None = None,
    progress: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The legacy analysis object, from the record (and live progress while running)."""
    status = record.get("status", "pending")
    step = record.get("current_step") or "queued"
    step_progress = record.get("step_progress", 0)
    message = record.get("step_message") or STEP_MESSAGES.get(step, step)
    if progress and status in {"pending", "processing"}:
        status = "processing" if progress.get("step") not in (None, "queued") else status
        step = progress.get("step", step)
        step_progress = progress.get("progress", step_progress)
        message = progress.get("message", message)
    quality = (result or {}).get("quality") or record.get("quality") or {}
    warnings = (result or {}).get("warnings") or record.get("warnings") or []
    return {
        "id": record["id"],
        "analysis_id": record["id"],
        "patient_id": record.get("patient_id"),
        "filename": record.get("filename"),
        "video_url": video_url,
        "status": status,
        "current_step": step,
        "step_progress": step_progress,
        "step_message": message,
        "metrics": legacy_metrics(record.get("metrics_si")) if status == "completed" else None,
        "result": result if status == "completed" else None,
        "steps_completed": record.get("steps_completed", []),
        "created_at": record.get("created_at"),
        "updated_at": record.get("updated_at"),
        "error": record.get("error"),
        # The old service scored "video quality" with invented thresholds; what we have is the
        # analysis' own quality block, served as is, and the issues are its warnings.
        "video_quality_score": None,
        "video_quality_valid": None if status != "completed" else True,
        "video_quality_issues": warnings,
        "video_quality_recommendations": [],
        "pose_detection_rate": None,
        "quality": quality,
        "parameters": record.get("params", {}),
    }
