"""The analysis in three steps: ``plan``, ``analyze_chunk``, ``aggregate``.

This is the whole interface its drivers use: the CLI runs chunks in worker processes, the
Azure orchestration runs each chunk as an activity. The contract that makes both possible:

* ``plan`` runs once per video and computes everything every chunk needs (metadata, chunk
  ranges, the background model), so chunks are independent of each other;
* ``analyze_chunk`` reduces a frame range to small per-frame features (a few hundred KB,
  serialisable with :meth:`ChunkFeatures.to_bytes`);
* ``aggregate`` orders the features by frame and measures the gait.

Per-frame features depend only on the frame and the plan, and ``aggregate`` sorts by frame
index, so the result is identical whatever the chunk size and completion order.
"""

from __future__ import annotations

import gc
import io
import itertools
import json
import math
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields

import cv2
import numpy as np

from gait.errors import NoReliableGait
from gait.frame import camera_motion, segment
from gait.frame import features as frame_features
from gait.frame.rows import CompressedBlock, CompressedRows
from gait.person.tracker import PersonFrames, PersonTracker, tracking_start
from gait.result import Result
from gait.video import VideoInfo, analysis_size, probe, read_frames
from gait.walk.measure import Clip, measure
from gait.walk.quality import MAX_FOREGROUND_FRACTION
from gait.walk.walker import person_sized_boxes

#: Version of the Plan / ChunkFeatures wire format; bump when either changes shape or
#: meaning. 5: the cut and floor-parallax features (``scene_change``,
#: ``camera_floor_shift_px``) and the landmarks' heatmap refinement, which version 4's
#: chunks lacked, measuring otherwise (a following camera's lengths withheld for want of
#: its floor) when re-scaled.
FORMAT_VERSION = 5
#: Lowest frame rate (frames/s) a gait is timed at: a walking step lasts ~0.5 s, so 15 fps
#: leaves ~7 frames per step and one frame is ~7 % of a step time; at 10 fps (the CCTV
#: clip) one frame is 0.1 s, the size of a stance-phase difference the norms care about.
MIN_FRAME_RATE_FPS = 15.0
#: Default frames per chunk: 8 s at 30 fps. Memory does not depend on it (a chunk holds a
#: few frames at a time); it trades per-chunk overhead against fan-out width.
DEFAULT_CHUNK_FRAMES = 240
#: Upper bound on the number of chunks: Durable fan-outs of thousands of activities stall,
#: so a long video gets longer chunks instead of more of them.
MAX_CHUNKS = 64
#: The person tracker re-detects on every frame whose index is a multiple of this (1 s at
#: 30 fps): a chunk then starts tracking at most this many frames before its first frame and
#: gets the same per-frame results as a whole-video pass (see :mod:`gait.person.tracker`).
REDETECT_INTERVAL_FRAMES = 30
#: People the tracker follows at once (its slots). Three covers the clips with a walker and
#: others (outdoor: walker and jumper; elderly: bystanders; sprint: three runners) and costs
#: nothing on frames with one person: a slot runs the landmark model only while it follows
#: someone (~17 ms per person per frame, docs/person-model-findings.md).
PERSON_SLOTS = 3
#: The person arrays a chunk keeps, by their :class:`PersonFrames` field: every slot's 33
#: landmarks ``(n, PERSON_SLOTS, 33, 4)`` float32 (x, y analysis px, z, visibility; NaN in
#: an empty slot), their pose scores ``(n, PERSON_SLOTS)`` float32 (0 when empty) and the
#: detector's person count ``(n,)`` int8 (-1 where it did not run): 1597 bytes per frame
#: before compression (3 x 528 + 3 x 4 + 1; one person was 533), +1 % to +20 % compressed
#: on the real clips (most frames have one person); and how far the model's heatmap moves
#: each slot's landmarks ``(n, PERSON_SLOTS, 33, 2)`` float16, for the joint angles (+396
#: bytes per frame before compression; measured +19 % on a whole compressed chunk of the
#: demo clip, +17 % on the outdoor clip's first chunk). The walker's own ``person_landmarks``
#: ``(n, 33, 4)`` are chosen from the slots over the whole clip in ``aggregate``
#: (:mod:`gait.walk.person_walker`).
PERSON_ARRAYS = {
    "person_slot_landmarks": "slot_landmarks",
    "person_slot_score": "slot_score",
    "person_count": "person_count",
    "person_slot_refinement_px": "slot_refinement_px",
}
#: The per-frame arrays ``aggregate`` keeps compressed and the whole-clip stages read a
#: window of rows at a time (:mod:`gait.frame.rows`), most of the features' weight: the
#: floor-contact profiles (one row of the analysis width per frame, 2.6 KB at 854 px, ~10x
#: smaller compressed) and the person slots (1.6 KB per frame, ~4x smaller; read by
#: :func:`gait.walk.person_walker.link_people`). The rest weighs ~0.2 KB per frame.
WINDOWED_ARRAYS = ("bottom_y", "bottom_run", "person_slot_landmarks")
#: The :class:`VideoInfo` fields that are arrays: shipped as arrays, the rest as JSON.
VIDEO_ARRAYS = ("frame_times_s", "keyframes")


