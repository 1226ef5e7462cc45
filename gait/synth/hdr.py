"""A clip as an iPhone records it by default: HDR, i.e. HEVC Main 10 with BT.2020 primaries
and the HLG transfer (ARIB STD-B67), in a QuickTime container.

No real clip here is HDR, so real SDR clips are turned into it: each picture's display
light (BT.709 primaries, BT.1886 gamma 2.4) is moved to BT.2020 primaries, scaled so that
SDR white lands on HLG's reference white (75 % signal, ITU-R BT.2408), HLG-encoded, and
stored as 10-bit video-range Y'CbCr with the BT.2020 matrix. Frames and frame times are the
source's, so its annotations still hold.

What it leaves out: an iPhone's Dolby Vision metadata (a player's tone mapping hint, which
FFmpeg ignores) and highlights brighter than SDR white (an SDR source has none).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from gait.synth.camera_move import source_fps, source_frames, source_size
from gait.synth.encode import TIME_BASE

#: HLG's OETF constants (ITU-R BT.2100).
HLG_A = 0.17883277
HLG_B = 1.0 - 4.0 * HLG_A
HLG_C = 0.5 - HLG_A * float(np.log(4.0 * HLG_A))
#: HLG signal of diffuse (reference) white (ITU-R BT.2408).
REFERENCE_WHITE_SIGNAL = 0.75
#: Linear BT.709 RGB to linear BT.2020 RGB (ITU-R BT.2087).
BT709_TO_BT2020 = np.array(
    [[0.6274, 0.3293, 0.0433], [0.0691, 0.9195, 0.0114], [0.0164, 0.0880, 0.8956]],
    dtype=np.float32,
)
#: BT.2020's luma weights of R and B.
KR, KB = 0.2627, 0.0593
#: libx265 options: the colour tags an iPhone writes, at x265's default quality (CRF 24-28).
X265_HDR = {
    "crf": "24",
    "preset": "fast",
    "x265-params": (
        "colorprim=bt2020:transfer=arib-std-b67:colormatrix=bt2020nc:range=limited:log-level=error"
    ),
}


def hlg_oetf(scene_light: np.ndarray) -> np.ndarray:
    """HLG signal ``E'`` in [0, 1] of relative scene light ``E`` in [0, 1] (same shape)."""
    e = np.clip(scene_light, 0.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_part = HLG_A * np.log(np.maximum(12.0 * e - HLG_B, 1e-12)) + HLG_C
    return np.where(e <= 1.0 / 12.0, np.sqrt(3.0 * e), log_part).astype(np.float32)


def hlg_inverse_oetf(signal: float) -> float:
    """Relative scene light ``E`` of HLG signal ``E'`` (both in [0, 1])."""
    if signal <= 0.5:
        return signal * signal / 3.0
    return float((np.exp((signal - HLG_C) / HLG_A) + HLG_B) / 12.0)


#: Scene light of SDR white: HLG's reference white.
SDR_WHITE_SCENE_LIGHT = hlg_inverse_oetf(REFERENCE_WHITE_SIGNAL)
#: Display light of each 8-bit SDR level (BT.1886, gamma 2.4).
_SDR_LIGHT = ((np.arange(256, dtype=np.float32) / 255.0) ** 2.4).astype(np.float32)
#: The HLG signal of SDR display light ``L`` in [0, 1], looked up at ``sqrt(L)`` in 4096
#: steps (even steps in the square root keep the dark end, where HLG is steepest, within a
#: 10-bit code): computing the OETF per pixel took 0.5 s per 1768x994 frame.
_HLG_STEPS = 4095
_HLG_OF_ROOT_LIGHT = hlg_oetf(
    (np.arange(_HLG_STEPS + 1, dtype=np.float64) / _HLG_STEPS) ** 2 * SDR_WHITE_SCENE_LIGHT
)


def sdr_to_hlg_yuv420p10(bgr: np.ndarray) -> np.ndarray:
    """An SDR BGR picture ``(h, w, 3)`` uint8 (h, w even) as HLG 10-bit 4:2:0 video-range
    Y'CbCr, planes stacked as FFmpeg's ``yuv420p10le`` expects: ``(3 h / 2, w)`` uint16."""
    height, width = bgr.shape[:2]
    light = _SDR_LIGHT[bgr[:, :, ::-1]] @ BT709_TO_BT2020.T
    steps = np.rint(np.sqrt(np.clip(light, 0.0, 1.0)) * _HLG_STEPS).astype(np.int32)
    r, g, b = np.moveaxis(_HLG_OF_ROOT_LIGHT[steps], 2, 0)
    luma = KR * r + (1.0 - KR - KB) * g + KB * b
    half = (width // 2, height // 2)
    cb = cv2.resize((b - luma) / (2.0 * (1.0 - KB)), half, interpolation=cv2.INTER_AREA)
    cr = cv2.resize((r - luma) / (2.0 * (1.0 - KR)), half, interpolation=cv2.INTER_AREA)
    planes = (64.0 + 876.0 * luma, 512.0 + 896.0 * cb, 512.0 + 896.0 * cr)
    stacked = np.concatenate([np.rint(p).clip(0, 1023).astype(np.uint16).ravel() for p in planes])
    return stacked.reshape(height * 3 // 2, width)


def record_hdr(source: Path, out_path: Path) -> None:
    """Write ``source`` (SDR) as an HDR recording (see the module) to ``out_path`` (.mov),
    at its own size (cropped to even sides) and frame times."""
    with av.open(str(source)) as reader:
        width, height = (side // 2 * 2 for side in source_size(reader))
        rate = Fraction(source_fps(reader)).limit_denominator(1001)
        with av.open(str(out_path), "w", format="mov") as writer:
            stream = writer.add_stream("libx265", rate=rate, options=X265_HDR)
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p10le"
            stream.time_base = stream.codec_context.time_base = TIME_BASE
            for _, image, pts in source_frames(reader):
                yuv = sdr_to_hlg_yuv420p10(image[:height, :width])
                frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p10le")
                frame.pts, frame.time_base = pts, TIME_BASE
                for packet in stream.encode(frame):
                    writer.mux(packet)
            for packet in stream.encode(None):
                writer.mux(packet)
