"""Register import task: a thin wrapper around portal.imports.job.

The task carries the import's id and the requester's user id: the worker resolves the requester's
scope again (tasks.requester) and works under it, so row-level security applies to every row read and
written, and a deactivated account's import ends failed, unread.
"""

from __future__ import annotations

import uuid

from portal.imports.job import run
from portal.imports.models import RegisterImport
from tasks.celery_app import app
from tasks.requester import refuse, requester


@app.task(name="tasks.imports.run_import", acks_late=True, reject_on_worker_lost=True)
def run_import(import_id: str, user_id: int) -> str:
    iid = uuid.UUID(import_id)
    caller = requester(user_id, "import", "create")
    if isinstance(caller, str):
        refuse(RegisterImport, RegisterImport.id == iid, caller)
        return "refused"
    return run(caller, iid)