@dataclass(frozen=True)
class Chunk:
    """Frames ``start <= index < stop`` of a video; ``index`` is the chunk's position."""

    index: int
    start: int
    stop: int

    @property
    def frame_count(self) -> int:
        return self.stop - self.start

    def to_dict(self) -> dict[str, int]:
        return {"index": self.index, "start": self.start, "stop": self.stop}

    @classmethod
    def from_dict(cls, data: dict[str, int]) -> Chunk:
        return cls(index=int(data["index"]), start=int(data["start"]), stop=int(data["stop"]))


@dataclass(frozen=True)
class Plan:
    """Everything every chunk needs, computed once per video.

    ``background`` has shape ``(height, width, 3)``, BGR ``uint8``, at ``analysis_size``
    (``(width, height)`` in pixels). ``height_m`` is the walker's stature in metres when the
    user gave it (it sets the metric scale), else ``None``; ``treadmill_speed_mps`` the
    treadmill's belt speed in m/s when the user gave it, else ``None``.
    """

    video: VideoInfo
    analysis_size: tuple[int, int]
    chunks: tuple[Chunk, ...]
    background: np.ndarray
    height_m: float | None = None
    treadmill_speed_mps: float | None = None

    def to_bytes(self) -> bytes:
        """A compressed ``.npz`` holding the plan (a blob of tens to hundreds of KB)."""
        meta = {
            "format_version": FORMAT_VERSION,
            "video": {
                f.name: getattr(self.video, f.name)
                for f in fields(VideoInfo)
                if f.name not in VIDEO_ARRAYS
            },
            "analysis_size": list(self.analysis_size),
            "chunks": [chunk.to_dict() for chunk in self.chunks],
            "height_m": self.height_m,
            "treadmill_speed_mps": self.treadmill_speed_mps,
        }
        arrays = {name: getattr(self.video, name) for name in VIDEO_ARRAYS}
        return _npz_bytes(meta, background=self.background, **arrays)

    @classmethod
    def from_bytes(cls, data: bytes) -> Plan:
        meta, arrays = _npz_load(data)
        video = VideoInfo(**meta["video"], **{name: arrays[name] for name in VIDEO_ARRAYS})
        return cls(
            video=video,
            analysis_size=(int(meta["analysis_size"][0]), int(meta["analysis_size"][1])),
            chunks=tuple(Chunk.from_dict(c) for c in meta["chunks"]),
            background=arrays["background"],
            height_m=meta["height_m"],
            # Optional, so plans stored before it existed (same FORMAT_VERSION) still read.
            treadmill_speed_mps=meta.get("treadmill_speed_mps"),
        )


