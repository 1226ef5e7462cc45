from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

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


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_unusable_inputs_exit_2_with_one_line_and_no_output(tmp_path, name):
    maker, code = BAD_INPUTS[name]
    video = maker(tmp_path / name)
    output = tmp_path / "out" / "result.json"
    completed = run_cli("analyze", str(video), "--json", str(output), cwd=tmp_path)
    assert completed.returncode == 2, completed.stderr
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {code}:"), completed.stderr
    assert not output.exists()
    assert not any(p.name.startswith(".result.json") for p in tmp_path.rglob("*"))


def test_missing_file_exits_2(tmp_path):
    completed = run_cli("analyze", str(tmp_path / "nope.mp4"), cwd=tmp_path)
    assert completed.returncode == 2
    assert "no such file" in completed.stderr


def test_out_of_range_height_is_refused(tmp_path, small_clip):
    completed = run_cli("analyze", str(small_clip), "--height-m", "7", cwd=tmp_path)
    assert completed.returncode == 2
    assert "height must be" in completed.stderr


def test_analyze_writes_the_result_json(tmp_path, real_clip):
    video = real_clip("side-indoor-forward-then-backward.mp4")
    output = tmp_path / "result.json"
    completed = run_cli(
        "analyze",
        str(video),
        "--json",
        str(output),
        "--workers",
        "2",
        "--chunk-frames",
        "120",
        cwd=tmp_path,
    )
    assert completed.returncode in (0, 2), completed.stderr
    if completed.returncode == 2:
        # A clip may legitimately hold no reliable gait; then nothing is written.
        assert completed.stderr.startswith("error: no_reliable_gait")
        assert not output.exists()
        return
    result = json.loads(output.read_text())
    for key in ("schema_version", "video", "events", "steps", "metrics", "quality", "warnings"):
        assert key in result
    assert result["video"]["frame_count"] == 401
    assert "\r" not in completed.stderr, "no progress bar when stderr is not a terminal"
