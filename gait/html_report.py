"""The analysis as one self-contained HTML page a clinician reads, printable to A4.

Inline CSS and SVG only, the walk frame embedded as a ``data:`` URI: the page makes no request
of its own. Every string from the result or the error is escaped. Numbers are shown as
measured (``–`` where the result has ``None``); the page computes nothing but per-foot means of
the result's own per-step values.

Calls: :func:`render_report` (an analysed walk), :func:`render_failure` (a failed or refused
analysis), :func:`walk_frame_jpeg` (the frame to show, read from the video) and
:func:`write_report` (all three for the command line, written atomically).
"""

from __future__ import annotations

import base64
import html
import math
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import cv2
import numpy as np

from gait import norms
from gait.walk.event_check import DISAGREEMENT_TOLERANCE_S

#: Okabe-Ito orange and blue: told apart with every common colour-vision deficiency.
FOOT_COLOURS = {"A": "#E69F00", "B": "#0072B2", "left": "#E69F00", "right": "#0072B2"}
OTHER_COLOUR = "#555555"
#: Width (px) of the embedded walk frame: enough for print at 190 mm, ~100 KB as JPEG.
FRAME_WIDTH_PX = 960
FRAME_JPEG_QUALITY = 82

#: Excluded-segment reasons in words (codes from gait.events and gait.measure).
REASON_WORDS = {
    "frame_edge": "a foot was cut by the edge of the picture",
    "clip_boundary": "the step started before or ended after the clip",
    "not_steady": "not steady walking (starting, stopping or changing pace)",
    "standing_or_turning": "standing still, turning, or not crossing the picture",
    "walking_backwards": "walking backwards",
    # Results made before session 6 (2026-12-01) left the way back out; now it is measured.
    "facing_the_other_way": "the way back of an out-and-back walk (not measured here)",
}

#: Failures in words: what happened and what to do. Codes from gait.errors.
FAILURE_WORDS = {
    "not_a_video": "The file is not a video that can be read.",
    "truncated_video": "The video file is cut short or damaged, so not all of it can be read.",
    "no_frames": "The video holds no pictures.",
    "too_short": "The video is too short to hold enough steps.",
    "bad_timestamps": "The video's frames do not carry usable times, so no timing can be measured.",
    "absurd_resolution": "The picture size of the video is outside what can be analysed.",
    "unusable_video": "The video cannot be analysed.",
    "no_reliable_gait": "The video was read, but it holds no walking that can be measured "
    "reliably.",
    "no_walker": "No person was seen walking across the picture.",
    "several_walkers": "Several people walk across the picture at the same time; the steps "
    "of one person cannot be told apart from another's.",
    "running": "The person runs (both feet leave the ground between steps): walking "
    "parameters and their normal ranges do not apply.",
    "too_few_steps": "Too few steady steps were seen to measure the gait.",
    "camera_motion": "The camera moved too much (or too unevenly) for its motion to be "
    "measured and taken out, so the foot contacts cannot be placed on the floor.",
    "edited_video": "The video is edited: its cuts leave no stretch long enough to measure "
    "steps in.",
    "frame_rate_too_low": "The video has too few frames per second (under 15) to time the "
    "foot contacts.",
    "inconsistent_contacts": "The foot contacts found contradict each other (for example one "
    "foot's steps alternating very short and very long), so no value could be trusted.",
}
FAILURE_ADVICE = (
    "Film again from the side with the phone held still (on a tripod or propped up), the whole "
    "body in view, one person walking at their usual pace across the picture for at least "
    "four steps, feet visible against the floor."
)
#: What to do, for the refusals where it is something else than :data:`FAILURE_ADVICE` or
#: more: each says what the analysis does handle, so the next video is not refused again.
REASON_ADVICE = {
    "several_walkers": "Film the person walking alone: others may stand or sit in view, but "
    "nobody else should walk across the picture at the same time.",
    "too_few_steps": "Film a longer walk: at least four steady steps fully in view, not "
    "counting the first and last steps (starting and stopping are left out).",
    "camera_motion": "Hold the phone steadier, or prop it up: a camera held by hand, or "
    "turning slowly to follow the walker, is measured; a fast or jerky one is not.",
    "edited_video": "Upload the recording as filmed, without cuts: an edited video is "
    "measured only within an uncut stretch of at least 2 seconds.",
    "frame_rate_too_low": "Record at 30 frames per second or more (a phone's normal video "
    "setting).",
    "running": "Only walking is measured: film the person walking at their usual pace.",
}


def esc(value: Any) -> str:
    """``value`` as text, escaped for HTML content and attribute values."""
    return html.escape(str(value), quote=True)


def _num(value: Any, digits: int = 2) -> str:
    """A number with ``digits`` decimals, or "–" when it is missing (None) or not a number."""
    x = None if isinstance(value, bool) else _float(value)
    return "–" if x is None else f"{x:.{digits}f}"


def field(data: Mapping[str, Any] | None, *names: str, default: Any = None) -> Any:
    """The first of ``names`` present (not None) in ``data``: the one accessor for result keys,
    which tolerates the renames of a schema change (``"a.b"`` reads nested keys)."""
    if not isinstance(data, Mapping):
        return default
    for name in names:
        node: Any = data
        for part in name.split("."):
            node = node.get(part) if isinstance(node, Mapping) else None
        if node is not None:
            return node
    return default


