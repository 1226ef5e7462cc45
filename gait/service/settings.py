"""App settings, read from the environment each time they are needed (never at import I/O).

Every setting has a working local default (Azurite's well-known development account and the
Cosmos emulator's well-known key), so ``func start`` on a developer machine needs nothing
more than the emulators. In Azure the connection settings are replaced by account URLs and
the managed identity (``DefaultAzureCredential``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

#: Azurite's published development account (not a secret: it is the same on every machine).
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
AZURITE_CONNECTION = (
    "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
    f"AccountKey={AZURITE_KEY};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;"
    "QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;"
    "TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;"
)
#: The Cosmos DB emulator's published key (the same for every emulator install).
COSMOS_EMULATOR_KEY = (
    "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="
)
COSMOS_EMULATOR_ENDPOINT = "https://127.0.0.1:8081"

#: The HTTP runtime's default request body cap; multipart uploads may not exceed it.
HOST_BODY_LIMIT_MB = 100


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _env_float(name: str, default: float) -> float:
    try:
        return float(_env(name, str(default)))
    except ValueError:
        return default


@dataclass(frozen=True)
class Settings:
    """One snapshot of the app settings (names as in ``local.settings.sample.json``)."""

    storage_connection: str
    storage_account_url: str
    videos_container: str
    artifacts_container: str
    jobs_storage: str
    jobs_storage_account_url: str
    cosmos_endpoint: str
    cosmos_key: str
    cosmos_database: str
    cosmos_container: str
    max_upload_mb: float
    max_video_mb: float
    sas_minutes: int
    chunk_frames: int
    dependency_timeout_s: float

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def max_video_bytes(self) -> int:
        return int(self.max_video_mb * 1024 * 1024)


def load() -> Settings:
    """Read the settings now (cheap; no I/O). Out-of-range numbers are clamped, not fatal."""
    jobs = _env("AzureWebJobsStorage", "")
    if jobs == "UseDevelopmentStorage=true":
        jobs = AZURITE_CONNECTION
    storage_url = _env("GAIT_STORAGE_ACCOUNT_URL", "")
    # With an account URL (managed identity) there is no connection string by default.
    storage_default = "" if storage_url else AZURITE_CONNECTION
    storage = _env("GAIT_STORAGE_CONNECTION", storage_default)
    if storage == "UseDevelopmentStorage=true":
        storage = AZURITE_CONNECTION
    cosmos_endpoint = _env("GAIT_COSMOS_ENDPOINT", COSMOS_EMULATOR_ENDPOINT)
    return Settings(
        storage_connection=storage,
        storage_account_url=storage_url,
        videos_container=_env("GAIT_VIDEOS_CONTAINER", "videos"),
        artifacts_container=_env("GAIT_ARTIFACTS_CONTAINER", "artifacts"),
        jobs_storage=jobs,
        jobs_storage_account_url=_env(
            "AzureWebJobsStorage__blobServiceUri",
            _account_url(_env("AzureWebJobsStorage__accountName", "")),
        ),
        cosmos_endpoint=cosmos_endpoint,
        # The emulator key is the default only for the emulator's endpoint: anywhere else an
        # empty key means "use the managed identity".
        cosmos_key=_env(
            "GAIT_COSMOS_KEY",
            COSMOS_EMULATOR_KEY if cosmos_endpoint == COSMOS_EMULATOR_ENDPOINT else "",
        ),
        cosmos_database=_env("GAIT_COSMOS_DATABASE", "gait"),
        cosmos_container=_env("GAIT_COSMOS_CONTAINER", "analyses"),
        max_upload_mb=min(max(_env_float("GAIT_MAX_UPLOAD_MB", 50.0), 1.0), HOST_BODY_LIMIT_MB),
        max_video_mb=max(_env_float("GAIT_MAX_VIDEO_MB", 2048.0), 1.0),
        sas_minutes=int(min(max(_env_float("GAIT_SAS_MINUTES", 15), 1), 60)),
        chunk_frames=int(max(_env_float("GAIT_CHUNK_FRAMES", 240), 30)),
        dependency_timeout_s=min(max(_env_float("GAIT_DEPENDENCY_TIMEOUT_S", 5.0), 0.5), 30.0),
    )


def http_auth_level() -> str:
    """``GAIT_HTTP_AUTH_LEVEL``: ``function`` (default), ``anonymous`` or ``admin``.

    Read once at import by ``function_app.py``, because the host reads auth levels from the
    function index when it starts.
    """
    value = _env("GAIT_HTTP_AUTH_LEVEL", "function").lower()
    return value if value in {"function", "anonymous", "admin"} else "function"


def _account_url(account_name: str) -> str:
    return f"https://{account_name}.blob.core.windows.net" if account_name else ""


def watchdog_stall_minutes() -> float:
    """``GAIT_WATCHDOG_STALL_MINUTES``: progress unchanged this long means stuck (default 30).

    A chunk activity normally moves progress every few seconds and no single step runs
    longer than the 30-minute function timeout, so 30 minutes without a change is never a
    healthy analysis. At least 5 minutes, so a slow scale-out is not mistaken for a hang.
    """
    return max(_env_float("GAIT_WATCHDOG_STALL_MINUTES", 30.0), 5.0)
