"""The HTML report: content, escaping, no external requests, and a real browser's rendering.

Input is a real analysed result: the demo's synthetic walk, analysed by the command line
(``python -m gait demo``), and joint angles computed from that walker's true joints. The
browser tests render with headless Chromium to PNG and PDF (see ``tests/browser.py``).
"""

from __future__ import annotations

import copy
import itertools
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from gait import angles as A
from gait import html_report as H
from gait.errors import NO_GAIT_REASONS, NoReliableGait, TooShort
from gait.synth import clip
from gait.synth.kinematics import Body, walker_pose
from gait.synth.params import SynthParams
from gait.synth.truth import landmarks_px
from tests import browser

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo walk analysed by the CLI: video path, result dict, truth dict."""
    out = tmp_path_factory.mktemp("demo")
    subprocess.run(
        [sys.executable, "-m", "gait", "demo", "--out", str(out)],
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=600,
    )
    return {
        "video": out / "walk.mp4",
        "result": json.loads((out / "walk.gait.json").read_text()),
        "truth": json.loads((out / "walk.truth.json").read_text()),
    }


@pytest.fixture(scope="module")
def walker_angles(demo: dict[str, Any]) -> dict[str, Any]:
    """Angles of the demo walker from its true joints, the far (left) ankle hidden at times."""
    params = SynthParams(**demo["truth"]["params"])
    times = np.asarray(demo["truth"]["frame_times_s"])
    prints, camera = clip.plan(params)
    pose = walker_pose(times, prints, params)
    landmarks = landmarks_px(pose, Body(params.height_m), camera)
    landmarks[100:130, A.LANDMARKS["left_ankle"], 3] = 0.1  # 1 s hidden: withheld
    ics = {
        side: [f["ic_time_s"] for f in demo["truth"]["footprints"] if f["foot"] == side]
        for side in A.SIDES
    }
    cycles = {
        side: list(itertools.pairwise(t for t in ts if t is not None)) for side, ts in ics.items()
    }
    return A.analyse(landmarks, times, camera.direction_sign, cycles)


@pytest.fixture(scope="module")
def page(demo: dict[str, Any], walker_angles: dict[str, Any]) -> str:
    jpeg = H.walk_frame_jpeg(demo["video"], demo["result"])
    return H.render_report(demo["result"], frame_jpeg=jpeg, angles=walker_angles)


def _rows(html: str) -> dict[str, str]:
    """Metric rows by key: the row's text with tags removed."""
    return {
        key: re.sub(r"<[^>]+>", " ", body)
        for key, body in re.findall(r'<tr class="metric[^"]*" data-key="([^"]+)">(.*?)</tr>', html)
    }


def test_page_holds_the_frame_heels_timeline_metrics_and_curves(
    page: str, demo: dict[str, Any]
) -> None:
    result = demo["result"]
    assert page.count('id="walk-frame" href="data:image/jpeg;base64,') == 1
    heels = re.findall(r'<g class="heel" data-foot="(\w+)">', page)
    # Feet are A/B, or left/right once named (gait/walk/sides.py).
    feet = {step["foot"] for step in result["steps"]}
    assert len(heels) == len(result["steps"]) and set(heels) == feet and len(feet) == 2
    ics = [e for e in result["events"] if e["type"] == "initial_contact"]
    assert page.count('class="stance"') == len(ics)
    rows = _rows(page)
    for key in ("cadence_spm", "step_time_s", "stance_pct", "step_length_m", "speed_mps"):
        value = result["metrics"][key]
        assert key in rows, key
        shown = float(re.search(r"-?\d+\.\d+", rows[key]).group())
        assert shown == pytest.approx(value, rel=0.005), (key, value, rows[key])
    curves = re.findall(r'class="angle-curve" data-side="(\w+)" data-joint="(\w+)"', page)
    assert sorted(curves) == sorted((s, j) for s in A.SIDES for j in A.JOINTS)
    assert "None" not in re.sub(r"<[^>]+>", " ", page), "unmeasured values show as –"


def test_no_external_request_and_every_string_escaped(demo: dict[str, Any]) -> None:
    result = copy.deepcopy(demo["result"])
    evil = '<script>alert("x")</script><img src="http://evil.example/x.png">'
    result["video"]["path"] = f"/videos/{evil}.mp4"
    result["warnings"] = [evil]
    result["quality"]["excluded_segments"].append(
        {"start_frame": 1, "end_frame": 2, "reason": evil}
    )
    result["steps"][0]["foot"] = evil
    html = H.render_report(result, frame_jpeg=b"\xff\xd8jpeg", angles=None)
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    # Nothing to fetch: every href/src is inline data, no URL of any kind.
    refs = re.findall(r'(?:href|src)="([^"]*)"', html)
    assert refs and all(r.startswith("data:") for r in refs)
    assert "url(" not in html and "@import" not in html, "no stylesheet fetches either"
    assert "default-src 'none'" in html


