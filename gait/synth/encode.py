"""Writing frames to an H.264 MP4 with exact per-frame timestamps and a rotation flag (PyAV)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Self

import av
import cv2
import numpy as np

TIME_BASE = Fraction(1, 90000)  # the MPEG clock: 1/30, 1/25, 1/24 and 1/60 s are whole ticks

#: libx264 options that make an encode a function of its frames alone. With macroblock-tree
#: rate control (x264's default) the bytes, and the pictures (up to 100 grey levels apart
#: from frame 13 on, measured), changed from run to run of the same frames whenever they
#: arrived at an uneven pace (decoded while encoded, or rendered), threads=1 or not; without
#: it, 24 encodes of the same frames at uneven paces in two processes at once came out
#: identical. A test clip that is not reproducible makes a measurement that is not: the
#: panned synthetic walk's step length read -0.3 cm from one encode and -4.2 cm from another.
REPRODUCIBLE_X264 = {"x264-params": "mbtree=0"}


def frame_pts(times_s: np.ndarray) -> np.ndarray:
    """Presentation timestamps (ticks of ``TIME_BASE``) for frame times (s), strictly increasing."""
    pts = np.round(np.asarray(times_s) / float(TIME_BASE)).astype(np.int64)
    if np.any(np.diff(pts) <= 0):
        raise ValueError("frame times must be strictly increasing after rounding to 1/90000 s")
    return pts


def to_stored(display_bgr: np.ndarray, rotation_deg: int) -> np.ndarray:
    """The stored (coded) image for an upright display image.

    ``rotation_deg`` is the clockwise rotation a player applies to the stored image to show it
    upright (the convention of OpenCV's ``CAP_PROP_ORIENTATION_META`` and of the legacy
    ``rotate`` tag), so the stored image is the display image turned counter-clockwise.
    """
    k = (rotation_deg // 90) % 4
    return np.ascontiguousarray(np.rot90(display_bgr, k=k)) if k else display_bgr


class Mp4Writer:
    """H.264 (libx264, yuv420p) in MP4; each frame carries its own pts (VFR-capable).

    Use as a context manager; call :meth:`write` with upright BGR frames (H, W, 3) uint8.
    """

    def __init__(
        self,
        path: Path,
        display_size: tuple[int, int],
        fps: float,
        rotation_deg: int = 0,
        crf: int = 23,
        preset: str = "veryfast",
    ) -> None:
        if rotation_deg not in (0, 90, 180, 270):
            raise ValueError(f"rotation_deg must be 0, 90, 180 or 270, got {rotation_deg}")
        width, height = display_size
        if rotation_deg in (90, 270):
            width, height = height, width
        if width % 2 or height % 2:
            raise ValueError("yuv420p needs even frame sizes")
        self.rotation_deg = rotation_deg
        self.stored_size = (width, height)
        self._container = av.open(str(path), mode="w", format="mp4")
        stream = self._container.add_stream(
            "libx264",
            rate=Fraction(fps).limit_denominator(1001),
            # A keyframe every second, as phone cameras write them (and a clip can then be
            # sampled or seeked without decoding long runs of frames).
            options={
                "crf": str(crf),
                "preset": preset,
                "g": str(max(1, round(fps))),
                **REPRODUCIBLE_X264,
            },
        )
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        stream.time_base = TIME_BASE
        stream.codec_context.time_base = TIME_BASE
        if rotation_deg:
            # PyAV's angle is counter-clockwise (FFmpeg's display-matrix convention); a player
            # rotating the stored frame clockwise by rotation_deg needs the negative of it.
            stream.set_display_rotation(-rotation_deg)
        self._stream = stream

    def write(self, display_bgr: np.ndarray, pts: int) -> None:
        """Encode one upright frame at ``pts`` (ticks of 1/90000 s)."""
        stored = to_stored(display_bgr, self.rotation_deg)
        yuv = cv2.cvtColor(stored, cv2.COLOR_BGR2YUV_I420)
        frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
        frame.pts = int(pts)
        frame.time_base = TIME_BASE
        for packet in self._stream.encode(frame):
            self._container.mux(packet)

    def close(self) -> None:
        """Flush the encoder and finish the file."""
        for packet in self._stream.encode(None):
            self._container.mux(packet)
        self._container.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
