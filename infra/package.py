"""Build the zip the Function App receives: this folder minus what ``.funcignore`` names.

``azd deploy`` and ``func azure functionapp publish`` both zip the project folder and skip
the paths ``.funcignore`` lists (gitignore syntax); the platform then installs
requirements.txt itself (remote build). This script applies the same rules, so the zip here
is the zip there: ``make package`` prints its size and checks the person model is inside.

Usage: ``python infra/package.py [OUT_ZIP]`` (default ``out/gait-api.zip``).
"""

from __future__ import annotations

import fnmatch
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Where the person model files live once ``make models`` has fetched them.
MODEL_GLOB = "gait/person/models/*.tflite"


def ignore_patterns(funcignore: Path) -> list[str]:
    lines = funcignore.read_text().splitlines() if funcignore.exists() else []
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def ignored(relative: str, is_dir: bool, patterns: list[str]) -> bool:
    """gitignore matching for the pattern forms .funcignore uses: ``name``, ``glob*``,
    ``dir/`` (directories only) and ``a/b`` (anchored at the root)."""
    name = relative.rsplit("/", 1)[-1]
    for pattern in patterns:
        directory_only = pattern.endswith("/")
        body = pattern.rstrip("/").lstrip("/")
        if directory_only and not is_dir:
            continue
        anchored = "/" in body or pattern.startswith("/")
        if fnmatch.fnmatchcase(relative if anchored else name, body):
            return True
    return False


def package_files(root: Path = ROOT) -> list[Path]:
    """Every file that goes into the zip, in a stable order."""
    patterns = ignore_patterns(root / ".funcignore")
    kept: list[Path] = []

    def walk(directory: Path) -> None:
        for entry in sorted(directory.iterdir()):
            relative = entry.relative_to(root).as_posix()
            if entry.is_symlink() and entry.is_dir():
                continue  # .venv / node_modules links into the shared checkout
            if ignored(relative, entry.is_dir(), patterns):
                continue
            if entry.is_dir():
                walk(entry)
            else:
                kept.append(entry)

    walk(root)
    return kept


def build(out: Path, root: Path = ROOT) -> tuple[int, list[str]]:
    """Write the zip; returns its size in bytes and the names it holds."""
    out.parent.mkdir(parents=True, exist_ok=True)
    names = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in package_files(root):
            name = path.relative_to(root).as_posix()
            archive.write(path, name)
            names.append(name)
    return out.stat().st_size, names


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "out" / "gait-api.zip"
    size_bytes, names = build(out)
    models = [n for n in names if fnmatch.fnmatchcase(n, MODEL_GLOB)]
    print(f"{out}: {len(names)} files, {size_bytes} bytes ({size_bytes / 2**20:.2f} MiB)")
    print(f"person model files: {len(models)}" + ("".join(f"\n  {m}" for m in models)))
    if not models:
        print("warning: no person model files; run `make models` first", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