def test_values_outside_a_reference_band_are_flagged(demo: dict[str, Any]) -> None:
    result = copy.deepcopy(demo["result"])
    rows = _rows(H.render_report(result))
    assert "below" not in rows["speed_mps"]
    result["metrics"]["speed_mps"] = 0.5
    html = H.render_report(result)
    flagged = re.findall(r'<tr class="metric flag" data-key="([^"]+)">', html)
    assert flagged == ["speed_mps"]
    assert "below reference" in _rows(html)["speed_mps"]


def test_a_support_share_within_its_frame_timing_uncertainty_of_the_band_is_not_flagged(
    demo: dict[str, Any],
) -> None:
    """12 % double support is below the 15-23 % band, but at 30 frames/s and the demo's
    ~1.1 s stride its events' one-frame timing makes it uncertain by ~6 points: not flagged.
    The same value filmed at 120 frames/s (~1.5 points) is."""
    result = copy.deepcopy(demo["result"])
    result["metrics"]["double_support_pct"] = 12.0
    result["video"]["fps"] = 30.0
    assert "below reference" not in _rows(H.render_report(result))["double_support_pct"]
    result["video"]["fps"] = 120.0
    assert "below reference" in _rows(H.render_report(result))["double_support_pct"]


def test_values_outside_the_sourced_bands_are_flagged_with_their_source(
    demo: dict[str, Any], walker_angles: dict[str, Any]
) -> None:
    result = copy.deepcopy(demo["result"])
    assert not re.findall(r'<tr class="metric flag"', H.render_report(result))
    result["metrics"]["stance_pct"] = 70.0  # a long stance: above 55-63 %
    result["metrics"]["double_support_pct"] = 5.0  # below 15-23 %, beyond its uncertainty
    html = H.render_report(result)
    flagged = re.findall(r'<tr class="metric flag" data-key="([^"]+)">', html)
    assert sorted(flagged) == ["double_support_pct", "stance_pct"]
    assert "above reference" in _rows(html)["stance_pct"]
    assert "below reference" in _rows(html)["double_support_pct"]
    # Each band's source is cited on the page, with whom it describes.
    for key in ("stance_pct", "double_support_pct", "speed_mps", "cadence_spm"):
        ref = H.norms.reference(key)
        assert f'<li data-key="{key}">' in html
        assert H.esc(ref.source) in html and H.esc(ref.what) in html

    angles = copy.deepcopy(walker_angles)
    assert 'class="angle-summary flag"' not in H._angles_section(angles)
    angles["sides"]["left"]["summary"]["knee_flexion_swing_peak_deg"] = 35.0  # stiff knee
    section = H._angles_section(angles)
    row = re.search(r'<tr class="angle-summary flag" data-key="([^"]+)">(.*?)</tr>', section)
    assert row and row.group(1) == "knee_flexion_swing_peak_deg"
    assert "below reference" in row.group(2)


def test_normative_band_is_drawn_under_each_angle_curve(page: str) -> None:
    section = page[page.index('id="angles"') :]
    for joint in A.JOINTS:
        chart = section[section.index(f'aria-label="{joint} angle curve"') :]
        chart = chart[: chart.index("</svg>")]
        band = re.search(rf'<path class="norm-band" data-joint="{joint}" d="([^"]+)"', chart)
        assert band, joint
        # Under the measured curves: drawn first.
        assert chart.index('class="norm-band"') < chart.index('class="angle-curve"')
        assert f'class="norm-mean" data-joint="{joint}"' in chart
        # It spans the whole cycle: the band's x runs from the 0 % to the 100 % gridline.
        xs = [float(x) for x in re.findall(r"[ML](-?[\d.]+),", band.group(1))]
        x_axis = r'<text x="([\d.]+)"[^>]*text-anchor="middle">(?:0|100)</text>'
        ticks = [float(x) for x in re.findall(x_axis, chart)]
        assert len(ticks) == 2
        assert min(xs) == pytest.approx(min(ticks), abs=0.1)
        assert max(xs) == pytest.approx(max(ticks), abs=0.1)
    note = re.sub(r"<[^>]+>", " ", section)
    assert "Grey band" in note and "typically developing children" in note
    # Children's curves under an adult's walk: the page says why, and what to read them for.
    assert H.esc(H.norms.CURVE_POPULATION_NOTE) in section
    assert H.esc(H.norms.SCHWARTZ_2008) in section


