"""A one-page picture of a result: the walk with its footprints, and the stance timeline."""

from __future__ import annotations

import os
from typing import Any

import cv2
import numpy as np

from gait.video import probe, read_frames_at

#: Width of the report picture, pixels.
REPORT_WIDTH_PX = 1280
# BGR: orange, blue; feet are A/B, or left/right once named (gait/walk/sides.py).
FOOT_COLOURS = {
    "A": (40, 120, 230),
    "B": (200, 120, 30),
    "left": (40, 120, 230),
    "right": (200, 120, 30),
}
_INK = (30, 30, 30)


def write_report(video: str | os.PathLike[str], result: dict[str, Any], path: os.PathLike) -> None:
    """Draw ``result`` (the result JSON as a dict) over a frame of ``video``; write a PNG.

    Top: the frame at the middle initial contact, each step's heel position marked on the
    floor line with its length. Bottom: each foot's stance intervals over time (double
    support where they overlap), and the headline metrics.
    """
    info = probe(video)
    width, height = info.display_size
    scale = REPORT_WIDTH_PX / width
    size = (REPORT_WIDTH_PX, 2 * round(height * scale / 2))
    contacts = [e for e in result["events"] if e["type"] == "initial_contact"]
    frame_index = contacts[len(contacts) // 2]["frame"] if contacts else info.frame_count // 2
    _, _, picture = next(iter(read_frames_at(info, np.array([frame_index]), size)))
    picture = picture.copy()
    _draw_footprints(picture, result, scale)
    timeline = _timeline(result, REPORT_WIDTH_PX)
    cv2.imwrite(os.fspath(path), np.vstack([picture, timeline]))


def _draw_footprints(picture: np.ndarray, result: dict[str, Any], scale: float) -> None:
    floor = result["quality"].get("floor_line_px") or {}
    intercept, slope = floor.get("intercept"), floor.get("slope", 0.0)
    if intercept is None:
        return
    for step in result["steps"]:
        x = step["heel_x_px"]
        y = intercept + slope * x
        point = (round(x * scale), round(y * scale))
        colour = FOOT_COLOURS.get(step["foot"], _INK)
        cv2.line(picture, (point[0], point[1] - 40), (point[0], point[1] + 10), colour, 3)
        length = step["step_length_m"]
        label = (
            f"{100 * length:.0f} cm"
            if length is not None
            else f"{step['step_length_stature_ratio']:.2f} st"
        )
        cv2.putText(
            picture,
            label,
            (point[0] - 30, point[1] + 32),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.55,
            colour,
            2,
            cv2.LINE_AA,
        )


def _timeline(result: dict[str, Any], width: int) -> np.ndarray:
    panel = np.full((190, width, 3), 250, np.uint8)
    metrics = result["metrics"]
    headline = "   ".join(
        text
        for text in (
            _metric(metrics, "cadence_spm", "cadence {:.0f} steps/min"),
            _metric(metrics, "speed_mps", "speed {:.2f} m/s"),
            _metric(metrics, "step_length_m", "step {:.2f} m"),
            _metric(metrics, "stance_pct", "stance {:.0f} %"),
            _metric(metrics, "double_support_pct", "double support {:.0f} %"),
            _metric(metrics, "steady_steps", "{:d} steady steps"),
        )
        if text
    )
    cv2.putText(panel, headline, (20, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.65, _INK, 2, cv2.LINE_AA)
    events = sorted(result["events"], key=lambda e: e["time_s"])
    if not events:
        return panel
    start, stop = events[0]["time_s"] - 0.3, events[-1]["time_s"] + 0.3
    left, right = 80, width - 30

    def x_of(time_s: float) -> int:
        return round(left + (right - left) * (time_s - start) / max(stop - start, 1e-6))

    named = {e["foot"] for e in events} & {"left", "right"}
    for row, foot in enumerate(("left", "right") if named else ("A", "B")):
        top = 60 + row * 50
        cv2.putText(panel, f"foot {foot}", (10, top + 25), cv2.FONT_HERSHEY_SIMPLEX, 0.55, _INK, 1)
        opened: float | None = None
        for event in (e for e in events if e["foot"] == foot):
            if event["type"] == "initial_contact":
                opened = event["time_s"]
            elif opened is not None:
                cv2.rectangle(
                    panel,
                    (x_of(opened), top),
                    (x_of(event["time_s"]), top + 35),
                    FOOT_COLOURS[foot],
                    -1,
                )
                opened = None
    for tick in np.arange(np.ceil(start * 2) / 2, stop, 0.5):
        cv2.line(panel, (x_of(tick), 160), (x_of(tick), 166), _INK, 1)
        cv2.putText(
            panel, f"{tick:.1f} s", (x_of(tick) - 15, 182), cv2.FONT_HERSHEY_SIMPLEX, 0.4, _INK, 1
        )
    return panel


def _metric(metrics: dict[str, Any], key: str, template: str) -> str:
    value = metrics.get(key)
    return "" if value is None else template.format(value)
