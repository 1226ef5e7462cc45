"""Left and right: the result's feet are named ``left``/``right`` only when the evidence
agrees, else they stay ``A``/``B`` and a warning says why.

Two independent readings of each contact (one foot's stance, IC to FO):

* **the model's name** of the landmark leg standing on that contact, the majority over the
  whole stance (names flip on single frames at leg crossings, ``docs/person-model-findings.md``);
* **near or far and the walking direction**: the contact's leg is the near one when its
  points (hip to foot tip) have the smaller model depth z than the other leg's over the
  stance (median); a walker facing image-left shows the camera their left side, facing
  image-right their right side (an unmirrored camera). The facing is each contact's own
  where it varies (the two ways of an out-and-back walk).

The feet are named when, on at least :data:`MIN_AGREEMENT` of the contacts both readings
decide, they agree, and each foot (A, B) gets one name. Frontal and back views give no
near/far reading, so their feet stay A/B.

The names assume a picture that is not mirrored, and nothing here can tell: a mirror image
of a walker is a walker too, her near side now facing the other way, and the model names
its legs as it sees them, so both readings swap together. Measured (session 10): the
outdoor real clip flipped left to right has its feet named, every name the other foot, with
no warning (``benchmarks/real_clips.py``, re-filmed ``mirror``: 0 of 14 right). Some
phones save front-camera video mirrored (a setting); the README and the report say so.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from gait.walk.contacts import Contacts
from gait.words import counted

#: Share of deciding contacts on which the model's name and near/far agree for the feet to
#: be named. On the real side views with the walker tracked, the model's names were right on
#: 16/16 (outdoor) and 58/58 (treadmill) annotated events; on the synthetic figure, which has
#: no anatomy to tell left from right, 50 % (chance); a mirrored picture swaps both
#: readings alike (see the module). Measured agreement: treadmill 93 % (2 of 30 contacts
#: disagree, both with a stance across an edit's cut), outdoor 80 % from frame 90 (1 of 5,
#: a stance running out of the frame). 0.8 keeps both and stays far from chance.
MIN_AGREEMENT = 0.8
#: Fewest deciding contacts: fewer cannot show agreement.
MIN_DECIDING_CONTACTS = 3
#: The names of the two model legs (index 0 and 1 of :data:`LEG_POINTS`).
LEG_NAMES = ("left", "right")
OTHER = {"left": "right", "right": "left"}
#: The points whose model depth says which leg is near: each leg's hip, knee, ankle, heel and
#: foot tip (BlazePose, left then right). The whole chain, not the foot alone: a foot's own
#: depth is noisy where the feet overlap.
LEG_CHAINS = np.array([[23, 25, 27, 29, 31], [24, 26, 28, 30, 32]])


def contact_legs_votes(
    contacts: Contacts,
    frame_indices: np.ndarray,
    landmarks: np.ndarray,
    leg_of_foot: np.ndarray,
    facing: int | np.ndarray,
) -> tuple[list[str | None], list[str | None]]:
    """For each contact row: the model's name of its leg (majority over the stance) and the
    name near/far and the facing give, each None where undecided.

    ``leg_of_foot`` ``(n, 2)`` int: the model leg (0 left, 1 right, -1 unknown) foot A
    (column 0) and foot B (column 1) stand on, per frame; ``facing`` +1 image-right, -1,
    0 undecided: one for the clip, or each contact's ``(m,)``.
    """
    facings = np.broadcast_to(np.asarray(facing, dtype=np.int64), (len(contacts),))
    points = landmarks[:, LEG_CHAINS, 2].astype(np.float64)
    depth = np.where(np.isfinite(points).all(axis=2), points.mean(axis=2), np.nan)  # (n, 2)
    by_model: list[str | None] = []
    by_geometry: list[str | None] = []
    for k in range(len(contacts)):
        ic, fo = contacts.ic_frame[k], contacts.fo_frame[k]
        if not (np.isfinite(ic) and np.isfinite(fo)):
            by_model.append(None)
            by_geometry.append(None)
            continue
        lo, hi = np.searchsorted(frame_indices, [ic, fo + 1])
        legs = leg_of_foot[lo:hi, 0 if contacts.foot[k] == "A" else 1]
        known = legs[legs >= 0]
        if not known.size or np.mean(known == 0) == 0.5:
            by_model.append(None)
            by_geometry.append(None)
            continue
        leg = int(np.mean(known == 0) < 0.5)
        by_model.append(LEG_NAMES[leg])
        rows = np.arange(lo, hi)[legs >= 0]
        # This contact's leg is near when its depth is the smaller one (frame by frame the
        # contact's own leg index, so a model name flip does not swap the comparison).
        mine = depth[rows, legs[legs >= 0]]
        other = depth[rows, 1 - legs[legs >= 0]]
        difference = np.nanmedian(mine - other) if np.isfinite(mine - other).any() else np.nan
        if not np.isfinite(difference) or difference == 0 or facings[k] == 0:
            by_geometry.append(None)
            continue
        near = difference < 0
        # Facing image-left (-1) shows the left side: the near leg is the left one.
        near_name = "left" if facings[k] < 0 else "right"
        far_name = "right" if facings[k] < 0 else "left"
        by_geometry.append(near_name if near else far_name)
    return by_model, by_geometry


def name_feet(
    contacts: Contacts,
    frame_indices: np.ndarray,
    landmarks: np.ndarray,
    leg_of_foot: np.ndarray,
    facing: int | np.ndarray,
    view_kind: str,
) -> tuple[np.ndarray | None, list[str]]:
    """``(names (m,) str, [])``: each contact's foot named ``left``/``right`` when the evidence
    agrees (see the module, :func:`alternating_names`); ``(None, [warning])`` otherwise.
    ``facing``: the clip's (+1 image-right, -1, 0 undecided) or each contact's ``(m,)``."""
    if view_kind != "side" or not np.any(facing):
        return None, [
            f"feet named A/B: left and right are checked on side views only (seen: "
            f"{view_kind.replace('_', ' ')}; a frontal view has no near/far side)"
        ]
    by_model, by_geometry = contact_legs_votes(
        contacts, frame_indices, landmarks, leg_of_foot, facing
    )
    deciding = [k for k in range(len(contacts)) if by_model[k] and by_geometry[k]]
    if len(deciding) < MIN_DECIDING_CONTACTS:
        return None, [
            f"feet named A/B: only {counted(len(deciding), 'contact')} "
            f"{'shows' if len(deciding) == 1 else 'show'} both the model's leg name "
            f"and the near/far side (need {MIN_DECIDING_CONTACTS})"
        ]
    names, support = alternating_names(contacts, by_model, by_geometry)
    share = support / len(deciding)
    if share < MIN_AGREEMENT:
        return None, [
            f"feet named A/B: the model's left/right agrees with the near/far side, the "
            f"walking direction and the feet's alternation on {100 * share:.0f} % of "
            f"contacts (need {100 * MIN_AGREEMENT:.0f} %): unclear legs"
        ]
    return names, []


def alternating_names(
    contacts: Contacts, by_model: list[str | None], by_geometry: list[str | None]
) -> tuple[np.ndarray, int]:
    """``((m,) str, support)``: the feet named pass by pass, and how many contacts support
    the naming.

    Feet alternate within a pass, so a pass is named one of two ways: ``A`` left and ``B``
    right, or the reverse. A contact votes for one way when both readings give it the same
    name; the pass takes the way most of its votes give (a pass without votes, the clip's),
    and the contacts whose vote it took are its support."""
    ways = {}
    for index in np.unique(contacts.pass_index):
        rows = np.flatnonzero(contacts.pass_index == index)
        votes = [
            (by_model[k] == "left") == (contacts.foot[k] == "A")
            for k in rows
            if by_model[k] is not None and by_model[k] == by_geometry[k]
        ]
        ways[index] = (sum(votes), len(votes) - sum(votes))  # (A is left, A is right)
    clip_a_left = sum(w[0] for w in ways.values()) >= sum(w[1] for w in ways.values())
    names = np.empty(len(contacts), dtype=object)
    support = 0
    for index, (a_left, a_right) in ways.items():
        rows = np.flatnonzero(contacts.pass_index == index)
        a_is_left = a_left > a_right or (a_left == a_right and clip_a_left)
        support += max(a_left, a_right) if a_left != a_right else 0
        name_a = "left" if a_is_left else "right"
        names[rows] = np.where(contacts.foot[rows] == "A", name_a, OTHER[name_a])
    return names.astype(str), support


def with_feet_named(contacts: Contacts, names: np.ndarray | None) -> Contacts:
    """``contacts`` with its feet renamed ``names`` ``(m,)`` (unchanged for None)."""
    return contacts if names is None else replace(contacts, foot=names)