def test_without_height_lengths_are_stature_relative(demo: dict[str, Any]) -> None:
    result = copy.deepcopy(demo["result"])
    for key in list(result["metrics"]):
        if key.endswith(("_m", "_mps")) or "_sd_m" in key:
            result["metrics"][key] = None
    for step in result["steps"]:
        step["step_length_m"] = None
    html = H.render_report(result)
    rows = _rows(html)
    assert "step_length_stature_ratio" in rows and "statures" in rows["step_length_stature_ratio"]
    assert "speed_statures_per_s" in rows
    assert " st<" in html, "heel labels in statures"


def test_step_length_is_judged_by_stature_with_or_without_a_height(demo: dict[str, Any]) -> None:
    # The band is stature-relative (children's, Pinzone et al. 2014): a shuffle of a tenth of
    # the stature is flagged whether the page shows statures (no height) or metres, and in
    # metres the band is also given at the walker's height; the demo's own steps are not.
    band = H.norms.reference("step_length_stature_ratio")
    result = copy.deepcopy(demo["result"])
    height_m = demo["truth"]["height_m"]  # given to the analysis: its lengths rest on it
    assert result["quality"]["scale"] == {"height_m": height_m, "from": "height"}
    assert H._walker_height_m(result) == height_m
    stored_before_scale = copy.deepcopy(result)
    del stored_before_scale["quality"]["scale"]
    assert H._walker_height_m(stored_before_scale) == pytest.approx(height_m, rel=1e-3)
    assert result["metrics"]["step_length_stature_ratio"] > band.low
    row = _metric_row(H.render_report(result), "step_length_m")
    assert row.group(1) == "metric", "a usual step: not flagged"
    result["metrics"]["step_length_stature_ratio"] = 0.1
    result["metrics"]["step_length_m"] = 0.1 * height_m
    row = _metric_row(H.render_report(result), "step_length_m")
    assert row.group(1) == "metric flag" and "below reference" in row.group(2)
    in_metres = f"{band.low * height_m:.2f}\u2013{band.high * height_m:.2f} m at this height"
    assert in_metres in row.group(2)

    for key in list(result["metrics"]):
        if key.endswith(("_m", "_mps")) or "_sd_m" in key:
            result["metrics"][key] = None
    html = H.render_report(result)
    row = _metric_row(html, "step_length_stature_ratio")
    assert row.group(1) == "metric flag" and "below reference" in row.group(2)
    assert "statures" in re.findall(r"<td>(.*?)</td>", row.group(2))[-1]
    assert H.esc(H.norms.PINZONE_2014) in html, "the band's source is cited on the page"


def test_an_assumed_height_is_said_and_judges_no_value_in_metres(demo: dict[str, Any]) -> None:
    # The service may scale lengths by a deployment's default height: the page says so at the
    # top and over the table, and a speed in m/s is not set against its band by it (off by the
    # assumption's error); a step length is still judged by its stature ratio, which does not
    # rest on the height.
    result = copy.deepcopy(demo["result"])
    result["metrics"]["speed_mps"] = 0.5  # far below the adult band
    result["metrics"]["step_length_stature_ratio"] = 0.1
    result["metrics"]["step_length_m"] = 0.175
    given = H.render_report(result, height={"height_m": 1.75, "basis": "given"})
    assert "height 1.75 m (given)" in given and "assumed" not in given
    assert _metric_row(given, "speed_mps").group(1) == "metric flag"
    assumed = H.render_report(result, height={"height_m": 1.75, "basis": "assumed"})
    header = assumed[assumed.index("<header>") : assumed.index("</header>")]
    assert "height 1.75 m <strong>assumed</strong>" in header
    assert "rest on an assumed height" in assumed
    speed = _metric_row(assumed, "speed_mps")
    assert speed.group(1) == "metric" and "not judged: the height is assumed" in speed.group(2)
    assert _metric_row(assumed, "step_length_m").group(1) == "metric flag"
    unknown = H.render_report(result)
    assert " · height" not in unknown and "assumed" not in unknown


