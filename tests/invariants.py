"""Invariants every gait result must satisfy, checked on each result the tests produce."""

from __future__ import annotations

import numpy as np

from gait.result import Result
from gait.walk import parameters

#: Metric means are rounded to 3 decimals: their sums may be off by this much.
ROUNDING_PCT = 0.002


def assert_invariants(result: Result) -> None:
    """Per stride: stance + swing = stride (100 %), single + double support = stance, no
    negative time; per step likewise; the metric means: stance + swing = 100 %; every
    withheld metric null."""
    contacts = result.contacts
    assert contacts is not None, "measure() attaches the contacts table"
    strides = parameters.stride_values(contacts, None)
    stride = strides["stride_time_s"]
    # A foot off that was not seen, or was withheld, leaves stance and swing unmeasured.
    timed = np.isfinite(strides["stance_time_s"])
    np.testing.assert_allclose(
        strides["stance_time_s"][timed] + strides["swing_time_s"][timed], stride[timed]
    )
    np.testing.assert_allclose(strides["stance_pct"][timed] + strides["swing_pct"][timed], 100.0)
    single = strides["single_support_time_s"]
    measured = np.isfinite(single)
    np.testing.assert_allclose(
        single[measured] + strides["double_support_time_s"][measured],
        strides["stance_time_s"][measured],
    )
    steps = parameters.step_values(contacts, None)
    # Support phases a result withholds as implausible (a shaking camera) may be negative.
    reported = result.metrics["stance_pct"] is not None
    for name, values in [*strides.items(), *steps.items()]:
        support = name.startswith((*parameters.SUPPORT_PHASES, "initial_double_support"))
        if name.endswith(("_s", "_pct")) and (reported or not support):
            finite = values[np.isfinite(values)]
            assert np.all(finite >= 0), (name, finite)
    for step in result.steps:
        for key, value in step.items():
            assert value is None or not key.endswith("_s") or value >= 0, (key, value)
    m = result.metrics
    # What the self-checks withheld is absent from the metrics, never a number.
    for key in result.quality.get("withheld_metrics", []):
        assert m[key] is None, (key, m[key])
    if m["stance_pct"] is not None and m["swing_pct"] is not None:
        assert abs(m["stance_pct"] + m["swing_pct"] - 100.0) <= ROUNDING_PCT
    for key, value in m.items():
        assert value is None or not key.endswith(("_s", "_pct")) or value >= 0, (key, value)
