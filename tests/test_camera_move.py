"""Re-filming a clip through a moving window (gait/synth/camera_move.py)."""

from __future__ import annotations

import av
import numpy as np
import pytest

from gait.synth import camera_move
from gait.video import probe
from tests.media import write_clip


def test_a_following_pan_lags_and_holds_unknown_frames():
    fps, n = 30.0, 120
    target = np.full(n, np.nan)
    target[30:90] = np.linspace(1000.0, 400.0, 60)  # 10 px per frame, known on 60 frames
    centre = camera_move.following_pan_px(target, fps, lag_s=0.2, smooth_s=0.1)
    assert np.all(centre[:30] == pytest.approx(1000.0, abs=1e-6))  # held before it is known
    # Mid-pass the window is 6 frames (0.2 s) behind the walker: 60 px.
    assert centre[60] - target[60] == pytest.approx(60.0, abs=10.0)
    assert centre[-1] == pytest.approx(400.0, abs=1e-6)


def test_the_window_stays_inside_the_image():
    centres = np.array([[0.0, 0.0], [500.0, 300.0], [5000.0, 5000.0]])
    inside = camera_move.window_centres_px(centres, (1000, 600), (640, 360), zoom=1.25)
    half = np.array([640, 360]) / 2.5
    assert np.all(inside >= half - 1e-9) and np.all(inside <= np.array([1000, 600]) - half)
    assert inside[1].tolist() == [500.0, 300.0]
    with pytest.raises(ValueError, match="larger than the source"):
        camera_move.window_centres_px(centres, (320, 240), (640, 360), zoom=1.0)


def test_a_hand_sways_and_trembles():
    shake = camera_move.hand_shake_px(300, 30.0, np.random.default_rng(0), 12.0, 0.7)
    assert shake.shape == (300, 2)
    assert shake.std(axis=0) == pytest.approx([12.0, 12.0], rel=0.15)
    # Frame to frame it moves by about a pixel, not by the sway's size.
    assert 0.5 < np.median(np.abs(np.diff(shake, axis=0))) < 3.0


def test_refilm_keeps_the_frames_and_moves_the_picture(tmp_path):
    source = write_clip(tmp_path / "square.mp4", frames=30, size=(320, 240))
    n, out_size, zoom = 30, (160, 120), 1.0
    centres = np.column_stack([np.linspace(100.0, 220.0, n), np.full(n, 120.0)])
    camera_move.refilm(source, tmp_path / "moved.mp4", centres, out_size, zoom)
    before, after = probe(source), probe(tmp_path / "moved.mp4")
    assert after.display_size == out_size and after.frame_count == before.frame_count
    np.testing.assert_allclose(after.frame_times_s, before.frame_times_s, atol=1e-3)
    squares_checked = 0
    with av.open(str(source)) as a, av.open(str(tmp_path / "moved.mp4")) as b:
        pairs = zip(a.decode(video=0), b.decode(video=0), strict=True)
        for index, (frame, moved) in enumerate(pairs):
            if index % 7:
                continue
            image, seen = frame.to_ndarray(format="gray"), moved.to_ndarray(format="gray")
            cx = float(centres[index][0])
            # The bright square, where in view, sits where the window puts it (the noisy
            # background, 0-40 grey, cannot tell one pixel from another).
            square = np.argwhere(image[100:140] > 150)
            if square.size:
                x_source = square[:, 1].mean()
                x_out = x_source - cx + out_size[0] / 2
                if 20 < x_out < out_size[0] - 20:
                    columns = np.flatnonzero((seen[100 - 60 : 140 - 60] > 150).any(axis=0))
                    assert abs(columns.mean() - x_out) < 3
                    # Source rows 100-139 around the window's centre row 120: output 40-79.
                    rows = np.flatnonzero((seen > 150).any(axis=1))
                    assert abs(rows.min() - 40) <= 2 and abs(rows.max() - 79) <= 2
                    squares_checked += 1
    assert squares_checked >= 2


def test_refilm_can_mirror_the_picture(tmp_path):
    source = write_clip(tmp_path / "square.mp4", frames=10, size=(320, 240))
    centres = np.tile([160.0, 120.0], (10, 1))
    camera_move.refilm(source, tmp_path / "mirror.mp4", centres, (320, 240), 1.0, mirror=True)
    off_centre = 0.0  # the square must stand away from the middle for a flip to show
    with av.open(str(source)) as a, av.open(str(tmp_path / "mirror.mp4")) as b:
        for frame, mirrored in zip(a.decode(video=0), b.decode(video=0), strict=True):
            image, seen = frame.to_ndarray(format="gray"), mirrored.to_ndarray(format="gray")
            square = np.flatnonzero((image > 150).any(axis=0))
            if square.size:
                flipped = np.flatnonzero((seen > 150).any(axis=0))
                assert abs(flipped.mean() - (319 - square.mean())) < 2
                off_centre = max(off_centre, abs(square.mean() - 159.5))
    assert off_centre > 20


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((1768, 994), (848, 476)),  # the outdoor clip: longer side to 848, both sides even
        ((720, 958), (638, 848)),  # a portrait clip: its height is the longer side
        ((640, 360), (640, 360)),  # already small: never scaled up
    ],
)
def test_resent_size_scales_the_longer_side_down_to_even_sides(size, expected):
    assert camera_move.resent_size(size) == expected


def test_resend_shrinks_the_picture_and_keeps_the_frames(tmp_path):
    source = write_clip(tmp_path / "square.mp4", frames=40, size=(640, 480))
    camera_move.resend(source, tmp_path / "resent.mp4", long_side_px=320, crf=35)
    before, after = probe(source), probe(tmp_path / "resent.mp4")
    assert after.display_size == (320, 240) and after.frame_count == before.frame_count
    np.testing.assert_allclose(after.frame_times_s, before.frame_times_s, atol=1e-3)
    with av.open(str(source)) as a, av.open(str(tmp_path / "resent.mp4")) as b:
        for frame, small in zip(a.decode(video=0), b.decode(video=0), strict=True):
            image, seen = frame.to_ndarray(format="gray"), small.to_ndarray(format="gray")
            # The bright 40 px square is a 20 px one at half the position.
            columns = np.flatnonzero((image > 150).any(axis=0))
            shrunk = np.flatnonzero((seen > 150).any(axis=0))
            assert abs(shrunk.mean() - (columns.mean() + 0.5) / 2 + 0.5) < 1.5
            assert 16 <= shrunk.size <= 24
