"""Object storage behind one small interface: MinIO/S3 (minio client) or a filesystem directory.

``S3_ENDPOINT`` set: MinIO (or any S3-compatible server); unset: files under ``STORAGE_DIR``
(the embedded default). Keys are chosen by the caller and name the purpose
(``exports/<id>.xlsx``); writing the same key twice replaces the object (idempotent tasks).
"""

from __future__ import annotations

import io
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import urllib3
from minio import Minio
from minio.error import S3Error

from infra.settings import get_settings


class StorageUnavailable(Exception):
    """The store could not be reached or refused the operation; the caller may retry."""


class ObjectMissing(Exception):
    pass


class Storage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...


class FilesystemStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"storage key escapes the store: {key!r}")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
                tmp.write(data)
            os.replace(tmp.name, path)  # atomic: readers never see half a file
        except OSError as exc:
            raise StorageUnavailable(str(exc)) from exc

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise ObjectMissing(key) from exc
        except OSError as exc:
            raise StorageUnavailable(str(exc)) from exc

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Storage:
    def __init__(self, client: Minio, bucket: str) -> None:
        self.client = client
        self.bucket = bucket
        self._bucket_ready = False

    def _ensure_bucket(self) -> None:
        if not self._bucket_ready:
            if not self.client.bucket_exists(self.bucket):
                self.client.make_bucket(self.bucket)
            self._bucket_ready = True

    def put(self, key: str, data: bytes, content_type: str) -> None:
        try:
            self._ensure_bucket()
            self.client.put_object(self.bucket, key, io.BytesIO(data), len(data), content_type=content_type)
        except (S3Error, urllib3.exceptions.HTTPError, OSError) as exc:
            raise StorageUnavailable(str(exc)) from exc

    def get(self, key: str) -> bytes:
        try:
            response = self.client.get_object(self.bucket, key)
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchBucket"):
                raise ObjectMissing(key) from exc
            raise StorageUnavailable(str(exc)) from exc
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise StorageUnavailable(str(exc)) from exc
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    def delete(self, key: str) -> None:
        try:
            self.client.remove_object(self.bucket, key)
        except (S3Error, urllib3.exceptions.HTTPError, OSError) as exc:
            raise StorageUnavailable(str(exc)) from exc


@lru_cache(maxsize=1)
def get_storage() -> Storage:
    s = get_settings()
    if s.s3_endpoint:
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=3, read=30), retries=urllib3.Retry(total=2, backoff_factor=0.2)
        )
        client = Minio(
            s.s3_endpoint,
            access_key=s.s3_access_key,
            secret_key=s.s3_secret_key,
            secure=s.s3_secure,
            http_client=http,
        )
        return S3Storage(client, s.s3_bucket)
    return FilesystemStorage(s.storage_dir)