@dataclass(frozen=True)
class ChunkFeatures:
    """Per-frame features of one chunk.

    ``frame_indices`` has shape ``(n,)``; every array in ``arrays`` has ``n`` rows, one per
    decoded frame of the chunk, in frame order (see :mod:`gait.frame.features` for their meaning).
    """

    chunk: Chunk
    frame_indices: np.ndarray
    arrays: dict[str, np.ndarray]

    def to_bytes(self) -> bytes:
        meta = {"format_version": FORMAT_VERSION, "chunk": self.chunk.to_dict()}
        return _npz_bytes(meta, frame_indices=self.frame_indices, **self.arrays)

    @classmethod
    def from_bytes(cls, data: bytes) -> ChunkFeatures:
        """Raises ``ValueError`` for another :data:`FORMAT_VERSION`, or for features lacking
        one of :func:`chunk_array_names` (written before it existed)."""
        meta, arrays = _npz_load(data)
        frame_indices = arrays.pop("frame_indices")
        missing = chunk_array_names() - arrays.keys()
        if missing:
            raise ValueError(f"chunk features without {', '.join(sorted(missing))}")
        return cls(Chunk.from_dict(meta["chunk"]), frame_indices, arrays)


def chunk_array_names() -> set[str]:
    """The names of the per-frame arrays :func:`analyze_chunk` writes."""
    return {
        *frame_features.empty_arrays((1, 1)),
        *PERSON_ARRAYS,
        *camera_motion.unmeasured(),
    }


