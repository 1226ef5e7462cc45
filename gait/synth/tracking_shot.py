"""A tracking shot: the camera carried along the walk beside the walker, with parallax.

A camera that *translates* parallel to the walking line (the filmer walks beside the
walker, keeping her near the centre) moves each thing in the image by its own amount: a
pinhole camera that travels ``c`` metres shifts a point at depth ``Z`` by ``f c / Z`` pixels.
The walker and her walking line (depth ``Z0``) shift by ``c`` times the scene's pixels per
metre; the wall behind (depth ``Z_wall``) by ``k`` times that, ``k = Z0 / Z_wall`` (the
*depth ratio*: a camera 3 m from the walking line and a wall 2 m behind it give
``k = 3 / 5 = 0.6``; ``k = 1`` is no parallax, a window sliding over a flat scene). The
floor between them recedes: on a ground plane the image row ``y`` and the inverse depth are
linear in each other (the row's distance below the vanishing line is proportional to
``1 / Z``), so a floor row's shift factor is linear in ``y``: ``k`` at the wall's foot (the
floor's far edge), 1 on the walking line, more than 1 on the rows below it (nearer the
camera).

The frames are composed from the static scene, drawn once on a canvas wide enough for the
whole travel (:func:`gait.synth.scene.make_background`), sampled per display row at that
row's shift (:func:`row_depth_factors`, :func:`scene_sampling_px`), with the walker drawn
over it moved back by the camera's travel. What is exact: the walker's footprints, events
and metres (the floor's frame is what counts; the camera changes none of them). What is not
modelled: perspective on the figure itself (the renderer is orthographic: her far leg is
drawn at the same scale as her near one), and lighting that changes along the walk (a
``gradient`` travels with the scene).
"""

from __future__ import annotations

import dataclasses
import math

import cv2
import numpy as np

from gait.synth.camera_move import following_pan_px
from gait.synth.kinematics import Pose
from gait.synth.params import SynthParams
from gait.synth.render import FrameRenderer
from gait.synth.scene import Camera, horizon_row, make_background

#: The filmer follows the walker's pelvis this late (s) and this smoothly (a moving average
#: over ``SMOOTH_S`` s): a person walking alongside keeps pace, not every sway of the hip.
FOLLOW_LAG_S = 0.25
FOLLOW_SMOOTH_S = 1.0


def camera_travel_m(hip_x_m: np.ndarray, camera: Camera, fps: float) -> np.ndarray:
    """``(n,)`` m: how far the camera has travelled along the walk at each frame, from where
    ``camera`` (the static camera of the scene) stands, following the walker's pelvis
    ``hip_x_m`` ``(n,)`` (walker metres) so that it stays near the image centre
    (:data:`FOLLOW_LAG_S` late, smoothed over :data:`FOLLOW_SMOOTH_S`)."""
    centred = np.asarray(hip_x_m, np.float64) - 0.5 * camera.view_width_m
    followed = following_pan_px(centred, fps, FOLLOW_LAG_S, FOLLOW_SMOOTH_S)
    return followed - camera.origin_m


def row_depth_factors(height: int, horizon_y_px: float, floor_y_px: float, k: float) -> np.ndarray:
    """``(height,)``: each display row's image shift per pixel of the walking line's shift.

    Rows above ``horizon_y_px`` (the wall) move ``k`` times as far; floor rows linearly in
    the row from ``k`` at the horizon to 1 at ``floor_y_px`` (the walking line) and beyond
    it below (nearer floor moves faster; see the module)."""
    y = np.arange(height, dtype=np.float64)
    floor = k + (1.0 - k) * (y - horizon_y_px) / (floor_y_px - horizon_y_px)
    return np.where(y < horizon_y_px, k, floor)


def scene_sampling_px(
    travel_px: np.ndarray, factors: np.ndarray, sign: int, width: int
) -> tuple[np.ndarray, int, int]:
    """``(offsets (n, h), margin, canvas_width)``: display column ``x`` of row ``y`` in frame
    ``i`` shows the static canvas's column ``x + margin + offsets[i, y]``; the canvas
    ``canvas_width`` px wide holds every column any frame shows. ``travel_px`` ``(n,)`` is
    the camera's travel in walking-line pixels, ``factors`` ``(h,)`` the rows' depth factors
    (:func:`row_depth_factors`), ``sign`` the walking direction in the image (+1 right)."""
    offsets = sign * np.outer(travel_px, factors)
    margin = math.ceil(max(0.0, -float(offsets.min()))) + 2
    canvas = width + margin + math.ceil(max(0.0, float(offsets.max()))) + 2
    return offsets, margin, canvas


class TrackingRenderer(FrameRenderer):
    """Frames of a tracking shot: the static scene sampled per row at the camera's travel
    times the row's depth factor, the walker (already moved by the travel) over it."""

    def __init__(
        self,
        params: SynthParams,
        camera: Camera,
        pose: Pose,
        canvas: np.ndarray,
        offsets_px: np.ndarray,
        margin_px: int,
        rng: np.random.Generator,
    ) -> None:
        super().__init__(params, camera, pose, canvas[:, margin_px : margin_px + params.width], rng)
        self.canvas = canvas
        self.offsets_px = offsets_px.astype(np.float32)
        self.columns = np.arange(params.width, dtype=np.float32)[None, :] + np.float32(margin_px)
        self.rows = np.repeat(
            np.arange(params.height, dtype=np.float32)[:, None], params.width, axis=1
        )

    def scene(self, i: int) -> np.ndarray:
        """The scene (H, W, 3) uint8 behind the walker in frame ``i``."""
        map_x = self.columns + self.offsets_px[i][:, None]
        return cv2.remap(self.canvas, map_x, self.rows, cv2.INTER_LINEAR)


def tracking_renderer(
    params: SynthParams, camera: Camera, pose: Pose, rng: np.random.Generator
) -> tuple[TrackingRenderer, np.ndarray]:
    """The renderer of a tracking shot of depth ratio ``params.tracking_shot`` and the
    walking line's shift ``(n,)`` in display px per frame (how far a point fixed on the
    walking line has moved in the image since the static camera's view, signed, +x right).
    ``pose`` is the walker in walker metres; ``camera`` the static camera of the scene."""
    k = params.tracking_shot
    if k is None or not 0.0 < k <= 1.0:
        raise ValueError(f"tracking_shot must be a depth ratio in (0, 1], not {k}")
    if params.companion is not None:
        raise ValueError("a tracking shot with a companion is not drawn")
    travel_m = camera_travel_m(pose.hip[:, 0], camera, params.fps)
    travel_px = travel_m * camera.pixels_per_m
    factors = row_depth_factors(params.height, horizon_row(camera), camera.floor_y_px, k)
    sign = camera.direction_sign
    offsets, margin, canvas_width = scene_sampling_px(travel_px, factors, sign, params.width)
    wide = dataclasses.replace(params, width=canvas_width)
    canvas = make_background(wide, dataclasses.replace(camera, width=canvas_width), rng)
    moved = shift_pose_x(pose, travel_m)
    renderer = TrackingRenderer(params, camera, moved, canvas, offsets, margin, rng)
    return renderer, -sign * travel_px


def shift_pose_x(pose: Pose, shift_m: np.ndarray) -> Pose:
    """``pose`` moved back along the walk by ``shift_m`` ``(n,)`` m (the camera's travel)."""
    from gait.synth.clip import shift_pose  # clip imports this module

    return shift_pose(pose, shift_m)