def _float(value: Any) -> float | None:
    """``value`` as a finite float, or None (a missing or malformed number is not drawn)."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _colour(foot: Any) -> str:
    return FOOT_COLOURS.get(str(foot), OTHER_COLOUR)


def _foot_name(foot: Any) -> str:
    foot = str(foot)
    return foot if foot in ("left", "right") else f"foot {foot}"


# -- page --------------------------------------------------------------------------------------

CSS = """
@page { size: A4; margin: 12mm; }
* { box-sizing: border-box; }
body { font: 10pt/1.35 "DejaVu Sans", Arial, sans-serif; color: #1d1d1d; margin: 0; }
main { max-width: 186mm; margin: 0 auto; padding: 4mm 0; }
h1 { font-size: 16pt; margin: 0 0 1mm; }
h2 { font-size: 12pt; margin: 5mm 0 2mm; border-bottom: 1px solid #bbb; }
p, li { margin: 1mm 0; }
.sub { color: #555; }
h2 { break-after: avoid; page-break-after: avoid; }
svg, tr, li, .charts, #walk, #timeline { break-inside: avoid; page-break-inside: avoid; }
svg { display: block; width: 100%; height: auto; }
#walk svg { max-height: 120mm; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; }
th, td { padding: 1mm 1.5mm; border-bottom: 1px solid #ddd; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f2f2f2; }
tr.flag td { background: #fde8e8; }
.flagtext { color: #a40000; font-weight: bold; }
.key { display: inline-block; width: 3mm; height: 3mm; vertical-align: middle; }
.charts { display: flex; gap: 3mm; }
.charts figure { flex: 1; margin: 0; }
figcaption { font-size: 9pt; text-align: center; }
.failure { border-left: 2mm solid #a40000; padding-left: 4mm; }
code { font-size: 9pt; }
.references { font-size: 8pt; }
.references ul { margin: 0; padding-left: 5mm; }
.references li { margin: 0; }
.references .sources { list-style: none; padding-left: 0; }
"""


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        # No request of any kind: nothing to fetch, scripts and remote content forbidden.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "img-src data:; style-src 'unsafe-inline'\">"
        f"<title>{esc(title)}</title><style>{CSS}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def render_report(
    result: Mapping[str, Any],
    *,
    frame_jpeg: bytes | None = None,
    angles: Mapping[str, Any] | None = None,
    height: Mapping[str, Any] | None = None,
) -> str:
    """The report page (HTML text) of an analysed walk.

    ``result``: the result JSON as a dict (README "The result"); ``frame_jpeg``: a JPEG of the
    walk (:func:`walk_frame_jpeg`), or None to draw the footprints on a blank floor;
    ``angles``: :func:`gait.angles.analyse`'s output, or None when no body landmarks were
    measured; ``height``: the height the lengths were scaled by, ``{"height_m", "basis":
    "given" | "assumed"}`` (the service's record), or None when none was (or the caller does
    not know). An assumed height is said at the top and beside the lengths, and no value in
    metres is judged against a band by it.
    """
    video = field(result, "video", default={})
    name = Path(str(field(video, "path", default="video"))).name
    parts = [
        "<header><h1>Gait analysis</h1>",
        f'<p class="sub">{esc(name)} · {_num(field(video, "duration_s"), 1)} s · '
        f"{esc(field(video, 'display_width', 'width', default='?'))}×"
        f"{esc(field(video, 'display_height', 'height', default='?'))} px · "
        f"{_num(field(video, 'fps'), 1)} frames/s"
        f"{' (variable frame rate)' if field(video, 'variable_frame_rate') else ''}"
        f"{_height_words(height, result)}</p></header>",
        _walk_section(result, frame_jpeg),
        _timeline_section(result),
        _metrics_section(result, assumed_height=_is_assumed(height, result)),
        _angles_section(
            angles,
            next((w for w in field(result, "warnings", default=[]) if "joint angles" in w), None),
        ),
        _quality_section(result),
        _method_section(result, angles),
    ]
    return _page(f"Gait analysis – {name}", "".join(parts))


def render_failure(error: Mapping[str, Any], *, video_name: str | None = None) -> str:
    """The page for a failed or refused analysis: why, in words, and what to do.

    ``error``: the typed error's dict (``{"code", "message"}`` and ``"reason"`` for
    ``no_reliable_gait``: :meth:`gait.errors.GaitError.to_dict`).
    """
    code = str(field(error, "code", "error", default="error"))
    reason = field(error, "reason", "details.reason")
    message = field(error, "message", default="")
    explain = FAILURE_WORDS.get(str(reason)) if reason else None
    lines = [FAILURE_WORDS.get(code, "The analysis did not finish.")]
    if explain:
        lines.append(explain)
    body = [
        "<header><h1>Gait analysis: no result</h1>",
        f'<p class="sub">{esc(video_name)}</p>' if video_name else "",
        '</header><section class="failure"><h2>Why</h2>',
        "".join(f"<p>{esc(line)}</p>" for line in lines),
        f"<p>Details: {esc(message)}</p>" if message else "",
        f'<p class="sub">Code: <code>{esc(code)}</code>'
        f"{f' / <code>{esc(reason)}</code>' if reason else ''}</p>",
        "</section><section><h2>What to do</h2>",
        f"<p>{esc(REASON_ADVICE.get(str(reason), FAILURE_ADVICE))}</p>",
        "<p>No number is reported for this video: a wrong number is worse than none.</p>",
        "</section>",
    ]
    return _page("Gait analysis – no result", "".join(body))


# -- the walk ----------------------------------------------------------------------------------


def _walk_section(result: Mapping[str, Any], frame_jpeg: bytes | None) -> str:
    video = field(result, "video", default={})
    width = _float(field(video, "display_width", "width")) or 1280.0
    height = _float(field(video, "display_height", "height")) or 720.0
    quality = field(result, "quality", default={})
    floor = field(quality, "floor_line_px", default={})
    intercept, slope = field(floor, "intercept"), field(floor, "slope", default=0.0)
    steps = list(field(result, "steps", default=[]))
    marks = []
    size = height / 40
    intercept, slope = _float(intercept), _float(slope) or 0.0
    for step in steps:
        x = _float(field(step, "heel_x_px"))
        if x is None or intercept is None:
            continue
        y = intercept + slope * x
        colour = _colour(field(step, "foot"))
        length_m = field(step, "step_length_m")
        label = (
            f"{100 * float(length_m):.0f} cm"
            if length_m is not None
            else f"{_num(field(step, 'step_length_stature_ratio'), 2)} st"
        )
        marks.append(
            f'<g class="heel" data-foot="{esc(field(step, "foot"))}">'
            f'<line x1="{x:.1f}" y1="{y - 3 * size:.1f}" x2="{x:.1f}" y2="{y + size:.1f}" '
            f'stroke="{colour}" stroke-width="{size / 3:.1f}"/>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size / 2:.1f}" fill="{colour}" '
            'stroke="white" stroke-width="2"/>'
            f'<text x="{x:.1f}" y="{y + 2.4 * size:.1f}" font-size="{size * 0.9:.1f}" '
            f'text-anchor="middle" fill="{colour}" stroke="white" stroke-width="{size / 8:.1f}" '
            f'paint-order="stroke">{esc(label)}</text></g>'
        )
    if frame_jpeg:
        data = base64.b64encode(frame_jpeg).decode("ascii")
        backdrop = (
            f'<image id="walk-frame" href="data:image/jpeg;base64,{data}" x="0" y="0" '
            f'width="{width:.0f}" height="{height:.0f}" preserveAspectRatio="none"/>'
        )
        caption = (
            "A frame of the walk, with each measured step's heel contact on the floor."
            if marks
            else f"A frame of the walk. {_why_no_heels(result)}"
        )
    else:
        floor_y = intercept if intercept is not None else 0.85 * height
        backdrop = (
            f'<rect width="{width:.0f}" height="{height:.0f}" fill="#f4f4f4"/>'
            f'<line x1="0" y1="{floor_y:.1f}" x2="{width:.0f}" y2="{floor_y:.1f}" '
            'stroke="#999" stroke-width="2"/>'
        )
        caption = "The floor line, with each measured step's heel contact (no frame available)."
    legend = _legend(sorted({str(field(s, "foot")) for s in steps}))
    return (
        '<section id="walk"><h2>The walk</h2>'
        f'<svg viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-label="walk frame with heel contacts">{backdrop}{"".join(marks)}</svg>'
        f"<p>{esc(caption)} {legend}</p></section>"
    )


def _why_no_heels(result: Mapping[str, Any]) -> str:
    """Why the walk frame carries no heel marks, in words."""
    kind, treadmill, camera = _view(result)
    if kind == "frontal_or_back":
        return "Seen from the front or behind, no heel position along the walk is measured."
    if treadmill:
        return (
            "The heel contacts are not drawn: on a treadmill each heel lands on the moving "
            "belt, not at one place in the picture."
        )
    if camera == "moving":
        return (
            "The heel contacts are not drawn: the camera moved, so they were located on the "
            "floor, not in this one picture."
        )
    return "No heel contact could be placed on this picture."


def _legend(feet: Iterable[str]) -> str:
    return " ".join(
        f'<span class="key" style="background:{_colour(f)}"></span> {esc(_foot_name(f))}'
        for f in feet
    )


def _stance_intervals(events: Sequence[Mapping[str, Any]]) -> dict[str, list[tuple]]:
    """Per foot, ``(ic_time, fo_time)`` of each stance; either end None when not observed."""
    out: dict[str, list[tuple]] = {}
    opened: dict[str, float | None] = {}
    timed = [e for e in events if _float(field(e, "time_s")) is not None]
    for e in sorted(timed, key=lambda e: _float(field(e, "time_s"))):
        foot, kind, t = str(field(e, "foot")), field(e, "type"), _float(field(e, "time_s"))
        if kind == "initial_contact":
            if opened.get(foot) is not None:
                out.setdefault(foot, []).append((opened[foot], None))
            opened[foot] = t
        elif kind == "foot_off":
            out.setdefault(foot, []).append((opened.get(foot), t))
            opened[foot] = None
    for foot, t in opened.items():
        if t is not None:
            out.setdefault(foot, []).append((t, None))
    return out


#: Time axis of the timeline: tick spacings (s) to choose from, and the most ticks drawn.
TICK_SPACINGS_S = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
MAX_TICKS = 14


def _timeline_section(result: Mapping[str, Any]) -> str:
    events = list(field(result, "events", default=[]))
    times = [t for e in events if (t := _float(field(e, "time_s"))) is not None]
    if not times:
        return '<section id="timeline"><h2>Events</h2><p>No gait events.</p></section>'
    stances = _stance_intervals(events)
    start, stop = min(times) - 0.3, max(times) + 0.3
    w, left, right, row_h = 1000.0, 90.0, 20.0, 34.0
    feet = sorted(stances)
    h = 30 + row_h * len(feet) + 30

    def x_of(t: float) -> float:
        return left + (w - left - right) * (t - start) / max(stop - start, 1e-6)

    out = []
    for row, foot in enumerate(feet):
        top = 20 + row * row_h
        colour = _colour(foot)
        out.append(f'<text x="5" y="{top + 21:.0f}" font-size="14">{esc(_foot_name(foot))}</text>')
        for ic, fo in stances[foot]:
            a = x_of(ic if ic is not None else start)
            b = x_of(fo if fo is not None else stop)
            faded = ' fill-opacity="0.45"' if ic is None or fo is None else ""
            out.append(
                f'<rect class="stance" x="{a:.1f}" y="{top:.0f}" width="{max(b - a, 1):.1f}" '
                f'height="{row_h - 8:.0f}" fill="{colour}"{faded}/>'
            )
    axis_y = 20 + row_h * len(feet) + 4
    out.append(f'<line x1="{left}" y1="{axis_y}" x2="{w - right}" y2="{axis_y}" stroke="#333"/>')
    # The finest of these spacings that keeps the labels ("12.5 s", ~40 px) apart.
    spacing = next((d for d in TICK_SPACINGS_S if (stop - start) / d <= MAX_TICKS), 60.0)
    for tick in np.arange(math.ceil(start / spacing) * spacing, stop, spacing):
        x = x_of(float(tick))
        out.append(
            f'<line x1="{x:.1f}" y1="{axis_y}" x2="{x:.1f}" y2="{axis_y + 5}" stroke="#333"/>'
            f'<text x="{x:.1f}" y="{axis_y + 20}" font-size="12" text-anchor="middle">'
            f"{tick:.1f} s</text>"
        )
    return (
        '<section id="timeline"><h2>Events: stance of each foot over time</h2>'
        f'<svg viewBox="0 0 {w:.0f} {h:.0f}" role="img" aria-label="stance timeline">'
        f"{''.join(out)}</svg>"
        "<p>Each bar runs from a foot's initial contact to its foot off; where the bars of the "
        "two feet overlap, both are on the floor (double support). Faded bars have an end "
        "outside the measured walking.</p></section>"
    )


# -- metrics -----------------------------------------------------------------------------------


class Row(NamedTuple):
    """One metrics-table row: the mean and SD keys, the unit shown, digits, the per-step key
    the per-foot means come from and the asymmetry key (None: no such column value)."""

    label: str
    key: str
    sd_key: str | None
    unit: str
    digits: int
    step_key: str | None = None
    asym_key: str | None = None


METRIC_ROWS = (
    Row("Cadence", "cadence_spm", "cadence_sd_spm", "steps/min", 1),
    Row(
        "Step time",
        "step_time_s",
        "step_time_sd_s",
        "s",
        3,
        "step_time_s",
        "step_time_asymmetry_pct",
    ),
    Row("Stride time", "stride_time_s", "stride_time_sd_s", "s", 3),
    Row(
        "Stance time",
        "stance_time_s",
        "stance_time_sd_s",
        "s",
        3,
        "stance_time_s",
        "stance_time_asymmetry_pct",
    ),
    Row("Stance", "stance_pct", "stance_sd_pct", "% of stride", 1),
    Row("Swing", "swing_pct", "swing_sd_pct", "% of stride", 1),
    Row("Double support", "double_support_pct", "double_support_sd_pct", "% of stride", 1),
    Row("Single support", "single_support_pct", "single_support_sd_pct", "% of stride", 1),
    Row(
        "Step length",
        "step_length_m",
        "step_length_sd_m",
        "m",
        3,
        "step_length_m",
        "step_length_asymmetry_pct",
    ),
    Row("Stride length", "stride_length_m", "stride_length_sd_m", "m", 3),
    Row("Gait speed", "speed_mps", "speed_sd_mps", "m/s", 2),
    Row("Walk ratio", "walk_ratio_m_per_spm", None, "m/(steps/min)", 4),
)
#: Without a height: the stature-relative key for a metre key.
RELATIVE = {
    "step_length_m": ("step_length_stature_ratio", "step_length_sd_stature_ratio", "statures"),
    "stride_length_m": (
        "stride_length_stature_ratio",
        "stride_length_sd_stature_ratio",
        "statures",
    ),
    "speed_mps": ("speed_statures_per_s", "speed_sd_statures_per_s", "statures/s"),
}
#: A metre value whose normative band is published relative to stature: its ratio key.
STATURE_BANDS = {"step_length_m": "step_length_stature_ratio"}


def _foot_means(steps: Sequence[Mapping[str, Any]], key: str) -> dict[str, float]:
    by_foot: dict[str, list[float]] = {}
    for step in steps:
        value = _float(field(step, key))
        if value is not None:
            by_foot.setdefault(str(field(step, "foot")), []).append(value)
    return {foot: float(np.mean(v)) for foot, v in by_foot.items()}


def _is_assumed(height: Mapping[str, Any] | None, result: Mapping[str, Any]) -> bool:
    """Whether the result's metres rest on an assumed ``height`` (not on a belt speed)."""
    from_belt = field(result, "quality.scale.from") == "treadmill_speed"
    return bool(height) and field(height, "basis") == "assumed" and not from_belt


def _height_words(height: Mapping[str, Any] | None, result: Mapping[str, Any]) -> str:
    """The header's words for the height the lengths rest on ("" without one): the given or
    assumed ``height``, or the height a given treadmill belt speed implies (``quality.scale``),
    which the lengths then rest on whatever height was given."""
    scale = field(result, "quality.scale")
    if field(scale, "from") == "treadmill_speed":
        implied = _float(field(scale, "height_m"))
        speed = _float(field(scale, "treadmill_speed_mps"))
        if implied is not None and speed is not None:
            return (
                f" · lengths from the given belt speed ({speed:g} m/s), which makes the walker "
                f"{implied:.2f} m tall"
            )
    metres = _float(field(height, "height_m")) if height else None
    if metres is None:
        return ""
    if _is_assumed(height, result):
        return f" · height {metres:.2f} m <strong>assumed</strong> (not measured)"
    return f" · height {metres:.2f} m (given)"


def _walker_height_m(result: Mapping[str, Any]) -> float | None:
    """The height (m) the result's lengths rest on (``quality.scale``); None without metres.
    A result stored before ``quality.scale`` existed gives it as its step length in metres
    over the same step length in statures."""
    scale = field(result, "quality.scale")
    if isinstance(scale, Mapping):
        return _float(field(scale, "height_m"))
    metres = _float(field(result, "metrics.step_length_m"))
    statures = _float(field(result, "metrics.step_length_stature_ratio"))
    return metres / statures if metres and statures else None


def _reference_for(
    key: str, metrics: Mapping[str, Any], height_m: float | None
) -> tuple[norms.Reference | None, float | None, str]:
    """The reference a metrics row is judged against: ``(reference, the value it flags,
    the reference in words)``. A value in metres whose band is stature-relative
    (:data:`STATURE_BANDS`) is judged by its stature ratio, and the band is also given in
    metres at ``height_m`` (:func:`_walker_height_m`)."""
    ref = norms.reference(key)
    if ref is not None or key not in STATURE_BANDS:
        return ref, _float(field(metrics, key)), ref.describe() if ref else "–"
    ratio_key = STATURE_BANDS[key]
    ref = norms.reference(ratio_key)
    if ref is None or ref.low is None or ref.high is None or height_m is None:
        return None, None, "–"
    in_metres = f"{ref.low * height_m:.2f}\u2013{ref.high * height_m:.2f} m"
    return ref, _float(field(metrics, ratio_key)), f"{ref.describe()} ({in_metres} at this height)"


def _frame_interval_s(result: Mapping[str, Any]) -> float:
    """The video's mean frame interval (s), 0 when its frame rate is unknown."""
    fps = _float(field(field(result, "video", default={}), "fps"))
    return 1.0 / fps if fps else 0.0


def _metrics_section(result: Mapping[str, Any], assumed_height: bool = False) -> str:
    metrics = field(result, "metrics", default={})
    height_m = _walker_height_m(result)
    steps = list(field(result, "steps", default=[]))
    feet = sorted({str(field(s, "foot")) for s in steps}) or ["A", "B"]
    head = "".join(
        f'<th><span class="key" style="background:{_colour(f)}"></span> {esc(_foot_name(f))}</th>'
        for f in feet
    )
    rows = []
    for row in METRIC_ROWS:
        mean_key, sd_key, unit, step_key = row.key, row.sd_key, row.unit, row.step_key
        label, digits, asym_key = row.label, row.digits, row.asym_key
        if field(metrics, mean_key) is None and mean_key in RELATIVE:
            mean_key, sd_key, unit = RELATIVE[mean_key]
            step_key = RELATIVE[step_key][0] if step_key in RELATIVE else step_key
        mean = _float(field(metrics, mean_key))
        sd = field(metrics, sd_key) if sd_key else None
        per_foot = _foot_means(steps, step_key) if step_key else {}
        ref, judged, ref_text = _reference_for(mean_key, metrics, height_m)
        # A band in metres (m, m/s) judges a value an assumed height scaled by its own error;
        # a stature ratio (step length, STATURE_BANDS) does not rest on the height.
        if assumed_height and ref and ref.unit.split("/")[0] == "m":
            judged = None
            ref_text += " (not judged: the height is assumed)"
        resolution = norms.timing_resolution(
            mean_key, _float(field(metrics, "stride_time_s")), _frame_interval_s(result)
        )
        flag = ref.flag(judged, resolution) if ref else None
        value = _num(mean, digits) + (f" ± {_num(sd, digits)}" if sd is not None else "")
        ref_text = esc(ref_text)
        flag_text = f'<span class="flagtext">{esc(flag)} reference</span>' if flag else ""
        rows.append(
            f'<tr class="metric{" flag" if flag else ""}" data-key="{esc(mean_key)}">'
            f"<td>{esc(label)}</td><td>{value}</td><td>{esc(unit)}</td>"
            + "".join(f"<td>{_num(per_foot.get(f), digits)}</td>" for f in feet)
            + f"<td>{_num(field(metrics, asym_key), 1) if asym_key else '–'}</td>"
            f"<td>{ref_text} {flag_text}</td></tr>"
        )
    notes = _reference_notes(
        (row.label, k) for row in METRIC_ROWS for k in (row.key, *RELATIVE.get(row.key, ())[:1])
    )
    assumed = (
        '<p class="flagtext">Lengths and speed rest on an assumed height (the service\'s '
        "default), not the walker's: they are off by as much as the walker's real height "
        "differs from it. Give the walker's height for real values.</p>"
        if assumed_height and field(metrics, "step_length_m") is not None
        else ""
    )
    return (
        '<section id="metrics"><h2>Measurements</h2>'
        f"{assumed}"
        f"<p>{esc(field(metrics, 'steady_steps', default=0))} steady steps, "
        f"{esc(field(metrics, 'steady_strides', default=0))} strides. "
        "Values are mean ± SD over steps or strides; per-foot columns are the mean of each "
        "foot's steps; asymmetry is |A − B| / mean in %. A reference range is a published "
        "range of healthy walkers (who, and the source, below; age and sex not given); values "
        "outside it are flagged. Stance, swing and support shares are flagged only when "
        "outside it by more than their uncertainty from timing events on video frames "
        "(about one frame per event: several points of the stride at 30 frames/s). A "
        "typical value is context only.</p>"
        f"<table><thead><tr><th>Measure</th><th>Mean ± SD</th><th>Unit</th>{head}"
        "<th>Asymmetry %</th><th>Reference</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        f"{notes}</section>"
    )


def _reference_notes(labelled_keys: Iterable[tuple[str, str]]) -> str:
    """A list naming, for each measure with a reference, what the reference is, with its
    source numbered below it: every band is cited where it is shown."""
    items, sources, seen = [], [], set()
    for label, key in labelled_keys:
        ref = norms.reference(key)
        if ref is None or key in seen:
            continue
        seen.add(key)
        if ref.source not in sources:
            sources.append(ref.source)
        items.append(
            f'<li data-key="{esc(key)}">{esc(label)}, {esc(ref.describe())}: {esc(ref.what)} '
            f"[{sources.index(ref.source) + 1}]</li>"
        )
    if not items:
        return ""
    cited = "".join(f"<li>[{i}] {esc(source)}.</li>" for i, source in enumerate(sources, 1))
    return (
        f'<div class="references sub"><p>References:</p><ul>{"".join(items)}</ul>'
        f'<ul class="sources">{cited}</ul></div>'
    )


# -- angles ------------------------------------------------------------------------------------

#: The normative band under the angle curves: a neutral grey, apart from both foot colours.
NORM_COLOUR = "#8C8C8C"
ANGLE_TITLES = {
    "hip": "Hip flexion (+) / extension (−)",
    "knee": "Knee flexion",
    "ankle": "Ankle dorsiflexion (+) / plantarflexion (−)",
}
ANGLE_SUMMARY_LABELS = {
    "knee_flexion_loading_peak_deg": "Knee flexion peak, loading response",
    "knee_flexion_swing_peak_deg": "Knee flexion peak, swing",
    "knee_rom_deg": "Knee range of motion",
    "hip_rom_deg": "Hip range of motion",
    "ankle_dorsiflexion_stance_peak_deg": "Ankle dorsiflexion peak, stance",
}


def _path(xs: Sequence[float], ys: Sequence[float | None]) -> str:
    """SVG path data through the finite points, broken at gaps."""
    parts, pen_down = [], False
    for x, y in zip(xs, ys, strict=True):
        if y is None or not math.isfinite(y):
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{x:.1f},{y:.1f}")
        pen_down = True
    return "".join(parts)


def _band(xs: Sequence[float], lo: Sequence[float | None], hi: Sequence[float | None]) -> list[str]:
    """Closed SVG paths of the band between ``lo`` and ``hi``, one per unbroken run."""
    runs, current = [], []
    for x, a, b in zip(xs, lo, hi, strict=True):
        if a is None or b is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append((x, a, b))
    if current:
        runs.append(current)
    return [
        "M"
        + "L".join(f"{x:.1f},{b:.1f}" for x, _, b in run)
        + "L"
        + "L".join(f"{x:.1f},{a:.1f}" for x, a, _ in reversed(run))
        + "Z"
        for run in runs
        if len(run) >= 2
    ]


def _angle_chart(joint: str, sides: Mapping[str, Any]) -> str:
    w, h, left, right, top, bottom = 320.0, 230.0, 36.0, 14.0, 10.0, 30.0
    values = []
    for side in sides.values():
        curve = field(field(side, "curves", default={}), joint, default={})
        mean, sd = field(curve, "mean_deg", default=[]), field(curve, "sd_deg", default=[])
        for m, s in zip(mean, sd or [None] * len(mean), strict=False):
            if m is not None:
                values += [m - (s or 0), m + (s or 0)]
    if not values:
        return f"<figure><figcaption>{esc(ANGLE_TITLES[joint])}: not measured</figcaption></figure>"
    norm = norms.normative_curve(joint)
    if norm is not None:
        norm_lo, norm_hi = norm.band(1.0)
        values += [float(norm_lo.min()), float(norm_hi.max())]
    lo = 10 * math.floor(min(values) / 10)
    hi = 10 * math.ceil(max(values) / 10)
    hi = hi if hi > lo else lo + 10

    def px(pct: float) -> float:
        return left + (w - left - right) * pct / 100.0

    def py(deg: float) -> float:
        return top + (h - top - bottom) * (hi - deg) / (hi - lo)

    out = []
    for deg in range(int(lo), int(hi) + 1, 10 if hi - lo <= 60 else 20):
        out.append(
            f'<line x1="{left}" y1="{py(deg):.1f}" x2="{w - right}" y2="{py(deg):.1f}" '
            f'stroke="{"#999" if deg == 0 else "#e3e3e3"}"/>'
            f'<text x="{left - 4}" y="{py(deg) + 4:.1f}" font-size="11" text-anchor="end">'
            f"{deg}</text>"
        )
    for pct in (0, 20, 40, 60, 80, 100):
        out.append(
            f'<text x="{px(pct):.1f}" y="{h - bottom + 15}" font-size="11" '
            f'text-anchor="middle">{pct}</text>'
        )
    out.append(
        f'<text x="{(left + w) / 2:.0f}" y="{h - 3}" font-size="11" text-anchor="middle">'
        "% of gait cycle (initial contact to initial contact)</text>"
    )
    if norm is not None:
        # Under the measured curves: the reference is the background they are read against.
        nx = [px(float(p)) for p in norm.cycle_pct]
        for d in _band(nx, [py(float(v)) for v in norm_lo], [py(float(v)) for v in norm_hi]):
            out.append(
                f'<path class="norm-band" data-joint="{esc(joint)}" d="{d}" fill="{NORM_COLOUR}" '
                'fill-opacity="0.35" stroke="none"/>'
            )
        out.append(
            f'<path class="norm-mean" data-joint="{esc(joint)}" '
            f'd="{_path(nx, [py(float(v)) for v in norm.mean_deg])}" fill="none" '
            f'stroke="{NORM_COLOUR}" stroke-width="1.5" stroke-dasharray="2 3"/>'
        )
    for name, side in sides.items():
        curve = field(field(side, "curves", default={}), joint, default={})
        mean = list(field(curve, "mean_deg", default=[]))
        sd = list(field(curve, "sd_deg", default=[None] * len(mean)))
        if not mean:
            continue
        xs = [px(100.0 * i / (len(mean) - 1)) for i in range(len(mean))]
        upper = [
            py(m + s) if m is not None and s is not None else None
            for m, s in zip(mean, sd, strict=False)
        ]
        lower = [
            py(m - s) if m is not None and s is not None else None
            for m, s in zip(mean, sd, strict=False)
        ]
        colour = _colour(name)
        # The second side dashed: a symmetric walk draws one curve over the other.
        dash = ' stroke-dasharray="6 4"' if name != next(iter(sides)) else ""
        for d in _band(xs, lower, upper):
            out.append(f'<path d="{d}" fill="{colour}" fill-opacity="0.2" stroke="none"/>')
        ys = [py(m) if m is not None else None for m in mean]
        out.append(
            f'<path class="angle-curve" data-side="{esc(name)}" data-joint="{esc(joint)}" '
            f'd="{_path(xs, ys)}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
        )
    return (
        f'<figure><svg viewBox="0 0 {w:.0f} {h:.0f}" role="img" '
        f'aria-label="{esc(joint)} angle curve">{"".join(out)}</svg>'
        f"<figcaption>{esc(ANGLE_TITLES[joint])}, deg</figcaption></figure>"
    )


def _angles_section(angles: Mapping[str, Any] | None, why_not: str | None = None) -> str:
    """The joint-angle curves and summary of :func:`gait.angles.analyse`'s ``angles``; without
    them, that they were not measured, and ``why_not`` (the result's own warning) when given.
    """
    if not angles:
        why = f" ({why_not})" if why_not else ""
        return (
            '<section id="angles"><h2>Joint angles</h2><p>Not measured in this analysis'
            f"{esc(why)}: no hip, knee or ankle angle is reported.</p></section>"
        )
    sides = field(angles, "sides", default={})
    charts = "".join(_angle_chart(joint, sides) for joint in ("hip", "knee", "ankle"))
    names = list(sides)
    legend = " ".join(
        f'<span class="key" style="background:{_colour(n)}"></span> {esc(_foot_name(n))}: '
        f"{esc(field(sides[n], 'strides', default=0))} strides, measured "
        + ", ".join(
            f"{esc(j)} {_num(field(field(field(sides[n], 'curves'), j), 'measured_pct'), 0)} %"
            for j in ("hip", "knee", "ankle")
        )
        for n in names
    )
    diff = field(angles, "side_difference", "left_right_difference", default={})
    rows = []
    for key, label in ANGLE_SUMMARY_LABELS.items():
        cells = []
        for n in names:
            summary = field(sides[n], "summary", default={})
            mean, sd = field(summary, key), field(summary, key.replace("_deg", "_sd_deg"))
            cells.append(f"<td>{_num(mean, 1)}{f' ± {_num(sd, 1)}' if sd is not None else ''}</td>")
        ref = norms.reference(key)
        flags = {
            flag
            for n in names
            if ref and (flag := ref.flag(_float(field(field(sides[n], "summary"), key))))
        }
        flag_text = "".join(
            f' <span class="flagtext">{esc(flag)} reference</span>' for flag in sorted(flags)
        )
        rows.append(
            f'<tr class="angle-summary{" flag" if flags else ""}" data-key="{esc(key)}">'
            f"<td>{esc(label)}</td>{''.join(cells)}"
            f"<td>{_num(field(diff, key), 1)}</td>"
            f"<td>{esc(ref.describe()) if ref else '–'}{flag_text}</td></tr>"
        )
    head = "".join(f"<th>{esc(_foot_name(n))}</th>" for n in names)
    difference_head = esc(" − ".join(_foot_name(n) for n in names))
    return (
        '<section id="angles"><h2>Joint angles over the gait cycle</h2>'
        f'<div class="charts">{charts}</div>'
        f"<p>Mean (line) ± SD (band) per side. {legend}. Parts of a curve where the joint was "
        "hidden are left out, not filled in.</p>"
        f"{_normative_curve_note()}"
        f"<table><thead><tr><th>deg</th>{head}<th>{difference_head}</th><th>Reference</th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
        f"{_reference_notes((label, key) for key, label in ANGLE_SUMMARY_LABELS.items())}"
        "</section>"
    )


def _normative_curve_note() -> str:
    """What the grey band under the angle curves is, whom it describes (and why those walkers'
    curves are drawn for this one), its source, and how each joint's reference angle differs
    from the measured one."""
    curves = [c for j in ("hip", "knee", "ankle") if (c := norms.normative_curve(j))]
    if not curves:
        return "<p>No normative curve is drawn.</p>"
    sources = sorted({c.source for c in curves})
    notes = " ".join(f"{c.joint.capitalize()}: {c.definition_note}." for c in curves)
    return (
        f'<p class="norm-note"><span class="key" style="background:{NORM_COLOUR}"></span> '
        f"Grey band and dotted line: normative {esc(curves[0].what)}. "
        f"{esc(norms.CURVE_POPULATION_NOTE)}. {esc(notes)} "
        f"Source: {esc('; '.join(sources))}.</p>"
    )


# -- quality and method ------------------------------------------------------------------------


def _quality_section(result: Mapping[str, Any]) -> str:
    quality = field(result, "quality", default={})
    video = field(result, "video", default={})
    fps = field(video, "fps")
    variable = field(video, "variable_frame_rate", default=True)
    items = [
        f"Confidence {_num(field(quality, 'confidence'), 2)} (0 to 1): "
        f"{esc(field(quality, 'confidence_method', default=''))}.",
        f"The walker was seen in {_num(field(quality, 'frames_with_walker_pct'), 0)} % of the "
        f"frames; {esc(field(quality, 'steady_steps', default=0))} steady steps were measured"
        + (
            f" of {esc(found)} footprints found."
            if (found := field(quality, "footprints_found")) is not None
            else "."
        ),
    ]
    excluded = list(field(quality, "excluded_segments", default=[]))
    ex_items = []
    for seg in excluded:
        start, end = field(seg, "start_frame"), field(seg, "end_frame")
        reason = str(field(seg, "reason", default=""))
        when = f"frames {esc(start)}–{esc(end)}"
        # Seconds only at a constant frame rate: elsewhere index / fps is not a frame's time.
        if fps and start is not None and end is not None and not variable:
            when += f" ({float(start) / float(fps):.1f}–{float(end) / float(fps):.1f} s)"
        ex_items.append(f"<li>{when}: {esc(REASON_WORDS.get(reason, reason))}</li>")
    warnings = [f"<li>{esc(w)}</li>" for w in field(result, "warnings", default=[])]
    return (
        '<section id="quality"><h2>Quality</h2>'
        + "".join(f"<p>{item}</p>" for item in items)
        + (
            f"<p>Left out of the measurement:</p><ul>{''.join(ex_items)}</ul>"
            if ex_items
            else "<p>Nothing was left out.</p>"
        )
        + (f"<p>Warnings:</p><ul>{''.join(warnings)}</ul>" if warnings else "<p>No warnings.</p>")
        + "</section>"
    )


def _method_section(result: Mapping[str, Any], angles: Mapping[str, Any] | None) -> str:
    return (
        '<section id="method"><h2>How it was measured</h2><ul>'
        + "".join(f"<li>{esc(x)}</li>" for x in method_items(result, angles))
        + "</ul><h2>What it cannot say</h2><ul>"
        + "".join(f"<li>{esc(x)}</li>" for x in limitation_items(result))
        + "</ul></section>"
    )


def _view(result: Mapping[str, Any]) -> tuple[str, bool, str | None]:
    """``(kind, treadmill, camera class)`` of the result's ``quality``: ``kind`` "side" or
    "frontal_or_back" (a footprint result, which has no ``view``, is a side view)."""
    quality = field(result, "quality", default={})
    view = field(quality, "view", default={}) or {}
    camera = field(quality, "camera_motion_px", default={}) or {}
    return (
        str(field(view, "kind", default="side")),
        bool(field(view, "treadmill", default=False)),
        field(camera, "class"),
    )


def method_items(result: Mapping[str, Any], angles: Mapping[str, Any] | None) -> list[str]:
    """How this result was measured, in words: the route its contacts came from (footprints,
    the person model's landmarks, a treadmill, a frontal or back view), the camera, how the
    feet were named and how the angles were made."""
    kind, treadmill, camera = _view(result)
    sources = {field(e, "source") for e in field(result, "events", default=[])}
    feet = {str(field(s, "foot")) for s in field(result, "steps", default=[])}
    items = [
        "Every frame's own timestamp is used (phone videos often vary their frame rate).",
        "The walker is found in every frame by a learned person model (MediaPipe's pose "
        "landmarks: 33 body points per frame, heels and foot tips included) and told from "
        "anyone else in view as the person whose feet step and travel.",
    ]
    if camera == "moving" and kind == "frontal_or_back":
        items.append(
            "The camera moved (measured on the background around the people); the contacts, "
            "read from the two feet in the same frame, do not depend on its motion."
        )
    elif camera == "moving":
        items.append(
            "The camera moved: its motion, measured frame to frame on the background around "
            "the people, was subtracted, so the feet are located on the floor, not in the "
            "picture."
        )
    elif camera == "static":
        items.append("The camera stood still (measured on the background around the people).")
    if kind == "frontal_or_back":
        items.append(
            "Seen from the front or behind, the contacts are timed from the gap between the "
            "two heels (person model) over the walker's stature: it stands still while both "
            "feet are on the floor and changes while one swings; a swing's first frame is that "
            "foot's foot off, its last the foot's initial contact."
        )
    elif treadmill:
        items.append(
            "On a treadmill the walker stays in place and each stance foot moves back with the "
            "belt. Contacts are timed from the heel and foot-tip trajectories relative to the "
            "pelvis (Zeni et al. 2008): an initial contact at the heel's most forward position, "
            "once the heel has come down; a foot off at the foot tip's most backward position."
        )
        items.append(
            "Lengths are the stance feet's travel with the belt, in metres through the belt "
            "speed given (the belt's measured speed in statures per second sets the scale)."
            if field(field(result, "metrics", default={}), "step_length_m") is not None
            else "Lengths are relative to stature, from the stance feet's travel with the belt "
            "(no belt speed was given)."
        )
    else:
        if "footprint" in sources:
            items.append(
                "The walker's silhouette is separated from the still background; a foot on "
                "the floor is where its lowest part stays still: the first frame is the "
                "initial contact, the last the foot off, the rear edge the heel position. The "
                "person model's heel and foot-tip trajectories check every such event; one the "
                f"two time more than {1000 * DISAGREEMENT_TOLERANCE_S:.0f} ms apart is withheld."
            )
        if "landmarks" in sources:
            which = (
                "Events the footprints did not time are"
                if "footprint" in sources
                else "Contacts are"
            )
            items.append(
                f"{which} timed from the person model's heel and foot-tip trajectories "
                "relative to the pelvis (Zeni et al. 2008): an initial contact at the heel's "
                "most forward position, once the heel has come down; a foot off at the foot "
                "tip's most backward position. Each event in the result names its source."
            )
        items.append(
            "Steps and strides are timed from these contacts; lengths are the distance between "
            "the heel positions along the walk, scaled by the walker's stature (and by the "
            "height given, if any)."
        )
    if feet and feet <= {"left", "right"} and kind == "frontal_or_back":
        items.append(
            "Feet are named left and right because two kinds of evidence agree: the person "
            "model's leg names and the image side (seen from behind, the walker's left foot "
            "is on the image's left)."
        )
    elif feet and feet <= {"left", "right"}:
        items.append(
            "Feet are named left and right because three kinds of evidence agree: the person "
            "model's leg names, which leg is nearer the camera, and the walking direction."
        )
    elif feet:
        items.append(
            "Feet are labelled A and B: the evidence for left and right did not agree or "
            "could not be read; the warnings say why."
        )
    if angles:
        items.append(
            "Joint angles come from body landmarks (hip, knee, ankle, heel, toe) in the image, "
            "filtered without lag at 6 Hz; hip against the trunk line, knee 0° straight, "
            "ankle 0° with the foot at a right angle to the shank. Frames where a landmark "
            "is hidden are left out; gaps up to 0.1 s are bridged."
        )
    return items


def limitation_items(result: Mapping[str, Any]) -> list[str]:
    """What this result cannot say, in words: one camera's 2-D picture, and what its view
    leaves out."""
    kind, _, _ = _view(result)
    items = [
        "Measured from one camera: what is seen is a 2-D projection of the walk onto the "
        "image. Lengths are scaled by the walker's stature in pixels (and the height entered, "
        "if any), so an error in either scales every length and the speed."
    ]
    if kind == "frontal_or_back":
        items.append(
            "Seen along the walking direction, a step's length is foreshortened by an unknown "
            "amount: no length, speed or sagittal joint angle is measured, and foot off is "
            "timed by the heel rising, before the toe leaves the floor."
        )
    else:
        items.append(
            "A side view cannot measure step width or anything across the walking direction "
            "(foot angle, pelvic drop, knee valgus)."
        )
    if any(field(e, "foot") in ("left", "right") for e in field(result, "events", default=[])):
        items.append(
            "Left and right assume the video is not mirrored. Some phones save front-camera "
            "video as a mirror image, which shows the walker's other side: left and right are "
            "then swapped, and the picture cannot tell."
        )
    items += [
        "Only steady walking fully in view is measured; starting, stopping, turning and steps "
        "at the edge of the picture are left out (listed under Quality).",
        "Variability (SD, CV) over a handful of steps is the least reliable value on this page.",
    ]
    return items


# -- files -------------------------------------------------------------------------------------


def report_frame_index(result: Mapping[str, Any]) -> int | None:
    """The frame to show: the middle initial contact of the measured walk (None: none)."""
    contacts = [
        int(field(e, "frame"))
        for e in field(result, "events", default=[])
        if field(e, "type") == "initial_contact" and field(e, "frame") is not None
    ]
    return sorted(contacts)[len(contacts) // 2] if contacts else None


def walk_frame_jpeg(video: str | os.PathLike[str], result: Mapping[str, Any]) -> bytes | None:
    """JPEG bytes of :func:`report_frame_index`'s frame of ``video``, upright, at most
    :data:`FRAME_WIDTH_PX` wide; None when the result has no contact or the frame is unreadable.
    """
    from gait.video import probe, read_frames_at

    index = report_frame_index(result)
    if index is None:
        return None
    info = probe(video)
    width, height = info.display_size
    scale = min(1.0, FRAME_WIDTH_PX / width)
    size = (2 * round(width * scale / 2), 2 * round(height * scale / 2))
    frames = list(read_frames_at(info, np.array([index]), size))
    if not frames:
        return None
    ok, data = cv2.imencode(".jpg", frames[0][2], [cv2.IMWRITE_JPEG_QUALITY, FRAME_JPEG_QUALITY])
    return data.tobytes() if ok else None


def write_report(
    video: str | os.PathLike[str],
    result: Mapping[str, Any],
    path: str | os.PathLike[str],
    angles: Mapping[str, Any] | None = None,
    height: Mapping[str, Any] | None = None,
) -> None:
    """Write the report of ``result`` (analysed from ``video``) to ``path``: complete or not
    at all (written beside it, then renamed). ``angles`` and ``height`` as in
    :func:`render_report`."""
    page = render_report(
        result, frame_jpeg=walk_frame_jpeg(video, result), angles=angles, height=height
    )
    _write_atomic(Path(path), page)


def write_failure(error: Mapping[str, Any], path: str | os.PathLike[str]) -> None:
    """Write :func:`render_failure`'s page to ``path``, complete or not at all."""
    _write_atomic(Path(path), render_failure(error))


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
