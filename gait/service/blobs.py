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
from typing import IO, Any

from azure.core.exceptions import AzureError, ResourceExistsError, ResourceNotFoundError
from azure.storage.blob import (
    BlobSasPermissions,
    BlobServiceClient,
    ContainerClient,
    ContentSettings,
    LinearRetry,
    generate_blob_sas,
)

from gait.service.errors import DependencyUnavailable, short_reason
from gait.service.settings import Settings

#: Upload/download block size: the most of a video any transfer holds in memory at once.
TRANSFER_BLOCK_BYTES = 4 * 1024 * 1024


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
        # Short connection timeouts and few retries: a missing Azurite/Storage must give a 503
        # in seconds, not hang a request for the SDK's default minutes.
        options: dict[str, Any] = {
            "connection_timeout": timeout,
            "read_timeout": max(30.0, timeout),
            # Storage's default exponential retry waits 15 s, then 18 s, ...: far too long
            # for an HTTP request, and the orchestration has its own retry policy.
            "retry_policy": LinearRetry(backoff=1, random_jitter_range=0.5, retry_total=2),
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
            raise DependencyUnavailable("Blob Storage", short_reason(exc)) from exc
        self._ready: set[str] = set()

    # -- containers ---------------------------------------------------------------------
    def _container(self, name: str) -> ContainerClient:
        container = self.client.get_container_client(name)
        if name not in self._ready:
            try:
                container.create_container(timeout=int(self.settings.dependency_timeout_s) + 1)
            except ResourceExistsError:
                pass
            except AzureError as exc:
                raise DependencyUnavailable("Blob Storage", short_reason(exc)) from exc
            self._ready.add(name)
        return container

    # -- data -----------------------------------------------------------------------------
    def upload_stream(
        self, container: str, name: str, stream: IO[bytes], length: int, content_type: str
    ) -> None:
        """Stream ``length`` bytes from ``stream`` in blocks (never the whole file in memory)."""
        try:
            self._container(container).upload_blob(
                name,
                stream,
                length=length,
                overwrite=True,
                max_concurrency=2,
                content_settings=ContentSettings(content_type=content_type),
            )
        except AzureError as exc:
            raise DependencyUnavailable("Blob Storage", short_reason(exc)) from exc

    def write_bytes(self, container: str, name: str, data: bytes, content_type: str) -> None:
        self._container(container).upload_blob(
            name, data, overwrite=True, content_settings=ContentSettings(content_type=content_type)
        )

    def read_bytes(self, container: str, name: str) -> bytes:
        return self._container(container).download_blob(name).readall()

    def read_head(self, container: str, name: str, length: int) -> bytes:
        return self._container(container).download_blob(name, offset=0, length=length).readall()

    def download_to_file(self, container: str, name: str, path: str | os.PathLike[str]) -> int:
        """Stream a blob to ``path`` block by block; returns its size in bytes."""
        with open(path, "wb") as handle:
            return (
                self._container(container).download_blob(name, max_concurrency=2).readinto(handle)
            )

    def size(self, container: str, name: str) -> int | None:
        """The blob's size, or None when it does not exist."""
        try:
            return int(self._container(container).get_blob_client(name).get_blob_properties().size)
        except ResourceNotFoundError:
            return None

    def delete_prefix(self, container: str, prefix: str) -> int:
        """Delete every blob under ``prefix``; returns how many were deleted."""
        client = self._container(container)
        names = [blob.name for blob in client.list_blobs(name_starts_with=prefix)]
        for name in names:
            with contextlib.suppress(ResourceNotFoundError):
                client.delete_blob(name, delete_snapshots="include")
        return len(names)

    def list_prefix(self, container: str, prefix: str) -> list[str]:
        return [b.name for b in self._container(container).list_blobs(name_starts_with=prefix)]

    def ping(self) -> None:
        """One cheap authenticated round trip (raises on failure)."""
        next(iter(self.client.list_containers(results_per_page=1).by_page()), None)

    # -- SAS --------------------------------------------------------------------------------
    def sas_url(self, container: str, name: str, minutes: int, *, write: bool) -> str:
        """A URL for one blob: write-only (create + write) or read-only, ``minutes`` long.

        Signed with the account key when there is one, else with a user delegation key of
        the managed identity (needs the Storage Blob Delegator role, or Data Contributor).
        """
        self._container(container)
        now = dt.datetime.now(dt.UTC)
        start = now - dt.timedelta(minutes=5)  # clock skew between us and Storage
        expiry = now + dt.timedelta(minutes=minutes)
        permission = (
            BlobSasPermissions(create=True, write=True) if write else BlobSasPermissions(read=True)
        )
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
            raise DependencyUnavailable("Blob Storage", short_reason(exc)) from exc
        return f"{self.client.get_blob_client(container, name).url}?{token}"
