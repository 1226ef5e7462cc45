from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from gait import video
from gait.errors import GaitError
from gait.video import analysis_size, container_signature, probe, read_frames, read_frames_at
from tests.media import BAD_INPUTS, write_clip, write_video

REAL_CLIPS = {
    # name: (width, height, frame_count, fps)
    "side-indoor-forward-then-backward.mp4": (1280, 720, 401, 30.0),
    "side-outdoor-walker-and-jumper.mp4": (1768, 994, 230, 30.0),
    "cctv-pedestrians-10fps.avi": (768, 576, 795, 10.0),
}


@pytest.mark.parametrize("name", sorted(REAL_CLIPS))
def test_probe_real_clips(real_clip, name):
    width, height, frames, fps = REAL_CLIPS[name]
    info = probe(real_clip(name))
    assert (info.width, info.height, info.frame_count) == (width, height, frames)
    assert info.fps == pytest.approx(fps)
    assert not info.variable_frame_rate
    assert info.rotation_deg == 0
    assert info.duration_s == pytest.approx(frames / fps, abs=1e-3)
    assert np.all(np.diff(info.frame_times_s) > 0)
    assert info.keyframes[0] == 0


@pytest.mark.parametrize("name", sorted(REAL_CLIPS))
def test_chunks_land_on_the_right_frames(real_clip, name):
    """Every chunk, wherever it starts relative to keyframes, equals a sequential read."""
    info = probe(real_clip(name))
    size = analysis_size(info, long_side_px=320)
    sequential = {i: image for i, _, image in read_frames(info, 0, info.frame_count, size)}
    assert sorted(sequential) == list(range(info.frame_count))
    starts = {1, int(info.keyframes[-1]) - 1, int(info.keyframes[-1]), info.frame_count - 7}
    for start in sorted(starts):
        chunk = list(read_frames(info, start, start + 17, size))
        assert [index for index, _, _ in chunk] == list(
            range(start, min(start + 17, info.frame_count))
        )
        for index, time_s, image in chunk:
            assert time_s == info.frame_times_s[index]
            assert np.array_equal(image, sequential[index]), f"frame {index} differs"


def test_read_frames_at_picks_exactly_the_wanted_frames(small_clip):
    info = probe(small_clip)
    size = analysis_size(info)
    sequential = [image for _, _, image in read_frames(info, 0, info.frame_count, size)]
    wanted = np.array([45, 3, 31, 30, 59, 3])
    got = list(read_frames_at(info, wanted, size))
    assert [index for index, _, _ in got] == [3, 30, 31, 45, 59]
    for index, _, image in got:
        assert np.array_equal(image, sequential[index])


def test_analysis_size_never_upscales_and_keeps_aspect(small_clip):
    info = probe(small_clip)
    assert analysis_size(info) == (320, 240)
    assert analysis_size(info, long_side_px=160) == (160, 120)


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_inputs_raise_typed_errors(tmp_path, name):
    maker, code = BAD_INPUTS[name]
    path = maker(tmp_path / name)
    with pytest.raises(GaitError) as caught:
        probe(path)
    assert caught.value.code == code
    assert str(path) in caught.value.message


def test_container_signature():
    assert container_signature(b"\x00\x00\x00\x18ftypmp42") == ".mp4"
    assert container_signature(b"\x00\x00\x00\x14ftypqt  ") == ".mov"
    assert container_signature(b"\x1a\x45\xdf\xa3\x01\x00webm") == ".webm"
    assert container_signature(b"\x1a\x45\xdf\xa3\x01\x00matroska") == ".mkv"
    assert container_signature(b"RIFF\x00\x00\x00\x00AVI LIST") == ".avi"
    assert container_signature(b"RIFF\x00\x00\x00\x00WAVEfmt ") is None
    assert container_signature(b"\x89PNG\r\n\x1a\n") is None


@pytest.fixture(scope="module")
def vfr_clip(tmp_path_factory):
    from gait.synth import SynthParams, render_clip

    path = tmp_path_factory.mktemp("vfr") / "vfr.mp4"
    truth = render_clip(path, SynthParams(width=320, height=240, duration_s=4.0, vfr=True))
    return path, truth


def test_variable_frame_rate_times_come_from_timestamps(vfr_clip):
    path, truth = vfr_clip
    info = probe(path)
    assert info.variable_frame_rate
    assert info.frame_count == truth["video"]["frame_count"]
    assert np.allclose(info.frame_times_s, truth["frame_times_s"], atol=1e-6)
    # index / nominal fps would be off by far more than a frame somewhere in the clip.
    naive = np.arange(info.frame_count) / info.fps
    assert np.max(np.abs(naive - info.frame_times_s)) > 1.0 / info.fps


