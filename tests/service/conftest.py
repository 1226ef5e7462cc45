"""Session fixtures: Azurite and the Cosmos-protocol server on loopback, free ports, stopped
after the session; a fake task hub (the Functions host's part) and per-test settings."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from gait.service import context
from gait.service.settings import AZURITE_KEY, COSMOS_EMULATOR_KEY
from tests.service.harness import FakeTaskHub

ROOT = Path(__file__).resolve().parents[2]

BIN = ROOT / "node_modules" / ".bin"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_port(port: int, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"emulator exited with {process.returncode}")
        with socket.socket() as sock:
            sock.settimeout(0.2)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"emulator did not listen on {port} within {timeout} s")


def _start(args: list[str], port: int, workdir: str) -> subprocess.Popen:
    if not Path(args[0]).exists():
        pytest.skip(f"{args[0]} is missing: run `npm ci` at the repo root first")
    process = subprocess.Popen(
        args,
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_port(port, process)
    except RuntimeError:
        process.kill()
        raise
    return process


def _stop(process: subprocess.Popen) -> None:
    process.kill()  # our own child, by its handle; in-memory emulators have nothing to flush
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def azurite() -> Iterator[str]:
    """A Blob endpoint (Azurite, in memory); yields its connection string."""
    port = _free_port()
    workdir = tempfile.mkdtemp(prefix="azurite-")
    process = _start(
        [
            str(BIN / "azurite-blob"),
            "--blobHost",
            "127.0.0.1",
            "--blobPort",
            str(port),
            "--inMemoryPersistence",
            "--skipApiVersionCheck",
            "--loose",
            "--silent",
        ],
        port,
        workdir,
    )
    yield (
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
        f"AccountKey={AZURITE_KEY};BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;"
    )
    _stop(process)


@pytest.fixture(scope="session")
def cosmos() -> Iterator[str]:
    """The Cosmos-protocol server over HTTPS on 127.0.0.1; yields its endpoint."""
    port = _free_port()
    process = _start(
        [str(BIN / "cosmosdb-server"), "--host", "127.0.0.1", "-p", str(port)], port, str(ROOT)
    )
    yield f"https://127.0.0.1:{port}"
    _stop(process)


@pytest.fixture(scope="session")
def hub() -> Iterator[FakeTaskHub]:
    task_hub = FakeTaskHub()
    yield task_hub
    task_hub.close()


@pytest.fixture(scope="session")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    event_loop = asyncio.new_event_loop()
    yield event_loop
    # The Durable SDK keeps one aiohttp session for its calls to the host: close it here.
    from azure.durable_functions.models.utils import http_utils

    session = getattr(http_utils, "_client_session", None)
    if session is not None and not session.closed:
        event_loop.run_until_complete(session.close())
    event_loop.close()


@pytest.fixture
def service_env(
    azurite: str, cosmos: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    """Settings pointing at the emulators, with containers and a database of this test's own."""
    suffix = uuid.uuid4().hex[:8]
    env = {
        "GAIT_STORAGE_CONNECTION": azurite,
        "AzureWebJobsStorage": azurite,
        "GAIT_VIDEOS_CONTAINER": f"videos-{suffix}",
        "GAIT_ARTIFACTS_CONTAINER": f"artifacts-{suffix}",
        "GAIT_COSMOS_ENDPOINT": cosmos,
        "GAIT_COSMOS_KEY": COSMOS_EMULATOR_KEY,
        "GAIT_COSMOS_DATABASE": f"gait-{suffix}",
        "GAIT_DEPENDENCY_TIMEOUT_S": "3",
        # 150-frame walker video: 3 chunks by length, cut into 4 for GAIT_PARALLEL_CHUNKS 2.
        "GAIT_CHUNK_FRAMES": "50",
        "GAIT_PARALLEL_CHUNKS": "2",
        # As deployed: every route but health needs the platform's principal (the Http
        # harness sends one, as the platform would after sign-in).
        "GAIT_REQUIRE_PLATFORM_AUTH": "true",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    context.reset()
    yield env
    context.reset()


@pytest.fixture(scope="session")
def walker_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic side-view walker (H.264 MP4, 640x360, 5 s at 30 fps) from gait.synth."""
    from gait.synth import SynthParams, render_clip

    path = tmp_path_factory.mktemp("walker") / "walker.mp4"
    render_clip(path, SynthParams(width=640, height=360, duration_s=5.0, fps=30.0))
    return path
