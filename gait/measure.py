"""From per-frame features of the whole clip to the gait result.

Placeholder until the gait measurement lands: it reports what is measured (how many
frames show something moving) and leaves every gait metric ``None`` with a warning.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from gait.result import Result

if TYPE_CHECKING:
    from gait.pipeline import Plan


def measure(plan: Plan, frame_indices: np.ndarray, arrays: dict[str, np.ndarray]) -> Result:
    """Measure the gait from ``arrays`` (one row per frame in ``frame_indices``)."""
    frames_with_motion = int(np.count_nonzero(arrays["foreground_px"] > 0))
    analysed = max(1, frame_indices.size)
    return Result(
        video=plan.video.to_dict(),
        metrics={"cadence_spm": None, "speed_mps": None, "step_length_m": None},
        quality={
            "frames_analysed": int(frame_indices.size),
            "frames_with_motion_pct": round(100.0 * frames_with_motion / analysed, 2),
        },
        warnings=["gait measurement is not implemented yet: metrics are null"],
    )
