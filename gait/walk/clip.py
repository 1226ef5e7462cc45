"""What the whole-clip stages know of the video besides its per-frame features."""

from __future__ import annotations

from dataclasses import dataclass

from gait.video import VideoInfo


@dataclass(frozen=True)
class Clip:
    """What the whole-clip stages know of the video: its probe, the analysis size
    ``(width, height)`` in pixels, the walker's height in metres when given, and the
    treadmill's belt speed in m/s when given (a treadmill walk's spatial scale)."""

    video: VideoInfo
    analysis_size: tuple[int, int]
    height_m: float | None
    treadmill_speed_mps: float | None = None

    @property
    def video_px_per_analysis_px(self) -> float:
        """Pixel values in the result are in the upright video's own pixels."""
        return self.video.display_size[0] / self.analysis_size[0]
