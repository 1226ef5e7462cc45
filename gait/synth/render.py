"""Drawing one frame: the articulated walker (cv2 anti-aliased polygons) over the static scene."""

from __future__ import annotations

import math

import cv2
import numpy as np

from gait.synth.kinematics import Body, Pose
from gait.synth.params import SynthParams, near_side
from gait.synth.scene import BGR, Camera, Palette, gain_map, make_palette

SHIFT = 4  # cv2 fixed-point fraction bits: sub-pixel vertex positions
SCALE = 1 << SHIFT
FLICKER_HZ = 1.3
NOISE_BANK = 6

Shape = tuple[np.ndarray, BGR]  # polygon (K, 2) float display px, colour


def capsule(p0: np.ndarray, p1: np.ndarray, r0: float, r1: float, n: int = 8) -> np.ndarray:
    """Convex outline (K, 2) of a tapered limb from p0 (radius r0) to p1 (radius r1), px."""
    d = p1 - p0
    theta = math.atan2(float(d[1]), float(d[0]))
    a1 = theta + np.linspace(-np.pi / 2, np.pi / 2, n)
    a0 = theta + np.linspace(np.pi / 2, 3 * np.pi / 2, n)
    arc1 = p1 + r1 * np.stack([np.cos(a1), np.sin(a1)], axis=1)
    arc0 = p0 + r0 * np.stack([np.cos(a0), np.sin(a0)], axis=1)
    return np.concatenate([arc1, arc0])


#: Side-view outlines of the leg segments, (s, front, back): at the fraction ``s`` of the way
#: from the proximal to the distal joint centre, how far the outline lies in front of and
#: behind the line between them, in statures. Adult proportions: the thigh is deepest below
#: the buttock (~18 cm) and tapers to the knee (~11 cm, the patella in front); the calf bulges
#: behind the shin a third of the way down (~11 cm deep) and narrows to the ankle (~6.5 cm).
THIGH_PROFILE = np.array(
    [
        [0.00, 0.050, 0.056],
        [0.15, 0.050, 0.055],
        [0.45, 0.045, 0.045],
        [0.75, 0.038, 0.034],
        [1.00, 0.034, 0.030],
    ]
)
SHANK_PROFILE = np.array(
    [
        [0.00, 0.031, 0.029],
        [0.12, 0.026, 0.035],
        [0.32, 0.023, 0.040],
        [0.60, 0.019, 0.029],
        [0.85, 0.017, 0.020],
        [1.00, 0.017, 0.020],
    ]
)
#: The pelvis and buttocks in side view, (forward, up) from the hip joint centre in statures:
#: the hip joint lies about 40 % of the way back from the groin to the back of the buttock,
#: the gluteal fold ~6 % of stature below it, the waist ~12 % above.
PELVIS_OUTLINE = np.array(
    [
        [0.060, 0.120],
        [0.062, 0.060],
        [0.055, 0.000],
        [0.045, -0.035],
        [0.000, -0.060],
        [-0.045, -0.065],
        [-0.075, -0.045],
        [-0.088, -0.005],
        [-0.083, 0.040],
        [-0.070, 0.090],
        [-0.066, 0.120],
    ]
)


