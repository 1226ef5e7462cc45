"""App settings, read from the environment each time they are needed (never at import I/O).

Every setting has a working local default (Azurite's well-known development account and the
Cosmos emulator's well-known key), so ``func start`` on a developer machine needs nothing
more than the emulators. In Azure the connection settings are replaced by account URLs and
the managed identity (``DefaultAzureCredential``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

# The stature range accepted as the metric scale, in metres: the CLI's, so that one walker
# height is accepted (or refused) alike everywhere.
from gait.cli import HEIGHT_RANGE_M

#: Azurite's published development account key (not a secret: the same on every machine).
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


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name, "").lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    return default


def _env_height(name: str) -> float | None:
    """A height in metres within :data:`HEIGHT_RANGE_M`, or ``None`` (unset or out of range:
    an assumed height is opt-in, so anything doubtful means "none")."""
    value = _env_float(name, float("nan"))
    low, high = HEIGHT_RANGE_M
    return value if low <= value <= high else None


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
    parallel_chunks: int
    dependency_timeout_s: float
    require_platform_auth: bool
    clinic_role: str
    assumed_height_m: float | None
    upload_retention_hours: float
    failed_retention_days: float

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
        # A video is cut into a multiple of this many chunks (pipeline.chunk_ranges), so a
        # short clip is not one activity on one core while the host could run two.
        parallel_chunks=int(min(max(_env_float("GAIT_PARALLEL_CHUNKS", 2), 1), 16)),
        # One attempt of one Storage or Cosmos call: a silent dependency must turn into a
        # 503 well inside the frontend's 10 s (see blobs.py / records.py for the retries).
        dependency_timeout_s=min(max(_env_float("GAIT_DEPENDENCY_TIMEOUT_S", 3.0), 0.5), 8.0),
        require_platform_auth=_env_bool("GAIT_REQUIRE_PLATFORM_AUTH", True),
        clinic_role=_env("GAIT_CLINIC_ROLE", "clinician"),
        assumed_height_m=_env_height("GAIT_ASSUMED_HEIGHT_M"),
        # Longer than any SAS lifetime (60 min at most), so an upload still being written or
        # about to be processed is never swept.
        upload_retention_hours=min(max(_env_float("GAIT_UPLOAD_RETENTION_HOURS", 24.0), 2.0), 8760),
        failed_retention_days=min(max(_env_float("GAIT_FAILED_RETENTION_DAYS", 7.0), 0.1), 3650),
    )


def http_auth_level() -> str:
    """``GAIT_HTTP_AUTH_LEVEL``: ``anonymous`` (default), ``function`` or ``admin``.

    The browser sends no function key: callers are checked by the platform's sign-in and
    ``GAIT_REQUIRE_PLATFORM_AUTH`` instead. Read once at import by ``function_app.py``,
    because the host reads auth levels from the function index when it starts.
    """
    value = _env("GAIT_HTTP_AUTH_LEVEL", "anonymous").lower()
    return value if value in {"function", "anonymous", "admin"} else "anonymous"


def _account_url(account_name: str) -> str:
    return f"https://{account_name}.blob.core.windows.net" if account_name else ""


def watchdog_stall_minutes() -> float:
    """``GAIT_WATCHDOG_STALL_MINUTES``: progress unchanged this long means stuck (default 30).

    A chunk activity normally moves progress every few seconds and no single step runs
    longer than the 30-minute function timeout, so 30 minutes without a change is never a
    healthy analysis. At least 5 minutes, so a slow scale-out is not mistaken for a hang.
    """
    return max(_env_float("GAIT_WATCHDOG_STALL_MINUTES", 30.0), 5.0)
