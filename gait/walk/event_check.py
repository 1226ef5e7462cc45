"""Footprint events checked against the landmark events, and filled where the footprints
did not see them.

On a static overground side view the footprints time the contacts (synthetic IC MAE
8.8 ms); the landmark events (:mod:`gait.walk.landmark_events`) are an independent second
timing. Each footprint event is compared with the nearest landmark event of its type
within :data:`MATCH_WINDOW_S`; a foot off, with the nearest of its own foot: the leaving
foot tip nearer this footprint than the other foot's prints before and after it, within
:data:`OWN_FOOT_MATCH_WINDOW_S` (where the feet's positions are given). The other foot's
foot off is only half a step away in time, so matching by time alone let a foot off 12
frames early pass on the other foot's, 4 frames from it (the low-contrast synthetic walk).
An initial contact keeps the match by time: the landing heel is still travelling, and its
landmark position 2 frames early lay nearer the other foot's print.

* both seen and within :data:`DISAGREEMENT_TOLERANCE_S`: kept;
* both seen and further apart, or the footprint's event where the landmark events leave no
  room for one (:data:`BRACKET_SPACINGS`): one of them is wrong. For a foot off the walking
  order can tell which: it comes after the other foot lands and before this foot lands
  again (the next contacts' checked ICs). Where only the landmarks' timing keeps that order
  it replaces the footprint's (``source`` ``"landmarks"``, counted in a warning); where
  only the footprint's does, it stays; otherwise the event is withheld (NaN) and a warning
  says how many;
* the footprint's event unseen (the walker out of sight just before / after it, at a frame
  edge) and the landmark event matched as above to where the footprint starts / ends
  standing on that footprint (the landing heel or the leaving foot tip within
  :data:`FOOT_ON_PRINT_STATURE` of its extent): the landmark event fills it, with
  ``source`` ``"landmarks"``.

A footprint event with no landmark event in the window and none on one side of it (before
the first or after the last of its type) stays unchecked, counted in a warning. One
landmark event on one side cannot tell a wrong footprint event from a true one the
landmarks missed, and they often miss the first contact: a synthetic walk at 0-0.28 px of
shake, first landmark IC at 1.03-1.13 s, the truth's 0.55 s missed, the footprint's 0.53 s
right; the outdoor clip, the footprint's first IC at frame 42 (annotated 41), the
landmarks' first at 62 (the annotated next). A one-sided bracket (withhold when nearer the
landmark event than 0.75 of a step) would only reach events 0.65-0.75 of a step from it,
as the passes keep a first step only within 35 % of the median step time.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from gait.walk.contacts import SOURCE_LANDMARKS, Contacts
from gait.words import counted

#: Largest footprint-landmark disagreement (s) still taken as the same event: the two
#: sources' own errors added. The landmark events stay within +-3 frames (100 ms at 30 fps)
#: of the hand annotations (treadmill, outdoor) and within 77 ms of the synthetic truth; the
#: footprints within 1 frame on synthetic walks and 0-3 frames early on real ones (issue 8).
#: 150 ms: a synthetic slow walk's correct footprint foot off (+1 frame) and its landmark one
#: (-2) are 100 ms apart, and were withheld at a 100 ms tolerance.
DISAGREEMENT_TOLERANCE_S = 0.15
#: Search window (s) for the landmark event that corresponds to a footprint event: half a
#: step at 130 steps/min (0.23 s), so never the neighbouring event of the same type; a
#: footprint event further than the tolerance but within this window is withheld.
MATCH_WINDOW_S = 0.23
#: The same window where each landmark event's foot is known: the other foot's events are
#: left out by where they stand, so only this foot's own events of the type remain, a stride
#: apart: half a stride at 130 steps/min.
OWN_FOOT_MATCH_WINDOW_S = 2 * MATCH_WINDOW_S
#: Two landmark events of one type at most this many times their median spacing apart (one
#: step) leave no room for a true event between them: a footprint event there that matches
#: neither is withheld too (a foot off half a step from any landmark one, e.g. on a shaking
#: camera). 1.5: a missed landmark event doubles the gap.
BRACKET_SPACINGS = 1.5
#: Share of the checked footprint events withheld from which the footprints' timing as a
#: whole is suspect: the events left are from the same blurred contacts, and the support
#: phases (double support is 2-4 frames) are withheld too. Measured: 0 % withheld on the
#: clean synthetic walks and on the indoor and outdoor side views; 18 % on a synthetic walk
#: with 0.5 px of camera shake, whose remaining foot offs still gave stance 4.5 points off.
#: (That 18 % counted each matched event twice, a slip mended in session 4: the true share
#: was 31-36 % by the mix of withheld kinds; such a walk now takes the landmark route
#: as a moving camera. 0 % stays 0 %.)
MAX_WITHHELD_SHARE = 0.1
#: Slack (statures) around a footprint's extent within which a landmark foot point stands on
#: it: the stance-foot jitter of the landmarks, 1.5-2 % of stature
#: (``docs/person-model-findings.md``), doubled; a step moves the feet ~0.4 statures apart.
FOOT_ON_PRINT_STATURE = 0.04


def _nearest(
    times_s: np.ndarray, at_s: float, window_s: float, allowed: np.ndarray | None = None
) -> int | None:
    """The event of ``times_s`` nearest ``at_s`` among the ``allowed`` ones (bool, default
    all), if within ``window_s``."""
    if not times_s.size or not np.isfinite(at_s):
        return None
    distance = np.abs(times_s - at_s)
    if allowed is not None:
        distance = np.where(allowed, distance, np.inf)
    k = int(np.argmin(distance))
    return k if distance[k] <= window_s else None


def _distance_to_print(x_px: np.ndarray, extent_px: np.ndarray) -> np.ndarray:
    """Distance (px, ``(a,)``) of each foot position ``x_px`` from a footprint's x extent
    ``(x0, x1)``: 0 on it."""
    x0, x1 = extent_px
    return np.maximum(np.maximum(x0 - x_px, x_px - x1), 0.0)


def _between_steps(landmark_times_s: np.ndarray, at_s: float, spacing_s: float) -> bool:
    """True when ``at_s`` lies between two consecutive landmark events (sorted times, s) of
    its type that are at most :data:`BRACKET_SPACINGS` of their usual ``spacing_s`` apart: a
    step holds one such event, so no true event lies in there unmatched."""
    after = int(np.searchsorted(landmark_times_s, at_s))
    if spacing_s <= 0 or after == 0 or after == landmark_times_s.size:
        return False
    gap = landmark_times_s[after] - landmark_times_s[after - 1]
    return bool(gap <= BRACKET_SPACINGS * spacing_s)


def check_and_fill(
    contacts: Contacts,
    ic_rows: np.ndarray,
    fo_rows: np.ndarray,
    landmark_ic_rows: np.ndarray,
    landmark_fo_rows: np.ndarray,
    frame_indices: np.ndarray,
    frame_times_s: np.ndarray,
    extents_px: np.ndarray | None = None,
    landmark_ic_x_px: np.ndarray | None = None,
    landmark_fo_x_px: np.ndarray | None = None,
) -> tuple[Contacts, list[str], float]:
    """``contacts`` (footprints) checked and filled as the module says, the warnings, and
    the share of checked events withheld (0 when none was checked).

    ``ic_rows`` / ``fo_rows`` ``(m,)`` int: the row positions of each contact's first and
    last footprint frame (seen or not); ``landmark_*_rows``: row positions of the landmark
    events; ``frame_indices`` / ``frame_times_s`` ``(n,)`` per row. ``extents_px`` ``(m, 2)``:
    each footprint's x extent (px), and ``landmark_*_x_px`` where each landmark event's foot
    is: without them nothing is filled (the foot cannot be told).
    """
    s0, s1 = contacts.stature_px

    def on_print(k: int, foot_x_px: np.ndarray) -> np.ndarray:
        """Which landmark events' foot stands on contact ``k``'s footprint."""
        x0, x1 = extents_px[k]
        slack = FOOT_ON_PRINT_STATURE * (s0 + s1 * 0.5 * (x0 + x1))
        return (foot_x_px >= x0 - slack) & (foot_x_px <= x1 + slack)

    def nearer_own_print(k: int, foot_x_px: np.ndarray) -> np.ndarray:
        """Which landmark events' foot is nearer contact ``k``'s footprint than the other
        foot's prints before and after it in the pass (:func:`_distance_to_print`)."""
        own = _distance_to_print(foot_x_px, extents_px[k])
        out = np.ones(foot_x_px.size, dtype=bool)
        for j in (k - 1, k + 1):
            if 0 <= j < len(contacts) and contacts.pass_index[j] == contacts.pass_index[k]:
                out &= own < _distance_to_print(foot_x_px, extents_px[j])
        return out

    def in_walking_order(k: int, fo_time_s: float) -> bool | None:
        """Whether a foot off of contact ``k`` at ``fo_time_s`` comes after the other foot
        lands (the next contact's checked IC) and before this foot lands again (the one
        after): walking has a double support, so a foot off outside is mistimed. None when
        neither landing is known."""
        bounds = []
        for span in (1, 2):
            j = k + span
            if (
                j < len(contacts)
                and contacts.pass_index[j] == contacts.pass_index[k]
                and contacts.order[j] == contacts.order[k] + span
                and np.isfinite(out["ic_time_s"][j])
            ):
                bounds.append((span, out["ic_time_s"][j]))
        if not bounds:
            return None
        return all(fo_time_s > at if span == 1 else fo_time_s < at for span, at in bounds)

    out: dict[str, np.ndarray] = {}
    counts = {"withheld": 0, "filled": 0, "checked": 0, "unchecked": 0, "replaced": 0}
    for kind, rows, landmark_rows, landmark_x in (
        ("ic", ic_rows, landmark_ic_rows, landmark_ic_x_px),
        ("fo", fo_rows, landmark_fo_rows, landmark_fo_x_px),
    ):
        frames = getattr(contacts, f"{kind}_frame").copy()
        times = getattr(contacts, f"{kind}_time_s").copy()
        sources = np.array(
            contacts.source
            if getattr(contacts, f"{kind}_source") is None
            else getattr(contacts, f"{kind}_source"),
            dtype=object,
        )
        # In time order, each event's foot position with it (two facings' readings come
        # concatenated, not sorted).
        order = np.argsort(frame_times_s[landmark_rows], kind="stable")
        landmark_rows = np.asarray(landmark_rows)[order]
        landmark_times = frame_times_s[landmark_rows]
        foot_x = None if extents_px is None or landmark_x is None else landmark_x[order]
        # A foot off's foot tip stands on its print; a landing heel is still travelling (a
        # landmark IC 2 frames early had the heel 27 px behind its print, nearer the other
        # foot's), so initial contacts are matched by time alone.
        own_foot = foot_x is not None and kind == "fo"
        window_s = OWN_FOOT_MATCH_WINDOW_S if own_foot else MATCH_WINDOW_S
        spacing = float(np.median(np.diff(landmark_times))) if landmark_times.size > 2 else 0.0
        for k in range(len(contacts)):
            if np.isfinite(times[k]):
                # A foot off against its own foot's: the other foot's is half a step away in
                # time but a step away on the floor (on a low-contrast walk a foot off 12
                # frames early, 4 frames from the other foot's, had passed for right).
                own = nearer_own_print(k, foot_x) if own_foot else None
                match = _nearest(landmark_times, times[k], window_s, own)
                if match is None and not _between_steps(landmark_times, times[k], spacing):
                    counts["unchecked"] += 1
                    continue
                counts["checked"] += 1
                if match is None:
                    frames[k], times[k] = np.nan, np.nan
                    counts["withheld"] += 1
                    continue
                # Two timings of one foot off: the walking order tells which is right when
                # only one of them keeps it (the footprint's lost toe, on a low-contrast
                # walk, ended stance 12 frames early, before the other foot landed).
                orders = (
                    (in_walking_order(k, times[k]), in_walking_order(k, landmark_times[match]))
                    if kind == "fo"
                    else (None, None)
                )
                agree = abs(landmark_times[match] - times[k]) <= DISAGREEMENT_TOLERANCE_S
                if orders == (False, True):
                    row = landmark_rows[match]
                    frames[k], times[k] = float(frame_indices[row]), float(frame_times_s[row])
                    sources[k] = SOURCE_LANDMARKS
                    counts["replaced"] += 1
                elif not (agree or orders == (True, False)):
                    frames[k], times[k] = np.nan, np.nan
                    counts["withheld"] += 1
            elif foot_x is not None:
                on = on_print(k, foot_x)
                at_s = float(frame_times_s[rows[k]])
                match = (
                    _nearest(landmark_times, at_s, window_s, on)
                    if own_foot
                    else _nearest(landmark_times, at_s, window_s)
                )
                if match is not None and on[match]:
                    row = landmark_rows[match]
                    frames[k], times[k] = float(frame_indices[row]), float(frame_times_s[row])
                    sources[k] = SOURCE_LANDMARKS
                    counts["filled"] += 1
        out[f"{kind}_frame"], out[f"{kind}_time_s"] = frames, times
        out[f"{kind}_source"] = sources.astype(str)
    warnings = []
    if counts["replaced"]:
        warnings.append(
            f"{counted(counts['replaced'], 'footprint foot off')} replaced by the body "
            "landmarks' "
            "timing: a foot off comes after the other foot lands and before this one lands "
            "again; the footprint's did not, the landmarks' did"
        )
    if counts["withheld"]:
        warnings.append(
            f"{counts['withheld']} of {counts['checked']} footprint events withheld: the "
            "footprint and the body landmarks time them more than "
            f"{1000 * DISAGREEMENT_TOLERANCE_S:.0f} ms apart"
        )
    if counts["unchecked"]:
        n = counts["unchecked"]
        warnings.append(
            f"{n} footprint event{'s have' if n != 1 else ' has'} no landmark event to check "
            f"{'them' if n != 1 else 'it'} by"
        )
    share = counts["withheld"] / counts["checked"] if counts["checked"] else 0.0
    return replace(contacts, **out), warnings, share
