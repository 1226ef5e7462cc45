"""Rendering a whole clip: plan, kinematics, frames, encoding and the truth JSON beside it."""

from __future__ import annotations

import dataclasses
import json
import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from gait.synth import truth as T
from gait.synth.companion import SceneRenderer, companion_renderer, companion_truth, plan_companion
from gait.synth.encode import TIME_BASE, Mp4Writer, frame_pts
from gait.synth.kinematics import Body, Pose, joint_angles_deg, walker_pose
from gait.synth.params import SynthParams, near_side
from gait.synth.render import FrameRenderer
from gait.synth.scene import Camera, make_background, make_camera
from gait.synth.timing import Footprint, plan_footprints
from gait.synth.tracking_shot import tracking_renderer

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


PASS_MARGIN_M = 0.8  # pelvis distance outside the view at which the walker is fully out


def pass_shift(hip_x_m: np.ndarray, camera: Camera, params: SynthParams) -> np.ndarray:
    """Walker-x shift (m) that makes the walker re-enter after leaving (0 without repeats).

    The walk wraps with period view width + 2 margins, so the jump happens while the walker is
    entirely outside the image.
    """
    if params.start_stop_inside or not params.repeat_passes:
        return np.zeros_like(hip_x_m)
    period = camera.view_width_m + 2 * PASS_MARGIN_M
    return np.floor((hip_x_m - camera.origin_m + PASS_MARGIN_M) / period) * period


def shift_pose(pose: Pose, shift: np.ndarray) -> Pose:
    """The pose moved back along x by ``shift`` (N,) metres."""
    d = np.stack([shift, np.zeros_like(shift)], axis=1)
    feet = {f: dataclasses.replace(fp, ankle=fp.ankle - d) for f, fp in pose.feet.items()}
    return dataclasses.replace(
        pose,
        hip=pose.hip - d,
        shoulder=pose.shoulder - d,
        head_center=pose.head_center - d,
        knee={f: v - d for f, v in pose.knee.items()},
        feet=feet,
        elbow={f: v - d for f, v in pose.elbow.items()},
        wrist={f: v - d for f, v in pose.wrist.items()},
        hand_tip={f: v - d for f, v in pose.hand_tip.items()},
    )


def build_truth(
    params: SynthParams,
    prints: list[Footprint],
    camera: Camera,
    times_s: np.ndarray,
    angles: dict[str, dict[str, np.ndarray]],
    walking_line_shift_px: np.ndarray | None = None,
) -> dict[str, Any]:
    """The truth dict (schema in the :mod:`gait.synth` docstring); ``walking_line_shift_px``
    ``(n,)`` the image shift of the walking line per frame of a tracking shot (display px;
    None: the camera stands still)."""
    body = Body(params.height_m)
    near = near_side(params.direction)
    rot = params.rotation_deg
    stored = (params.height, params.width) if rot in (90, 270) else (params.width, params.height)
    walk_x = [fp.heel_x_m for fp in prints]
    mid = np.array(
        [fp.ic_time_s + 0.3 if math.isfinite(fp.ic_time_s) else fp.fo_time_s - 0.3 for fp in prints]
    )
    mid = np.where(np.isfinite(mid), mid, 0.0)
    shift = pass_shift(walker_pose(mid, prints, params).hip[:, 0], camera, params)
    shown = [
        dataclasses.replace(fp, heel_x_m=fp.heel_x_m - s)
        for fp, s in zip(prints, shift, strict=True)
    ]
    footprints = T.footprint_records(
        shown, times_s, camera, body, near, walk_x, walking_line_shift_px
    )
    steps = T.step_records(footprints)
    return {
        "schema_version": T.SCHEMA_VERSION,
        "params": params.to_json(),
        "video": {
            "width": stored[0],
            "height": stored[1],
            "display_width": params.width,
            "display_height": params.height,
            "fps": params.fps,
            "frame_count": len(times_s),
            "duration_s": float(
                times_s[-1] + (times_s[-1] - times_s[-2] if len(times_s) > 1 else 1 / params.fps)
            ),
            "variable_frame_rate": params.vfr,
            "rotation_deg": rot,
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
    pose = shift_pose(pose, pass_shift(pose.hip[:, 0], camera, params))
    walking_line_shift_px = None
    if params.tracking_shot is not None:
        renderer, walking_line_shift_px = tracking_renderer(params, camera, pose, rng)
        companion = None
    elif (companion := plan_companion(params, camera)) is None:
        background = make_background(params, camera, rng)
        renderer = FrameRenderer(params, camera, pose, background, rng)
    else:
        background = make_background(params, camera, rng)
        renderer = SceneRenderer(
            params,
            camera,
            pose,
            background,
            rng,
            companion_renderer(companion, times, background),
            companion.visible(times),
        )
    pts = frame_pts(times)
    # Draw the next frame while x264 encodes this one (cv2 drawing releases the GIL).
    with (
        Mp4Writer(
            out_path,
            (params.width, params.height),
            params.fps,
            params.rotation_deg,
            params.crf,
            params.x264_preset,
        ) as writer,
        ThreadPoolExecutor(max_workers=1) as pool,
    ):
        pending = pool.submit(renderer.frame, 0)
        for i in range(len(times)):
            image = pending.result()
            if i + 1 < len(times):
                pending = pool.submit(renderer.frame, i + 1)
            writer.write(image, int(pts[i]))
    angles = joint_angles_deg(pose, Body(params.height_m))
    truth = build_truth(params, prints, camera, times, angles, walking_line_shift_px)
    if walking_line_shift_px is not None:
        truth["camera"] = {
            "kind": "tracking",
            "depth_ratio": params.tracking_shot,
            "walking_line_shift_px": [round(float(s), 3) for s in walking_line_shift_px],
        }
    if companion is not None:
        truth["companion"] = companion_truth(companion, times)
    truth_path(out_path).write_text(json.dumps(truth, indent=1))
    return truth
