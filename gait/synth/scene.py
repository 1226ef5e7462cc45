"""The static camera and scene: walker-to-pixel mapping, background, floor, lighting, colours."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from gait.synth.params import SynthParams

BGR = tuple[float, float, float]

WALL: BGR = (196.0, 200.0, 204.0)
FLOOR: BGR = (104.0, 116.0, 128.0)
SHIRT: BGR = (150.0, 80.0, 30.0)
TROUSERS: BGR = (60.0, 45.0, 35.0)
SKIN: BGR = (120.0, 150.0, 205.0)
SHOES: BGR = (25.0, 25.0, 30.0)
HAIR: BGR = (30.0, 40.0, 55.0)
FAR_SHADE = 0.72  # far-side limbs are darker: they face away from the light and camera


@dataclass(frozen=True)
class Camera:
    """Orthographic side view. Display pixels: x right, y down; walker metres: x forward, y up.

    ``origin_m`` is the walker x (m) that maps to the image edge the walker enters from.
    """

    width: int
    height: int
    pixels_per_m: float
    floor_y_px: float
    direction_sign: int  # +1 walking to the right of the image, -1 to the left
    origin_m: float = 0.0

    @property
    def view_width_m(self) -> float:
        return self.width / self.pixels_per_m

    def x_px(self, x_m: np.ndarray) -> np.ndarray:
        """Display column (float px) of walker x (m)."""
        along = (np.asarray(x_m) - self.origin_m) * self.pixels_per_m
        return along if self.direction_sign > 0 else self.width - along

    def to_px(self, xy_m: np.ndarray) -> np.ndarray:
        """Display pixel coordinates (..., 2) of walker points (..., 2) m."""
        xy_m = np.asarray(xy_m)
        return np.stack(
            [self.x_px(xy_m[..., 0]), self.floor_y_px - xy_m[..., 1] * self.pixels_per_m], axis=-1
        )


def make_camera(params: SynthParams) -> Camera:
    """Camera scale from the visible floor length, or from the stature fraction of the frame."""
    if params.view_width_m is not None:
        ppm = params.width / params.view_width_m
    else:
        ppm = params.stature_frac * params.height / params.height_m
    sign = 1 if params.direction == "left_to_right" else -1
    return Camera(params.width, params.height, ppm, params.floor_frac * params.height, sign)


def mix(a: BGR, b: BGR, weight_b: float) -> BGR:
    """Linear blend of two colours."""
    blend = (float(x) * (1 - weight_b) + float(y) * weight_b for x, y in zip(a, b, strict=True))
    return tuple(blend)  # type: ignore[return-value]


def floor_color(params: SynthParams) -> BGR:
    """Floor colour: darkens towards the shoe colour at low contrast (dark shoes, dark floor)."""
    c = float(np.clip(params.contrast, 0.0, 1.0))
    return FLOOR if c >= 0.5 else mix(FLOOR, (34.0, 34.0, 38.0), 2.0 * (0.5 - c) + 0.3)


def gain_map(params: SynthParams) -> np.ndarray:
    """Per-column lighting gain (W,): global brightness times a left-to-right gradient."""
    x = np.linspace(-0.5, 0.5, params.width)
    return params.brightness * (1.0 + params.gradient * x)


def horizon_row(camera: Camera) -> int:
    """Display row where the wall meets the floor (the floor's far edge): a little above the
    walking line, the camera looks slightly down."""
    return round(camera.floor_y_px - 0.10 * camera.height)


def make_background(params: SynthParams, camera: Camera, rng: np.random.Generator) -> np.ndarray:
    """The static scene (H, W, 3) uint8 BGR, lighting included: wall, floor and optional clutter.

    The wall meets the floor at :func:`horizon_row`.
    """
    h, w = params.height, params.width
    img = np.empty((h, w, 3), np.float32)
    horizon = horizon_row(camera)
    img[:horizon] = WALL
    img[horizon:] = floor_color(params)
    if params.background in ("textured", "cluttered"):
        # Plaster noise on the wall, planks on the floor: texture an edge detector will see.
        small = rng.normal(0.0, 1.0, (h // 8 + 1, w // 8 + 1)).astype(np.float32)
        tex = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)[:, :, None]
        img += 5.0 * tex
        plank = max(4, int(0.25 * camera.pixels_per_m))
        for x in range(int(rng.integers(0, plank)), w, plank):
            cv2.line(
                img, (x, horizon), (x + (x - w // 2) // 6, h), (70.0, 80.0, 90.0), 1, cv2.LINE_AA
            )
        fine = rng.normal(0.0, 4.0, (h, w, 1)).astype(np.float32)
        img += fine
    cv2.line(img, (0, horizon), (w, horizon), (150.0, 150.0, 150.0), max(1, h // 150))
    if params.background == "cluttered":
        _draw_clutter(img, horizon, camera, rng)
    img *= gain_map(params)[None, :, None].astype(np.float32)
    return np.clip(img, 0, 255).astype(np.uint8)


def _draw_clutter(img: np.ndarray, horizon: int, camera: Camera, rng: np.random.Generator) -> None:
    """Static objects against the wall: pictures, a door, shelves, plants, a chair."""
    h, w = img.shape[:2]
    ppm = camera.pixels_per_m
    n = int(rng.integers(6, 10))
    for _ in range(n):
        kind = rng.choice(["picture", "door", "shelf", "plant", "box"])
        color = tuple(float(c) for c in rng.uniform(30, 230, 3))
        x = int(rng.uniform(0, w))
        if kind == "picture":
            bw, bh = int(rng.uniform(0.3, 0.8) * ppm), int(rng.uniform(0.25, 0.6) * ppm)
            y = int(rng.uniform(0.05, 0.35) * h)
            cv2.rectangle(img, (x, y), (x + bw, y + bh), color, -1, cv2.LINE_AA)
            cv2.rectangle(img, (x, y), (x + bw, y + bh), (40.0, 40.0, 40.0), 3, cv2.LINE_AA)
        elif kind == "door":
            bw, bh = int(0.9 * ppm), int(2.0 * ppm)
            cv2.rectangle(img, (x, horizon - bh), (x + bw, horizon), color, -1, cv2.LINE_AA)
            cv2.circle(
                img,
                (x + int(0.8 * bw), horizon - bh // 2),
                max(2, int(0.03 * ppm)),
                (40.0, 160.0, 200.0),
                -1,
                cv2.LINE_AA,
            )
        elif kind == "shelf":
            bw = int(rng.uniform(0.6, 1.2) * ppm)
            y = horizon - int(rng.uniform(0.8, 1.6) * ppm)
            cv2.rectangle(img, (x, y), (x + bw, y + max(3, int(0.04 * ppm))), color, -1)
            for k in range(int(rng.integers(2, 6))):
                bx = x + k * bw // 6
                cv2.rectangle(
                    img,
                    (bx, y - int(0.25 * ppm)),
                    (bx + int(0.08 * ppm), y),
                    tuple(float(c) for c in rng.uniform(30, 230, 3)),
                    -1,
                )
        elif kind == "plant":
            base = (x, horizon)
            cv2.rectangle(
                img,
                (x - int(0.12 * ppm), horizon - int(0.3 * ppm)),
                (x + int(0.12 * ppm), horizon),
                (60.0, 80.0, 150.0),
                -1,
            )
            for _k in range(8):
                tip = (
                    x + int(rng.uniform(-0.4, 0.4) * ppm),
                    horizon - int(rng.uniform(0.5, 1.1) * ppm),
                )
                cv2.line(img, base, tip, (40.0, 130.0, 50.0), max(2, int(0.04 * ppm)), cv2.LINE_AA)
        else:
            bw, bh = int(rng.uniform(0.3, 0.7) * ppm), int(rng.uniform(0.3, 0.8) * ppm)
            cv2.rectangle(img, (x, horizon - bh), (x + bw, horizon), color, -1)


@dataclass(frozen=True)
class Palette:
    """Colours (BGR floats, before lighting) of the walker's parts, near and far side."""

    shirt: BGR
    trousers: BGR
    skin: BGR
    shoes: BGR
    hair: BGR

    def far(self, color: BGR) -> BGR:
        return tuple(c * FAR_SHADE for c in color)  # type: ignore[return-value]


def make_palette(params: SynthParams) -> Palette:
    """Clothing colours pulled towards their surroundings as ``contrast`` goes to 0."""
    c = float(np.clip(params.contrast, 0.0, 1.0))
    floor = floor_color(params)
    return Palette(
        shirt=mix(WALL, SHIRT, c),
        trousers=mix(WALL, TROUSERS, c),
        skin=mix(WALL, SKIN, 0.5 + 0.5 * c),
        shoes=mix(floor, SHOES, c),
        hair=mix(WALL, HAIR, c),
    )
