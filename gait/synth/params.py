"""Parameters of one synthetic walking clip (all SI units unless the name says otherwise)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

Direction = Literal["left_to_right", "right_to_left"]


def near_side(direction: Direction) -> str:
    """The figure's side nearer the camera: a walker going image-right shows its right."""
    return "right" if direction == "left_to_right" else "left"


Background = Literal["plain", "textured", "cluttered"]
CompanionKind = Literal["walker", "crossing", "standing"]


@dataclass(frozen=True)
class Companion:
    """A second person in the scene, further from the camera than the walker (drawn behind).

    ``kind``: ``"walker"`` walks the whole clip beside or behind the walker, the same way;
    ``"crossing"`` walks the other way and is in view only from ``start_s`` for
    ``visible_s`` (as if coming out of one doorway and into another); ``"standing"`` stands
    still, side on, at ``x_frac`` of the display width. Depth: drawn at ``scale`` of the
    walker's pixels per metre, feet on a floor line ``floor_offset_frac`` of the display
    height above the walker's. Its truth is kept apart (``truth["companion"]``), never in the
    walker's events.
    """

    kind: CompanionKind = "standing"
    height_m: float = 1.70
    scale: float = 0.85
    floor_offset_frac: float = 0.06
    cadence_spm: float = 104.0
    step_length_m: float = 0.64
    # "walker": how far behind the walker it enters (m of its own walk, 0 abreast).
    lag_m: float = 0.8
    # "standing": display column of its pelvis, share of the width.
    x_frac: float = 0.6
    # "crossing": when it comes into view (s) and for how long (s).
    start_s: float = 2.0
    visible_s: float = 1.5


@dataclass(frozen=True)
class SynthParams:
    """Everything that defines a synthetic clip; the defaults are a healthy adult at ~1.25 m/s.

    Sizes (``width``, ``height``) are the *display* (upright) size in pixels; with
    ``rotation_deg`` 90 or 270 the stored frames are ``height`` x ``width``.
    """

    # Walker
    height_m: float = 1.75
    cadence_spm: float = 110.0
    step_length_m: float = 0.68
    # Limp: left step length = L*(1+a/2), right = L*(1-a/2); the left stance is shorter
    # (double support after the right IC scaled by 1-a, after the left IC by 1+a).
    asymmetry: float = 0.0
    # None: 0.11 of the stride at 110 spm, growing as the walk gets slower.
    double_support_frac: float | None = None
    direction: Direction = "left_to_right"
    start_stop_inside: bool = False
    # Enter/leave mode: time (s) at which the walker's hip crosses the entry edge.
    entry_time_s: float = 0.3
    # Enter/leave mode: after leaving, the walker re-enters from the same side (a new pass of
    # the same endless walk, as if walking laps), so long clips keep showing gait.
    repeat_passes: bool = False
    # Start/stop mode: standing time (s) before the first heel rise.
    stand_time_s: float = 0.8

    # Video
    width: int = 1280
    height: int = 720
    fps: float = 30.0
    duration_s: float = 10.0
    vfr: bool = False
    vfr_min_interval_s: float = 1 / 40
    vfr_max_interval_s: float = 1 / 22
    rotation_deg: int = 0
    crf: int = 23
    x264_preset: str = "veryfast"

    # Camera: visible floor length across the display width (m); None derives it from
    # ``stature_frac`` (standing stature as a fraction of the display height).
    view_width_m: float | None = None
    stature_frac: float = 0.55
    floor_frac: float = 0.86  # display row of the floor contact line / display height

    # Scene
    background: Background = "plain"
    brightness: float = 1.0  # global gain
    gradient: float = 0.0  # left-to-right gain change across the frame (e.g. 0.3)
    flicker: float = 0.0  # relative amplitude of a slow (~1.3 Hz) global gain flicker
    contrast: float = 1.0  # 1 = clothing clearly distinct from the scene, 0 = same colours
    shadow: bool = False
    reflection: bool = False
    noise: float = 0.0  # sensor noise standard deviation in 8-bit grey levels
    seed: int = 0

    # A tracking shot (None: the camera stands still): the camera is carried along the walk
    # keeping the walker near the centre, and the wall moves this share of the walking line's
    # image motion (the depth ratio, camera-to-walking-line / camera-to-wall distance, in
    # (0, 1]; 1 is no parallax). See :mod:`gait.synth.tracking_shot`.
    tracking_shot: float | None = None

    # A second person (None: the walker alone); a dict is read as Companion(**dict).
    companion: Companion | None = None

    def __post_init__(self) -> None:
        if isinstance(self.companion, dict):
            object.__setattr__(self, "companion", Companion(**self.companion))

    def to_json(self) -> dict[str, Any]:
        """The parameters as a JSON-serialisable dict."""
        return dataclasses.asdict(self)

    @property
    def stride_time_s(self) -> float:
        """Nominal stride time (s): two steps."""
        return 120.0 / self.cadence_spm

    @property
    def double_support_s(self) -> float:
        """Nominal double-support duration of one transition (s)."""
        frac = self.double_support_frac
        if frac is None:
            frac = min(max(0.11 + (110.0 - self.cadence_spm) * 0.001, 0.07), 0.18)
        return frac * self.stride_time_s

    @property
    def speed_mps(self) -> float:
        """Nominal walking speed (m/s) = mean step length x cadence / 60."""
        return self.step_length_m * self.cadence_spm / 60.0