def test_lengths_from_a_belt_speed_name_it_not_the_height(demo: dict[str, Any]) -> None:
    # On a treadmill with a given belt speed the metres rest on it (quality.scale), not on the
    # given or assumed height: the header says so, and an assumed height judges nothing.
    result = copy.deepcopy(demo["result"])
    result["quality"]["scale"] = {
        "height_m": 1.92, "from": "treadmill_speed", "treadmill_speed_mps": 1.1
    }  # fmt: skip
    page = H.render_report(result, height={"height_m": 1.75, "basis": "assumed"})
    header = page[page.index("<header>") : page.index("</header>")]
    assert "lengths from the given belt speed (1.1 m/s), which makes the walker 1.92 m" in header
    assert "assumed" not in page
    band = H.norms.reference("step_length_stature_ratio")
    in_metres = f"{band.low * 1.92:.2f}\u2013{band.high * 1.92:.2f} m at this height"
    assert in_metres in _metric_row(page, "step_length_m").group(2)


def _metric_row(html: str, key: str) -> re.Match[str]:
    row = re.search(rf'<tr class="(metric[^"]*)" data-key="{key}">(.*?)</tr>', html)
    assert row, key
    return row


def test_a_typical_value_is_never_flagged(walker_angles: dict[str, Any]) -> None:
    # No band with a spread could be sourced for the knee's range (gait/norms.py says where
    # was looked): however far off the value, the page shows the typical value and flags
    # nothing.
    angles = copy.deepcopy(walker_angles)
    for side in angles["sides"].values():
        side["summary"]["knee_rom_deg"] = 15.0  # a stiff knee, a quarter of the typical range
    section = H._angles_section(angles)
    row = re.search(r'<tr class="(angle-summary[^"]*)" data-key="knee_rom_deg">(.*?)</tr>', section)
    assert row and row.group(1) == "angle-summary", "a typical value is context, not a band"
    reference_cell = re.findall(r"<td>(.*?)</td>", row.group(2))[-1]
    assert reference_cell == "typically ~60 deg", "the typical value, no flag beside it"


def test_how_it_was_measured_describes_this_analysis(demo: dict[str, Any]) -> None:
    # The method and its limits follow the route the result came from, not one fixed text:
    # a footprint walk, a treadmill, a back view filmed hand-held, feet left unnamed.
    def method(result: dict[str, Any]) -> str:
        page = H.render_report(result)
        return re.sub(r"<[^>]+>", " ", page[page.index('id="method"') :])

    footprints = copy.deepcopy(demo["result"])
    assert {e["source"] for e in footprints["events"]} == {"footprint"}
    text = method(footprints)
    assert "lowest part stays still" in text and "Zeni" not in text
    assert "side view cannot measure step width" in text and "On a treadmill" not in text

    treadmill = copy.deepcopy(demo["result"])
    treadmill["quality"]["view"] = {"kind": "side", "treadmill": True}
    for event in treadmill["events"]:
        event["source"] = "landmarks"
    treadmill["metrics"]["step_length_m"] = None
    treadmill["quality"]["floor_line_px"] = None  # heels on the belt, not in the picture
    page = H.render_report(treadmill, frame_jpeg=b"a frame")
    assert 'class="heel"' not in page and "each heel lands on the moving belt" in page
    assert 'class="heel"' in H.render_report(footprints, frame_jpeg=b"a frame")
    text = method(treadmill)
    assert "On a treadmill" in text and "Zeni" in text and "no belt speed was given" in text
    assert "lowest part stays still" not in text

    back = copy.deepcopy(treadmill)
    back["quality"]["view"] = {"kind": "frontal_or_back", "treadmill": False}
    back["quality"]["camera_motion_px"] = {"class": "moving"}
    text = method(back)
    assert "gap between the two heels" in text and "do not depend on its motion" in text
    assert "foreshortened" in text and "side view" not in text and "On a treadmill" not in text

    named = {step["foot"] for step in footprints["steps"]}
    unnamed = copy.deepcopy(footprints)
    for step in unnamed["steps"]:
        step["foot"] = {"left": "A", "right": "B"}.get(step["foot"], step["foot"])
    assert ("named left and right" in method(footprints)) == (named <= {"left", "right"})
    assert "labelled A and B" in method(unnamed)
    # Named feet carry the one assumption the picture cannot check: an unmirrored video.
    for names, said in ((("left", "right"), True), (("A", "B"), False)):
        result = copy.deepcopy(footprints)
        for k, event in enumerate(result["events"]):
            event["foot"] = names[k % 2]
        assert ("assume the video is not mirrored" in method(result)) == said


