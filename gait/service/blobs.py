"""Blob Storage: videos, plans, chunk features, results, and the SAS URLs clients use.

Blob names (the analysis id is the prefix, so deleting an analysis is deleting a prefix):

* ``{videos}/{analysis_id}/video{ext}``: the uploaded video;
* ``{artifacts}/{analysis_id}/plan.npz``, ``.../features/chunk-0000.npz``,
  ``.../result.json``: what the orchestration writes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from typing import IO, Any

from azure.core import MatchConditions
from azure.core.exceptions import (
    AzureError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
    ServiceRequestError,
    ServiceResponseError,
)
from azure.storage.blob import (
    BlobSasPermissions,
    BlobServiceClient,
    ContainerClient,
    ContentSettings,
    LinearRetry,
    generate_blob_sas,
)

from gait.errors import first_line
from gait.service.errors import DependencyUnavailable, ServiceError
from gait.service.settings import Settings

#: After a connection to Storage failed or timed out, how long further calls fail at once,
#: in seconds: shorter than the orchestration's 5 s retry interval, long enough to cover a
#: request's clean-up after the failure.
DOWN_WINDOW_S = 4.0
#: Upload/download block size: the most of a video any transfer holds in memory at once.
TRANSFER_BLOCK_BYTES = 4 * 1024 * 1024


class VideoChanged(ServiceError):
    """The video blob is no longer the one the analysis accepted (its ETag changed)."""

    def __init__(self) -> None:
        super().__init__(
            409,
            "VIDEO_CHANGED",
            "the video was replaced after the analysis accepted it; upload it again",
            {"code": "video_changed"},
        )


def video_blob_name(analysis_id: str, extension: str) -> str:
    return f"{analysis_id}/video{extension}"


def artifact_name(analysis_id: str, leaf: str) -> str:
    return f"{analysis_id}/{leaf}"


class BlobStore:
    """Thin wrapper over ``BlobServiceClient`` with short timeouts and readable 503s.

    Containers are created on first use. With ``storage_connection`` the account key signs
    SAS URLs; with ``storage_account_url`` the managed identity does (user delegation key).
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        timeout = settings.dependency_timeout_s
        # Short timeouts and one retry: a missing or silent Storage endpoint must give a 503
        # in 2 x timeout + 1 s (7 s by default), not hang a request for the SDK's default
        # minutes. The read timeout bounds each socket read, not a whole transfer.
        options: dict[str, Any] = {
            "connection_timeout": timeout,
            "read_timeout": timeout,
            # Storage's default exponential retry waits 15 s, then 18 s, ...: far too long
            # for an HTTP request, and the orchestration has its own retry policy.
            "retry_policy": LinearRetry(backoff=1, random_jitter_range=0.2, retry_total=1),
            "max_single_put_size": TRANSFER_BLOCK_BYTES,
            "max_block_size": TRANSFER_BLOCK_BYTES,
            "max_single_get_size": TRANSFER_BLOCK_BYTES,
            "max_chunk_get_size": TRANSFER_BLOCK_BYTES,
        }
        try:
            if settings.storage_connection:
                self.client = BlobServiceClient.from_connection_string(
                    settings.storage_connection, **options
                )
            elif settings.storage_account_url:
                from azure.identity import DefaultAzureCredential

                self.client = BlobServiceClient(
                    settings.storage_account_url, credential=DefaultAzureCredential(), **options
                )
            else:
                raise ValueError("neither GAIT_STORAGE_CONNECTION nor GAIT_STORAGE_ACCOUNT_URL")
        except (ValueError, AzureError) as exc:
            raise DependencyUnavailable("Blob Storage", first_line(exc)) from exc
        self._ready: set[str] = set()
        self._down_until = 0.0

    def _unavailable(self, exc: BaseException) -> DependencyUnavailable:
        """The 503 for a failed call; a connection that failed or timed out also makes the
        next calls for :data:`DOWN_WINDOW_S` fail at once (a request's clean-up must not
        wait out the same silent endpoint again)."""
        if isinstance(exc, ServiceRequestError | ServiceResponseError):
            self._down_until = time.monotonic() + DOWN_WINDOW_S
        return DependencyUnavailable("Blob Storage", first_line(exc))

    # -- containers ---------------------------------------------------------------------
    def _container(self, name: str) -> ContainerClient:
        if time.monotonic() < self._down_until:
            raise DependencyUnavailable("Blob Storage", "unreachable moments ago")
        container = self.client.get_container_client(name)
        if name not in self._ready:
            try:
                container.create_container(timeout=int(self.settings.dependency_timeout_s) + 1)
            except ResourceExistsError:
                pass
            except AzureError as exc:
                raise self._unavailable(exc) from exc
            self._ready.add(name)
        return container

    # -- data -----------------------------------------------------------------------------
    def upload_stream(
        self, container: str, name: str, stream: IO[bytes], length: int, content_type: str
    ) -> str:
        """Stream ``length`` bytes from ``stream`` in blocks (never the whole file in memory)
        to a new blob; returns its ETag."""
        try:
            written = (
                self._container(container)
                .get_blob_client(name)
                .upload_blob(
                    stream,
                    length=length,
                    overwrite=False,
                    max_concurrency=2,
                    content_settings=ContentSettings(content_type=content_type),
                )
            )
        except AzureError as exc:
            raise self._unavailable(exc) from exc
        return str(written["etag"])

    def write_bytes(self, container: str, name: str, data: bytes, content_type: str) -> None:
        try:
            self._container(container).upload_blob(
                name,
                data,
                overwrite=True,
                content_settings=ContentSettings(content_type=content_type),
            )
        except AzureError as exc:
            raise self._unavailable(exc) from exc

    def read_bytes(self, container: str, name: str) -> bytes:
        try:
            return self._container(container).download_blob(name).readall()
        except AzureError as exc:
            raise self._unavailable(exc) from exc

    def read_head(self, container: str, name: str, length: int, etag: str) -> bytes:
        """The first ``length`` bytes (one range read) of the blob version ``etag``."""
        try:
            return (
                self._container(container)
                .download_blob(
                    name,
                    offset=0,
                    length=length,
                    etag=etag,
                    match_condition=MatchConditions.IfNotModified,
                )
                .readall()
            )
        except ResourceModifiedError as exc:
            raise VideoChanged() from exc
        except AzureError as exc:
            raise self._unavailable(exc) from exc

    def download_to_file(
        self, container: str, name: str, path: str | os.PathLike[str], etag: str | None = None
    ) -> int:
        """Stream a blob to ``path`` block by block; returns its size in bytes. With ``etag``,
        only that version of the blob (:class:`VideoChanged` if it was replaced)."""
        condition: dict[str, Any] = (
            {"etag": etag, "match_condition": MatchConditions.IfNotModified} if etag else {}
        )
        try:
            with open(path, "wb") as handle:
                return (
                    self._container(container)
                    .download_blob(name, max_concurrency=2, **condition)
                    .readinto(handle)
                )
        except ResourceModifiedError as exc:
            raise VideoChanged() from exc
        except AzureError as exc:
            raise self._unavailable(exc) from exc

    def properties(self, container: str, name: str) -> tuple[int, str] | None:
        """(size in bytes, ETag) of the blob, or None when it does not exist."""
        try:
            props = self._container(container).get_blob_client(name).get_blob_properties()
        except ResourceNotFoundError:
            return None
        except AzureError as exc:
            raise self._unavailable(exc) from exc
        return int(props.size), str(props.etag)

    def listing(self, container: str) -> list[tuple[str, dt.datetime]]:
        """(name, last modified) of every blob in the container."""
        try:
            return [(b.name, b.last_modified) for b in self._container(container).list_blobs()]
        except AzureError as exc:
            raise self._unavailable(exc) from exc

    def delete_prefix(self, container: str, prefix: str) -> int:
        """Delete every blob under ``prefix``; returns how many were deleted."""
        try:
            client = self._container(container)
            names = [blob.name for blob in client.list_blobs(name_starts_with=prefix)]
            for name in names:
                with contextlib.suppress(ResourceNotFoundError):
                    client.delete_blob(name, delete_snapshots="include")
        except AzureError as exc:
            raise self._unavailable(exc) from exc
        return len(names)

    def list_prefix(self, container: str, prefix: str) -> list[str]:
        try:
            client = self._container(container)
            return [b.name for b in client.list_blobs(name_starts_with=prefix)]
        except AzureError as exc:
            raise self._unavailable(exc) from exc

    def ping(self) -> None:
        """One cheap authenticated round trip (raises on failure)."""
        next(iter(self.client.list_containers(results_per_page=1).by_page()), None)

    # -- SAS --------------------------------------------------------------------------------
    def sas_url(self, container: str, name: str, minutes: int, *, write: bool) -> str:
        """A URL for one blob: create-only or read-only, ``minutes`` long.

        Create-only: the URL can write the blob once, never replace it (and the analysis is
        pinned to the ETag ``/process`` saw, so a replacement would be refused anyway).

        Signed with the account key when there is one, else with a user delegation key of
        the managed identity (needs the Storage Blob Delegator role, or Data Contributor).
        """
        self._container(container)
        now = dt.datetime.now(dt.UTC)
        start = now - dt.timedelta(minutes=5)  # clock skew between us and Storage
        expiry = now + dt.timedelta(minutes=minutes)
        permission = BlobSasPermissions(create=True) if write else BlobSasPermissions(read=True)
        credential = self.client.credential
        account_key = getattr(credential, "account_key", None)
        try:
            if account_key:
                token = generate_blob_sas(
                    self.client.account_name,
                    container,
                    name,
                    account_key=account_key,
                    permission=permission,
                    expiry=expiry,
                    start=start,
                )
            else:
                delegation = self.client.get_user_delegation_key(start, expiry)
                token = generate_blob_sas(
                    self.client.account_name,
                    container,
                    name,
                    user_delegation_key=delegation,
                    permission=permission,
                    expiry=expiry,
                    start=start,
                )
        except AzureError as exc:
            raise self._unavailable(exc) from exc
        return f"{self.client.get_blob_client(container, name).url}?{token}"
