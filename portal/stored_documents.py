"""Generated documents kept in object storage: the columns they share, the worker's build pipeline
(idempotent, retried while storage or the database is down) and the checked download.

A document row is locked and marked ``running``, rendered under the requester's scope, written to a
key fixed per document (a retry rewrites the same object), then marked ``done`` with its size and
SHA-256. A download re-reads the object and refuses it if the checksum differs.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, Text, func, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Mapped, Session, mapped_column

from infra.clock import utcnow
from infra.db import scoped_session
from infra.errors import Conflict, DomainError
from infra.storage import ObjectMissing, StorageUnavailable, get_storage
from tenancy.scope import Scope


class StorageDown(DomainError):
    status_code = 503


class StoredDocument:
    """Mixin: the build state and the stored object of a generated document."""

    id: Mapped[uuid.UUID]
    status: Mapped[str] = mapped_column(String(16), default="queued", server_default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    storage_key: Mapped[str | None] = mapped_column(Text)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def state_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "status": self.status,
            "attempts": self.attempts,
            "size_bytes": self.size_bytes,
            "sha256": self.sha256,
            "error": self.error,
            "created_at": self.created_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }


Render = Callable[[Session, Any], tuple[bytes, dict[str, Any]]]


def build(
    model: type,
    document_id: str,
    scope: Scope,
    key: Callable[[Any], tuple[str, str]],
    render: Render,
    final: bool,
) -> str:
    """Render and store one document. ``key`` gives its object key and content type; ``render`` returns
    the bytes and the extra columns to set on success.

    Returns "done", "not visible" (outside the scope, or gone), "failed" (when ``final``) or "retry".
    """
    did = uuid.UUID(document_id)
    with scoped_session(scope) as session:
        doc = session.get(model, did, with_for_update=True)
        if doc is None:
            return "not visible"
        if doc.status == "done":
            return "done"
        doc.status, doc.attempts = "running", doc.attempts + 1
        object_key, content_type = key(doc)
    try:
        with scoped_session(scope) as session:
            doc = session.get(model, did)
            data, extra = render(session, doc)
        get_storage().put(object_key, data, content_type)
    except (StorageUnavailable, OperationalError) as exc:
        with scoped_session(scope) as session:
            doc = session.get(model, did)
            doc.status = "failed" if final else "queued"
            doc.error = f"{type(exc).__name__}: {exc}"[:500]
        return "failed" if final else "retry"
    with scoped_session(scope) as session:
        doc = session.get(model, did)
        doc.status, doc.error, doc.storage_key = "done", None, object_key
        doc.size_bytes, doc.sha256, doc.finished_at = len(data), hashlib.sha256(data).hexdigest(), utcnow()
        for column, value in extra.items():
            setattr(doc, column, value)
    return "done"


def fetch_checked(
    key: str, sha256: str | None, mismatch: str = "the stored file does not match its checksum"
) -> bytes:
    """The stored object's bytes, refused (503) when storage is down or they no longer match ``sha256``."""
    try:
        data = get_storage().get(key)
    except (StorageUnavailable, ObjectMissing) as exc:
        raise StorageDown("document storage is unavailable: try again later") from exc
    if hashlib.sha256(data).hexdigest() != sha256:
        raise StorageDown(mismatch)
    return data


def fetch(doc: StoredDocument) -> bytes:
    """The stored bytes of a finished document, checked against its SHA-256."""
    if doc.status != "done" or doc.storage_key is None:
        raise Conflict(f"document is {doc.status}, not ready")
    return fetch_checked(
        doc.storage_key, doc.sha256, "the stored document does not match its checksum: generate it again"
    )