@pytest.mark.parametrize("duration_s", [3.0, 18.0, 75.0])
def test_timeline_labels_stay_apart_however_long_the_walk(duration_s: float) -> None:
    # A walk of a minute had a label every 0.5 s, 120 labels run together.
    events = [
        {"type": kind, "time_s": t + lag, "foot": foot, "frame": 0}
        for t in np.arange(0.0, duration_s, 1.1)
        for kind, lag, foot in (("initial_contact", 0.0, "A"), ("foot_off", 0.7, "A"))
    ]
    svg = H._timeline_section({"events": events})
    ticks = [float(x) for x in re.findall(r'<text x="([\d.]+)"[^>]*text-anchor="middle">', svg)]
    assert 3 <= len(ticks) <= H.MAX_TICKS
    assert min(np.diff(ticks)) >= 45, "a label is ~40 px wide"


def test_without_angles_the_page_says_so(demo: dict[str, Any]) -> None:
    html = H.render_report(demo["result"], frame_jpeg=None, angles=None)
    assert "angle-curve" not in html
    assert "Not measured in this analysis" in html
    assert "walk-frame" not in html and "heel" in html, "heels drawn on a blank floor"
    # Why, when the result says: a back view's own warning, not a footprint-era excuse.
    result = copy.deepcopy(demo["result"])
    why = "joint angles not measured: a frontal or back view shows no sagittal angles"
    result["warnings"].append(why)
    result["quality"].pop("footprints_found", None)  # the landmark routes count no footprints
    html = H.render_report(result, angles=None)
    assert f"Not measured in this analysis ({why})" in html
    assert "footprints found" not in html and "of ? " not in html


def test_angle_table_shows_the_measured_share(walker_angles: dict[str, Any]) -> None:
    section = H._angles_section(walker_angles)
    left = walker_angles["sides"]["left"]["curves"]["knee"]["measured_pct"]
    assert 0 < left < 100, "the hidden ankle shows as unmeasured"
    assert f"knee {left:.0f} %" in section


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (NoReliableGait("several_walkers", "two walkers").to_dict(), "Several people walk"),
        (NoReliableGait("too_few_steps", "1 step").to_dict(), "Too few steady steps"),
        (NoReliableGait("camera_motion", "moves").to_dict(), "The camera moved"),
        (NoReliableGait("frame_rate_too_low", "10 fps").to_dict(), "too few frames per second"),
        (TooShort("0.4 s of video").to_dict(), "too short"),
        ({"code": "something_new", "message": "<b>odd</b>"}, "did not finish"),
    ],
)
def test_failure_page_explains_why_in_words(error: dict[str, str], words: str) -> None:
    html = H.render_failure(error)
    assert words in html
    assert H.esc(error["message"]) in html and "<b>" not in html
    assert "What to do" in html


def test_every_refusal_reason_is_explained_in_its_own_words() -> None:
    pages = {
        reason: H.render_failure(NoReliableGait(reason, "x").to_dict())
        for reason in NO_GAIT_REASONS
    }
    generic = H.FAILURE_WORDS["no_reliable_gait"]
    for reason, page in pages.items():
        assert H.esc(H.FAILURE_WORDS[reason]) in page, reason
        assert H.FAILURE_WORDS[reason] != generic
    assert len({H.FAILURE_WORDS[r] for r in NO_GAIT_REASONS}) == len(NO_GAIT_REASONS)
    # What to do follows the reason where there is more to say than the general advice.
    assert set(H.REASON_ADVICE) <= set(NO_GAIT_REASONS)
    for reason, page in pages.items():
        advice = H.REASON_ADVICE.get(reason, H.FAILURE_ADVICE)
        assert H.esc(advice) in page, reason
    assert H.esc(H.FAILURE_ADVICE) not in pages["several_walkers"]
    with pytest.raises(ValueError, match="several_people"):
        NoReliableGait("several_people", "a reason nobody switches on")


