"""The person model's files: fetched and verified by `make models`, typed errors otherwise."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile
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


def load_fetch_script():
    path = ROOT / "scripts" / "fetch_models.py"
    spec = importlib.util.spec_from_file_location("fetch_models", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fetch_refuses_a_wheel_whose_model_bytes_differ_and_writes_nothing(tmp_path, monkeypatch):
    fetch = load_fetch_script()
    target = tmp_path / "models"
    monkeypatch.setattr(models, "MODELS_DIR", target)
    monkeypatch.setattr(fetch, "MODELS_DIR", target)
    wheel = tmp_path / "mediapipe-0.10.21-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for model in MODEL_FILES:
            archive.writestr(model.wheel_path, b"altered " + model.name.encode())
    monkeypatch.setattr(fetch, "download_wheel", lambda folder: wheel)
    with pytest.raises(SystemExit) as stopped:
        fetch.main()
    assert stopped.value.code == 1
    assert not target.exists() or not any(target.iterdir())
