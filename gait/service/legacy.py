"""The legacy frontend's analysis object, filled with measured values only.

The frontend tests every number it shows with ``!== undefined`` and then calls ``.toFixed``
on it, so ``null`` blanks its whole page: a value the service did not measure is **left
out** of this view, never ``null``. The old metric keys stay (``cadence``, ``step_length``
in mm, ...), each converted from the SI result of :mod:`gait.pipeline`; the SI result itself
is served beside them under ``result``.
"""

from __future__ import annotations

from typing import Any

from gait.service import steps

#: Gait speed thresholds for the fall-risk and mobility levels, in m/s. Source: Studenski S.
#: et al., "Gait speed and survival in older adults", JAMA 2011;305(1):50-58, which reports
#: < 0.8 m/s as a marker of poor health and higher risk (falls, hospitalisation, death) and
#: > 1.0 m/s as better-than-expected survival; 0.8-1.0 m/s is the intermediate band. (Also
#: Fritz & Lusardi 2009, "White paper: walking speed: the sixth vital sign".)
SLOW_GAIT_MPS = 0.8
NORMAL_GAIT_MPS = 1.0
THRESHOLD_SOURCE = "Studenski et al., JAMA 2011;305(1):50-58 (gait speed < 0.8 / >= 1.0 m/s)"


def _scale(value: Any, factor: float, digits: int = 3) -> float | None:
    return None if value is None else round(float(value) * factor, digits)


def _symmetry(asymmetry_pct: Any) -> float | None:
    """Legacy symmetry (1.0 = symmetric) from an asymmetry percentage (0 = symmetric)."""
    if asymmetry_pct is None:
        return None
    return round(max(0.0, 1.0 - float(asymmetry_pct) / 100.0), 4)


def _present(mapping: dict[str, Any]) -> dict[str, Any]:
    """``mapping`` without its ``None`` values: what was not measured is absent."""
    return {key: value for key, value in mapping.items() if value is not None}


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


def metric_basis(
    height: dict[str, Any] | None, scale: dict[str, Any] | None
) -> dict[str, Any] | None:
    """What the result's metres rest on: the record's ``height`` (``{"height_m", "basis":
    "given" | "assumed"}``), unless the result's ``quality.scale`` says a treadmill's given
    belt speed set them (then ``{"height_m", "basis": "treadmill_speed",
    "treadmill_speed_mps"}``, whatever height the record holds)."""
    if scale and scale.get("from") == "treadmill_speed":
        return {
            "height_m": scale["height_m"],
            "basis": "treadmill_speed",
            "treadmill_speed_mps": scale.get("treadmill_speed_mps"),
        }
    return height


def height_note(height: dict[str, Any] | None) -> str | None:
    """The warning shown when the metric scale is a deployment's assumed height
    (``height``: :func:`metric_basis`)."""
    if not height or height.get("basis") != "assumed":
        return None
    return (
        f"Lengths and speeds assume a walker {height['height_m']:.2f} m tall (the service's "
        "default), not a measured height: give the walker's height for real values."
    )


def legacy_metrics(si: dict[str, Any], height: dict[str, Any] | None = None) -> dict[str, Any]:
    """The legacy ``metrics`` object converted from the SI metrics; unmeasured keys absent.

    ``height`` is what the metres rest on (:func:`metric_basis`) when a metric scale was
    used: with an assumed height every spatial value and speed-based level says so
    (``basis``)."""
    speed = si.get("speed_mps")
    risk, mobility = speed_levels(speed)
    assumed = bool(height and height.get("basis") == "assumed")
    scale_basis = None
    if height and si.get("step_length_m") is not None:
        scale_basis = (
            f"treadmill belt speed {height['treadmill_speed_mps']:g} m/s"
            if height["basis"] == "treadmill_speed"
            else f"{height['basis']} height {height['height_m']:.2f} m"
        )
    level_basis = "gait speed" + (f" from an {scale_basis}" if assumed and scale_basis else "")
    metrics = _present(
        {
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
            "spatial_basis": scale_basis,
        }
    )
    # The two level objects are always there (the list page reads ``.risk_level`` through
    # them); the levels themselves only with a measured speed.
    metrics["fall_risk_assessment"] = _present(
        {
            "risk_level": risk,
            "basis": level_basis if risk else None,
            "source": THRESHOLD_SOURCE if risk else None,
        }
    )
    metrics["functional_mobility"] = _present(
        {
            "mobility_level": mobility,
            "basis": level_basis if mobility else None,
            "source": THRESHOLD_SOURCE if mobility else None,
        }
    )
    return metrics


def video_quality_score(quality: dict[str, Any]) -> float | None:
    """0-100: the result's confidence (:func:`gait.walk.quality.confidence`: falls with
    excluded footprints, scattered step times, few steps, withheld metrics, disagreeing
    sources and low pose coverage) x 100. ``None`` when the result carries no confidence."""
    value = quality.get("confidence")
    return None if value is None else round(100.0 * float(value), 1)


def pose_detection_rate(quality: dict[str, Any]) -> float | None:
    """0-1: the share of the video's frames in which the walker was found
    (``quality.frames_with_walker_pct`` / 100: the frames where the person model found a
    pose on the walker, or the silhouette's share when it did not run). ``None`` when not
    measured."""
    value = quality.get("frames_with_walker_pct")
    return None if value is None else round(float(value) / 100.0, 4)


def analysis_view(
    record: dict[str, Any], *, video_url: str | None, result: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The legacy analysis object from the record (and, once completed, the result)."""
    status = record.get("status", steps.PROCESSING)
    step = steps.STEPS.get(record.get("current_step") or "queued", steps.STEPS["queued"])
    completed = status == steps.COMPLETED
    quality = (result or {}).get("quality") or record.get("quality") or {}
    issues = list((result or {}).get("warnings") or record.get("warnings") or [])
    basis = metric_basis(record.get("height"), quality.get("scale"))
    note = height_note(basis)
    if note and completed:
        issues.append(note)
    error = record.get("error") or None
    view = {
        "id": record["id"],
        "analysis_id": record["id"],
        "patient_id": record.get("patient_id"),
        "filename": record.get("filename"),
        "video_url": video_url,
        "status": status,
        "current_step": step.frontend_step,
        "step": step.name,
        "step_progress": record.get("step_progress", step.progress),
        "step_message": record.get("step_message") or step.message,
        "steps_completed": record.get("steps_completed", []),
        "created_at": record.get("created_at"),
        "updated_at": record.get("updated_at"),
        # The old service's ``error`` was a sentence; the code and reason are in ``failure``.
        "error": error.get("message") if error else None,
        "failure": error,
        "video_quality_valid": True if completed else None,
        "video_quality_issues": issues,
        "video_quality_recommendations": [],
        "parameters": record.get("params") or {},
        "height": record.get("height"),
    }
    if completed:
        si = (result or {}).get("metrics") or record.get("metrics_si") or {}
        view.update(
            metrics=legacy_metrics(si, basis),
            result=result,
            quality=quality,
            video_quality_score=video_quality_score(quality),
            pose_detection_rate=pose_detection_rate(quality),
        )
    return _present(view)
