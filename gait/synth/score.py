"""Scoring a gait result against truth: events matched one to one, metric errors.

Used by the accuracy benchmark (``benchmarks/accuracy.py``) and the accuracy tests, so both
score the same way. Events are ``{"type": "initial_contact" | "foot_off", "time_s", ...}``
dicts, as in the result and in the synthetic truth.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: An estimated event matches a true one of the same type within this time (s): half a
#: step of slow walking, so a match is never the neighbouring event.
MATCH_WINDOW_S = 0.15
#: The two event types and their short names in score rows.
EVENT_KINDS = (("initial_contact", "ic"), ("foot_off", "fo"))


def match_events(
    estimated: list[dict[str, Any]],
    truth: list[dict[str, Any]],
    kind: str,
    window: tuple[float, float] | None = None,
    also_true: list[dict[str, Any]] | None = None,
) -> tuple[list[float], int, int, int]:
    """``(signed errors s, true events, found, false)`` for one event type.

    Each true event (within ``window``, s, when given) takes the nearest unused estimated
    event within :data:`MATCH_WINDOW_S`; errors are estimated − true. An estimated event left
    unmatched is false unless it matches one of ``also_true`` (real events the method need
    not report, e.g. the heel strike of a foot still standing when the clip ends).
    """
    est = sorted(e["time_s"] for e in estimated if e["type"] == kind)
    tru = sorted(t["time_s"] for t in truth if t["type"] == kind)
    if window is not None:
        tru = [t for t in tru if window[0] <= t <= window[1]]
    used: set[int] = set()
    errors = []
    for t in tru:
        best = None
        for i, e in enumerate(est):
            if (
                i not in used
                and abs(e - t) <= MATCH_WINDOW_S
                and (best is None or abs(e - t) < abs(est[best] - t))
            ):
                best = i
        if best is not None:
            used.add(best)
            errors.append(est[best] - t)
    others = sorted(t["time_s"] for t in also_true or [] if t["type"] == kind)
    false = len(
        [
            e
            for i, e in enumerate(est)
            if i not in used
            and (window is None or window[0] <= e <= window[1])
            and not any(abs(e - t) <= MATCH_WINDOW_S for t in others)
        ]
    )
    return errors, len(tru), len(errors), false


def steady_true_events(truth: dict[str, Any]) -> list[dict[str, Any]]:
    """The true events of footprints fully inside the frame: what the method should find."""
    in_frame = [f for f in truth["footprints"] if f["in_frame"]]
    ic_frames = {f["ic_frame"] for f in in_frame}
    fo_frames = {f["fo_frame"] for f in in_frame}
    return [
        e
        for e in truth["events"]
        if (e["type"] == "initial_contact" and e["frame"] in ic_frames)
        or (e["type"] == "foot_off" and e["frame"] in fo_frames)
    ]


def score_synthetic(result: dict[str, Any], truth: dict[str, Any]) -> dict[str, Any]:
    """Errors of a result (the result JSON as a dict) against a synthetic clip's truth.

    Per event type (``ic``, ``fo``): ``*_mae_ms``, ``*_bias_ms``, ``*_found_pct``,
    ``*_false``; then metric errors (measured − true): ``step_len_err_cm``,
    ``stride_len_err_cm``, ``speed_err_pct``, ``cadence_err_spm``, ``stance_err_pts``,
    ``double_support_err_pts``, and ``steady_steps``. None where either side is unmeasured.
    """
    row: dict[str, Any] = {}
    times = [e["time_s"] for e in result["events"]]
    window = (min(times) - 0.2, max(times) + 0.2) if times else None
    steady = steady_true_events(truth)
    for kind, key in EVENT_KINDS:
        errors, n_true, found, false = match_events(
            result["events"], steady, kind, window, also_true=truth["events"]
        )
        row[f"{key}_mae_ms"] = 1000 * float(np.mean(np.abs(errors))) if errors else None
        row[f"{key}_bias_ms"] = 1000 * float(np.mean(errors)) if errors else None
        row[f"{key}_found_pct"] = 100.0 * found / n_true if n_true else None
        row[f"{key}_false"] = false
    m, t = result["metrics"], truth["metrics"]
    row["step_len_err_cm"] = _error(m["step_length_m"], t["step_length_m"], 100)
    row["stride_len_err_cm"] = _error(m["stride_length_m"], t["stride_length_m"], 100)
    row["speed_err_pct"] = (
        100 * (m["speed_mps"] - t["speed_mps"]) / t["speed_mps"] if m["speed_mps"] else None
    )
    row["cadence_err_spm"] = _error(m["cadence_spm"], t["cadence_spm"])
    row["stance_err_pts"] = _error(m["stance_pct"], t["stance_pct"])
    row["double_support_err_pts"] = _error(m["double_support_pct"], t["double_support_pct"])
    row["steady_steps"] = m["steady_steps"]
    return row


def score_annotated(
    result: dict[str, Any], annotated: list[dict[str, Any]], fps: float
) -> dict[str, Any]:
    """Errors of a result against hand-annotated events ``{"type": "IC" | "FO", "frame"}``
    of a real clip, in frames at ``fps``: ``*_mae_ms``, ``*_mae_frames``,
    ``*_bias_frames``, ``*_found`` (``"found/true"``), ``*_false`` per event type."""
    row: dict[str, Any] = {}
    names = {"IC": "initial_contact", "FO": "foot_off"}
    truth = [{"type": names[e["type"]], "time_s": e["frame"] / fps} for e in annotated]
    est = [{"type": e["type"], "time_s": e["frame"] / fps} for e in result["events"]]
    for kind, key in EVENT_KINDS:
        errors, n_true, found, false = match_events(est, truth, kind)
        row[f"{key}_mae_ms"] = 1000 * float(np.mean(np.abs(errors))) if errors else None
        row[f"{key}_mae_frames"] = float(np.mean(np.abs(errors))) * fps if errors else None
        row[f"{key}_bias_frames"] = float(np.mean(errors)) * fps if errors else None
        row[f"{key}_found"] = f"{found}/{n_true}"
        row[f"{key}_false"] = false
    return row


def _error(measured: float | None, true: float | None, factor: float = 1.0) -> float | None:
    return None if measured is None or true is None else (measured - true) * factor


def angle_mae_deg(
    events: list[dict[str, Any]],
    per_foot_deg: dict[str, dict[str, np.ndarray]],
    frames: np.ndarray,
    truth: dict[str, Any],
) -> dict[str, float]:
    """Per joint, the mean absolute error (deg) of both feet's per-frame angles against the
    synthetic truth (``truth["joint_angles_deg"][side][joint]``, one value per video frame).

    ``per_foot_deg[foot][joint]`` has shape ``(n,)`` for the ``(n,)`` video ``frames``, NaN
    where withheld; only measured frames count. Each result foot is matched to the true side
    whose initial contacts (``events``) are nearest most of its own.
    """
    true_ic = {e["frame"]: e["foot"] for e in truth["events"] if e["type"] == "initial_contact"}
    errors: dict[str, list[np.ndarray]] = {}
    for foot, per_joint in per_foot_deg.items():
        ics = [e["frame"] for e in events if e["type"] == "initial_contact" and e["foot"] == foot]
        names = [true_ic[min(true_ic, key=lambda f: abs(f - ic))] for ic in ics]
        side = max(set(names), key=names.count)
        for joint, estimate in per_joint.items():
            true = np.asarray(truth["joint_angles_deg"][side][joint])[frames]
            seen = np.isfinite(estimate)
            errors.setdefault(joint, []).append(np.abs(estimate[seen] - true[seen]))
    return {joint: float(np.mean(np.concatenate(e))) for joint, e in errors.items()}
