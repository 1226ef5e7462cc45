"""The result checked against its own evidence: no wrong number without a warning.

Each check is a small pure function over the contacts table, the per-step / per-stride
arrays of :mod:`gait.walk.parameters` or the metrics. It either

* raises ``NoReliableGait("inconsistent_contacts")`` when the contacts themselves contradict
  walking (every value is built on them, so none can be reported), or
  ``NoReliableGait("running")`` when they show running (flight phases), or
* returns a :class:`Withheld`: the metrics (and per-step values) whose evidence fails, set to
  ``None`` by :func:`withhold`, with the warning that says why, or
* returns ``None``: the evidence holds.

:func:`checked` runs them all in order; :func:`checked_parameters`, the one sequence every
route (:mod:`gait.walk.footprint_route`, :mod:`gait.walk.landmark_route`) runs, computes the
result's steps and metrics and checks them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from gait.errors import NoReliableGait
from gait.walk import parameters, quality
from gait.walk.contacts import Contacts

#: Refusal reason: the contacts contradict themselves (time running backwards, one foot's
#: steps alternating with slivers).
INCONSISTENT_CONTACTS = "inconsistent_contacts"

#: Refusal reason: most steps open with both feet off the floor (the landmark routes refuse
#: a walker in place or filmed by a moving camera for the same reason,
#: :func:`gait.walk.landmark_walk.refuse_running`).
RUNNING = "running"
#: A step opens with a flight phase when the other foot left the floor at least this long
#: (s) before the landing foot's initial contact, i.e. its double support is this negative.
#: Running's flight lasts ~0.08-0.15 s per step (jogging to sprinting); a walk's transition
#: is +0.07 s or more even at 130 spm, and the foot offs' timing bias measured on real
#: clips (1.7 frames early outdoors, 2.8 from behind: up to -0.09 s) cannot take it below
#: -0.06 s: a mistimed walk is withheld (:func:`negative_phase_times`), not refused.
FLIGHT_MIN_S = 0.06
#: ... and the gait is running when at least this share of the steps whose double support
#: is measured open that way, over at least :data:`RUNNING_MIN_STEPS` steps.
RUNNING_MIN_FLIGHT_STEP_SHARE = 0.5
RUNNING_MIN_STEPS = 3
#: ... and the steps come at a running rate: a median step time at or under 60 / this (s).
#: Adults run at 150-180 steps/min and walk at 81-138 (Tudor-Locke et al. 2012, see
#: gait.norms); below it "flights" are foot offs timed early, as on the synthetic
#: low-contrast walk (110 steps/min, dark shoes on a dark floor: 3 of 4 steps read a
#: 0.30 s flight), whose phases are withheld instead (:func:`negative_phase_times`).
RUNNING_MIN_CADENCE_SPM = 140.0

#: Largest ratio of the two feet's median step times that a real gait shows. Hemiparetic gait
#: after stroke is the most asymmetric common gait: Patterson et al. 2008 (Arch Phys Med
#: Rehabil 89:304-310, 54 community-ambulating survivors on a pressure mat) find temporal
#: asymmetry in 55 % of them against a normative swing/stance ratio of 0.9-1.1, graded mild
#: or severe (their severe cases' values were not read here: the bound below rests on the
#: worked case that follows, which should be checked against their data). A step time
#: is the landing foot's swing plus the double-support transition before it, which dilutes
#: the swing ratio: a severe case with swings of 0.70 / 0.35 s and transitions of 0.35 /
#: 0.20 s gives steps of 1.05 / 0.55 s, a ratio of 1.9. An antalgic limp shortens the
#: painful side's stance, i.e. the other foot's swing, less than that. One foot's footprints
#: broken into slivers alternate 0.2 / 1.0 s, a ratio of 5 (issue 8's field test). 2.5 sits
#: above the severe hemiparetic case with margin and well below the slivers; splits nearer
#: a footprint's middle give smaller ratios and are left to the scatter and count checks.
MAX_STEP_TIME_RATIO = 2.5
#: Step-time CV (%) within each foot above which the step and stride time variability is
#: withheld: healthy adults vary 2-5 %, pathological gait rarely beyond ~15 %; a limp's
#: regular long / short alternation is not counted (it is between the feet). Missed or
#: split contacts scatter far beyond: issue 8's split footprints gave 82 % over all steps.
MAX_PLAUSIBLE_STEP_TIME_CV_PCT = 25.0
#: Largest relative difference (%) between the cadence of the measured steps and the count
#: of footprints found over the same stretch of each pass (excluded ones included). They
#: agree exactly when every footprint between a pass's first and last counted contact is a
#: kept, consecutive step (both real side views: 112.5 / 112.5 and 98.4 / 98.4 spm); an
#: excluded footprint inside the stretch changes the count by one step, i.e. by 1/n of
#: the n steps: 10 % allows for long passes (10+ steps) where one stray footprint barely
#: moves the cadence, and flags short ones where it does.
MAX_FOOTPRINT_CADENCE_DIFF_PCT = 10.0

#: The step and stride time variability (withheld when the step times scatter too much).
VARIABILITY_KEYS = (
    "step_time_sd_s",
    "step_time_cv_pct",
    "cadence_sd_spm",
    "stride_time_sd_s",
    "stride_time_cv_pct",
)
#: What rests on the count of steps per unit time (withheld when the count contradicts it).
CADENCE_KEYS = (
    "cadence_spm",
    "cadence_sd_spm",
    "step_time_s",
    "step_time_sd_s",
    "step_time_cv_pct",
    "walk_ratio_m_per_spm",
)
#: Every stance, swing, double- and single-support metric (prefixes of the metric keys).
SUPPORT_PREFIXES = parameters.SUPPORT_PHASES


@dataclass(frozen=True)
class Withheld:
    """Metrics whose evidence failed: ``metric_keys`` (exact keys) and ``metric_prefixes``
    (every key starting with one) of ``metrics``, ``step_keys`` of each step; ``warning``
    says why."""

    warning: str
    metric_keys: tuple[str, ...] = ()
    metric_prefixes: tuple[str, ...] = ()
    step_keys: tuple[str, ...] = ()

    def keys_of(self, metrics: dict[str, Any]) -> list[str]:
        """The keys of ``metrics`` this withholds."""
        return [
            key
            for key in metrics
            if key in self.metric_keys
            or (self.metric_prefixes and key.startswith(self.metric_prefixes))
        ]


@dataclass(frozen=True)
class SelfCheck:
    """What :func:`checked` found: the warnings to add to the result's, the metric keys it
    withheld (``quality.withheld_metrics``), and the step-time scatter within each foot (%,
    :func:`scatter_within_feet_pct`; None when unmeasured)."""

    warnings: list[str]
    withheld: list[str]
    step_time_scatter_pct: float | None


# -- refusals: the contacts contradict walking -------------------------------------------


def check_time_order(c: Contacts) -> None:
    """Raise ``NoReliableGait("inconsistent_contacts")`` when a step of the table takes no
    time or negative time (so would its stride): initial contacts out of order are no walk."""
    k = parameters.step_starts(c)
    step = parameters.step_time_s(c, k)
    if np.any(step <= 0):
        raise NoReliableGait(
            INCONSISTENT_CONTACTS,
            f"a step takes {1000 * float(step.min()):.0f} ms: the contacts are out of order",
        )


def check_alternation(step_time_s: np.ndarray, feet: np.ndarray, passes: np.ndarray) -> None:
    """Raise ``NoReliableGait("inconsistent_contacts")`` when, in a pass, the steps of one
    foot take more than :data:`MAX_STEP_TIME_RATIO` times those of the other (medians):
    beyond any limp, one foot's footprints are split or merged.

    ``step_time_s``, ``feet`` (the foot each step lands on) and ``passes`` (its pass), each
    ``(s,)``. Per pass, because feet are labelled by their order within a pass: ``"A"`` may
    be a different foot in the next pass, and pooling would hide the alternation."""
    measured = np.isfinite(step_time_s)
    for p in np.unique(passes):
        in_pass = measured & (passes == p)
        a = step_time_s[in_pass & (feet == "A")]
        b = step_time_s[in_pass & (feet == "B")]
        if not a.size or not b.size:
            continue
        short, long = sorted((float(np.median(a)), float(np.median(b))))
        if short <= 0 or long / short > MAX_STEP_TIME_RATIO:
            raise NoReliableGait(
                INCONSISTENT_CONTACTS,
                f"step times alternate {short:.2f} / {long:.2f} s (ratio "
                f"{long / max(short, 1e-9):.1f} > {MAX_STEP_TIME_RATIO:g}, beyond any limp): "
                "one foot's footprints are split or merged",
            )


# -- withholds: a metric's evidence fails ------------------------------------------------


def negative_phase_times(
    per_step: dict[str, np.ndarray], per_stride: dict[str, np.ndarray]
) -> Withheld | None:
    """The support phases when a stance, swing or double support of any step or stride is
    negative: no time is negative in walking (a negative double support is a flight phase,
    i.e. running, or a mistimed foot off)."""
    names = [
        name
        for values, keys in (
            (per_stride, ("stance_time_s", "swing_time_s", "double_support_time_s")),
            (per_step, parameters.STEP_SUPPORT_KEYS),
        )
        for name in keys
        if np.any(values[name][np.isfinite(values[name])] < 0)
    ]
    if not names:
        return None
    return Withheld(
        f"stance and support phases not reported: negative {', '.join(names)} (a foot off "
        "mistimed, or no foot on the floor between steps: running, not walking; events and "
        "steps are kept)",
        metric_prefixes=SUPPORT_PREFIXES,
        step_keys=parameters.STEP_SUPPORT_KEYS,
    )


def implausible_support_phases(metrics: dict[str, Any]) -> Withheld | None:
    """The support phases when their means cannot be walking
    (:func:`gait.walk.parameters.implausible_support_phases`)."""
    implausible = parameters.implausible_support_phases(metrics)
    if not implausible:
        return None
    return Withheld(
        f"stance and support phases not reported: {implausible} (a shaking camera or feet "
        "hard to tell from the floor blur the contacts; events and steps are kept)",
        metric_prefixes=SUPPORT_PREFIXES,
        step_keys=parameters.STEP_SUPPORT_KEYS,
    )


def scatter_within_feet_pct(step_time_s: np.ndarray, feet: np.ndarray) -> float | None:
    """Step-time scatter (%) within each foot: the pooled SD of the steps landing on
    ``"A"`` and of those landing on ``"B"``, over the mean step time. A limp, whose steps
    alternate regularly long and short, does not scatter; missed or split contacts do. None
    when neither foot has two steps. ``step_time_s`` ``(s,)``, ``feet`` ``(s,)``."""
    measured = np.isfinite(step_time_s)
    groups = [step_time_s[measured & (feet == foot)] for foot in ("A", "B")]
    groups = [g for g in groups if g.size >= 2]
    if not groups:
        return None
    squares = sum(float(np.sum((g - g.mean()) ** 2)) for g in groups)
    dof = sum(g.size - 1 for g in groups)
    mean = float(np.mean(step_time_s[measured]))
    return 100.0 * float(np.sqrt(squares / dof)) / mean if mean > 0 else float("inf")


def scattered_step_times(scatter_pct: float | None) -> Withheld | None:
    """The step and stride time variability when the step times scatter within each foot
    (:func:`scatter_within_feet_pct`) more than walking does
    (:data:`MAX_PLAUSIBLE_STEP_TIME_CV_PCT`): contacts are then likely missed or split."""
    if scatter_pct is None or scatter_pct <= MAX_PLAUSIBLE_STEP_TIME_CV_PCT:
        return None
    return Withheld(
        f"step times scatter (CV {scatter_pct:.0f} % > {MAX_PLAUSIBLE_STEP_TIME_CV_PCT:.0f} % "
        "within each foot): variability not reported; contacts may be missed or split, treat "
        "cadence and step times with caution",
        metric_keys=VARIABILITY_KEYS,
    )


def footprint_count_cadence(c: Contacts, metrics: dict[str, Any]) -> Withheld | None:
    """The cadence and step time when the number of footprints found between each pass's
    first and last seen initial contact (excluded ones included) does not fit the cadence
    of the measured steps (:data:`MAX_FOOTPRINT_CADENCE_DIFF_PCT`): either a stray footprint
    was dropped or a real one was, and the steps cannot tell which."""
    cadence = metrics.get("cadence_spm")
    if not cadence:
        return None
    steps, span_s = 0, 0.0
    seen = np.isfinite(c.ic_time_s)
    for p in np.unique(c.pass_index):
        rows = np.flatnonzero(seen & (c.pass_index == p))
        if rows.size >= 2:
            steps += int(c.order[rows[-1]] - c.order[rows[0]])
            span_s += float(c.ic_time_s[rows[-1]] - c.ic_time_s[rows[0]])
    if span_s <= 0:
        return None
    counted = 60.0 * steps / span_s
    diff_pct = 100.0 * abs(counted - cadence) / cadence
    if diff_pct <= MAX_FOOTPRINT_CADENCE_DIFF_PCT:
        return None
    return Withheld(
        f"cadence not reported: the measured steps give {cadence:.0f} spm but the footprints "
        f"found over the same stretch give {counted:.0f} spm (a footprint inside the walk was "
        "dropped or is stray)",
        metric_keys=CADENCE_KEYS,
    )


# -- applying them -----------------------------------------------------------------------


def check_walking(initial_double_support_time_s: np.ndarray, step_time_s: np.ndarray) -> None:
    """Raise ``NoReliableGait("running")`` when most steps open with a flight phase: the
    other foot left the floor :data:`FLIGHT_MIN_S` or more before the initial contact
    (``initial_double_support_time_s`` ``(s,)``, NaN where a foot off was not seen), at a
    running rate (``step_time_s`` ``(s,)``, :data:`RUNNING_MIN_CADENCE_SPM`). A static
    camera's footprints see this as well as the landmarks do: walking always keeps a foot
    down; running's cadence, lengths and phases are not walking's, and its norms do not
    apply."""
    measured = initial_double_support_time_s[np.isfinite(initial_double_support_time_s)]
    flights = measured[measured <= -FLIGHT_MIN_S]
    steps = step_time_s[np.isfinite(step_time_s)]
    if (
        steps.size
        and float(np.median(steps)) <= 60.0 / RUNNING_MIN_CADENCE_SPM
        and measured.size >= RUNNING_MIN_STEPS
        and flights.size >= RUNNING_MIN_STEPS
        and flights.size >= RUNNING_MIN_FLIGHT_STEP_SHARE * measured.size
    ):
        raise NoReliableGait(
            RUNNING,
            f"running: {flights.size} of {measured.size} steps open with both feet off the "
            f"floor (flight {1000 * float(np.median(-flights)):.0f} ms, median); walking "
            "always keeps a foot down, so no walking parameter is reported",
        )


def withhold(metrics: dict[str, Any], steps: list[dict[str, Any]], withheld: Withheld) -> list[str]:
    """Set what ``withheld`` names to None, in place; the metric keys that had a value."""
    keys = [key for key in withheld.keys_of(metrics) if metrics[key] is not None]
    for key in keys:
        metrics[key] = None
    for step in steps:
        for key in withheld.step_keys:
            step[key] = None
    return keys


def checked(
    c: Contacts,
    per_step: dict[str, np.ndarray],
    per_stride: dict[str, np.ndarray],
    metrics: dict[str, Any],
    steps: list[dict[str, Any]],
) -> SelfCheck:
    """Run every check on a result (``metrics`` and ``steps`` are changed in place).

    Raises ``NoReliableGait("inconsistent_contacts")`` when the contacts contradict
    walking, ``NoReliableGait("running")`` when they show running. Returns the warnings and
    the withheld metric keys."""
    check_time_order(c)
    feet = c.foot[per_step["row"]]
    check_alternation(per_step["step_time_s"], feet, c.pass_index[per_step["row"]])
    check_walking(per_step["initial_double_support_time_s"], per_step["step_time_s"])
    scatter = scatter_within_feet_pct(per_step["step_time_s"], feet)
    warnings: list[str] = []
    withheld: list[str] = []
    # Each check reads the metrics as the previous ones left them.
    for check in (
        lambda: negative_phase_times(per_step, per_stride),
        lambda: implausible_support_phases(metrics),
        lambda: scattered_step_times(scatter),
        lambda: footprint_count_cadence(c, metrics),
    ):
        found = check()
        if found is not None:
            warnings.append(found.warning)
            withheld += [key for key in withhold(metrics, steps, found) if key not in withheld]
    return SelfCheck(warnings, withheld, scatter)


def checked_parameters(
    contacts: Contacts, height_m: float | None, video_px_per_analysis_px: float
) -> tuple[list[dict], dict, SelfCheck]:
    """The result's ``steps`` and ``metrics`` of ``contacts``, checked against themselves
    (:func:`checked` withholds in place or refuses): the one sequence every route runs.
    Raises ``NoReliableGait`` when there are too few steps or the contacts contradict
    walking."""
    per_step = parameters.step_values(contacts, height_m)
    quality.require_steps(per_step["row"].size)
    per_stride = parameters.stride_values(contacts, height_m)
    steps = parameters.steps(contacts, per_step, video_px_per_analysis_px)
    metrics = parameters.summary(contacts, per_step, per_stride)
    checks = checked(contacts, per_step, per_stride, metrics, steps)
    return steps, metrics, checks
