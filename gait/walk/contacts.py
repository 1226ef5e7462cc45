"""The contacts table: one row per kept foot contact, the input of every gait parameter.

A contact is a footprint of steady forward walking: the foot's initial contact (IC), its foot
off (FO) and where its heel stood. Every temporal and spatial parameter
(:mod:`gait.walk.parameters`) is an array expression over these columns, and the result's
events are read from them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np

from gait.walk.footprints import Footprint
from gait.walk.landmark_events import LandmarkEvents
from gait.walk.passes import STEADY_TOLERANCE, Walking, heel_x_px

#: What found or timed a contact's event: a footprint in the floor-contact image
#: (:mod:`gait.walk.footprints`), or the person model's foot landmarks
#: (:mod:`gait.walk.landmark_events`).
SOURCE_FOOTPRINT = "footprint"
SOURCE_LANDMARKS = "landmarks"


@dataclass(frozen=True)
class Contacts:
    """One row per steady contact of forward walking, in walking order (pass by pass).

    Columns, each ``(m,)``:

    * ``foot``: ``"A"``/``"B"``, alternating within a pass;
    * ``pass_index``, ``order``: int, the pass and the contact's position among all that
      pass's footprints: rows ``k`` and ``k + 1`` are one step exactly when they share a
      pass and their orders differ by one (an unsteady footprint between them breaks it);
    * ``ic_frame``, ``fo_frame``: float frame numbers (exact integers), NaN where the event
      was not seen (the walker out of sight just before / after it);
    * ``ic_time_s``, ``fo_time_s``: the events' frame timestamps (s), NaN where not seen;
    * ``heel_x_px``: float, where the heel stood (the footprint's trailing edge), analysis
      pixels along the floor's x axis (on a treadmill, the belt's: the image position plus
      the belt's travel since the first frame, not an image position; with a moving camera
      the image position minus the camera's path); NaN where no length can be measured;
    * ``source``: what found the contact (:data:`SOURCE_FOOTPRINT` or
      :data:`SOURCE_LANDMARKS`);
    * ``ic_source``, ``fo_source``: what timed each event (default: ``source``), e.g. a
      footprint's foot off that the footprints did not see, filled from the landmarks.

    ``stature_px`` ``(s0, s1)``: the walker's stature in pixels at column ``x`` is
    ``s0 + s1 * x`` (perspective); it turns heel positions into lengths in statures.
    """

    foot: np.ndarray
    pass_index: np.ndarray
    order: np.ndarray
    ic_frame: np.ndarray
    ic_time_s: np.ndarray
    fo_frame: np.ndarray
    fo_time_s: np.ndarray
    heel_x_px: np.ndarray
    source: np.ndarray
    stature_px: tuple[float, float]
    ic_source: np.ndarray | None = None
    fo_source: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.foot.size)

    def events(self) -> list[dict[str, Any]]:
        """The result's ``events``: every seen IC and FO, ordered by frame, then type."""
        events = []
        ic_source = self.source if self.ic_source is None else self.ic_source
        fo_source = self.source if self.fo_source is None else self.fo_source
        for k in range(len(self)):
            for kind, frame, time_s, source in (
                ("initial_contact", self.ic_frame[k], self.ic_time_s[k], ic_source[k]),
                ("foot_off", self.fo_frame[k], self.fo_time_s[k], fo_source[k]),
            ):
                if np.isfinite(frame):
                    events.append(
                        {
                            "type": kind,
                            "time_s": round(float(time_s), 6),
                            "frame": int(frame),
                            "foot": str(self.foot[k]),
                            "source": str(source),
                        }
                    )
        events.sort(key=lambda e: (e["frame"], e["type"]))
        return events


def contacts_table(
    footprints: list[Footprint],
    walking: Walking,
    frame_indices: np.ndarray,
    frame_times_s: np.ndarray,
    stature_px: tuple[float, float],
) -> Contacts:
    """The steady footprints of ``walking`` as a :class:`Contacts` table.

    ``frame_indices`` / ``frame_times_s`` ``(n,)``: the frame number and timestamp (s) of
    each row position the footprints refer to.
    """
    rows = np.flatnonzero(walking.steady)
    kept = [footprints[row] for row in rows]

    def event(positions: list[int], seen: list[bool]) -> tuple[np.ndarray, np.ndarray]:
        at = np.asarray(positions, dtype=np.int64)
        ok = np.asarray(seen, dtype=bool)
        frames = np.where(ok, frame_indices[at].astype(np.float64), np.nan)
        times = np.where(ok, frame_times_s[at], np.nan)
        return frames, times

    ic_frame, ic_time_s = event([f.ic_pos for f in kept], [f.ic_seen for f in kept])
    fo_frame, fo_time_s = event([f.fo_pos for f in kept], [f.fo_seen for f in kept])
    order = walking.order[rows]
    heels = [heel_x_px(f, int(d)) for f, d in zip(kept, walking.direction[rows], strict=True)]
    return Contacts(
        foot=np.where(order % 2 == 0, "A", "B"),
        pass_index=walking.pass_index[rows],
        order=order,
        ic_frame=ic_frame,
        ic_time_s=ic_time_s,
        fo_frame=fo_frame,
        fo_time_s=fo_time_s,
        heel_x_px=np.asarray(heels, dtype=np.float64),
        source=np.full(rows.size, SOURCE_FOOTPRINT),
        stature_px=stature_px,
    )


#: Longest step (s) that still joins two landmark contacts into one walk: slow pathological
#: gait reaches ~1.5 s per step (the treadmill's "Sneak" style: 1.4 s); a longer gap is a
#: pause or lost feet, and the next contact starts a new pass.
MAX_STEP_S = 2.0


def joined_steps(
    events: LandmarkEvents, frame_times_s: np.ndarray, break_rows: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Which successive initial contacts (in time order) one pass of walking joins: ``(a -
    1,)`` bool, True where exactly one foot off lies between IC ``k`` and ``k + 1``, they
    are at most :data:`MAX_STEP_S` apart and no row of ``break_rows`` lies between them.
    Also ``(a - 1,)`` bool: the *broken* alternations, the pairs close in time with no
    break between them that still do not join: a foot off missed or found twice, i.e. the
    landmarks lost the feet there."""
    ic_pos, fo_pos = np.sort(events.ic_pos), np.sort(events.fo_pos)
    breaks = np.zeros(0, dtype=np.int64) if break_rows is None else np.sort(break_rows)
    between = np.searchsorted(fo_pos, ic_pos[1:], "left") - np.searchsorted(
        fo_pos, ic_pos[:-1], "right"
    )
    cut = np.searchsorted(breaks, ic_pos[1:], "right") > np.searchsorted(
        breaks, ic_pos[:-1], "right"
    )
    close = np.diff(frame_times_s[ic_pos]) <= MAX_STEP_S
    return (between == 1) & close & ~cut, (between != 1) & close & ~cut


def landmark_contacts_table(
    events: LandmarkEvents,
    frame_indices: np.ndarray,
    frame_times_s: np.ndarray,
    heel_x_px: np.ndarray,
    stature_px: float,
    break_rows: np.ndarray | None = None,
) -> Contacts:
    """The landmark events as a :class:`Contacts` table (``source`` :data:`SOURCE_LANDMARKS`).

    Walking alternates: ``IC(k)``, the other foot's ``FO(k - 1)``, ``IC(k + 1)``, ``FO(k)``.
    So a pass is a run of initial contacts with exactly one foot off between each two and at
    most :data:`MAX_STEP_S` apart (a missed event or a pause ends it); within it feet
    alternate ``A``/``B``, and contact ``k``'s foot off is the one between ``IC(k + 1)`` and
    ``IC(k + 2)`` (after the pass's last IC: the next one within a step time). The foot off
    between a pass's first two ICs belongs to a contact whose landing was not seen; it opens
    the pass as a row with a NaN IC. ``heel_x_px`` ``(a,)``: each initial contact's heel
    position along the floor (px, NaN where no length can be measured); ``stature_px``: the
    walker's stature, constant over the frame; ``break_rows``: rows no pass may span (a cut
    in an edited video: feet need not alternate across it).
    """
    ic_pos, fo_pos = np.sort(events.ic_pos), np.sort(events.fo_pos)
    heels = np.asarray(heel_x_px, dtype=np.float64)[np.argsort(events.ic_pos, kind="stable")]
    ic_t = frame_times_s[ic_pos]
    joined, _ = joined_steps(events, frame_times_s, break_rows)
    rows: list[tuple[int, int, int, float]] = []  # (pass, ic_pos or -1, fo_pos or -1, heel)
    pass_index = -1
    k = 0
    while k < ic_pos.size:
        # The pass starting at IC k: extend while exactly one FO lies between ICs.
        end = k
        while end + 1 < ic_pos.size and joined[end]:
            end += 1
        pass_index += 1
        if end > k:
            opening = fo_pos[(fo_pos > ic_pos[k]) & (fo_pos < ic_pos[k + 1])]
            rows.append((pass_index, -1, int(opening[0]), np.nan))
        for j in range(k, end + 1):
            if j + 2 <= end:
                mine = fo_pos[(fo_pos > ic_pos[j + 1]) & (fo_pos < ic_pos[j + 2])]
            elif j + 1 <= end:
                step_s = ic_t[j + 1] - ic_t[j]
                after = frame_times_s[fo_pos] - ic_t[j + 1]
                # Never past the next pass's first IC: that foot off opens the next pass.
                before_next = fo_pos < ic_pos[j + 2] if j + 2 < ic_pos.size else True
                mine = fo_pos[(fo_pos > ic_pos[j + 1]) & (after < step_s) & before_next]
            else:
                mine = np.zeros(0, dtype=np.int64)
            rows.append((pass_index, int(ic_pos[j]), int(mine[0]) if mine.size else -1, heels[j]))
        k = end + 1
    table = np.array([r[:3] for r in rows], dtype=np.int64).reshape(-1, 3)
    passes, ics, fos = table[:, 0], table[:, 1], table[:, 2]
    order = np.zeros(passes.size, dtype=np.int64)
    for i in range(1, passes.size):
        order[i] = order[i - 1] + 1 if passes[i] == passes[i - 1] else 0

    def event(pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        seen = pos >= 0
        at = np.maximum(pos, 0)
        frames = np.where(seen, frame_indices[at].astype(np.float64), np.nan)
        return frames, np.where(seen, frame_times_s[at], np.nan)

    ic_frame, ic_time_s = event(ics)
    fo_frame, fo_time_s = event(fos)
    return Contacts(
        foot=np.where(order % 2 == 0, "A", "B"),
        pass_index=passes,
        order=order,
        ic_frame=ic_frame,
        ic_time_s=ic_time_s,
        fo_frame=fo_frame,
        fo_time_s=fo_time_s,
        heel_x_px=np.array([r[3] for r in rows], dtype=np.float64),
        source=np.full(passes.size, SOURCE_LANDMARKS),
        stature_px=(float(stature_px), 0.0),
    )


#: Fewest steps a pass of landmark contacts needs for its rhythm to be judged: one or two
#: steps between pauses are a shuffle, a start or a stop, not steady walking (the elderly
#: back view's one-step pass while she sets off again, 0.33 s, at frames 473-483).
MIN_STEADY_PASS_STEPS = 3


def steady_rows(contacts: Contacts) -> tuple[np.ndarray, int]:
    """Which contacts of a landmark table are steady walking, by the footprint route's rule
    (:func:`gait.walk.passes.forward_walking`): a contact ending a step whose time differs
    from its pass's median step time by more than :data:`gait.walk.passes.STEADY_TOLERANCE`
    is not steady (initiation, termination, a stumble) and is left out, its ``order`` kept
    (so no step or stride spans it, and the self-checks still count it); a pass of fewer than
    :data:`MIN_STEADY_PASS_STEPS` steps is not judged, and left out whole.

    Returns ``keep`` ``(m,)`` bool and how many steps were left out.
    """
    keep = np.ones(len(contacts), dtype=bool)
    left_out = 0
    for p in np.unique(contacts.pass_index):
        rows = np.flatnonzero(contacts.pass_index == p)
        step_ends = [
            k
            for k in rows[1:]
            if contacts.order[k] - contacts.order[k - 1] == 1
            and np.isfinite(contacts.ic_time_s[k] + contacts.ic_time_s[k - 1])
        ]
        times = np.array([contacts.ic_time_s[k] - contacts.ic_time_s[k - 1] for k in step_ends])
        if times.size < MIN_STEADY_PASS_STEPS:
            keep[rows] = False
            left_out += times.size
            continue
        median = float(np.median(times))
        unsteady = [
            k
            for k, step_s in zip(step_ends, times, strict=True)
            if abs(step_s - median) > STEADY_TOLERANCE * median
        ]
        keep[unsteady] = False
        left_out += len(unsteady)
    return keep, left_out


def left_out_segments(contacts: Contacts, keep: np.ndarray) -> list[dict[str, Any]]:
    """``quality.excluded_segments`` rows (reason ``not_steady``) for the contacts that
    :func:`steady_rows` left out (``keep`` ``(m,)`` bool False): each one's step, from the
    previous contact of its pass (when there is one) to this contact's foot off (its initial
    contact where the foot off was not seen), in frames; in frame order, overlapping or
    adjacent steps merged."""
    spans = []
    for k in np.flatnonzero(~np.asarray(keep, dtype=bool)):
        own = [v for v in (contacts.ic_frame[k], contacts.fo_frame[k]) if np.isfinite(v)]
        if not own:
            continue
        start = min(own)
        if k > 0 and contacts.pass_index[k - 1] == contacts.pass_index[k]:
            before = (contacts.ic_frame[k - 1], contacts.fo_frame[k - 1])
            start = min([start, *(v for v in before if np.isfinite(v))])
        spans.append((int(start), int(max(own))))
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [{"start_frame": a, "end_frame": b, "reason": "not_steady"} for a, b in merged]


def take_rows(contacts: Contacts, rows: np.ndarray) -> Contacts:
    """The table's rows ``rows`` (bool mask or indices), every column alike."""
    columns = {
        f.name: getattr(contacts, f.name)[rows]
        for f in fields(contacts)
        if isinstance(getattr(contacts, f.name), np.ndarray)
    }
    return replace(contacts, **columns)
