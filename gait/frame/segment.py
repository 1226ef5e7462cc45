"""The static scene behind the walker, and the foreground against it.

Pure functions over ``uint8`` images: the background model (computed once per video by
``plan``) and the per-frame foreground mask (computed by every chunk).
"""

from __future__ import annotations

import cv2
import numpy as np

from gait.video import VideoInfo, read_frames_at

#: Frames sampled across the whole clip for the background model. A walker crossing the
#: frame covers any pixel in well under half of them, so the median sees the scene.
BACKGROUND_SAMPLES = 25
#: Smallest foreground threshold, grey levels (max over B, G, R of |frame - background|).
#: Below ~12 the compression noise of phone video (H.264 at 8-15 Mbit/s) turns into speckle.
MIN_FOREGROUND_THRESHOLD = 14
#: The threshold is at least this many times the frame's median difference to the
#: background (its noise level: the walker covers far less than half the frame). Chosen on
#: the indoor clip, whose auto-exposure halo around the walker reaches ~2.5x the median.
NOISE_THRESHOLD_FACTOR = 4.0
#: A global brightness change (auto exposure) larger than this fraction is divided out of
#: the frame before differencing; smaller ones are left alone (cheaper, and harmless).
EXPOSURE_TOLERANCE = 0.03
#: A pixel darker than the background by at most this ratio (frame/background grey level
#: >= the ratio) is a shadow, not the walker: the soft shadows under a walker on an indoor
#: floor reach ~0.55, dark clothing over any floor stays below ~0.4.
SHADOW_MIN_RATIO = 0.5
#: ... unless the change is this large (grey levels): a mid-grey shirt against a white wall
#: has a ratio above 0.5 but a difference no shadow on a floor produces.
SHADOW_MAX_DIFFERENCE = 70
#: Pixel stride of the grid on which the noise level is estimated.
SAMPLE_STRIDE_PX = 8
#: A frame whose sampled grey levels span fewer than this many levels (1st to 99th
#: percentile) is blank: black (fade-in, dropped frame), white or uniform. Codec noise on a
#: real scene spans tens of levels; H.264 keeps a flat frame within a few.
BLANK_SPREAD_LEVELS = 6


def background_sample_indices(info: VideoInfo, samples: int = BACKGROUND_SAMPLES) -> np.ndarray:
    """Frame indices, spread evenly over the clip, to build the background from.

    Each target snaps to a keyframe within half the sample spacing when there is one: a
    keyframe decodes on its own, any other frame needs its group of pictures decoded first.
    Phones write a keyframe every second or two, so on their clips this reads ~25 frames;
    a clip with sparse keyframes costs one decoding pass.
    Returns a sorted array of unique indices, shape ``(k,)`` with ``k <= samples``.
    """
    count = info.frame_count
    targets = np.linspace(0, count - 1, num=min(samples, count)).round().astype(np.int64)
    spacing = max(1.0, (count - 1) / max(1, len(targets) - 1))
    keyframes = info.keyframes
    chosen = []
    for target in targets:
        nearest = keyframes[np.argmin(np.abs(keyframes - target))]
        chosen.append(nearest if abs(nearest - target) <= spacing / 2 else target)
    return np.unique(np.asarray(chosen, dtype=np.int64))


