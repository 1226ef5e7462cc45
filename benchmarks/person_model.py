"""Person model cost per frame at 1080p input, against decoding in the same run.

    python benchmarks/person_model.py [--video FILE] [--frames 300]

Default video: the real 1920x1080 treadmill clip from ``../shared/data/videos`` (a walker in
view throughout), else a synthetic 1080p walk. Frames are decoded once at analysis size
(the project's decoder, as ``analyze_chunk`` does) and kept in memory, then each stage runs
over them on one thread: detection (the detector on every frame, on the whole frame
only and with its square tiles), landmarks (the landmark
model on one fixed crop), segmentation (whole frame), and the whole tracker in three
policies (MediaPipe's track-until-lost, a re-detection grid every 30 frames, detection on
every frame). Prints ms per frame and the ratio (decode + stage) / decode. Figures, not
assertions: the machine is shared, so compare figures from the same run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gait.person.detector import PoseDetector
from gait.person.landmarks import PoseLandmarker
from gait.person.segmentation import PersonSegmenter
from gait.person.tracker import PersonTracker
from gait.synth import SynthParams, render_clip
from gait.video import analysis_size, probe, read_frames

DEFAULT_VIDEO = (
    Path(__file__).resolve().parents[1]
    / ".."
    / "shared"
    / "data"
    / "videos"
    / "treadmill-walk-styles-side-captions.mp4"
)


def ms_per_frame(work: Callable[[], object], frames: int) -> float:
    started = time.perf_counter()
    work()
    return 1000 * (time.perf_counter() - started) / frames


def bare_opencv_decode_ms(video: Path, frames: int) -> float:
    """Full-size decode with OpenCV, no resizing: the floor any analysis pays."""
    capture = cv2.VideoCapture(str(video))

    def read() -> None:
        for _ in range(frames):
            capture.read()

    try:
        return ms_per_frame(read, frames)
    finally:
        capture.release()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path)
    parser.add_argument("--frames", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        video = args.video or (DEFAULT_VIDEO if DEFAULT_VIDEO.is_file() else None)
        if video is None:
            video = Path(folder) / "walk1080.mp4"
            render_clip(
                video, SynthParams(width=1920, height=1080, duration_s=10.0, repeat_passes=True)
            )
        info = probe(video)
        size = analysis_size(info)
        count = min(args.frames, info.frame_count)
        frames: list[np.ndarray] = []

        def decode() -> None:
            frames.extend(image for _, _, image in read_frames(info, 0, count, size))

        decode_ms = ms_per_frame(decode, count)
        opencv_ms = bare_opencv_decode_ms(video, count)
        detector, landmarker, segmenter = PoseDetector(), PoseLandmarker(), PersonSegmenter()
        whole_frame_detector = PoseDetector(tiled=False)
        whole_frame_detector.detect(frames[0])
        # Warm-up: the first invoke of each interpreter pays XNNPACK's set-up.
        detections = detector.detect(frames[0])
        roi = next((d.roi() for f in frames for d in detector.detect(f)), None)
        if roi is None:
            raise SystemExit(f"{video}: no person detected, nothing to time")
        landmarker.estimate(frames[0], roi)
        segmenter.probability(frames[0])

        stages = {
            "detection, whole frame only": lambda: [whole_frame_detector.detect(f) for f in frames],
            "detection, frame + square tiles": lambda: [detector.detect(f) for f in frames],
            "landmarks (one crop)": lambda: [landmarker.estimate(f, roi) for f in frames],
            "segmentation": lambda: [segmenter.probability(f) for f in frames],
        }
        for name, interval in (("track until lost", None), ("grid 30", 30), ("detect every", 1)):
            tracker = PersonTracker(
                interval, detector=detector, landmarker=landmarker, segmenter=segmenter
            )
            stages[f"tracker: {name}"] = lambda t=tracker: t.run(frames)
        del detections

        width, height = info.display_size
        print(
            f"{video.name}: {width}x{height} -> analysis {size[0]}x{size[1]}, {count} frames, "
            "1 thread"
        )
        print(f"{'stage':34} {'ms/frame':>9} {'(decode+stage)/decode':>22}")
        print(f"{'decode to analysis size (PyAV)':34} {decode_ms:9.1f} {1.0:22.2f}")
        print(f"{'bare OpenCV decode, full size':34} {opencv_ms:9.1f} {'':>22}")
        for name, work in stages.items():
            cost = ms_per_frame(work, count)
            print(f"{name:34} {cost:9.1f} {(decode_ms + cost) / decode_ms:22.2f}")


if __name__ == "__main__":
    main()
