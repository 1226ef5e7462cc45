"""Rendering a whole clip: plan, kinematics, frames, encoding and the truth JSON beside it."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np

from gait.synth import truth as T
from gait.synth.encode import TIME_BASE, Mp4Writer, frame_pts
from gait.synth.kinematics import Body, joint_angles_deg, walker_pose
from gait.synth.params import SynthParams
from gait.synth.render import FrameRenderer
from gait.synth.scene import Camera, make_background, make_camera
from gait.synth.timing import Footprint, plan_footprints

START_FRAC = 0.15  # start/stop mode: standing pelvis position, fraction of the view from entry
WALK_FRAC = 0.65  # start/stop mode: distance walked, fraction of the view width


def truth_path(video_path: Path) -> Path:
    """``x.mp4`` -> ``x.truth.json``."""
    return video_path.with_suffix(".truth.json")


def frame_times(params: SynthParams, rng: np.random.Generator) -> np.ndarray:
    """Presentation times (s) of all frames, first at 0, on the container's 1/90000 s clock.

    VFR draws every interval uniformly from [vfr_min_interval_s, vfr_max_interval_s].
    """
    if params.vfr:
        n_max = int(params.duration_s / params.vfr_min_interval_s) + 2
        gaps = rng.uniform(params.vfr_min_interval_s, params.vfr_max_interval_s, n_max)
        times = np.concatenate([[0.0], np.cumsum(gaps)])
    else:
        times = np.arange(int(np.ceil(params.duration_s * params.fps)) + 1) / params.fps
    times = times[times < params.duration_s - 1e-9]
    return frame_pts(times) * float(TIME_BASE)


def plan(params: SynthParams) -> tuple[list[Footprint], Camera]:
    """Footprints (walker coordinates) and the camera placed so the walk fits the story."""
    camera = make_camera(params)
    prints = plan_footprints(params, WALK_FRAC * camera.view_width_m)
    if params.start_stop_inside:
        hip0 = walker_pose(np.array([0.0]), prints, params).hip[0, 0]
        origin = hip0 - START_FRAC * camera.view_width_m
    else:
        hip0 = walker_pose(np.array([params.entry_time_s]), prints, params).hip[0, 0]
        origin = hip0
    return prints, dataclasses.replace(camera, origin_m=float(origin))


def build_truth(
    params: SynthParams, prints: list[Footprint], camera: Camera, times_s: np.ndarray,
    angles: dict[str, dict[str, np.ndarray]],
) -> dict[str, Any]:
    """The truth dict (schema in the package docstring)."""
    body = Body(params.height_m)
    near = "right" if params.direction == "left_to_right" else "left"
    rot = params.rotation_deg
    stored = (params.height, params.width) if rot in (90, 270) else (params.width, params.height)
    footprints = T.footprint_records(prints, times_s, camera, body, near)
    steps = T.step_records(footprints)
    return {
        "schema_version": T.SCHEMA_VERSION,
        "params": params.to_json(),
        "video": {
            "width": stored[0], "height": stored[1],
            "display_width": params.width, "display_height": params.height,
            "fps": params.fps, "frame_count": len(times_s),
            "duration_s": float(times_s[-1] + (times_s[-1] - times_s[-2] if len(times_s) > 1
                                               else 1 / params.fps)),
            "variable_frame_rate": params.vfr, "rotation_deg": rot,
        },
        "frame_times_s": [float(t) for t in times_s],
        "height_m": params.height_m,
        "stature_px": params.height_m * camera.pixels_per_m,
        "pixels_per_m": camera.pixels_per_m,
        "floor_y_px": camera.floor_y_px,
        "direction": params.direction,
        "footprints": footprints,
        "events": T.event_records(footprints),
        "steps": steps,
        "metrics": T.metrics(steps),
        "joint_angles_deg": {
            f: {j: [round(float(v), 2) for v in a] for j, a in per.items()}
            for f, per in angles.items()
        },
    }


def render_clip(out_path: Path, params: SynthParams) -> dict[str, Any]:
    """Render ``params`` to an H.264 MP4 at ``out_path`` and its truth JSON beside it.

    Returns the truth dict (also written to ``out_path.with_suffix('.truth.json')``).
    """
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(params.seed)
    times = frame_times(params, rng)
    prints, camera = plan(params)
    pose = walker_pose(times, prints, params)
    background = make_background(params, camera, rng)
    renderer = FrameRenderer(params, camera, pose, background, rng)
    pts = frame_pts(times)
    with Mp4Writer(out_path, (params.width, params.height), params.fps, params.rotation_deg,
                   params.crf, params.x264_preset) as writer:
        for i in range(len(times)):
            writer.write(renderer.frame(i), int(pts[i]))
    truth = build_truth(params, prints, camera, times, joint_angles_deg(pose, Body(params.height_m)))
    truth_path(out_path).write_text(json.dumps(truth, indent=1))
    return truth
