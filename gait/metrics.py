"""Steps, strides and summary metrics from the steady footprints (SI units in every name)."""

from __future__ import annotations

from typing import Any

import numpy as np


def _stats(name: str, unit: str, values: list[float], digits: int = 4) -> dict[str, Any]:
    """``{name}_{unit}`` (mean), ``{name}_sd_{unit}``, ``{name}_cv_pct``; None if unmeasured."""
    data = np.asarray([v for v in values if v is not None], dtype=np.float64)
    mean = float(data.mean()) if data.size else None
    sd = float(data.std(ddof=1)) if data.size >= 2 else None
    cv = 100.0 * sd / mean if sd is not None and mean else None
    r = lambda v: None if v is None else round(v, digits)  # noqa: E731
    return {f"{name}_{unit}": r(mean), f"{name}_sd_{unit}": r(sd), f"{name}_cv_pct": r(cv)}


def _asymmetry(values: list[float | None], feet: list[str]) -> float | None:
    """``|mean_A - mean_B| / mean * 100``; None unless both feet have values."""
    a = [v for v, f in zip(values, feet, strict=True) if f == "A" and v is not None]
    b = [v for v, f in zip(values, feet, strict=True) if f == "B" and v is not None]
    if not a or not b:
        return None
    mean = float(np.mean(a + b))
    return round(100.0 * abs(np.mean(a) - np.mean(b)) / mean, 3) if mean else None


def summarise(steps: list[dict[str, Any]], strides: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean, SD and CV of every per-step and per-stride quantity, plus cadence, speed,
    walk ratio and asymmetries. Every value is None when it cannot be measured."""
    metrics: dict[str, Any] = {}
    step_times = [s["step_time_s"] for s in steps]
    metrics.update(_stats("step_time", "s", step_times))
    mean_step = metrics["step_time_s"]
    metrics["cadence_spm"] = round(60.0 / mean_step, 3) if mean_step else None
    cadences = [60.0 / t for t in step_times if t]
    metrics["cadence_sd_spm"] = _stats("c", "spm", cadences)["c_sd_spm"]
    metrics.update(_stats("stride_time", "s", [s["stride_time_s"] for s in strides]))
    for key in ("stance", "swing", "double_support", "single_support"):
        metrics.update(_stats(f"{key}_time", "s", [s[f"{key}_time_s"] for s in strides]))
        metrics.update(_stats(key, "pct", [s[f"{key}_pct"] for s in strides], 3))
    metrics.update(_stats("step_length", "m", [s["step_length_m"] for s in steps]))
    metrics.update(
        _stats("step_length", "stature_ratio", [s["step_length_stature_ratio"] for s in steps])
    )
    metrics.update(_stats("stride_length", "m", [s["stride_length_m"] for s in strides]))
    metrics.update(
        _stats(
            "stride_length", "stature_ratio", [s["stride_length_stature_ratio"] for s in strides]
        )
    )
    metrics.update(_stats("speed", "mps", [s["speed_mps"] for s in strides]))
    metrics.update(_stats("speed", "statures_per_s", [s["speed_statures_per_s"] for s in strides]))
    step_m, cadence = metrics["step_length_m"], metrics["cadence_spm"]
    metrics["walk_ratio_m_per_spm"] = (
        round(step_m / cadence, 6) if step_m is not None and cadence else None
    )
    feet = [s["foot"] for s in steps]
    metrics["step_time_asymmetry_pct"] = _asymmetry(step_times, feet)
    metrics["step_length_asymmetry_pct"] = _asymmetry(
        [s["step_length_stature_ratio"] for s in steps], feet
    )
    metrics["stance_time_asymmetry_pct"] = _asymmetry([s["stance_time_s"] for s in steps], feet)
    metrics["steady_steps"] = len(steps)
    metrics["steady_strides"] = len(strides)
    return metrics


#: Walking, by definition, always has a foot on the floor and both at each transition:
#: stance is over half the stride and double support is positive. Pathological gait reaches
#: ~80 % stance and ~50 % double support; values outside these bounds are not walking but
#: mistimed contacts.
STANCE_PCT_RANGE = (50.0, 90.0)
DOUBLE_SUPPORT_PCT_RANGE = (0.0, 60.0)
#: The metrics and per-step values that derive from the foot-off times.
SUPPORT_PHASE_PREFIXES = ("stance", "swing", "double_support", "single_support")


def implausible_support_phases(metrics: dict[str, Any]) -> str | None:
    """Why the mean stance or double support cannot be walking, or None when they can."""
    stance, double = metrics.get("stance_pct"), metrics.get("double_support_pct")
    if stance is not None and not STANCE_PCT_RANGE[0] < stance < STANCE_PCT_RANGE[1]:
        return f"stance {stance:.0f} % of the stride is outside {STANCE_PCT_RANGE}"
    if (
        double is not None
        and not DOUBLE_SUPPORT_PCT_RANGE[0] < double < DOUBLE_SUPPORT_PCT_RANGE[1]
    ):
        return f"double support {double:.0f} % of the stride is outside {DOUBLE_SUPPORT_PCT_RANGE}"
    return None


def drop_support_phases(metrics: dict[str, Any], steps: list[dict[str, Any]]) -> None:
    """Set every stance, swing, double- and single-support value to None, in place."""
    for key in metrics:
        if key.startswith(SUPPORT_PHASE_PREFIXES):
            metrics[key] = None
    for step in steps:
        step["stance_time_s"] = None
        step["double_support_time_s"] = None