def limb(
    p0: np.ndarray, p1: np.ndarray, profile: np.ndarray, stature_px: float, sign: int, n: int = 16
) -> np.ndarray:
    """Outline (K, 2) px of a limb from joint centre p0 to p1 with a side-view ``profile``
    (rows ``(s, front, back)``, statures), rounded at both joints. ``sign``: the walking
    direction in the image (+1 toward the image right), which side is the front."""
    d = p1 - p0
    length = max(float(np.hypot(*d)), 1e-9)
    u = d / length
    forward = sign * np.array([u[1], -u[0]])  # a limb pointing down has its front forward
    s = np.linspace(0.0, 1.0, n)
    front = np.interp(s, profile[:, 0], profile[:, 1]) * stature_px
    back = np.interp(s, profile[:, 0], profile[:, 2]) * stature_px
    axis = p0 + s[:, None] * d
    front_pts = axis + front[:, None] * forward
    back_pts = axis - back[:, None] * forward

    def cap(at: np.ndarray, f: float, b: float, outward: np.ndarray) -> np.ndarray:
        # Half an ellipse from the front edge round to the back edge, bulging ``outward``.
        r = (f + b) / 2
        centre = at + (f - b) / 2 * forward
        a = np.linspace(0.0, np.pi, 9)[1:-1]
        return centre + r * np.cos(a)[:, None] * forward + r * np.sin(a)[:, None] * outward

    end = cap(p1, front[-1], back[-1], u)
    start = cap(p0, front[0], back[0], -u)[::-1]
    return np.concatenate([front_pts, end, back_pts[::-1], start])


def ellipse(
    center: np.ndarray, axes: tuple[float, float], angle_deg: float, start: int = 0, end: int = 360
) -> np.ndarray:
    """Outline (K, 2) of an ellipse (or an arc of it, closed by its chord), px."""
    c = center * SCALE
    pts = cv2.ellipse2Poly(
        (int(c[0]), int(c[1])),
        (int(axes[0] * SCALE), int(axes[1] * SCALE)),
        int(angle_deg),
        start,
        end,
        10,
    )
    return pts.astype(np.float64) / SCALE


