"""Temporal and spatial gait parameters: one array expression over the contacts table each.

Notation (rows of :class:`gait.walk.contacts.Contacts`, in walking order): ``IC(k)``,
``FO(k)`` the initial contact and foot off of contact ``k`` (s), ``x(k)`` its heel position
(px), ``S(x)`` the stature in pixels at column ``x``. Feet alternate, so contact ``k + 1`` is
the other foot and ``k + 2`` the same foot again.

* A **step** ``k -> k + 1`` needs two consecutive contacts of one pass; it is reported on
  its second contact (the foot that lands).
* A **stride** ``k -> k + 2`` needs three; it is one foot's cycle from its IC to its next.

Each parameter is defined once, below, with its formula; an event that was not seen (NaN)
leaves every parameter built on it NaN, i.e. unmeasured. The result's ``steps`` and
``metrics`` (:func:`steps`, :func:`summary`), the legacy view, the report, the demo and the
accuracy benchmark all read these definitions through the result's keys.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gait.walk.contacts import Contacts

# -- which rows form steps and strides ---------------------------------------------------


def step_starts(c: Contacts) -> np.ndarray:
    """Rows ``k`` such that ``k -> k + 1`` is a measured step: consecutive footprints of one
    pass, both initial contacts seen. ``(s,)`` int."""
    k = np.arange(max(0, len(c) - 1))
    return k[_consecutive(c, k, 1) & np.isfinite(step_time_s(c, k))]


def stride_starts(c: Contacts) -> np.ndarray:
    """Rows ``k`` such that ``k -> k + 2`` is a measured stride. ``(r,)`` int."""
    k = np.arange(max(0, len(c) - 2))
    return k[_consecutive(c, k, 2) & np.isfinite(stride_time_s(c, k))]


def _consecutive(c: Contacts, k: np.ndarray, span: int) -> np.ndarray:
    return (c.pass_index[k + span] == c.pass_index[k]) & (c.order[k + span] == c.order[k] + span)


# -- per step (k -> k + 1) ---------------------------------------------------------------


def step_time_s(c: Contacts, k: np.ndarray) -> np.ndarray:
    """Step time (s): ``IC(k + 1) − IC(k)``."""
    return c.ic_time_s[k + 1] - c.ic_time_s[k]


def step_length_stature_ratio(c: Contacts, k: np.ndarray) -> np.ndarray:
    """Step length in statures: ``|x(k + 1) − x(k)| / S((x(k) + x(k + 1)) / 2)``."""
    return _length_statures(c, k, k + 1)


def stance_time_s(c: Contacts, k: np.ndarray) -> np.ndarray:
    """Stance time (s) of contact ``k``: ``FO(k) − IC(k)``."""
    return c.fo_time_s[k] - c.ic_time_s[k]


def initial_double_support_time_s(c: Contacts, k: np.ndarray) -> np.ndarray:
    """The one double-support transition that opens contact ``k + 1`` (s): both feet down
    from its initial contact until the other foot leaves, ``FO(k) − IC(k + 1)``.

    One transition: a stride holds two (see :func:`double_support_time_s`)."""
    return c.fo_time_s[k] - c.ic_time_s[k + 1]


# -- per stride (k -> k + 2) -------------------------------------------------------------


def stride_time_s(c: Contacts, k: np.ndarray) -> np.ndarray:
    """Stride time (s): ``IC(k + 2) − IC(k)``."""
    return c.ic_time_s[k + 2] - c.ic_time_s[k]


def swing_time_s(c: Contacts, k: np.ndarray) -> np.ndarray:
    """Swing time (s): ``IC(k + 2) − FO(k)``, so stance + swing = stride exactly."""
    return c.ic_time_s[k + 2] - c.fo_time_s[k]


def double_support_time_s(c: Contacts, k: np.ndarray) -> np.ndarray:
    """Double support of the stride (s), both of its transitions:
    ``(FO(k) − IC(k + 1)) + (FO(k + 1) − IC(k + 2))``, i.e. the initial double support of
    contacts ``k + 1`` and ``k + 2``."""
    return initial_double_support_time_s(c, k) + initial_double_support_time_s(c, k + 1)


def single_support_time_s(c: Contacts, k: np.ndarray) -> np.ndarray:
    """Single support of the stride (s): stance less the stride's double support,
    ``stance(k) − double_support(k)`` (the other foot's swing), so single + double = stance
    exactly. NaN where that would be negative: such contacts are mistimed, not walking."""
    single = stance_time_s(c, k) - double_support_time_s(c, k)
    return np.where(single >= 0, single, np.nan)


def stride_length_stature_ratio(c: Contacts, k: np.ndarray) -> np.ndarray:
    """Stride length in statures: ``|x(k + 2) − x(k)| / S((x(k) + x(k + 2)) / 2)``."""
    return _length_statures(c, k, k + 2)


def percent_of_stride(time_s: np.ndarray, stride_s: np.ndarray) -> np.ndarray:
    """A phase as a share of its stride (%): ``100 · phase / stride``."""
    return 100.0 * time_s / stride_s


def metres(stature_ratio: np.ndarray, height_m: float | None) -> np.ndarray:
    """A length in metres: ``ratio · height_m``; NaN without a height."""
    return stature_ratio * height_m if height_m is not None else np.full(stature_ratio.size, np.nan)


def _length_statures(c: Contacts, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    mid = 0.5 * (c.heel_x_px[a] + c.heel_x_px[b])
    s0, s1 = c.stature_px
    return np.abs(c.heel_x_px[b] - c.heel_x_px[a]) / (s0 + s1 * mid)


# -- the result's steps and metrics ------------------------------------------------------


def step_values(c: Contacts, height_m: float | None) -> dict[str, np.ndarray]:
    """Every per-step parameter, ``(s,)`` arrays over :func:`step_starts` (and ``row``,
    the row of the step's second contact), rounded as the result reports them, so the
    step metrics summarise exactly the ``steps`` a reader sees."""
    k = step_starts(c)
    ratio = step_length_stature_ratio(c, k)
    return {
        "row": k + 1,
        "step_time_s": _reported(step_time_s(c, k), 6),
        "step_length_m": _reported(metres(ratio, height_m), 4),
        "step_length_stature_ratio": _reported(ratio, 5),
        "stance_time_s": _reported(stance_time_s(c, k + 1), 6),
        "initial_double_support_time_s": _reported(initial_double_support_time_s(c, k), 6),
    }


def stride_values(c: Contacts, height_m: float | None) -> dict[str, np.ndarray]:
    """Every per-stride parameter, ``(r,)`` arrays over :func:`stride_starts` (and
    ``row``, the stride's first contact)."""
    k = stride_starts(c)
    stride = stride_time_s(c, k)
    ratio = stride_length_stature_ratio(c, k)
    length_m = metres(ratio, height_m)
    values = {"row": k, "stride_time_s": stride}
    for phase, time_s in (
        ("stance", stance_time_s(c, k)),
        ("swing", swing_time_s(c, k)),
        ("double_support", double_support_time_s(c, k)),
        ("single_support", single_support_time_s(c, k)),
    ):
        values[f"{phase}_time_s"] = time_s
        values[f"{phase}_pct"] = percent_of_stride(time_s, stride)
    values.update(
        {
            "stride_length_m": length_m,
            "stride_length_stature_ratio": ratio,
            "speed_mps": length_m / stride,
            "speed_statures_per_s": ratio / stride,
        }
    )
    return values


def steps(
    c: Contacts, per_step: dict[str, np.ndarray], video_px_per_analysis_px: float
) -> list[dict[str, Any]]:
    """The result's ``steps``: one dict per step (None where unmeasured)."""
    out = []
    for i, row in enumerate(per_step["row"]):
        out.append(
            {
                "foot": str(c.foot[row]),
                "heel_x_px": _rounded(c.heel_x_px[row] * video_px_per_analysis_px, 1),
                "ic_frame": int(c.ic_frame[row]),
                "ic_time_s": _rounded(c.ic_time_s[row], 6),
                "fo_frame": int(c.fo_frame[row]) if np.isfinite(c.fo_frame[row]) else None,
                "fo_time_s": _rounded(c.fo_time_s[row], 6),
                **{key: _rounded(per_step[key][i]) for key in STEP_KEYS},
            }
        )
    return out


def summary(
    c: Contacts, per_step: dict[str, np.ndarray], per_stride: dict[str, np.ndarray]
) -> dict[str, Any]:
    """The result's ``metrics``: mean, SD and CV of every per-step and per-stride parameter,
    cadence, walk ratio and asymmetries; None for each value that cannot be measured."""
    metrics: dict[str, Any] = {}
    step_times = per_step["step_time_s"]
    metrics.update(_stats("step_time", "s", step_times))
    mean_step = metrics["step_time_s"]
    metrics["cadence_spm"] = round(60.0 / mean_step, 3) if mean_step else None
    metrics["cadence_sd_spm"] = _stats("c", "spm", 60.0 / step_times[step_times != 0])["c_sd_spm"]
    metrics.update(_stats("stride_time", "s", per_stride["stride_time_s"]))
    for key in SUPPORT_PHASES:
        metrics.update(_stats(f"{key}_time", "s", per_stride[f"{key}_time_s"]))
        metrics.update(_stats(key, "pct", per_stride[f"{key}_pct"], 3))
    metrics.update(_stats("step_length", "m", per_step["step_length_m"]))
    metrics.update(_stats("step_length", "stature_ratio", per_step["step_length_stature_ratio"]))
    metrics.update(_stats("stride_length", "m", per_stride["stride_length_m"]))
    metrics.update(
        _stats("stride_length", "stature_ratio", per_stride["stride_length_stature_ratio"])
    )
    metrics.update(_stats("speed", "mps", per_stride["speed_mps"]))
    metrics.update(_stats("speed", "statures_per_s", per_stride["speed_statures_per_s"]))
    step_m, cadence = metrics["step_length_m"], metrics["cadence_spm"]
    metrics["walk_ratio_m_per_spm"] = (
        round(step_m / cadence, 6) if step_m is not None and cadence else None
    )
    feet = c.foot[per_step["row"]]
    metrics["step_time_asymmetry_pct"] = _asymmetry(step_times, feet)
    metrics["step_length_asymmetry_pct"] = _asymmetry(per_step["step_length_stature_ratio"], feet)
    metrics["stance_time_asymmetry_pct"] = _asymmetry(per_step["stance_time_s"], feet)
    metrics["steady_steps"] = int(step_times.size)
    metrics["steady_strides"] = int(per_stride["stride_time_s"].size)
    return metrics


#: The per-step parameters of the result's ``steps``, in their order.
STEP_KEYS = (
    "step_time_s",
    "step_length_m",
    "step_length_stature_ratio",
    "stance_time_s",
    "initial_double_support_time_s",
)


def _reported(values: np.ndarray, digits: int) -> np.ndarray:
    """``values`` rounded to ``digits`` decimals as Python's ``round`` does (NumPy's
    rounding differs in the last place for some values)."""
    return np.array([round(float(v), digits) for v in values], dtype=np.float64)


def _rounded(value: float, digits: int | None = None) -> float | None:
    """A JSON value: None when unmeasured (NaN), else a float, rounded if ``digits``."""
    if not np.isfinite(value):
        return None
    return float(value) if digits is None else round(float(value), digits)


def _stats(name: str, unit: str, values: np.ndarray, digits: int = 4) -> dict[str, Any]:
    """``{name}_{unit}`` (mean), ``{name}_sd_{unit}``, ``{name}_cv_pct`` of the measured
    (finite) values; None where there are too few."""
    data = values[np.isfinite(values)]
    mean = float(data.mean()) if data.size else None
    sd = float(data.std(ddof=1)) if data.size >= 2 else None
    cv = 100.0 * sd / mean if sd is not None and mean else None
    return {
        f"{name}_{unit}": _rounded_or_none(mean, digits),
        f"{name}_sd_{unit}": _rounded_or_none(sd, digits),
        f"{name}_cv_pct": _rounded_or_none(cv, digits),
    }


def _rounded_or_none(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _asymmetry(values: np.ndarray, feet: np.ndarray) -> float | None:
    """Asymmetry (%): ``|mean_A − mean_B| / mean · 100`` between the two feet (``A``/``B``
    or ``left``/``right``); None unless both feet have values."""
    measured = np.isfinite(values)
    names = sorted(set(feet.tolist()))
    if len(names) != 2:
        return None
    a, b = values[measured & (feet == names[0])], values[measured & (feet == names[1])]
    if not a.size or not b.size:
        return None
    mean = float(np.mean(np.concatenate([a, b])))
    return round(100.0 * abs(np.mean(a) - np.mean(b)) / mean, 3) if mean else None


#: The parameters that derive from the foot-off times (withheld together when implausible).
SUPPORT_PHASES = ("stance", "swing", "double_support", "single_support")
#: Walking, by definition, always has a foot on the floor and both at each transition:
#: stance is over half the stride and double support is positive. Pathological gait reaches
#: ~80 % stance (the non-paretic side in hemiparesis, very slow gait) and ~50 % double
#: support; values outside these bounds are not walking but mistimed contacts (issue 8 names
#: stance outside 50-85 %).
STANCE_PCT_RANGE = (50.0, 85.0)
DOUBLE_SUPPORT_PCT_RANGE = (0.0, 60.0)
#: The per-step values that derive from the foot-off times.
STEP_SUPPORT_KEYS = ("stance_time_s", "initial_double_support_time_s")


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
