"""Video files made by the tests: a small valid clip and a corpus of unusable inputs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import av
import cv2
import numpy as np

from gait.synth.encode import REPRODUCIBLE_X264

SHARED_VIDEOS = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "videos"


def shared_video(name: str) -> Path:
    """A real clip from ``../shared/data/videos`` (callers skip when it is absent)."""
    return (SHARED_VIDEOS / name).resolve()


def write_video(
    path: Path,
    frames: Iterable[np.ndarray | av.VideoFrame],
    size: tuple[int, int],
    *,
    codec: str = "libx264",
    pix_fmt: str = "yuv420p",
    fps: int = 30,
    options: dict[str, str] | None = None,
    container_options: dict[str, str] | None = None,
    container_format: str | None = None,
) -> Path:
    """Encode ``frames`` (BGR arrays of ``size`` = (w, h), or ready ``av.VideoFrame``s);
    libx264 reproducibly (:data:`gait.synth.encode.REPRODUCIBLE_X264`)."""
    if codec == "libx264":
        options = {**REPRODUCIBLE_X264, **(options or {})}
    with av.open(
        str(path), "w", format=container_format, options=container_options or {}
    ) as container:
        stream = container.add_stream(codec, rate=fps, options=options or {})
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], pix_fmt
        for frame in frames:
            if isinstance(frame, np.ndarray):
                frame = av.VideoFrame.from_ndarray(frame, format="bgr24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def transform_clip(
    source: Path, path: Path, change: Callable[[int, np.ndarray], np.ndarray]
) -> Path:
    """Re-encode ``source`` with ``change(index, bgr_frame)`` applied to every frame."""
    with av.open(str(source)) as reader:
        stream = reader.streams.video[0]
        size = (stream.codec_context.width, stream.codec_context.height)
        images = (
            change(index, frame.to_ndarray(format="bgr24"))
            for index, frame in enumerate(reader.decode(stream))
        )
        return write_video(path, images, size)


def shaken_copy(source: Path, path: Path, shake_px: float, seed: int = 0) -> Path:
    """``source`` re-encoded with every frame shifted by a random shake: x and y normal with
    SD ``shake_px`` (pixels), independent from frame to frame (a trembling hand)."""
    shake = np.random.default_rng(seed)
    with av.open(str(source)) as reader:
        stream = reader.streams.video[0]
        size = (stream.codec_context.width, stream.codec_context.height)
    return transform_clip(
        source,
        path,
        lambda _index, image: cv2.warpAffine(
            image,
            np.float32([[1, 0, shake.normal(0.0, shake_px)], [0, 1, shake.normal(0.0, shake_px)]]),
            size,
            borderMode=cv2.BORDER_REFLECT,
        ),
    )


def write_clip(
    path: Path,
    frames: int = 60,
    size: tuple[int, int] = (320, 240),
    fps: int = 30,
    faststart: bool = False,
    seed: int = 0,
) -> Path:
    """An H.264 MP4 of a bright square moving over a noisy background (``size`` = w, h)."""
    rng = np.random.default_rng(seed)
    width, height = size

    def images() -> Iterator[np.ndarray]:
        for index in range(frames):
            image = rng.integers(0, 40, (height, width, 3), dtype=np.uint8)
            x = int(index * (width - 40) / max(1, frames - 1))
            image[height // 2 - 20 : height // 2 + 20, x : x + 40] = 230
            yield image

    return write_video(
        path,
        images(),
        size,
        fps=fps,
        options={"g": str(fps)},
        container_options={"movflags": "faststart"} if faststart else None,
    )


def random_bytes(path: Path) -> Path:
    path.write_bytes(np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    return path


def empty_file(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def truncated_mp4(path: Path) -> Path:
    """The first 60 % of a clip whose index comes first (faststart): frames are missing."""
    write_clip(path, frames=90, faststart=True)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 6 // 10])
    return path


def truncated_mp4_no_index(path: Path) -> Path:
    """The first 60 % of a clip whose index comes last: the index is gone."""
    write_clip(path, frames=90)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 6 // 10])
    return path


def audio_only(path: Path) -> Path:
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=44100, layout="mono")
        for index in range(20):
            frame = av.AudioFrame.from_ndarray(
                np.zeros((1, 1024), np.float32), format="fltp", layout="mono"
            )
            frame.sample_rate, frame.pts = 44100, index * 1024
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def one_frame(path: Path) -> Path:
    return write_clip(path, frames=1)


def image_renamed(path: Path) -> Path:
    ok, encoded = cv2.imencode(".png", np.zeros((120, 160, 3), np.uint8))
    assert ok
    path.write_bytes(encoded.tobytes())
    return path


def huge_resolution(path: Path) -> Path:
    """A real two-frame H.264 stream of 8448x8448 pixels (tiny file: the frames are black)."""
    side = 8448
    black = av.VideoFrame(side, side, "yuv420p")
    for plane in black.planes:
        plane.update(bytes(plane.buffer_size))
    return write_video(path, [black, black], (side, side), options={"preset": "ultrafast"})


def repeated_timestamps(path: Path) -> Path:
    """An MOV whose frames all carry timestamp 0: its time-to-sample table (``stts``) is
    patched to give every frame a duration of 0, as a broken muxer can write it."""
    images = [np.full((64, 64, 3), index, np.uint8) for index in range(40)]
    write_video(
        path, images, (64, 64), options={"x264-params": "bframes=0"}, container_format="mov"
    )
    data = bytearray(path.read_bytes())
    table = data.index(b"stts")
    entries = int.from_bytes(data[table + 8 : table + 12], "big")
    for entry in range(entries):
        delta = table + 12 + 8 * entry + 4
        data[delta : delta + 4] = bytes(4)
    path.write_bytes(bytes(data))
    return path


#: name → (maker, expected error code)
BAD_INPUTS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "random_bytes.mp4": (random_bytes, "not_a_video"),
    "empty.mp4": (empty_file, "not_a_video"),
    "truncated_faststart.mp4": (truncated_mp4, "truncated_video"),
    "truncated_no_index.mp4": (truncated_mp4_no_index, "truncated_video"),
    "audio_only.mp4": (audio_only, "not_a_video"),
    "one_frame.mp4": (one_frame, "too_short"),
    "image.mp4": (image_renamed, "not_a_video"),
    "huge.mp4": (huge_resolution, "absurd_resolution"),
    "repeated_timestamps.mov": (repeated_timestamps, "bad_timestamps"),
}
