"""The second person of a synthetic clip (:class:`gait.synth.params.Companion`).

The companion is a second figure of the same model, further from the camera: its own walk
(or standing), its own camera mapping (``scale`` of the walker's pixels per metre, feet on a
floor line higher in the image), its own clothes, drawn behind the walker on frames where it
is in view. Its truth is kept apart from the walker's (``truth["companion"]``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from gait.synth import truth as T
from gait.synth.kinematics import Body, Pose, walker_pose
from gait.synth.params import Companion, SynthParams, near_side
from gait.synth.render import FrameRenderer, Shape
from gait.synth.scene import Camera, Palette
from gait.synth.timing import Footprint, plan_footprints

#: The companion's clothes (BGR): a green shirt and grey trousers, unlike the walker's blue
#: and dark brown, so the two figures are told apart by colour too.
COMPANION_PALETTE = Palette(
    shirt=(60.0, 140.0, 50.0),
    trousers=(110.0, 105.0, 100.0),
    skin=(100.0, 135.0, 185.0),
    shoes=(50.0, 50.0, 60.0),
    hair=(20.0, 25.0, 30.0),
)
#: A standing companion stands this long past the clip's end before it would step.
STAND_MARGIN_S = 60.0


@dataclass(frozen=True)
class CompanionPlan:
    """The companion's walk: its own ``params`` (a walk of the same model), ``prints``
    (walker coordinates), ``camera`` (its depth: scale and floor line) and the time window
    ``visible_s`` (from, to) in which it is drawn."""

    spec: Companion
    params: SynthParams
    prints: list[Footprint]
    camera: Camera
    visible_s: tuple[float, float]

    def visible(self, times_s: np.ndarray) -> np.ndarray:
        """``(n,)`` bool: the frames (timestamps s) that show the companion."""
        return (times_s >= self.visible_s[0]) & (times_s < self.visible_s[1])


def companion_params(params: SynthParams, spec: Companion) -> SynthParams:
    """The companion's walk as a :class:`SynthParams` of its own (no noise, no second
    companion; a standing companion is a start/stop walk that never starts)."""
    other = "right_to_left" if params.direction == "left_to_right" else "left_to_right"
    common = {
        "height_m": spec.height_m,
        "cadence_spm": spec.cadence_spm,
        "step_length_m": spec.step_length_m,
        "asymmetry": 0.0,
        "double_support_frac": None,
        "repeat_passes": False,
        "noise": 0.0,
        "companion": None,
    }
    if spec.kind == "standing":
        return dataclasses.replace(
            params,
            **common,
            start_stop_inside=True,
            stand_time_s=params.duration_s + STAND_MARGIN_S,
        )
    if spec.kind == "walker":
        lag_s = spec.lag_m / (spec.step_length_m * spec.cadence_spm / 60.0)
        return dataclasses.replace(
            params, **common, start_stop_inside=False, entry_time_s=params.entry_time_s + lag_s
        )
    return dataclasses.replace(params, **common, start_stop_inside=False, direction=other)


def plan_companion(params: SynthParams, walker_camera: Camera) -> CompanionPlan | None:
    """The companion of ``params`` placed in the scene of ``walker_camera`` (None without)."""
    spec = params.companion
    if spec is None:
        return None
    own = companion_params(params, spec)
    ppm = walker_camera.pixels_per_m * spec.scale
    floor = walker_camera.floor_y_px - spec.floor_offset_frac * params.height
    sign = 1 if own.direction == "left_to_right" else -1
    camera = Camera(params.width, params.height, ppm, floor, sign)
    view_m = camera.view_width_m
    prints = plan_footprints(own, 0.65 * view_m)
    if spec.kind == "standing":
        hip0 = walker_pose(np.array([0.0]), prints, own).hip[0, 0]
        along = spec.x_frac if sign > 0 else 1.0 - spec.x_frac
        origin, visible = hip0 - along * view_m, (-np.inf, np.inf)
    elif spec.kind == "walker":
        origin = walker_pose(np.array([own.entry_time_s]), prints, own).hip[0, 0]
        visible = (-np.inf, np.inf)
    else:  # crossing: mid-view half-way through its visible window
        middle = spec.start_s + spec.visible_s / 2
        origin = walker_pose(np.array([middle]), prints, own).hip[0, 0] - view_m / 2
        visible = (spec.start_s, spec.start_s + spec.visible_s)
    camera = dataclasses.replace(camera, origin_m=float(origin))
    return CompanionPlan(spec, own, prints, camera, (float(visible[0]), float(visible[1])))


def companion_renderer(
    plan: CompanionPlan, times_s: np.ndarray, background: np.ndarray
) -> FrameRenderer:
    """A renderer of the companion's figure alone (its own palette and random stream)."""
    pose = walker_pose(times_s, plan.prints, plan.params)
    rng = np.random.default_rng(plan.params.seed + 1)
    renderer = FrameRenderer(plan.params, plan.camera, pose, background, rng)
    renderer.palette = COMPANION_PALETTE
    return renderer


class SceneRenderer(FrameRenderer):
    """The walker's renderer with a companion figure drawn behind the walker on the frames
    ``visible`` ``(n,)`` bool; the shadow and the floor reflection stay the walker's."""

    def __init__(
        self,
        params: SynthParams,
        camera: Camera,
        pose: Pose,
        background: np.ndarray,
        rng: np.random.Generator,
        companion: FrameRenderer,
        visible: np.ndarray,
    ) -> None:
        super().__init__(params, camera, pose, background, rng)
        self.companion = companion
        self.visible = visible
        self.walker_shapes = len(super().shapes(0))

    def shapes(self, i: int) -> list[Shape]:
        own = super().shapes(i)
        return self.companion.shapes(i) + own if self.visible[i] else own

    def _shadow(self, img: np.ndarray, shapes: list[Shape], floor: float) -> None:
        super()._shadow(img, shapes[-self.walker_shapes :], floor)

    def _reflection(self, img: np.ndarray, shapes: list[Shape], floor: float) -> None:
        super()._reflection(img, shapes[-self.walker_shapes :], floor)


def companion_truth(plan: CompanionPlan, times_s: np.ndarray) -> dict[str, Any]:
    """The companion's truth, apart from the walker's: its kind, size and floor line (px),
    visible window (s, null for always) and its own footprints and events while in view."""
    body = Body(plan.params.height_m)
    near = near_side(plan.params.direction)
    footprints = T.footprint_records(plan.prints, times_s, plan.camera, body, near)
    start, end = plan.visible_s
    events = [e for e in T.event_records(footprints) if start <= e["time_s"] < end]
    finite = [v if np.isfinite(v) else None for v in (start, end)]
    return {
        "kind": plan.spec.kind,
        "height_m": plan.params.height_m,
        "stature_px": plan.params.height_m * plan.camera.pixels_per_m,
        "pixels_per_m": plan.camera.pixels_per_m,
        "floor_y_px": plan.camera.floor_y_px,
        "direction": plan.params.direction,
        "visible_from_s": finite[0],
        "visible_to_s": finite[1],
        "footprints": footprints if plan.spec.kind != "standing" else [],
        "events": events if plan.spec.kind != "standing" else [],
    }
