"""The static scene behind the walker, and the foreground against it."""

from __future__ import annotations

import numpy as np

from gait.video import VideoInfo, read_frames_at

#: Frames sampled across the whole clip for the background model. A walker crossing the
#: frame covers any pixel in well under half of them, so the median sees the scene.
BACKGROUND_SAMPLES = 25


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
    return np.median(stack, axis=0).round().astype(np.uint8)
