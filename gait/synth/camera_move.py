"""A real clip re-filmed by a simulated phone camera: panning after the walker, shaking in
the hand, or both.

No real clip here shows a side view filmed by a moving camera, so the moving-camera route
is checked on real walkers by moving a window over a static real clip: each output frame is
the source frame seen through a window (``zoom`` times magnified, ``out_size`` pixels)
whose centre follows a path. The frames, their times and so the hand-annotated events stay
those of the source; only the camera moves.

What this simulates and what not: a window moving over one image is a camera turning about
its own centre by small angles (a pan or tilt, and a hand's tremor and sway), so the floor
and the background move together. A camera carried along the walk (a tracking shot) also
sees parallax, nearer things moving faster, which a window cannot make.

A clip is also *resent* (:func:`resend`): scaled down and compressed hard, as a video
reaches the service after a messaging app has passed it on, its frames and their times
unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import av
import cv2
import numpy as np

from gait.synth.encode import Mp4Writer, frame_pts

Move = Literal["pan", "shake", "pan+shake"]
#: The moves :func:`camera_centres_px` makes.
MOVES: tuple[Move, ...] = ("pan", "shake", "pan+shake")
#: Magnification of a panning window: room to pan over a fifth of the source's width.
PAN_ZOOM = 1.25
#: Magnification of a window held still by hand: just enough room for the sway.
SHAKE_ZOOM = 1.05
#: A resent copy (:func:`resend`): 480p (848 px on the longer side) at x264 CRF 28, a
#: small and strongly compressed file: 0.26-0.80 Mbit/s on the four annotated real clips,
#: against 0.63-4.1 Mbit/s as shared.
RESENT_LONG_SIDE_PX = 848
RESENT_CRF = 28
#: The window's lower edge stays this share of the source height above the image's: the
#: walkers of the real clips stand near the bottom, and the sway must not cut their feet.
BOTTOM_MARGIN = 0.02


def following_pan_px(
    target_x_px: np.ndarray, fps: float, lag_s: float = 0.25, smooth_s: float = 0.7
) -> np.ndarray:
    """The window centre's x ``(n,)`` (source px) of an operator panning after a walker
    whose x is ``target_x_px`` ``(n,)`` (NaN where unknown: held at the nearest known
    value): ``lag_s`` behind, smoothed by a moving average over ``smooth_s`` (a hand pans
    smoothly and late)."""
    x = np.asarray(target_x_px, dtype=np.float64)
    known = np.flatnonzero(np.isfinite(x))
    if not known.size:
        raise ValueError("the walker's x is known on no frame")
    x = np.interp(np.arange(x.size), known, x[known])
    lag = max(0, round(lag_s * fps))
    late = np.concatenate([np.full(lag, x[0]), x[: x.size - lag]])
    width = max(1, round(smooth_s * fps))
    padded = np.pad(late, (width // 2, width - 1 - width // 2), mode="edge")
    return np.convolve(padded, np.ones(width) / width, mode="valid")


def hand_shake_px(
    n: int, fps: float, rng: np.random.Generator, sway_px: float = 12.0, tremor_px: float = 0.7
) -> np.ndarray:
    """A hand's motion ``(n, 2)`` (source px, x and y): a slow sway (a random walk smoothed
    over 0.5 s, zero mean, SD ``sway_px`` per axis) plus a tremor (independent per frame, SD
    ``tremor_px``). Phone footage held by hand sways by tens of pixels over seconds and
    trembles by about a pixel from frame to frame."""
    walk = np.cumsum(rng.normal(0.0, 1.0, (n, 2)), axis=0)
    width = max(1, round(0.5 * fps))
    kernel = np.ones(width) / width
    padded = np.pad(walk, ((width // 2, width - 1 - width // 2), (0, 0)), mode="edge")
    sway = np.stack([np.convolve(padded[:, i], kernel, mode="valid") for i in range(2)], axis=1)
    sway -= sway.mean(axis=0)
    sway *= sway_px / np.maximum(sway.std(axis=0), 1e-9)
    return sway + rng.normal(0.0, tremor_px, (n, 2))


def window_centres_px(
    centres_px: np.ndarray, source_size: tuple[int, int], out_size: tuple[int, int], zoom: float
) -> np.ndarray:
    """``centres_px`` ``(n, 2)`` moved the least so that the window (``out_size`` / ``zoom``
    source pixels) stays inside the source image (``source_size`` = (w, h))."""
    half = np.array(out_size, dtype=np.float64) / (2.0 * zoom)
    high = np.array(source_size, dtype=np.float64) - half
    if np.any(high < half):
        raise ValueError("the window is larger than the source image: raise the zoom")
    return np.clip(np.asarray(centres_px, dtype=np.float64), half, high)


def window_affine(centre_px: np.ndarray, out_size: tuple[int, int], zoom: float) -> np.ndarray:
    """The ``(2, 3)`` affine map from source pixels to the output of the window centred at
    ``centre_px`` (x, y)."""
    cx, cy = (float(v) for v in centre_px)
    return np.array(
        [
            [zoom, 0.0, out_size[0] / 2.0 - zoom * cx],
            [0.0, zoom, out_size[1] / 2.0 - zoom * cy],
        ]
    )


def camera_centres_px(
    move: Move,
    walker_x_px: np.ndarray,
    fps: float,
    source_size: tuple[int, int],
    out_size: tuple[int, int],
    rng: np.random.Generator,
) -> tuple[np.ndarray, float]:
    """The window's centres ``(n, 2)`` (source px) and zoom for ``move`` over a clip of
    ``n = walker_x_px.size`` frames of ``source_size`` (w, h): ``"pan"`` follows the
    walker's x (:func:`following_pan_px`), ``"shake"`` holds the middle of the image by
    hand (:func:`hand_shake_px`), ``"pan+shake"`` both. The window's lower edge stays near
    the image's (:data:`BOTTOM_MARGIN`)."""
    zoom = SHAKE_ZOOM if move == "shake" else PAN_ZOOM
    n = np.asarray(walker_x_px).size
    width, height = source_size
    half_h = out_size[1] / (2.0 * zoom)
    centres = np.empty((n, 2))
    centres[:, 0] = width / 2.0 if move == "shake" else following_pan_px(walker_x_px, fps)
    centres[:, 1] = height * (1.0 - BOTTOM_MARGIN) - half_h
    if move != "pan":
        centres += hand_shake_px(n, fps, rng)
    return window_centres_px(centres, source_size, out_size, zoom), zoom