def background_model(info: VideoInfo, size: tuple[int, int]) -> np.ndarray:
    """Per-pixel temporal median of frames sampled across the clip.

    Returns shape ``(height, width, 3)``, BGR ``uint8``, at analysis ``size`` (w, h).
    """
    indices = background_sample_indices(info)
    stack = np.stack([image for _, _, image in read_frames_at(info, indices, size)])
    # Partitioning the uint8 stack in place gives the (upper) median without a copy.
    stack.partition(stack.shape[0] // 2, axis=0)
    return stack[stack.shape[0] // 2].copy()


def brightness_level(image: np.ndarray) -> float:
    """Median grey level of a BGR ``uint8`` image, on a sparse grid of its pixels.

    Robust to a walker covering a tenth of the frame; the grid (every
    :data:`SAMPLE_STRIDE_PX`-th pixel) makes it cost ~0.05 ms at 960x540.
    """
    sample = np.ascontiguousarray(image[::SAMPLE_STRIDE_PX, ::SAMPLE_STRIDE_PX])
    flat = cv2.cvtColor(sample, cv2.COLOR_BGR2GRAY).ravel()
    return float(np.partition(flat, flat.size // 2)[flat.size // 2])


def is_blank(image: np.ndarray) -> bool:
    """Whether a BGR ``uint8`` image is blank (see :data:`BLANK_SPREAD_LEVELS`), on the same
    sparse grid as :func:`brightness_level`."""
    sample = np.ascontiguousarray(image[::SAMPLE_STRIDE_PX, ::SAMPLE_STRIDE_PX])
    low, high = np.percentile(cv2.cvtColor(sample, cv2.COLOR_BGR2GRAY), [1, 99])
    return bool(high - low < BLANK_SPREAD_LEVELS)


def corrected_exposure(image: np.ndarray, gain: float) -> np.ndarray:
    """``image`` with a global exposure change divided out when it exceeds
    :data:`EXPOSURE_TOLERANCE`; the image itself otherwise. ``gain`` is the frame's
    :func:`brightness_level` over the background's (1.0 = unchanged)."""
    # A zero gain (a black frame) has no exposure to divide out.
    if gain > 0.0 and abs(gain - 1.0) > EXPOSURE_TOLERANCE:
        return cv2.convertScaleAbs(image, alpha=1.0 / gain)
    return image


def difference_image(image: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Largest per-channel absolute difference to the background, shape ``(h, w)`` uint8."""
    difference = cv2.absdiff(image, background)
    blue, green, red = cv2.split(difference)
    return cv2.max(cv2.max(blue, green), red)


def foreground_threshold(difference: np.ndarray) -> int:
    """Adaptive foreground threshold (grey levels) from the frame's own noise level."""
    sample = difference[::SAMPLE_STRIDE_PX, ::SAMPLE_STRIDE_PX].ravel()
    noise = float(np.partition(sample, sample.size // 2)[sample.size // 2])
    return int(max(MIN_FOREGROUND_THRESHOLD, round(NOISE_THRESHOLD_FACTOR * noise)))


def shadow_limits(background: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel grey-level bounds of a shadow over ``background``, each ``(h, w)`` uint8.

    A frame pixel whose grey level lies in ``[low, high]`` is darker than the background
    but not by more than :data:`SHADOW_MIN_RATIO` / :data:`SHADOW_MAX_DIFFERENCE`.
    Computed once per video (it depends on the background only).
    """
    grey = cv2.cvtColor(background, cv2.COLOR_BGR2GRAY)
    ratio_low = np.ceil(grey.astype(np.float32) * SHADOW_MIN_RATIO)
    low = np.maximum(ratio_low, grey.astype(np.float32) - SHADOW_MAX_DIFFERENCE)
    low = np.maximum(low, 1.0)  # a black background pixel has no shadow (empty range)
    # inRange is inclusive at both ends: grey - 1 keeps "strictly darker".
    return low.astype(np.uint8), cv2.subtract(grey, 1)


def foreground_mask(image: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Foreground of ``image`` (``(h, w, 3)`` BGR uint8) against ``background``.

    Returns ``(h, w)`` uint8 with values 0/1. A 3x3 opening removes isolated noise pixels
    but keeps a shoe sole two pixels thick (a larger opening erases it).
    """
    difference = difference_image(image, background)
    _, mask = cv2.threshold(difference, foreground_threshold(difference), 1, cv2.THRESH_BINARY)
    return cv2.morphologyEx(mask, cv2.MORPH_OPEN, _KERNEL_3)


def without_shadows(
    mask: np.ndarray, image: np.ndarray, shadow_bounds: tuple[np.ndarray, np.ndarray]
) -> np.ndarray:
    """``mask`` less the pixels that look like a shadow on the background.

    ``shadow_bounds`` comes from :func:`shadow_limits`. Grey clothing in front of a grey
    wall looks like a shadow too, so only the floor-contact profile uses this; the walker's
    outline keeps every foreground pixel.
    """
    low, high = shadow_bounds
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    shadow = cv2.inRange(grey, low, high)  # 255 on shadow pixels
    return cv2.morphologyEx(cv2.subtract(mask, shadow), cv2.MORPH_OPEN, _KERNEL_3)


_KERNEL_3 = cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))
