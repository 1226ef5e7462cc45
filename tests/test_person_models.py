"""The person model's files: fetched and verified by `make models`, typed errors otherwise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import gait.person.models as models
from gait.person.detector import PoseDetector
from gait.person.models import MODEL_FILES, ModelUnavailable, load_interpreter, verified_path

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def model_files_present():
    missing = models.missing_models()
    if missing:
        pytest.skip(f"person models {missing} absent: run `make models`")


@pytest.mark.usefixtures("model_files_present")
def test_every_model_verifies_and_loads_with_its_documented_input():
    expected_inputs = {
        "pose_detection.tflite": [1, 224, 224, 3],
        "pose_landmark_full.tflite": [1, 256, 256, 3],
        "selfie_segmentation_landscape.tflite": [1, 144, 256, 3],
    }
    for model in MODEL_FILES:
        assert verified_path(model) == model.path
        interpreter = load_interpreter(model)
        assert list(interpreter.get_input_details()[0]["shape"]) == expected_inputs[model.name]


@pytest.mark.usefixtures("model_files_present")
def test_fetch_is_idempotent_when_the_files_are_present():
    before = {m.name: m.path.stat().st_mtime_ns for m in MODEL_FILES}
    done = subprocess.run(
        [sys.executable, "scripts/fetch_models.py"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "present and verified" in done.stdout
    assert {m.name: m.path.stat().st_mtime_ns for m in MODEL_FILES} == before


def test_missing_model_is_a_typed_error_naming_the_fix(tmp_path, monkeypatch):
    monkeypatch.setattr(models, "MODELS_DIR", tmp_path)
    assert models.missing_models() == [m.name for m in MODEL_FILES]
    with pytest.raises(ModelUnavailable, match="make models") as caught:
        PoseDetector()
    assert caught.value.code == "model_unavailable"
    assert "pose_detection.tflite" in caught.value.message


def test_altered_model_is_a_typed_error_naming_the_hash(tmp_path, monkeypatch):
    monkeypatch.setattr(models, "MODELS_DIR", tmp_path)
    (tmp_path / "pose_detection.tflite").write_bytes(b"not a model")
    with pytest.raises(ModelUnavailable, match=r"SHA-256.*make models"):
        verified_path(models.POSE_DETECTION)