class FrameRenderer:
    """Renders frames of one clip. Walker geometry for all frames is projected up front."""

    def __init__(
        self,
        params: SynthParams,
        camera: Camera,
        pose: Pose,
        background: np.ndarray,
        rng: np.random.Generator,
    ) -> None:
        self.params = params
        self.camera = camera
        self.background = background
        self.body = Body(params.height_m)
        self.palette: Palette = make_palette(params)
        self.gain = gain_map(params)
        # The camera sees the walker's right side when they walk to the right of the image.
        self.near = near_side(params.direction)
        self.far = "left" if self.near == "right" else "right"
        self.pose = pose
        px = camera.to_px
        self.hip, self.shoulder, self.head = px(pose.hip), px(pose.shoulder), px(pose.head_center)
        self.knee = {f: px(pose.knee[f]) for f in ("left", "right")}
        self.elbow = {f: px(pose.elbow[f]) for f in ("left", "right")}
        self.wrist = {f: px(pose.wrist[f]) for f in ("left", "right")}
        self.hand = {f: px(pose.hand_tip[f]) for f in ("left", "right")}
        self.ankle = {f: px(pose.feet[f].ankle) for f in ("left", "right")}
        self.shoe = {f: self._shoe_outlines(f) for f in ("left", "right")}
        self.noise_bank: list[tuple[np.ndarray, np.ndarray]] = []
        if params.noise > 0:
            for _ in range(NOISE_BANK):
                n = rng.normal(0.0, params.noise, background.shape).astype(np.float32)
                self.noise_bank.append(
                    (np.clip(n, 0, 255).astype(np.uint8), np.clip(-n, 0, 255).astype(np.uint8))
                )
        self.noise_order = rng.integers(0, max(1, NOISE_BANK), size=len(pose.times_s))

    def _shoe_outlines(self, foot: str) -> np.ndarray:
        """Shoe outline per frame (N, K, 2) px: rear foot about the ankle, toes about the MTP."""
        b = self.body
        lf, ah = b.foot_length, b.ankle_height
        loc = b.foot_points()
        rear = (
            np.array(
                [
                    [0.73 * lf, 0.0],
                    [0.0, 0.0],
                    [-0.04 * lf, 0.4 * ah],
                    [-0.02 * lf, 1.2 * ah],
                    [0.14 * lf, 1.7 * ah],
                    [0.36 * lf, 1.45 * ah],
                    [0.62 * lf, 0.85 * ah],
                    [0.73 * lf, 0.6 * ah],
                ]
            )
            - loc["ankle"]
        )
        toe = np.array(
            [
                [0.0, 0.6 * ah],
                [0.2 * lf, 0.42 * ah],
                [0.27 * lf, 0.18 * ah],
                [0.27 * lf, 0.0],
                [0.0, 0.0],
            ]
        )
        fp = self.pose.feet[foot]
        mtp = fp.points(b)["mtp"]
        c, s = np.cos(fp.pitch)[:, None], np.sin(fp.pitch)[:, None]
        rear_w = fp.ankle[:, None, :] + np.stack(
            [
                c * rear[None, :, 0] - s * rear[None, :, 1],
                s * rear[None, :, 0] + c * rear[None, :, 1],
            ],
            axis=-1,
        )
        c, s = np.cos(fp.toe_pitch)[:, None], np.sin(fp.toe_pitch)[:, None]
        toe_w = mtp[:, None, :] + np.stack(
            [c * toe[None, :, 0] - s * toe[None, :, 1], s * toe[None, :, 0] + c * toe[None, :, 1]],
            axis=-1,
        )
        return self.camera.to_px(np.concatenate([rear_w, toe_w], axis=1))

    def shapes(self, i: int) -> list[Shape]:
        """The walker's polygons in frame ``i``, far side first (it is occluded)."""
        h = self.body.height_m * self.camera.pixels_per_m
        pal = self.palette
        lit = float(self.gain[int(np.clip(self.hip[i, 0], 0, len(self.gain) - 1))])

        def col(c: BGR, far: bool = False) -> BGR:
            c = pal.far(c) if far else c
            return tuple(min(255.0, v * lit) for v in c)  # type: ignore[return-value]

        sign = self.camera.direction_sign

        def leg(f: str, far: bool) -> list[Shape]:
            return [
                (
                    limb(self.hip[i], self.knee[f][i], THIGH_PROFILE, h, sign),
                    col(pal.trousers, far),
                ),
                (
                    limb(self.knee[f][i], self.ankle[f][i], SHANK_PROFILE, h, sign),
                    col(pal.trousers, far),
                ),
                (self.shoe[f][i], col(pal.shoes, far)),
            ]

        def arm(f: str, far: bool) -> list[Shape]:
            return [
                (
                    capsule(self.shoulder[i], self.elbow[f][i], 0.026 * h, 0.021 * h),
                    col(pal.shirt, far),
                ),
                (
                    capsule(self.elbow[f][i], self.wrist[f][i], 0.019 * h, 0.015 * h),
                    col(pal.skin, far),
                ),
                (
                    capsule(self.wrist[f][i], self.hand[f][i], 0.016 * h, 0.012 * h),
                    col(pal.skin, far),
                ),
            ]

        lean = math.degrees(float(self.pose.trunk_angle[i]))
        up = self.shoulder[i] - self.hip[i]
        up_unit = up / max(float(np.hypot(*up)), 1e-9)
        forward = sign * np.array([-up_unit[1], up_unit[0]])
        neck_top = self.shoulder[i] + 0.07 * up
        shapes: list[Shape] = []
        shapes += arm(self.far, True)
        shapes += leg(self.far, True)
        pelvis = self.hip[i] + h * (
            PELVIS_OUTLINE[:, :1] * forward + PELVIS_OUTLINE[:, 1:] * up_unit
        )
        shapes.append((pelvis, col(pal.trousers)))
        shapes.append(
            (
                capsule(self.hip[i] + 0.3 * up, self.shoulder[i], 0.066 * h, 0.060 * h),
                col(pal.shirt),
            )
        )
        shapes.append(
            (capsule(self.shoulder[i], neck_top + 0.2 * up, 0.03 * h, 0.028 * h), col(pal.skin))
        )
        head_angle = sign * lean
        shapes.append((ellipse(self.head[i], (0.056 * h, 0.066 * h), head_angle), col(pal.skin)))
        # Hair: the back and top of the head (the back is opposite the walking direction).
        hair_from = 180 if sign > 0 else -90
        shapes.append(
            (
                ellipse(
                    self.head[i] - np.array([sign * 0.006 * h, 0.004 * h]),
                    (0.057 * h, 0.064 * h),
                    head_angle,
                    hair_from,
                    hair_from + 190,
                ),
                col(pal.hair),
            )
        )
        shapes += leg(self.near, False)
        shapes += arm(self.near, False)
        return shapes

    def scene(self, i: int) -> np.ndarray:
        """The scene (H, W, 3) uint8 behind the walker in frame ``i``: the static background
        (a moving camera's renderer samples its own)."""
        return self.background.copy()

    def frame(self, i: int) -> np.ndarray:
        """Frame ``i`` as displayed (H, W, 3) uint8 BGR."""
        img = self.scene(i)
        shapes = self.shapes(i)
        floor = self.camera.floor_y_px
        if self.params.shadow:
            self._shadow(img, shapes, floor)
        if self.params.reflection:
            self._reflection(img, shapes, floor)
        for pts, color in shapes:
            cv2.fillPoly(img, [np.round(pts * SCALE).astype(np.int32)], color, cv2.LINE_AA, SHIFT)
        if self.params.flicker:
            t = float(self.pose.times_s[i])
            g = 1.0 + self.params.flicker * math.sin(2 * math.pi * FLICKER_HZ * t)
            img = cv2.convertScaleAbs(img, alpha=g)
        if self.noise_bank:
            plus, minus = self.noise_bank[int(self.noise_order[i])]
            img = cv2.subtract(cv2.add(img, plus), minus)
        return img

    def _roi(self, shapes: list[Shape], y0: int, y1: int) -> tuple[int, int]:
        xs = np.concatenate([p[:, 0] for p, _ in shapes])
        x0 = int(np.clip(xs.min() - 0.3 * self.camera.pixels_per_m, 0, self.camera.width))
        x1 = int(np.clip(xs.max() + 0.5 * self.camera.pixels_per_m, 0, self.camera.width))
        return x0, x1

    def _shadow(self, img: np.ndarray, shapes: list[Shape], floor: float) -> None:
        """A soft shadow cast forward-down on the floor by a light above and behind the camera."""
        x0, x1 = self._roi(shapes, 0, 0)
        y0, y1 = int(floor - 0.02 * self.camera.height), self.camera.height
        if x1 <= x0 or y1 <= y0:
            return
        mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
        for pts, _ in shapes:
            depth = floor - pts[:, 1]
            proj = np.stack([pts[:, 0] + 0.15 * depth - x0, floor + 0.08 * depth - y0], axis=1)
            cv2.fillPoly(mask, [np.round(proj * SCALE).astype(np.int32)], 255, cv2.LINE_AA, SHIFT)
        mask = cv2.GaussianBlur(mask, (0, 0), 2.0)
        roi = img[y0:y1, x0:x1]
        roi[:] = (roi * (1.0 - 0.45 / 255.0 * mask[:, :, None].astype(np.float32))).astype(np.uint8)

    def _reflection(self, img: np.ndarray, shapes: list[Shape], floor: float) -> None:
        """A faint mirror image of the walker in a glossy floor."""
        x0, x1 = self._roi(shapes, 0, 0)
        y0, y1 = math.ceil(floor), self.camera.height
        if x1 <= x0 or y1 <= y0:
            return
        roi = img[y0:y1, x0:x1]
        layer = roi.copy()
        for pts, color in shapes:
            mirrored = np.stack([pts[:, 0] - x0, 2 * floor - pts[:, 1] - y0], axis=1)
            cv2.fillPoly(
                layer, [np.round(mirrored * SCALE).astype(np.int32)], color, cv2.LINE_AA, SHIFT
            )
        cv2.addWeighted(layer, 0.3, roi, 0.7, 0.0, dst=roi)
