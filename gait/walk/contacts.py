"""The contacts table: one row per kept foot contact, the input of every gait parameter.

A contact is a footprint of steady forward walking: the foot's initial contact (IC), its foot
off (FO) and where its heel stood. Every temporal and spatial parameter
(:mod:`gait.walk.parameters`) is an array expression over these columns, and the result's
events are read from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from gait.walk.footprints import Footprint
from gait.walk.passes import Walking, heel_x_px

#: What found a contact. Today every contact is a footprint in the floor-contact image.
SOURCE_FOOTPRINT = "footprint"


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
      pixels along the image's x axis;
    * ``source``: what found the contact (:data:`SOURCE_FOOTPRINT`).

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

    def __len__(self) -> int:
        return int(self.foot.size)

    def events(self) -> list[dict[str, Any]]:
        """The result's ``events``: every seen IC and FO, ordered by frame, then type."""
        events = []
        for k in range(len(self)):
            for kind, frame, time_s in (
                ("initial_contact", self.ic_frame[k], self.ic_time_s[k]),
                ("foot_off", self.fo_frame[k], self.fo_time_s[k]),
            ):
                if np.isfinite(frame):
                    events.append(
                        {
                            "type": kind,
                            "time_s": round(float(time_s), 6),
                            "frame": int(frame),
                            "foot": str(self.foot[k]),
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
