from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gait.cli import build_parser, main
from gait.progress import ProgressBar
from tests.media import BAD_INPUTS

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "gait", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def run_main(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """The CLI in this process (``python -m gait`` calls the same ``main``): exit code and
    stderr. Argument errors exit through argparse with code 2."""
    capsys.readouterr()
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = int(exc.code)
    return code, capsys.readouterr().err


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_unusable_inputs_exit_2_with_one_line_and_no_output(tmp_path, capsys, name):
    maker, code = BAD_INPUTS[name]
    video = maker(tmp_path / name)
    output = tmp_path / "out" / "result.json"
    exit_code, stderr = run_main("analyze", str(video), "--json", str(output), capsys=capsys)
    assert exit_code == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {code}:"), stderr
    assert not output.exists()
    assert not any(p.name.startswith(".result.json") for p in tmp_path.rglob("*"))


def test_missing_file_exits_2(tmp_path):
    """Through ``python -m gait``, as a user runs it."""
    completed = run_cli("analyze", str(tmp_path / "nope.mp4"), cwd=tmp_path)
    assert completed.returncode == 2
    assert completed.stderr.startswith("error: not_a_video:") and "no such file" in completed.stderr


def test_out_of_range_height_is_refused(small_clip, capsys):
    exit_code, stderr = run_main("analyze", str(small_clip), "--height-m", "7", capsys=capsys)
    assert exit_code == 2
    assert "height must be 0.5–2.5 m" in stderr


def test_analyze_writes_the_result_json_and_report(tmp_path, real_clip, analysed):
    video = real_clip("side-indoor-forward-then-backward.mp4")
    output, report = tmp_path / "result.json", tmp_path / "report.png"
    completed = run_cli(
        "analyze",
        str(video),
        "--json",
        str(output),
        "--report",
        str(report),
        "--workers",
        "2",
        "--chunk-frames",
        "120",
        cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(output.read_text())
    # Two worker processes and 120-frame chunks give the library's own result.
    assert result == json.loads(json.dumps(analysed(video).outcome().to_dict()))
    assert result["video"]["frame_count"] == 401
    assert result["metrics"]["steady_steps"] >= 4
    assert result["metrics"]["step_length_m"] is None  # no --height-m: no metres
    assert report.stat().st_size > 10_000
    assert "\r" not in completed.stderr, "no progress bar when stderr is not a terminal"


def test_no_walker_exits_2_and_writes_nothing(tmp_path, small_clip, capsys):
    """A bright square crossing the frame is motion, not a person walking."""
    output = tmp_path / "result.json"
    exit_code, stderr = run_main(
        "analyze", str(small_clip), "--json", str(output), "--workers", "1", capsys=capsys
    )
    assert exit_code == 2, stderr
    assert stderr.startswith("error: no_reliable_gait:")
    assert not output.exists()


def test_progress_bar_draws_only_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        bar = ProgressBar("analysing", stream)
        bar(50, 200)
        bar(200, 200)
    assert "50/200 frames" in terminal.getvalue() and "s left" in terminal.getvalue()
    assert terminal.getvalue().endswith("\n")
    assert pipe.getvalue() == ""


def test_html_report_is_chosen_by_its_suffix(tmp_path, synthetic, capsys):
    video, _ = synthetic(width=480, height=270, duration_s=5.0, seed=5)
    output, report = tmp_path / "result.json", tmp_path / "walk.html"
    exit_code, stderr = run_main(
        "analyze", str(video), "--json", str(output), "--report", str(report),
        "--workers", "1", capsys=capsys,
    )  # fmt: skip
    assert exit_code == 0, stderr
    page = report.read_text(encoding="utf-8")
    result = json.loads(output.read_text())
    assert page.startswith("<!DOCTYPE html>")
    assert 'data-key="cadence_spm"' in page and 'data-key="stance_pct"' in page
    assert result["angles"] is not None and page.count('class="angle-summary') >= 5


def test_refused_analysis_writes_the_failure_page(tmp_path, small_clip, capsys):
    output, report = tmp_path / "result.json", tmp_path / "why.html"
    exit_code, stderr = run_main(
        "analyze", str(small_clip), "--json", str(output), "--report", str(report),
        "--workers", "1", capsys=capsys,
    )  # fmt: skip
    assert exit_code == 2 and stderr.startswith("error: no_reliable_gait:")
    assert not output.exists()
    assert "<code>no_reliable_gait</code>" in report.read_text(encoding="utf-8")


def test_report_with_an_unknown_suffix_is_refused(small_clip, capsys):
    exit_code, stderr = run_main("analyze", str(small_clip), "--report", "r.pdf", capsys=capsys)
    assert exit_code == 2 and ".html or .png" in stderr


def test_treadmill_speed_is_parsed_and_range_checked(small_clip, capsys):
    parser = build_parser()
    args = parser.parse_args(["analyze", str(small_clip), "--treadmill-speed-mps", "1.2"])
    assert args.treadmill_speed_mps == 1.2
    assert parser.parse_args(["analyze", str(small_clip)]).treadmill_speed_mps is None
    # km/h given as m/s, no belt at all, not a number: refused before any decoding.
    for value in ("4.5e1", "0", "nan", "fast"):
        exit_code, stderr = run_main(
            "analyze", str(small_clip), "--treadmill-speed-mps", value, capsys=capsys
        )
        assert exit_code == 2 and "--treadmill-speed-mps" in stderr, (value, stderr)
