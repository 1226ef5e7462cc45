"""The person model's files: where they live, what they must hash to, and loading them.

The three TFLite models come from the ``mediapipe==0.10.21`` wheel on PyPI (Apache-2.0),
extracted by ``make models`` (``scripts/fetch_models.py``) into ``gait/person/models/``,
which the deploy package carries. Nothing is downloaded at run time. A missing or altered
file is a :class:`ModelUnavailable` when a model is loaded, never at import time: the
Function App starts without the files and its health check reports them
(:func:`missing_models`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from gait.errors import GaitError

if TYPE_CHECKING:
    from ai_edge_litert.interpreter import Interpreter

#: Folder holding the model files (committed: LICENSE and NOTICE; fetched: *.tflite).
MODELS_DIR = Path(__file__).resolve().parent / "models"

#: The wheel the models come from, and its own SHA-256 (PyPI's file for CPython 3.11 on
#: manylinux x86_64; the models are the same bytes in every platform's wheel).
SOURCE_PACKAGE = "mediapipe==0.10.21"
SOURCE_WHEEL_SHA256 = "05dc4a9e593655a79558d05d6227d31018c2537a4bd3362b51e230cf22aecfe3"


@dataclass(frozen=True)
class ModelFile:
    """One model: its file name here, its path inside the wheel, and its SHA-256."""

    name: str
    wheel_path: str
    sha256: str

    @property
    def path(self) -> Path:
        return MODELS_DIR / self.name


POSE_DETECTION = ModelFile(
    "pose_detection.tflite",
    "mediapipe/modules/pose_detection/pose_detection.tflite",
    "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c",
)
POSE_LANDMARK_FULL = ModelFile(
    "pose_landmark_full.tflite",
    "mediapipe/modules/pose_landmark/pose_landmark_full.tflite",
    "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
)
SELFIE_SEGMENTATION_LANDSCAPE = ModelFile(
    "selfie_segmentation_landscape.tflite",
    "mediapipe/modules/selfie_segmentation/selfie_segmentation_landscape.tflite",
    "a77d03f4659b9f6b6c1f5106947bf40e99d7655094b6527f214ea7d451106edd",
)
MODEL_FILES = (POSE_DETECTION, POSE_LANDMARK_FULL, SELFIE_SEGMENTATION_LANDSCAPE)

#: One interpreter thread: chunks already run in parallel, one per core.
NUM_THREADS = 1

FIX_HINT = "run `make models` (extracts them from the mediapipe==0.10.21 wheel on PyPI)"


class ModelUnavailable(GaitError):
    """A person-model file is missing or its bytes are not the expected ones."""

    code = "model_unavailable"


#: Logits are clipped to this magnitude before the logistic function (MediaPipe's detector
#: uses ``score_clipping_thresh: 100``); float64 keeps ``exp(100)`` finite.
LOGIT_CLIP = 100.0


def sigmoid(logits: np.ndarray) -> np.ndarray:
    """The logistic function of the models' logit outputs, as float64, any shape."""
    return 1.0 / (1.0 + np.exp(-np.clip(np.asarray(logits, np.float64), -LOGIT_CLIP, LOGIT_CLIP)))


def sha256_of(path: Path) -> str:
    """The hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def missing_models() -> list[str]:
    """Names of the model files that are absent (cheap: no hashing), for a health check."""
    return [model.name for model in MODEL_FILES if not model.path.is_file()]


def verified_path(model: ModelFile) -> Path:
    """The model's path once its file is present with the expected SHA-256.

    Raises :class:`ModelUnavailable` naming the fix otherwise.
    """
    if not model.path.is_file():
        raise ModelUnavailable(
            f"person model {model.name} is missing from {MODELS_DIR}: {FIX_HINT}"
        )
    actual = sha256_of(model.path)
    if actual != model.sha256:
        raise ModelUnavailable(
            f"person model {model.name} has SHA-256 {actual}, expected {model.sha256}: "
            f"delete it and {FIX_HINT}"
        )
    return model.path


def load_interpreter(model: ModelFile) -> Interpreter:
    """A LiteRT interpreter over the verified model file, tensors allocated, one thread."""
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(verified_path(model)), num_threads=NUM_THREADS)
    interpreter.allocate_tensors()
    return interpreter
