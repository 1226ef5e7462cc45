"""The footprint schedule: when each foot lands and lifts off and where it stands (the truth).

Positions are in *walker coordinates*: metres along the walking direction, the origin arbitrary
(the scene maps them to the image). Times are seconds on the clip's clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from gait.synth.params import SynthParams

Foot = Literal["left", "right"]
Phase = Literal["standing", "initiation", "steady", "termination"]

# A first / last step from or to standing is shorter than a regular step.
START_STEP_FRAC = 0.6
STOP_STEP_FRAC = 0.6
START_HEEL_RISE_S = 0.25


@dataclass(frozen=True)
class Footprint:
    """One foot contact: the foot is motionless on the floor between IC and FO (rolling only).

    ``ic_time_s`` is ``-inf`` for a foot standing since before the clip, ``fo_time_s`` ``+inf``
    for one still standing at its end. ``heel_x_m`` is the heel's floor position (walker coords).
    """

    foot: Foot
    ic_time_s: float
    fo_time_s: float
    heel_x_m: float
    phase: Phase


def other(foot: Foot) -> Foot:
    """The contralateral foot."""
    return "left" if foot == "right" else "right"


def step_length_of(foot: Foot, params: SynthParams) -> float:
    """Step length (m) of a step that ends with ``foot``'s initial contact."""
    sign = 1.0 if foot == "left" else -1.0
    return params.step_length_m * (1.0 + sign * params.asymmetry / 2.0)


def double_support_after(foot: Foot, params: SynthParams) -> float:
    """Double-support time (s) that starts at ``foot``'s initial contact.

    A positive asymmetry shortens the left stance: the left foot lifts off sooner after the
    right heel strike.
    """
    sign = -1.0 if foot == "right" else 1.0
    return params.double_support_s * (1.0 + sign * params.asymmetry)


def _regular_walk(
    params: SynthParams, first_foot: Foot, first_ic: float, first_heel: float, count: int
) -> list[Footprint]:
    """``count`` alternating steady footprints; FO times are filled from the following IC."""
    step_time = 60.0 / params.cadence_spm
    prints: list[Footprint] = []
    foot, ic, heel = first_foot, first_ic, first_heel
    for _ in range(count):
        next_foot = other(foot)
        fo = ic + step_time + double_support_after(next_foot, params)
        prints.append(Footprint(foot, ic, fo, heel, "steady"))
        foot, ic, heel = next_foot, ic + step_time, heel + step_length_of(next_foot, params)
    return prints


def plan_footprints(params: SynthParams, walk_distance_m: float) -> list[Footprint]:
    """The footprint sequence of the whole clip, in IC order.

    Enter/leave mode: an endless steady walk covering the clip with a few strides to spare
    (the scene shifts it so the walker enters at ``entry_time_s``). Start/stop mode: standing
    with the feet together at heel x = 0, a short first step, regular steps, a short step and
    a closing step that brings the feet together again, then standing; the regular steps are
    as many as fit in ``walk_distance_m``.
    """
    step_time = 60.0 / params.cadence_spm
    length = params.step_length_m
    if not params.start_stop_inside:
        n_before = 6
        count = math.ceil(params.duration_s / step_time) + 2 * n_before
        return _regular_walk(params, "right", -n_before * step_time, 0.0, count)

    stand_fo = params.stand_time_s + START_HEEL_RISE_S
    first = "right"
    second = other(first)
    swing_time = params.stride_time_s - (step_time + double_support_after(second, params))
    ic_first = stand_fo + swing_time
    heel_first = START_STEP_FRAC * length
    n_regular = max(2, round((walk_distance_m - (START_STEP_FRAC + STOP_STEP_FRAC) * length)
                             / length))
    moving = _regular_walk(params, first, ic_first, heel_first, n_regular + 2)
    last = moving[-1]
    stop_foot = other(last.foot)
    stop_ic = last.ic_time_s + step_time
    stop_heel = last.heel_x_m + STOP_STEP_FRAC * length
    close_ic = stop_ic + step_time
    prints = [
        Footprint(first, -math.inf, stand_fo, 0.0, "standing"),
        Footprint(second, -math.inf, ic_first + double_support_after(first, params), 0.0,
                  "standing"),
    ]
    prints += [
        Footprint(p.foot, p.ic_time_s, p.fo_time_s, p.heel_x_m,
                  "initiation" if i < 2 else "steady")
        for i, p in enumerate(moving)
    ]
    # The last regular footprint lifts off after the short stop step lands.
    prints[-1] = Footprint(last.foot, last.ic_time_s,
                           stop_ic + double_support_after(stop_foot, params), last.heel_x_m,
                           "steady")
    prints.append(Footprint(stop_foot, stop_ic, math.inf, stop_heel, "termination"))
    prints.append(Footprint(other(stop_foot), close_ic, math.inf, stop_heel, "termination"))
    return prints
