"""The panned copies of a clip (``gait.synth.camera_move.shifted_copy``, the pan test's and
``benchmarks/scatter.py``'s): each frame moved by the pan and the phase asked for, at the
source's frame times."""

from __future__ import annotations

import av
import cv2
import numpy as np
import pytest

from gait.synth.camera_move import shifted_copy
from gait.video import probe


def test_a_shifted_copy_moves_each_frame_by_rate_times_index_plus_phase(small_clip, tmp_path):
    copy = shifted_copy(small_clip, tmp_path / "copy.mp4", rate_px=1.5, phase_px=0.5)
    source_info, copy_info = probe(small_clip), probe(copy)
    assert copy_info.frame_count == source_info.frame_count
    assert np.allclose(copy_info.frame_times_s, source_info.frame_times_s, atol=1e-3)
    with av.open(str(small_clip)) as a, av.open(str(copy)) as b:
        pairs = list(zip(a.decode(video=0), b.decode(video=0), strict=True))
    for index in (5, 20):
        source, moved = (
            cv2.cvtColor(f.to_ndarray(format="bgr24"), cv2.COLOR_BGR2GRAY).astype(np.float32)
            for f in pairs[index]
        )
        (dx, dy), _ = cv2.phaseCorrelate(source, moved)
        assert dx == pytest.approx(-(1.5 * index + 0.5), abs=0.3)
        assert abs(dy) < 0.3
