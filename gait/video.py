"""Video probing and chunked decoding at analysis resolution.

Both go through FFmpeg (PyAV):

* probing demuxes the container without decoding: every frame's presentation timestamp and
  keyframe flag cost a few milliseconds even for a long clip;
* decoding seeks to the keyframe at or before a chunk's first frame and decodes forward,
  one thread per chunk (chunks run in parallel), and reduces each frame to the analysis
  size in its 4:2:0 form (8- or 10-bit) before converting it to BGR, which halves the CPU
  time of a full-size conversion. The container's rotation flag is applied so frames
  arrive upright.

A frame's identity is its index in presentation order (the order OpenCV's ``read`` returns
frames) and its time is its own timestamp, never ``index / fps``: phone videos often have a
variable frame rate. Every decoded frame is matched to the probe's timestamp table, so a
chunk yields exactly its frames whatever the container's seeking does.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import av
import cv2
import numpy as np

from gait.errors import (
    AbsurdResolution,
    BadTimestamps,
    NoFrames,
    NotAVideo,
    TooShort,
    TruncatedVideo,
    first_line,
)
from gait.words import counted

#: Smallest and largest frame side accepted, in pixels. 8K UHD is 7680 wide; anything
#: beyond 8192 is either a damaged header or a file no phone produces.
MIN_SIDE_PX = 32
MAX_SIDE_PX = 8192
#: A clip must hold at least this much video to contain two steps of ordinary walking.
MIN_DURATION_S = 1.0
MIN_FRAMES = 8
#: Frame-interval spread (max / min - 1) above which the clip is called variable frame rate.
VFR_TOLERANCE = 0.05
#: The analysis resolution's longer side, in pixels (never upscaled). 960 keeps a walker of
#: a third of a 1080p frame's height at ~120 px, i.e. ~15 mm per pixel for a 1.7 m adult.
ANALYSIS_LONG_SIDE_PX = 960


@dataclass(frozen=True)
class VideoInfo:
    """What the probe learnt about a video file.

    ``width``/``height`` are the stored size; ``display_width``/``display_height`` the
    upright size after the rotation flag (``rotation_deg``, clockwise, 0/90/180/270) is
    applied. ``frame_times_s`` has shape ``(frame_count,)``: each frame's presentation
    timestamp in seconds relative to the stream start, in presentation order.
    ``keyframes`` holds the indices of the frames a decoder can start from.
    """

    path: str
    container: str
    codec: str
    width: int
    height: int
    rotation_deg: int
    fps: float
    frame_times_s: np.ndarray = field(repr=False)
    keyframes: np.ndarray = field(repr=False)

    @property
    def frame_count(self) -> int:
        return int(self.frame_times_s.shape[0])

    @property
    def frame_interval_s(self) -> float:
        """Median interval between consecutive frames, in seconds."""
        if self.frame_count < 2:
            return 1.0 / self.fps if self.fps > 0 else 0.0
        return float(np.median(np.diff(self.frame_times_s)))

    @property
    def duration_s(self) -> float:
        """Time from the first frame's start to the last frame's end, in seconds."""
        if self.frame_count == 0:
            return 0.0
        return float(self.frame_times_s[-1] - self.frame_times_s[0] + self.frame_interval_s)

    @property
    def variable_frame_rate(self) -> bool:
        if self.frame_count < 3:
            return False
        intervals = np.diff(self.frame_times_s)
        return bool(intervals.max() / max(intervals.min(), 1e-9) - 1.0 > VFR_TOLERANCE)

    @property
    def display_size(self) -> tuple[int, int]:
        """Upright ``(width, height)`` in pixels."""
        if self.rotation_deg in (90, 270):
            return self.height, self.width
        return self.width, self.height

    def to_dict(self) -> dict[str, object]:
        """The ``video`` block of the result JSON (times in seconds)."""
        return {
            "path": self.path,
            "container": self.container,
            "codec": self.codec,
            "width": self.width,
            "height": self.height,
            "display_width": self.display_size[0],
            "display_height": self.display_size[1],
            "fps": round(self.fps, 6),
            "frame_count": self.frame_count,
            "duration_s": round(self.duration_s, 6),
            "variable_frame_rate": self.variable_frame_rate,
            "rotation_deg": self.rotation_deg,
        }


def probe(path: str | os.PathLike[str]) -> VideoInfo:
    """Read a video's metadata and every frame's timestamp without decoding it.

    Raises a :class:`gait.errors.UnusableVideo` subclass when the file is not a video,
    is truncated, has no frames, is too short, or declares an absurd resolution.
    """
    source = os.fspath(path)
    if not _is_url(source):
        if not os.path.isfile(source):
            raise NotAVideo(f"{source}: no such file")
        if os.path.getsize(source) == 0:
            raise NotAVideo(f"{source}: the file is empty")
    try:
        container = av.open(source, metadata_errors="ignore")
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        if not _is_url(source) and _file_signature(source) is not None:
            raise TruncatedVideo(
                f"{source}: a {_file_signature(source)} file that cannot be opened: truncated "
                f"or damaged ({first_line(exc)})"
            ) from exc
        raise NotAVideo(f"{source}: not a readable video ({first_line(exc)})") from exc
    with container:
        if _is_still_image_format(container.format.name):
            raise NotAVideo(f"{source}: a still image ({container.format.name}), not a video")
        if not container.streams.video:
            raise NotAVideo(f"{source}: the file has no video stream")
        stream = container.streams.video[0]
        width, height = int(stream.codec_context.width), int(stream.codec_context.height)
        if min(width, height) < MIN_SIDE_PX or max(width, height) > MAX_SIDE_PX:
            raise AbsurdResolution(
                f"{source}: resolution {width}x{height} is outside "
                f"{MIN_SIDE_PX}..{MAX_SIDE_PX} pixels per side"
            )
        rotation_deg = _rotation_deg(container, stream, source)
        frame_pts, keyframe_pts = _demux_timestamps(container, stream, source)
        start_pts = stream.start_time
        if start_pts is None:
            start_pts = min(frame_pts, default=0)
        time_base = float(stream.time_base) if stream.time_base else 0.0
        nominal_fps = float(stream.average_rate or stream.guessed_rate or 0.0)
        container_name = container.format.name
        codec_name = stream.codec_context.name

    if not frame_pts:
        raise NoFrames(f"{source}: the video stream holds no frames")
    if len(set(frame_pts)) < len(frame_pts):
        raise BadTimestamps(
            f"{source}: {len(frame_pts) - len(set(frame_pts))} of {len(frame_pts)} frames repeat "
            "another frame's timestamp (a damaged or badly muxed file): frame times unknown"
        )
    order = np.argsort(np.asarray(frame_pts, dtype=np.int64), kind="stable")
    pts_sorted = np.asarray(frame_pts, dtype=np.int64)[order]
    frame_times_s = (pts_sorted - start_pts) * time_base
    keyframes = np.flatnonzero(np.isin(pts_sorted, np.asarray(keyframe_pts, dtype=np.int64)))
    if keyframes.size == 0 or keyframes[0] != 0:
        keyframes = np.union1d([0], keyframes)
    if nominal_fps <= 0 and frame_times_s.size > 1:
        nominal_fps = 1.0 / float(np.median(np.diff(frame_times_s)))

    info = VideoInfo(
        path=source,
        container=container_name,
        codec=codec_name,
        width=width,
        height=height,
        rotation_deg=rotation_deg,
        fps=nominal_fps,
        frame_times_s=frame_times_s,
        keyframes=keyframes.astype(np.int64),
    )
    if info.frame_count < MIN_FRAMES or info.duration_s < MIN_DURATION_S:
        raise TooShort(
            f"{source}: {counted(info.frame_count, 'frame')} over {info.duration_s:.2f} s; "
            "at least "
            f"{MIN_FRAMES} frames and {MIN_DURATION_S:.1f} s are needed for two steps"
        )
    return info


def analysis_size(info: VideoInfo, long_side_px: int = ANALYSIS_LONG_SIDE_PX) -> tuple[int, int]:
    """Upright ``(width, height)`` frames are reduced to for analysis (never enlarged)."""
    display_w, display_h = info.display_size
    scale = min(1.0, long_side_px / max(display_w, display_h))
    # Even sides: frames are reduced in 4:2:0 form, whose chroma planes are half size.
    return max(2, 2 * round(display_w * scale / 2)), max(2, 2 * round(display_h * scale / 2))


def read_frames(
    info: VideoInfo,
    start: int,
    stop: int,
    size: tuple[int, int],
    source: str | os.PathLike[str] | None = None,
) -> Iterator[tuple[int, float, np.ndarray]]:
    """Decode frames ``start <= index < stop``, upright and resized to ``size``.

    Yields ``(index, time_s, image)`` with ``image`` of shape ``(height, width, 3)``,
    BGR ``uint8``. Holds one decoded frame at a time. ``source`` overrides
    ``info.path`` (the same video at another location, e.g. a local copy of a blob).

    Raises :class:`gait.errors.TruncatedVideo` when the stream ends before ``stop``.
    """
    start, stop = max(0, start), min(stop, info.frame_count)
    return read_frames_at(info, np.arange(start, stop), size, source)


def read_frames_at(
    info: VideoInfo,
    indices: np.ndarray,
    size: tuple[int, int],
    source: str | os.PathLike[str] | None = None,
) -> Iterator[tuple[int, float, np.ndarray]]:
    """Decode the frames whose indices are in ``indices`` (any order, shape ``(k,)``).

    Frames come in increasing index order through one decoder, which seeks (to the
    keyframe at or before the next wanted frame) only when that keyframe lies ahead of the
    frames already decoded; otherwise it decodes forward. Yields as :func:`read_frames`.
    """
    wanted = np.unique(np.asarray(indices, dtype=np.int64))
    wanted = wanted[(wanted >= 0) & (wanted < info.frame_count)]
    if wanted.size == 0:
        return
    try:
        container = av.open(os.fspath(source or info.path), metadata_errors="ignore")
    except (av.FFmpegError, ValueError) as exc:
        raise NotAVideo(f"{info.path}: cannot be opened ({first_line(exc)})") from exc
    with container:
        stream = container.streams.video[0]
        # One thread per decoder: chunks already run in parallel, one per core.
        stream.thread_type = "NONE"
        decoder = _FrameDecoder(container, stream, info)
        for target in wanted:
            frame = decoder.frame(int(target))
            if frame is None:
                continue  # the decoder skipped this frame (damaged data): leave it out
            yield int(target), float(info.frame_times_s[target]), _to_bgr(frame, info, size)


class _FrameDecoder:
    """Decodes frames of one stream by index: forward, seeking to keyframes when useful.

    A decoded frame is identified by its timestamp, looked up in the probe's table, so
    the index is right whatever the container's seeking does.
    """

    def __init__(
        self, container: av.container.InputContainer, stream: av.VideoStream, info: VideoInfo
    ) -> None:
        self.container, self.stream, self.info = container, stream, info
        self.time_base = float(stream.time_base)
        self.start_pts = int(stream.start_time or 0)
        self.times_s = info.frame_times_s
        # Half the smallest frame interval: a decoded frame's time must fall this close to
        # a probed one to be that frame.
        self.tolerance_s = 0.5 * float(np.min(np.diff(self.times_s))) if info.frame_count > 1 else 1
        self.frames: Iterator[av.VideoFrame] = self._decode()
        self.index = -1  # the last frame decoded

    def frame(self, target: int) -> av.VideoFrame | None:
        keyframes = self.info.keyframes
        keyframe = int(keyframes[np.searchsorted(keyframes, target, side="right") - 1])
        if keyframe > self.index + 1 or target <= self.index:
            self._seek(keyframe, target)
        while self.index < target:
            frame = self._next()
            if frame is None:
                raise TruncatedVideo(
                    f"{self.info.path}: decoding stops before frame {target} of "
                    f"{self.info.frame_count}"
                )
            if self.index == target:
                return frame
        return None

    def _seek(self, keyframe: int, target: int) -> None:
        """Restart decoding at ``keyframe``, or further back until it lands before ``target``."""
        for candidate in (keyframe, *self.info.keyframes[self.info.keyframes < keyframe][::-1]):
            offset = self.start_pts + round(float(self.times_s[candidate]) / self.time_base)
            self.container.seek(offset, stream=self.stream, backward=True, any_frame=False)
            self.frames = self._decode()
            self.index = int(candidate) - 1
            first = self._peek()
            if first is not None and first <= target:
                return
        self.container.seek(self.start_pts, stream=self.stream, backward=True)
        self.frames, self.index = self._decode(), -1

    def _decode(self) -> Iterator[av.VideoFrame]:
        try:
            yield from self.container.decode(self.stream)
        except av.FFmpegError as exc:
            raise TruncatedVideo(
                f"{self.info.path}: the stream breaks off after frame {self.index} "
                f"({first_line(exc)})"
            ) from exc

    def _peek(self) -> int | None:
        """Decode the next frame, keep it for :meth:`_next`, and return its index."""
        frame = next(self.frames, None)
        if frame is None:
            return None
        index = self._index_of(frame)
        self.frames = itertools.chain([frame], self.frames)
        return index

    def _next(self) -> av.VideoFrame | None:
        frame = next(self.frames, None)
        if frame is not None:
            self.index = self._index_of(frame)
        return frame

    def _index_of(self, frame: av.VideoFrame) -> int:
        if frame.pts is None:
            return self.index + 1  # no timestamp: count on from the previous frame
        time_s = (frame.pts - self.start_pts) * self.time_base
        nearest = int(np.clip(np.searchsorted(self.times_s, time_s), 1, len(self.times_s) - 1))
        if abs(self.times_s[nearest - 1] - time_s) <= abs(self.times_s[nearest] - time_s):
            nearest -= 1
        if abs(self.times_s[nearest] - time_s) > self.tolerance_s:
            return self.index + 1  # a timestamp the probe never saw
        return nearest


_ROTATIONS = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


#: 4:2:0 pixel formats reduced plane by plane (:func:`_to_bgr`), with their sample type: 8-bit,
#: and 10-bit as phones record HDR video (iPhone: HEVC Main 10).
PLANAR_420 = {"yuv420p": np.uint8, "yuvj420p": np.uint8, "yuv420p10le": np.uint16}


def _to_bgr(frame: av.VideoFrame, info: VideoInfo, size: tuple[int, int]) -> np.ndarray:
    """The decoded frame upright, at ``size`` (width, height), BGR ``uint8``.

    4:2:0 frames (:data:`PLANAR_420`) are reduced plane by plane, 10-bit samples rounded to
    8 bits after the reduction, and converted at the small size (OpenCV's I420 conversion
    uses the same BT.601 video-range matrix as FFmpeg's): about half the CPU time of
    converting the full-size frame first, 8- or 10-bit (1.7-2.3 against 3.7-6.2 ms for a
    1768x994 10-bit HEVC frame to 960x540). An HDR picture (HLG or PQ, BT.2020) is read as
    if it were SDR, as FFmpeg's own conversion reads it: dimmer and paler than on the
    phone's screen.
    """
    stored = size if info.rotation_deg in (0, 180) else (size[1], size[0])
    width, height = stored
    sample = PLANAR_420.get(frame.format.name)
    if sample is not None and width % 2 == 0 and height % 2 == 0:
        sizes = ((width, height), (width // 2, height // 2), (width // 2, height // 2))
        y, u, v = (
            _to_8bit(_resize(_plane(plane, sample), plane_size))
            for plane, plane_size in zip(frame.planes, sizes, strict=True)
        )
        i420 = np.concatenate([y.ravel(), u.ravel(), v.ravel()]).reshape(height * 3 // 2, width)
        image = cv2.cvtColor(i420, cv2.COLOR_YUV2BGR_I420)
    else:
        image = _resize(frame.to_ndarray(format="bgr24"), stored)
    if info.rotation_deg in _ROTATIONS:
        image = cv2.rotate(image, _ROTATIONS[info.rotation_deg])
    return image


def _plane(plane: av.video.plane.VideoPlane, sample: type[np.generic] = np.uint8) -> np.ndarray:
    """A frame plane as a ``(height, width)`` view of ``sample`` values (without the row
    padding)."""
    itemsize = np.dtype(sample).itemsize
    rows = np.frombuffer(plane, sample).reshape(plane.height, plane.line_size // itemsize)
    return rows[:, : plane.width]


def _to_8bit(plane: np.ndarray) -> np.ndarray:
    """``plane`` as ``uint8``: 8-bit samples as they are, 10-bit ones rounded to 8 bits."""
    if plane.dtype == np.uint8:
        return plane
    return np.minimum((plane.astype(np.uint32) + 2) >> 2, 255).astype(np.uint8)


def _resize(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize to ``size``; area averaging only where it is needed against aliasing.

    Below a 2x reduction bilinear interpolation samples every source pixel anyway, and
    OpenCV's area filter is several times slower at non-integer ratios.
    """
    if (image.shape[1], image.shape[0]) == size:
        return image
    ratio = image.shape[1] / size[0]
    interpolation = cv2.INTER_LINEAR if ratio < 2.0 else cv2.INTER_AREA
    return cv2.resize(image, size, interpolation=interpolation)


def _demux_timestamps(
    container: av.container.InputContainer, stream: av.VideoStream, source: str
) -> tuple[list[int], list[int]]:
    """Every video packet's pts and the keyframes' pts, checking the data is all there."""
    file_size = None if _is_url(source) else os.path.getsize(source)
    frame_pts: list[int] = []
    keyframe_pts: list[int] = []
    try:
        for packet in container.demux(stream):
            if packet.size == 0:
                continue
            pts = packet.pts if packet.pts is not None else packet.dts
            if pts is None:
                continue
            known_position = packet.pos is not None and packet.pos >= 0
            if file_size is not None and known_position and packet.pos + packet.size > file_size:
                raise TruncatedVideo(
                    f"{source}: the file ends before frame {len(frame_pts)} "
                    "(truncated upload or copy?)"
                )
            frame_pts.append(int(pts))
            if packet.is_keyframe:
                keyframe_pts.append(int(pts))
    except av.FFmpegError as exc:
        raise TruncatedVideo(
            f"{source}: the stream breaks off after {len(frame_pts)} frames ({first_line(exc)})"
        ) from exc
    declared = int(stream.frames or 0)
    if declared and len(frame_pts) < declared:
        raise TruncatedVideo(
            f"{source}: {len(frame_pts)} of {declared} declared frames are present (truncated?)"
        )
    return frame_pts, keyframe_pts


def _rotation_deg(
    container: av.container.InputContainer, stream: av.VideoStream, source: str
) -> int:
    """The display rotation (clockwise degrees) of the first frame, decoded to check that
    the stream decodes at all; the container is rewound for the demux that follows."""
    try:
        first = next(container.decode(stream), None)
    except av.FFmpegError as exc:
        raise TruncatedVideo(
            f"{source}: the first frame cannot be decoded ({first_line(exc)})"
        ) from exc
    if first is None:
        raise NoFrames(f"{source}: the video stream holds no frames")
    container.seek(stream.start_time or 0, stream=stream, backward=True)
    # PyAV gives the display matrix's angle counter-clockwise.
    return round(-first.rotation) % 360


def container_signature(head: bytes) -> str | None:
    """The usual extension (``".mp4"``, ``".mov"``, ``".avi"``, ``".mkv"``, ``".webm"``) of
    the video container whose signature ``head`` (a file's first 64 bytes) starts with.

    ``None`` when the bytes match no container phones and browsers record into. A cheap
    first check before a full :func:`probe`, e.g. on an upload's first bytes.
    """
    if len(head) >= 12 and head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free"):
        return ".mov" if head[8:10] == b"qt" else ".mp4"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return ".avi"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return ".webm" if b"webm" in head[:64] else ".mkv"
    return None


def _file_signature(path: str) -> str | None:
    with open(path, "rb") as stream:
        return container_signature(stream.read(64))


def _is_still_image_format(format_name: str) -> bool:
    return format_name.endswith("_pipe") or format_name in {"image2", "gif", "webp"}


def _is_url(source: str) -> bool:
    return "://" in source
