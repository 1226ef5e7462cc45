"""An out-and-back synthetic walk filmed by a camera panning after the walker, with its truth.

The renderer draws one-way walks, so the walk there and back is two of them in one wide
scene (the same background, drawn once): the way out (left to right) from standing to
standing, and the way back (right to left), which starts where the way out stopped. The
walker turns on the spot in one frame while standing (a real turn takes a second or two of
shorter steps; here the facing changes between two standing frames). A window the size of
the output (``out_width`` px of the scene's width) pans after the walker's hip, as a camera
operator does (:func:`gait.synth.camera_move.following_pan_px`: 0.25 s late, smoothed over
0.7 s), held at the scene's edges. The truth is the two ways' truths, the way back's frames
and times following the way out's: frames and times are the scene's, so it stays exact.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from gait.synth import truth as T
from gait.synth.camera_move import following_pan_px, window_affine, window_centres_px
from gait.synth.clip import build_truth, frame_times, plan, truth_path
from gait.synth.encode import Mp4Writer, frame_pts
from gait.synth.kinematics import Body, joint_angles_deg, walker_pose
from gait.synth.params import SynthParams
from gait.synth.render import FrameRenderer
from gait.synth.scene import make_background
from gait.synth.timing import Footprint

#: Standing time (s) kept after the walker stops, on each way.
STANDING_AFTER_S = 0.6


def stop_time_s(prints: list[Footprint], params: SynthParams) -> float:
    """When the walker of a start-stop walk has stopped (s): the hip moves less than a
    millimetre per frame from then on."""
    times = np.arange(0.0, 60.0, 1.0 / params.fps)
    hip_x = walker_pose(times, prints, params).hip[:, 0]
    moving = np.flatnonzero(np.abs(np.diff(hip_x)) > 1e-3)
    return float(times[moving[-1] + 1])


def joined_truth(
    out: dict[str, Any], back: dict[str, Any], out_size: tuple[int, int]
) -> dict[str, Any]:
    """One truth for the way out then back: the way back's frames and times follow the way
    out's; steps, metrics and events over both (no step spans the turn); ``footprints[]``
    keep their scene positions (px) and say which ``way`` they belong to."""
    frames = out["video"]["frame_count"]
    duration = out["video"]["duration_s"]

    def shifted(footprint: dict[str, Any]) -> dict[str, Any]:
        moved = {**footprint, "way": "back"}
        for key, by in (("ic_frame", frames), ("fo_frame", frames)):
            moved[key] = None if footprint[key] is None else footprint[key] + by
        for key in ("ic_time_s", "fo_time_s"):
            moved[key] = None if footprint[key] is None else footprint[key] + duration
        return moved

    way_out = [{**f, "way": "out"} for f in out["footprints"]]
    way_back = [shifted(f) for f in back["footprints"]]
    steps = T.step_records(way_out) + T.step_records(way_back)
    video = {
        **out["video"],
        "width": out_size[0],
        "height": out_size[1],
        "display_width": out_size[0],
        "display_height": out_size[1],
        "frame_count": frames + back["video"]["frame_count"],
        "duration_s": duration + back["video"]["duration_s"],
    }
    return {
        **out,
        "params": {**out["params"], "direction": "out_and_back"},
        "video": video,
        "frame_times_s": out["frame_times_s"] + [t + duration for t in back["frame_times_s"]],
        "direction": "out_and_back",
        "footprints": way_out + way_back,
        "events": T.event_records(way_out + way_back),
        "steps": steps,
        "metrics": T.metrics(steps),
        "joint_angles_deg": {
            side: {
                joint: values + back["joint_angles_deg"][side][joint]
                for joint, values in per_joint.items()
            }
            for side, per_joint in out["joint_angles_deg"].items()
        },
    }


def render_out_and_back(out_path: Path, params: SynthParams, out_width: int) -> dict[str, Any]:
    """Render the walk there and back in a scene ``params.width`` px wide (its
    ``direction``, ``start_stop_inside`` and ``duration_s`` are set here) as seen by a window
    ``out_width`` px wide panning after the walker, to ``out_path``, with its truth beside
    it (``x.truth.json``, as :func:`gait.synth.clip.render_clip`, plus ``camera_x_px``: the
    window's left edge in the scene per frame); returns the truth. Constant frame rate,
    upright, no companion."""
    if params.vfr or params.rotation_deg or params.companion is not None:
        raise ValueError("an out-and-back walk is rendered at a constant rate, upright, alone")
    out_path = Path(out_path)
    rng = np.random.default_rng(params.seed)
    ways = []
    for direction in ("left_to_right", "right_to_left"):
        way = dataclasses.replace(params, direction=direction, start_stop_inside=True)
        prints, camera = plan(way)
        way = dataclasses.replace(way, duration_s=stop_time_s(prints, way) + STANDING_AFTER_S)
        ways.append((way, prints, camera))
    (out, out_prints, out_camera), (back, back_prints, back_camera) = ways
    # The way back starts where the way out stopped: its camera origin moved to put it there.
    stopped = out_camera.x_px(walker_pose(np.array([out.duration_s]), out_prints, out).hip[0, 0])
    starts = back_camera.x_px(walker_pose(np.array([0.0]), back_prints, back).hip[0, 0])
    back_camera = dataclasses.replace(
        back_camera, origin_m=back_camera.origin_m + (stopped - starts) / back_camera.pixels_per_m
    )
    background = make_background(out, out_camera, rng)
    renderers, truths, hip_px = [], [], []
    for way, prints, camera in ((out, out_prints, out_camera), (back, back_prints, back_camera)):
        times = frame_times(way, rng)
        pose = walker_pose(times, prints, way)
        renderers.append(FrameRenderer(way, camera, pose, background, rng))
        angles = joint_angles_deg(pose, Body(way.height_m))
        truths.append(build_truth(way, prints, camera, times, angles))
        hip_px.append(camera.x_px(pose.hip[:, 0]))
    out_size = (out_width, params.height)
    truth = joined_truth(truths[0], truths[1], out_size)
    centres = np.empty((truth["video"]["frame_count"], 2))
    centres[:, 0] = following_pan_px(np.concatenate(hip_px), params.fps)
    centres[:, 1] = params.height / 2.0
    centres = window_centres_px(centres, (params.width, params.height), out_size, 1.0)
    frames = [(r, i) for r in renderers for i in range(len(r.pose.times_s))]
    pts = frame_pts(np.asarray(truth["frame_times_s"]))
    with Mp4Writer(out_path, out_size, params.fps, 0, params.crf, params.x264_preset) as writer:
        for (renderer, i), centre, stamp in zip(frames, centres, pts, strict=True):
            image = renderer.frame(i)
            writer.write(
                cv2.warpAffine(image, window_affine(centre, out_size, 1.0), out_size), int(stamp)
            )
    truth["camera_x_px"] = [round(float(x), 2) for x in centres[:, 0] - out_width / 2.0]
    truth_path(out_path).write_text(json.dumps(truth, indent=1))
    return truth