def source_frames(reader: av.container.InputContainer) -> Iterator[tuple[int, np.ndarray, int]]:
    """Each frame of ``reader``'s video as ``(index, image, pts)``: the stored BGR image
    ``(h, w, 3)`` uint8 and its time as :class:`Mp4Writer` ticks, the source's own (a stamp
    that repeats the one before moves to the next frame slot), so a copy keeps the source's
    frame times and with them the clip's annotations."""
    stream = reader.streams.video[0]
    fps = source_fps(reader)
    previous_s = -np.inf
    for index, frame in enumerate(reader.decode(stream)):
        time_s = float(frame.time) if frame.time is not None else index / fps
        if time_s <= previous_s:
            time_s = previous_s + 1.0 / fps
        previous_s = time_s
        yield index, frame.to_ndarray(format="bgr24"), int(frame_pts(np.array([time_s]))[0])


def source_fps(reader: av.container.InputContainer) -> float:
    """The nominal frame rate of ``reader``'s video (frames/s; 30 when it states none)."""
    stream = reader.streams.video[0]
    return float(stream.average_rate or stream.guessed_rate or 30)


def source_size(reader: av.container.InputContainer) -> tuple[int, int]:
    """The stored (w, h) of ``reader``'s video, pixels."""
    context = reader.streams.video[0].codec_context
    return context.width, context.height


def refilm(
    source: Path,
    out_path: Path,
    centres_px: np.ndarray,
    out_size: tuple[int, int],
    zoom: float,
    mirror: bool = False,
) -> None:
    """Write ``source`` as seen through the moving window: frame ``i`` through the window
    centred at ``centres_px[i]`` (source px; clamped to the image,
    :func:`window_centres_px`), ``out_size`` (w, h) pixels, ``zoom`` times magnified, and
    flipped left to right when ``mirror`` (a front camera saving a mirror image). Frame
    times are the source's."""
    with av.open(str(source)) as reader:
        centres = window_centres_px(centres_px, source_size(reader), out_size, zoom)
        with Mp4Writer(out_path, out_size, source_fps(reader)) as writer:
            for index, image, pts in source_frames(reader):
                at = centres[min(index, len(centres) - 1)]
                moved = cv2.warpAffine(
                    image,
                    window_affine(at, out_size, zoom),
                    out_size,
                    flags=cv2.INTER_LINEAR,
                    borderMode=cv2.BORDER_REFLECT,
                )
                if mirror:
                    moved = cv2.flip(moved, 1)
                writer.write(moved, pts)


def resent_size(size: tuple[int, int], long_side_px: int = RESENT_LONG_SIDE_PX) -> tuple[int, int]:
    """(w, h) of a ``size`` (w, h) picture scaled to ``long_side_px`` on its longer side,
    each side rounded to an even number (yuv420p); never larger than ``size``."""
    scale = min(1.0, long_side_px / max(size))
    width, height = (max(2, 2 * round(side * scale / 2)) for side in size)
    return width, height


def resend(
    source: Path,
    out_path: Path,
    long_side_px: int = RESENT_LONG_SIDE_PX,
    crf: int = RESENT_CRF,
) -> None:
    """Write ``source`` as a small, strongly compressed copy, the kind a messaging app
    passes on: scaled down to ``long_side_px`` on its longer side (:func:`resent_size`,
    area-averaged) and re-encoded by x264 at ``crf``. Frame times are the source's."""
    with av.open(str(source)) as reader:
        out_size = resent_size(source_size(reader), long_side_px)
        with Mp4Writer(out_path, out_size, source_fps(reader), crf=crf) as writer:
            for _, image, pts in source_frames(reader):
                writer.write(cv2.resize(image, out_size, interpolation=cv2.INTER_AREA), pts)


def shifted_copy(source: Path, path: Path, rate_px: float, phase_px: float) -> Path:
    """``source`` re-encoded with frame ``i`` moved left by ``rate_px * i + phase_px`` px
    (the camera panning right at a steady rate; edges reflected, not clamped as
    :func:`refilm`'s window is), at the source's frame times: a synthetic walk panned
    (``tests/test_accuracy_synth.py``) or moved by a sub-pixel phase only
    (``benchmarks/scatter.py``)."""
    with av.open(str(source)) as reader:
        size = source_size(reader)
        with Mp4Writer(path, size, source_fps(reader)) as writer:
            for index, image, pts in source_frames(reader):
                shift = np.float32([[1, 0, -(rate_px * index + phase_px)], [0, 1, 0]])
                moved = cv2.warpAffine(image, shift, size, borderMode=cv2.BORDER_REFLECT)
                writer.write(moved, pts)
    return path
