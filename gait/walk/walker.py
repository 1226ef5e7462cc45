"""The walker's silhouette: blobs tracked over time, and the one person walking across
chosen among them (the one the person model's walker is in, when it found one)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gait.errors import NoReliableGait

#: A blob links to a track when its centroid lies within this fraction of the track's
#: height from the track's last centroid (a walker moves < 0.1 stature per frame at 25 fps).
LINK_DISTANCE_STATURES = 0.35
#: Heights of linked blobs differ by less than this ratio (a person does not halve).
LINK_HEIGHT_RATIO = 1.6
#: A track survives this many frames without a blob (occlusion by a tree trunk, a dropout).
MAX_GAP_FRAMES = 6
#: A person is a blob at least this tall relative to the frame and taller than wide.
MIN_HEIGHT_FRACTION = 0.12
MIN_ASPECT = 1.3
#: A walker travels at least this many of its own heights across the frame.
MIN_TRAVEL_STATURES = 1.5
#: Another person walking across during this share of the walker's frames makes the scene
#: ambiguous (pedestrians, a crowd).
MAX_SHARED_FRAMES = 0.3


@dataclass(frozen=True)
class Track:
    """A blob followed over time: ``positions`` (``(m,)`` row indices into the clip's
    frames) and ``ranks`` (``(m,)`` blob rank in that frame, 1-based as in ``bottom_blob``).
    ``boxes`` ``(m, 7)``: the blob rows (x0, y0, x1, y1, area, cx, cy) in analysis pixels."""

    positions: np.ndarray
    ranks: np.ndarray
    boxes: np.ndarray

    @property
    def heights_px(self) -> np.ndarray:
        return (self.boxes[:, 3] - self.boxes[:, 1]).astype(np.float64)

    @property
    def travel_px(self) -> float:
        """Horizontal extent of the centroid's path, pixels."""
        return float(np.ptp(self.boxes[:, 5])) if len(self.boxes) else 0.0

    @property
    def is_person_shaped(self) -> bool:
        widths = self.boxes[:, 2] - self.boxes[:, 0]
        return bool(np.median(self.heights_px / np.maximum(widths, 1)) >= MIN_ASPECT)


def person_sized_boxes(blobs: np.ndarray, frame_height_px: int) -> np.ndarray:
    """``(m, 4)`` x0, y0, x1, y1 of one frame's blobs (``(K, 7)`` rows as in features) tall
    enough (:data:`MIN_HEIGHT_FRACTION`) and narrow enough (:data:`MIN_ASPECT`) to be a
    person."""
    present = blobs[blobs[:, 0] >= 0]
    heights = present[:, 3] - present[:, 1]
    widths = np.maximum(present[:, 2] - present[:, 0], 1)
    person = (heights >= MIN_HEIGHT_FRACTION * frame_height_px) & (heights >= MIN_ASPECT * widths)
    return present[person, :4].astype(np.float64)


def link_tracks(blobs: np.ndarray, frame_height_px: int) -> list[Track]:
    """Greedy frame-to-frame linking of blobs (``(n, K, 7)``, rows as in features) into tracks.

    Deterministic: blobs are visited by rank, tracks by creation order. Only blobs at least
    :data:`MIN_HEIGHT_FRACTION` of the frame tall take part.
    """
    min_height = MIN_HEIGHT_FRACTION * frame_height_px
    open_tracks: list[dict] = []
    closed: list[dict] = []
    for position in range(blobs.shape[0]):
        rows = blobs[position]
        candidates = [
            rank
            for rank in range(rows.shape[0])
            if rows[rank, 0] >= 0 and rows[rank, 3] - rows[rank, 1] >= min_height
        ]
        taken: set[int] = set()
        for track in open_tracks:
            last = track["boxes"][-1]
            height = last[3] - last[1]
            best, best_distance = None, LINK_DISTANCE_STATURES * height
            for rank in candidates:
                if rank in taken:
                    continue
                box = rows[rank]
                ratio = (box[3] - box[1]) / max(height, 1)
                if not 1 / LINK_HEIGHT_RATIO <= ratio <= LINK_HEIGHT_RATIO:
                    continue
                distance = float(np.hypot(box[5] - last[5], box[6] - last[6]))
                if distance < best_distance:
                    best, best_distance = rank, distance
            if best is not None:
                taken.add(best)
                track["positions"].append(position)
                track["ranks"].append(best + 1)
                track["boxes"].append(rows[best])
        still_open = []
        for track in open_tracks:
            if position - track["positions"][-1] > MAX_GAP_FRAMES:
                closed.append(track)
            else:
                still_open.append(track)
        open_tracks = still_open
        for rank in candidates:
            if rank not in taken:
                open_tracks.append(
                    {"positions": [position], "ranks": [rank + 1], "boxes": [rows[rank]]}
                )
    closed.extend(open_tracks)
    return [
        Track(
            np.asarray(t["positions"], np.int64),
            np.asarray(t["ranks"], np.int64),
            np.asarray(t["boxes"], np.int64).reshape(-1, 7),
        )
        for t in closed
    ]


def walking_tracks(tracks: list[Track]) -> list[Track]:
    """The tracks of people who walk across: person-shaped, travelling far enough."""
    return [
        t
        for t in tracks
        if len(t.positions) >= 10
        and t.is_person_shaped
        and t.travel_px >= MIN_TRAVEL_STATURES * float(np.median(t.heights_px))
    ]