def test_write_report_is_whole_or_absent(demo: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "walk.html"
    H.write_report(demo["video"], demo["result"], out)
    assert out.read_text().startswith("<!DOCTYPE html>")
    with pytest.raises(FileNotFoundError):
        H.write_report(demo["video"], demo["result"], tmp_path / "missing" / "x.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["walk.html"]


def test_field_reads_renamed_and_nested_keys() -> None:
    data = {"metrics": {"speed": None, "speed_mps": 1.2}, "q": {"floor": {"y": 3}}}
    assert H.field(data["metrics"], "speed", "speed_mps") == 1.2
    assert H.field(data, "q.floor.y") == 3
    assert H.field(data, "q.missing", default="d") == "d"
    assert H.field(None, "x") is None


# -- in a real browser -------------------------------------------------------------------------


def _colour_pixels(png: Path, hex_colour: str, tol: int = 12) -> int:
    image = cv2.imread(str(png))
    assert image is not None, f"{png} is not a PNG"
    bgr = np.array([int(hex_colour[i : i + 2], 16) for i in (5, 3, 1)])
    return int(np.count_nonzero(np.all(np.abs(image.astype(int) - bgr) <= tol, axis=2)))


def test_report_renders_in_chromium_to_png_and_a4_pdf(page: str, tmp_path: Path) -> None:
    html_path = tmp_path / "report.html"
    html_path.write_text(page, encoding="utf-8")
    dom = browser.rendered_dom(html_path)
    assert 'id="walk-frame"' in dom
    assert len(re.findall(r'class="angle-curve"', dom)) == 6
    assert len(re.findall(r'<tr class="metric', dom)) == len(H.METRIC_ROWS)

    png = tmp_path / "report.png"
    browser.screenshot(html_path, png)
    image = cv2.imread(str(png))
    assert image.shape[:2] == (3000, 900)
    # The walk frame is a photograph: many distinct colours where a blank page has few.
    top = image[:900].reshape(-1, 3)
    assert len(np.unique(top, axis=0)) > 2000
    for foot in ("left", "right"):  # the demo walk's feet are named
        assert _colour_pixels(png, H.FOOT_COLOURS[foot]) > 2000, f"foot {foot} colour drawn"

    pdf = tmp_path / "report.pdf"
    browser.print_pdf(html_path, pdf)
    pages = browser.pdf_pages(pdf)
    print(f"PDF: {len(pages)} pages, {pdf.stat().st_size} bytes")
    assert 1 <= len(pages) <= 4
    for width, height in pages:  # A4: 595 x 842 pt
        assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2
    assert pdf.stat().st_size > 50_000, "the frame and the curves are in the PDF"


def test_normative_band_is_painted_in_chromium(page: str, tmp_path: Path) -> None:
    # The same page with and without the band's paths: the band adds its own grey (the
    # normative colour at the band's opacity over white) to the screenshot.
    with_band, without = tmp_path / "band.html", tmp_path / "no_band.html"
    with_band.write_text(page, encoding="utf-8")
    without.write_text(re.sub(r'<path class="norm-(?:band|mean)"[^>]*/>', "", page), "utf-8")
    dom = browser.rendered_dom(with_band)
    assert len(re.findall(r'class="norm-band"', dom)) == len(A.JOINTS)
    grey = round(255 - 0.35 * (255 - int(H.NORM_COLOUR[1:3], 16)))
    band_grey = f"#{grey:02X}{grey:02X}{grey:02X}"
    counts = []
    for html_path in (with_band, without):
        png = html_path.with_suffix(".png")
        browser.screenshot(html_path, png)
        counts.append(_colour_pixels(png, band_grey, tol=3))
    print(f"band grey pixels: {counts[0]} with the band, {counts[1]} without")
    assert counts[0] - counts[1] > 3000, counts


def test_failure_page_renders_in_chromium(tmp_path: Path) -> None:
    html_path = tmp_path / "failure.html"
    html_path.write_text(
        H.render_failure(NoReliableGait("no_walker", "no person walks across").to_dict()),
        encoding="utf-8",
    )
    dom = browser.rendered_dom(html_path)
    assert "No person was seen walking" in dom
    pdf = tmp_path / "failure.pdf"
    browser.print_pdf(html_path, pdf)
    assert len(browser.pdf_pages(pdf)) == 1


def test_missing_chromium_fails_in_ci_and_skips_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browser.shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="chromium not found"):
        browser.chromium()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        browser.chromium()


def test_malformed_numbers_are_not_drawn(demo: dict[str, Any]) -> None:
    result = copy.deepcopy(demo["result"])
    result["steps"][0]["heel_x_px"] = "n/a"
    result["metrics"]["cadence_spm"] = "fast"
    result["events"][0]["time_s"] = None
    html = H.render_report(result)
    assert len(re.findall(r'<g class="heel"', html)) == len(result["steps"]) - 1
    assert re.search(r"Cadence\s+–", _rows(html)["cadence_spm"])