def chunk_ranges(frame_count: int, chunk_frames: int, parallel: int = 1) -> tuple[Chunk, ...]:
    """Split ``frame_count`` frames into consecutive chunks of at most about ``chunk_frames``.

    The chunks are of near-equal length and, when ``parallel`` chunks run at once, their
    number is a multiple of it (as long as each keeps :data:`REDETECT_INTERVAL_FRAMES`
    frames): the run waits for its longest chunk, and a 300-frame video cut
    240 + 60 (or a 230-frame one left whole, on two cores) kept one core idle most of the
    time. When the chunks span at least two re-detection grid steps
    (:data:`REDETECT_INTERVAL_FRAMES`), each boundary moves to the nearest grid frame: a chunk
    starting there tracks no warm-up frames (:func:`analyze_chunk`). Keyframes are not
    sought: a chunk's first frame is measured against the frame before it, so its decoding
    starts at the keyframe before its first frame wherever that is. At most
    :data:`MAX_CHUNKS` chunks, at least one frame each.
    """
    if chunk_frames < 1 or parallel < 1:
        raise ValueError("chunk_frames and parallel must be at least 1")
    grid = REDETECT_INTERVAL_FRAMES
    count = math.ceil(frame_count / chunk_frames)
    # More chunks than the length asks for only while each keeps a grid step of frames: a
    # shorter one would track more warm-up frames (up to a grid step) than it keeps.
    count = max(count, min(math.ceil(count / parallel) * parallel, frame_count // grid))
    count = min(count, MAX_CHUNKS, max(frame_count, 1))
    boundaries = [0]
    for i in range(1, count):
        boundary = round(i * frame_count / count)
        if frame_count / count >= 2 * grid:
            boundary = round(boundary / grid) * grid
        if boundaries[-1] < boundary < frame_count:
            boundaries.append(boundary)
    boundaries.append(frame_count)
    return tuple(
        Chunk(index=i, start=a, stop=b)
        for i, (a, b) in enumerate(itertools.pairwise(boundaries))
        if b > a
    )


def plan(
    video: str | os.PathLike[str],
    *,
    height_m: float | None = None,
    treadmill_speed_mps: float | None = None,
    chunk_frames: int = DEFAULT_CHUNK_FRAMES,
    parallel: int = 1,
) -> Plan:
    """Probe ``video`` and compute the state every chunk shares; ``chunk_frames`` and
    ``parallel`` (chunks analysed at once) cut it into chunks (:func:`chunk_ranges`).

    Raises :class:`gait.errors.UnusableVideo` for a file that cannot be analysed, and
    ``NoReliableGait("frame_rate_too_low")`` below :data:`MIN_FRAME_RATE_FPS`.
    """
    info = probe(video)
    check_frame_rate(info)
    size = analysis_size(info)
    background = segment.background_model(info, size)
    return Plan(
        video=info,
        analysis_size=size,
        chunks=chunk_ranges(info.frame_count, chunk_frames, parallel),
        background=background,
        height_m=height_m,
        treadmill_speed_mps=treadmill_speed_mps,
    )


def check_frame_rate(info: VideoInfo) -> None:
    """Raise ``NoReliableGait("frame_rate_too_low")`` when the frames (median interval) come
    slower than :data:`MIN_FRAME_RATE_FPS`."""
    interval_s = info.frame_interval_s
    if interval_s > 0 and 1.0 / interval_s < MIN_FRAME_RATE_FPS:
        raise NoReliableGait(
            "frame_rate_too_low",
            f"the video has {1.0 / interval_s:.1f} frames/s and gait events need at least "
            f"{MIN_FRAME_RATE_FPS:g} (a step of ~0.5 s would span {0.5 / interval_s:.0f} frames)",
        )


def analyze_chunk(
    plan: Plan, chunk: Chunk, source: str | os.PathLike[str] | None = None
) -> ChunkFeatures:
    """Decode ``chunk`` and reduce each frame to its features.

    ``source`` reads the same video from another location than ``plan.video.path``.
    The person tracker starts at the re-detection grid frame at or before ``chunk.start``
    (up to :data:`REDETECT_INTERVAL_FRAMES` warm-up frames, decoded and tracked, not kept),
    so every frame's person arrays are those of a whole-video pass; the warm-up frames'
    features are computed too (the tracker looks for people entering in person-sized
    foreground blobs). A blank frame (black, a fade-in) gives empty features and no pose,
    and the tracker re-detects after it.
    """
    # One OpenCV thread, as one LiteRT and one decoder thread: chunks already run in
    # parallel, one per core, and OpenCV's own pool, busy-waiting between the small calls
    # made per frame, cost ~9 ms of CPU per 1080p frame for no wall time gained (measured:
    # 37.9 against 28.8 ms of CPU per frame, the same wall time, session 6).
    cv2.setNumThreads(1)
    extractor = frame_features.FrameFeatureExtractor(plan.background)
    tracker = person_tracker()
    tracker.reset()
    indices: list[int] = []
    rows: list[dict[str, np.ndarray]] = []
    motion: list[dict[str, np.ndarray]] = []
    people: list[PersonFrames] = []
    first = tracking_start(chunk.start, REDETECT_INTERVAL_FRAMES)
    # The camera motion of the chunk's first frame needs the frame before it, which the
    # tracker must not see (it starts on its grid frame, for chunk invariance).
    previous = None
    for index, _time_s, image in read_frames(
        plan.video, min(first, max(0, chunk.start - 1)), chunk.stop, plan.analysis_size, source
    ):
        blank = segment.is_blank(image)
        if index < first:
            previous = None if blank else camera_motion.motion_frame(image)
            continue
        person = PersonFrames.empty(1, PERSON_SLOTS)
        row = extractor(image)
        if blank:
            tracker.reset()
        else:
            blobs = (
                person_sized_boxes(row["blobs"], plan.analysis_size[1])
                # Beyond the background model's limit (a moving camera, a scene change: the
                # whole frame one wide blob) the blobs say nothing of where people are.
                if row["foreground_fraction"] <= MAX_FOREGROUND_FRACTION
                else None
            )
            tracker.update(image, index, person, person_blobs_px=blobs)
        current = None if blank else camera_motion.motion_frame(image)
        if index >= chunk.start:
            indices.append(index)
            rows.append(row)
            people.append(person)
            motion.append(
                camera_motion.unmeasured()
                if current is None
                else camera_motion.frame_motion(
                    previous, current, person.slot_landmarks[0], plan.analysis_size[0]
                )
            )
        previous = current
    arrays = frame_features.stack(rows, plan.analysis_size)
    arrays.update(person_arrays(people))
    arrays.update(camera_motion.stack(motion))
    del rows, people, motion
    # A full collection after each chunk (~25 ms): without it a process analysing chunk
    # after chunk grows by ~6 MB of resident heap per 240-frame 480p chunk, with it it stays
    # flat (measured in session 4). It finds no cyclic garbage there; why it helps was not
    # established (a full collection also empties CPython's free lists).
    gc.collect()
    return ChunkFeatures(chunk, np.asarray(indices, dtype=np.int64), arrays)


def person_arrays(frames: Sequence[PersonFrames]) -> dict[str, np.ndarray]:
    """The :data:`PERSON_ARRAYS` of consecutive one-frame results, one row per frame."""
    empty = PersonFrames.empty(0, PERSON_SLOTS)
    return {
        name: np.concatenate([getattr(empty, field)] + [getattr(f, field) for f in frames])
        for name, field in PERSON_ARRAYS.items()
    }


_TRACKERS = threading.local()


def person_tracker() -> PersonTracker:
    """This thread's tracker: loading the models costs ~0.1 s, so once per thread, and a
    tracker (its state, its LiteRT interpreters) must not be shared by threads running
    chunks at once (the Functions host runs activities on a thread pool). The whole-frame
    segmentation is off: no kept array uses it."""
    tracker = getattr(_TRACKERS, "tracker", None)
    if tracker is None:
        tracker = PersonTracker(
            REDETECT_INTERVAL_FRAMES, with_scene_mask=False, max_people=PERSON_SLOTS
        )
        _TRACKERS.tracker = tracker
    return tracker


def aggregate(plan: Plan, features: Iterable[ChunkFeatures]) -> Result:
    """Measure the gait from every chunk's features, in frame order.

    ``features`` may be a generator (chunks read or analysed one at a time, in any order):
    each chunk's :data:`WINDOWED_ARRAYS` are compressed as it arrives, so a caller that does
    not hold the chunks itself keeps the whole run's memory from growing with them
    (:mod:`gait.frame.rows`).

    Raises :class:`gait.errors.NoReliableGait` when no gait can be measured reliably.
    """
    parts = sorted((_compact(f) for f in features), key=lambda part: part[0].start)
    frame_indices = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int64)
    names = parts[0][2].keys() if parts else ()
    arrays: dict[str, np.ndarray | CompressedRows] = {
        name: np.concatenate([p[2][name] for p in parts]) for name in names
    }
    for name in parts[0][3] if parts else ():
        first = parts[0][3][name]
        arrays[name] = CompressedRows([p[3][name] for p in parts], first.row_shape, first.dtype)
    del parts  # the chunks' own copies of the dense arrays: concatenated above
    clip = Clip(plan.video, plan.analysis_size, plan.height_m, plan.treadmill_speed_mps)
    return measure(clip, frame_indices, arrays)


def _compact(
    features: ChunkFeatures,
) -> tuple[Chunk, np.ndarray, dict[str, np.ndarray], dict[str, CompressedBlock]]:
    """A chunk's features with its :data:`WINDOWED_ARRAYS` compressed."""
    dense = {k: v for k, v in features.arrays.items() if k not in WINDOWED_ARRAYS}
    packed = {k: CompressedBlock.of(v) for k, v in features.arrays.items() if k in WINDOWED_ARRAYS}
    return features.chunk, features.frame_indices, dense, packed


def _npz_bytes(meta: dict[str, object], **arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, meta=np.frombuffer(json.dumps(meta).encode(), np.uint8), **arrays)
    return buffer.getvalue()


def _npz_load(data: bytes) -> tuple[dict, dict[str, np.ndarray]]:
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    meta = json.loads(arrays.pop("meta").tobytes().decode())
    if meta.get("format_version") != FORMAT_VERSION:
        raise ValueError(f"unsupported format version {meta.get('format_version')}")
    return meta, arrays