#: A blob just above the walker (a head split off at a low-contrast neck) joins it when the
#: gap is below this fraction of the walker's height and the columns overlap.
HEAD_GAP_STATURES = 0.12
#: ... and when it is at most this tall (fraction of the walker's height): head and neck.
HEAD_SIZE_STATURES = 0.25


def walker_top_px(track: Track, blobs: np.ndarray) -> np.ndarray:
    """The walker's top row in each of its frames, ``(m,)`` float, including a head blob
    split off just above the body (see :data:`HEAD_GAP_STATURES`)."""
    tops = track.boxes[:, 1].astype(np.float64).copy()
    for i, (position, rank) in enumerate(zip(track.positions, track.ranks, strict=True)):
        body = blobs[position, rank - 1]
        height = body[3] - body[1]
        for other in blobs[position]:
            if other[0] < 0 or np.array_equal(other, body):
                continue
            overlaps = other[0] < body[2] and other[2] > body[0]
            gap = body[1] - other[3]
            # Head-sized only: a person standing above the walker (on a wall, a box) is
            # not a head.
            head_sized = other[3] - other[1] <= HEAD_SIZE_STATURES * height
            if overlaps and head_sized and other[1] < body[1] and gap <= HEAD_GAP_STATURES * height:
                tops[i] = min(tops[i], float(other[1]))
    return tops


#: A pose agrees with a blob when at least this share of its landmark box lies inside the
#: blob's box (arms or a foot may stick out of a silhouette cut at low contrast).
POSE_IN_BLOB_SHARE = 0.5
#: The blob track the person-model walker is in: it must agree on at least this many
#: frames (a third of a second at 30 fps), else the silhouette rule decides.
MIN_AGREEING_FRAMES = 10


def frames_agreeing(track: Track, person_box_px: np.ndarray) -> int:
    """Frames of ``track`` in which the person-model walker's landmark box (``(n, 4)`` x0,
    y0, x1, y1 per clip frame, NaN where unseen) lies mostly inside the track's blob box."""
    person = person_box_px[track.positions].astype(np.float64)
    blob = track.boxes[:, :4].astype(np.float64)
    low = np.maximum(person[:, :2], blob[:, :2])
    high = np.minimum(person[:, 2:], blob[:, 2:])
    with np.errstate(invalid="ignore"):
        inside = np.prod(np.clip(high - low, 0, None), axis=1)
        area = np.prod(person[:, 2:] - person[:, :2], axis=1)
        agrees = inside >= POSE_IN_BLOB_SHARE * area
    return int((agrees & (area > 0)).sum())


def choose_walker(walking: list[Track], person_box_px: np.ndarray | None = None) -> Track:
    """The walker among the tracks that walk across, or ``NoReliableGait``.

    With the person model's walker (``person_box_px`` ``(n, 4)``, see
    :func:`frames_agreeing`) the walker is the track agreeing with it on the most frames;
    otherwise, or when no track agrees on :data:`MIN_AGREEING_FRAMES`, the track travelling
    furthest. Another walking track sharing more than :data:`MAX_SHARED_FRAMES` of its
    frames means several people walk at once.
    """
    if not walking:
        raise NoReliableGait("no_walker", "no person walks across the frame")
    walker = max(walking, key=lambda t: (t.travel_px, -int(t.positions[0])))
    if person_box_px is not None:
        agreeing = [frames_agreeing(t, person_box_px) for t in walking]
        best = int(np.argmax(agreeing))
        if agreeing[best] >= MIN_AGREEING_FRAMES:
            walker = walking[best]
    frames = set(walker.positions.tolist())
    for other in walking:
        if other is walker:
            continue
        shared = len(frames.intersection(other.positions.tolist())) / max(1, len(frames))
        if shared > MAX_SHARED_FRAMES:
            raise NoReliableGait(
                "several_walkers",
                "several people walk across the frame at the same time; film one walker",
            )
    return walker


@dataclass(frozen=True)
class Walker:
    """The chosen walker in each of the clip's ``n`` frames.

    ``boxes`` ``(n, 7)`` int: its blob row (x0, y0, x1, y1, area, cx, cy; analysis pixels),
    -1 where it is not seen; ``centre_x_px`` / ``top_y_px`` ``(n,)`` float: its centre
    column and top row (a split-off head included), NaN where not seen.
    """

    boxes: np.ndarray
    centre_x_px: np.ndarray
    top_y_px: np.ndarray

    @property
    def seen(self) -> np.ndarray:
        """``(n,)`` bool: the frames the walker is seen in."""
        return self.boxes[:, 0] >= 0


def find_walker(
    blobs: np.ndarray, frame_height_px: int, person_box_px: np.ndarray | None = None
) -> Walker:
    """Track ``blobs`` (``(n, K, 7)`` per-frame features) and choose the walker: the one
    the person model's walker is in when given (``person_box_px`` ``(n, 4)``, the walker's
    landmark box per frame, NaN where unseen; :mod:`gait.walk.person_walker`).

    Raises ``NoReliableGait`` (``no_walker``, ``several_walkers``) when there is not exactly
    one person walking across.
    """
    track = choose_walker(walking_tracks(link_tracks(blobs, frame_height_px)), person_box_px)
    n = blobs.shape[0]
    boxes = np.full((n, 7), -1, dtype=np.int64)
    boxes[track.positions] = track.boxes
    centre_x, top_y = np.full(n, np.nan), np.full(n, np.nan)
    centre_x[track.positions] = track.boxes[:, 5]
    top_y[track.positions] = walker_top_px(track, blobs)
    return Walker(boxes, centre_x, top_y)