def test_variable_frame_rate_chunks_land_on_the_right_frames(vfr_clip):
    path, _ = vfr_clip
    info = probe(path)
    size = analysis_size(info)
    sequential = {i: image for i, _, image in read_frames(info, 0, info.frame_count, size)}
    for start in (7, int(info.keyframes[1]) + 3, info.frame_count - 20):
        chunk = list(read_frames(info, start, start + 15, size))
        assert [index for index, _, _ in chunk] == list(range(start, start + 15))
        for index, _, image in chunk:
            assert np.array_equal(image, sequential[index]), f"frame {index} differs"


@pytest.mark.parametrize("rotation_deg", [90, 270])
def test_rotated_clip_is_analysed_upright(tmp_path, rotation_deg):
    from gait.synth import SynthParams, render_clip

    params = SynthParams(width=320, height=240, duration_s=1.5, seed=3)
    upright_path, rotated_path = tmp_path / "upright.mp4", tmp_path / "rotated.mp4"
    render_clip(upright_path, params)
    render_clip(rotated_path, SynthParams(**{**params.__dict__, "rotation_deg": rotation_deg}))
    upright, rotated = probe(upright_path), probe(rotated_path)
    assert rotated.rotation_deg == rotation_deg
    assert (rotated.width, rotated.height) == (240, 320)  # stored sideways
    assert rotated.display_size == (320, 240) == analysis_size(rotated)
    for (_, _, a), (_, _, b) in zip(
        read_frames(upright, 10, 14, (320, 240)),
        read_frames(rotated, 10, 14, (320, 240)),
        strict=True,
    ):
        assert np.abs(a.astype(int) - b.astype(int)).mean() < 4.0


def ten_bit_hevc(tmp_path: Path) -> tuple[Path, Path]:
    """A small 8-bit H.264 clip and its 10-bit HEVC copy in a QuickTime container (what
    recent iPhones record)."""
    source = write_clip(tmp_path / "source.mp4", frames=30, size=(320, 240))
    hevc = tmp_path / "hevc10.mov"
    ten_bit = []
    with av.open(str(source)) as reader:
        for frame in reader.decode(video=0):
            converted = frame.reformat(format="yuv420p10le")
            converted.pts, converted.time_base = frame.pts, frame.time_base
            ten_bit.append(converted)
    write_video(
        hevc,
        ten_bit,
        (320, 240),
        codec="libx265",
        pix_fmt="yuv420p10le",
        options={"x265-params": "log-level=error"},
    )
    return source, hevc


def test_ten_bit_hevc_in_a_mov_decodes_like_its_source(tmp_path):
    """What recent iPhones record: HEVC, 10-bit 4:2:0, QuickTime container."""
    source, hevc = ten_bit_hevc(tmp_path)
    info, reference = probe(hevc), probe(source)
    assert (info.codec, info.frame_count) == ("hevc", 30)
    assert np.allclose(info.frame_times_s, reference.frame_times_s, atol=1e-3)
    decoded = [image for _, _, image in read_frames(info, 10, 13, (320, 240))]
    expected = [image for _, _, image in read_frames(reference, 10, 13, (320, 240))]
    for a, b in zip(decoded, expected, strict=True):
        # x265 at its default quality on the source's incompressible noise (0-40 levels):
        # 6.1 levels on average (under 6 from an earlier encode of the source); a 10-bit
        # picture read as 8-bit, or its colours misconverted, is off by tens.
        assert np.abs(a.astype(int) - b.astype(int)).mean() < 8.0


@pytest.mark.parametrize("size", [(320, 240), (160, 120), (96, 72)])
def test_ten_bit_frames_are_reduced_as_ffmpeg_converts_them(tmp_path, size, monkeypatch):
    """10-bit frames take the plane-by-plane path (``video.PLANAR_420``): its picture is
    FFmpeg's own full-size conversion, resized, within the rounding of the chroma
    upsampling (measured 1.7 levels on a real HLG frame); planes read as 8-bit samples, or
    10-bit values not brought to 8 bits, are off by tens."""
    _, hevc = ten_bit_hevc(tmp_path)
    info = probe(hevc)
    with av.open(str(hevc)) as container:
        frame = next(iter(container.decode(video=0)))
    assert frame.format.name == "yuv420p10le"
    samples = []
    read_plane = video._plane
    monkeypatch.setattr(
        video, "_plane", lambda plane, sample: samples.append(sample) or read_plane(plane, sample)
    )
    reduced = video._to_bgr(frame, info, size)
    assert samples == [np.uint16] * 3  # the three planes read as 16-bit samples
    reference = video._resize(frame.to_ndarray(format="bgr24"), size)
    assert reduced.shape == (size[1], size[0], 3) and reduced.dtype == np.uint8
    assert np.abs(reduced.astype(int) - reference.astype(int)).mean() < 3.0
