"""A clip as an iPhone's HDR recording (gait/synth/hdr.py): HEVC Main 10, BT.2020, HLG,
frames and frame times kept, and read back as FFmpeg reads it."""

from __future__ import annotations

import av
import numpy as np
import pytest

from gait.synth import hdr
from gait.video import probe, read_frames
from tests.media import write_clip


def test_hlg_puts_sdr_white_on_reference_white_and_black_on_zero():
    white = hdr.sdr_to_hlg_yuv420p10(np.full((4, 4, 3), 255, np.uint8))
    black = hdr.sdr_to_hlg_yuv420p10(np.zeros((4, 4, 3), np.uint8))
    # Y' is the top 4 rows; Cb, Cr the last 2 (4:2:0). Video range: Y' 64-940, C 512 = grey.
    assert white[:4].tolist() == [[721] * 4] * 4  # 64 + 876 * 0.75
    assert black[:4].tolist() == [[64] * 4] * 4
    assert np.all(white[4:] == 512) and np.all(black[4:] == 512)


def test_hlg_signal_of_sdr_greys():
    grey = np.repeat(np.arange(256, dtype=np.uint8), 2)[None, :, None].repeat(2, 0).repeat(3, 2)
    signal = (hdr.sdr_to_hlg_yuv420p10(grey)[0, ::2].astype(float) - 64) / 876
    light = (np.arange(256) / 255.0) ** 2.4 * hdr.SDR_WHITE_SCENE_LIGHT
    assert np.abs(signal - hdr.hlg_oetf(light)).max() <= 1.0 / 876  # the lookup's rounding
    assert np.all(np.diff(signal) >= 0)
    # By hand, scene light E = (level / 255) ** 2.4 * 0.26496: levels 64 and 128 on the
    # square-root segment (sqrt(3 E)), 230 on the logarithmic one (a ln(12 E - b) + c).
    for level, expected in ((64, 0.1697), (128, 0.3899), (230, 0.7006)):
        assert signal[level] == pytest.approx(expected, abs=1.5 / 876)


def test_record_hdr_writes_an_iphone_like_file_with_the_source_frames(tmp_path):
    source = write_clip(tmp_path / "square.mp4", frames=40, size=(320, 240))
    recorded = tmp_path / "hdr.mov"
    hdr.record_hdr(source, recorded)
    before, after = probe(source), probe(recorded)
    assert after.codec == "hevc" and after.display_size == (320, 240)
    assert after.frame_count == before.frame_count
    np.testing.assert_allclose(after.frame_times_s, before.frame_times_s, atol=1e-3)
    with av.open(str(recorded)) as container:
        frame = next(iter(container.decode(video=0)))
    assert frame.format.name == "yuv420p10le"
    assert (frame.color_primaries, frame.color_trc, frame.colorspace) == (9, 18, 9)
    # Read as the analysis reads it (as SDR): the bright square stays where it was, dimmer.
    size = (320, 240)
    pairs = zip(read_frames(before, 0, 40, size), read_frames(after, 0, 40, size), strict=True)
    for (_, _, sdr), (_, _, read) in list(pairs)[::13]:
        square = sdr[:, :, 1] > 150
        assert square.sum() > 1000
        # SDR 230 is HLG 0.70, Y' code 678, read back through the BT.601 video range: 179.
        assert np.abs(read[:, :, 1][square].astype(float).mean() - 179) < 5
        assert read[:, :, 1][~square].mean() < sdr[:, :, 1][square].mean() / 2
