"""The Celery application object: broker, result backend, queue and serialisation.

``tasks.celery_app`` adds the task modules and the beat schedule to this same object, and workers
run it (``celery -A tasks.celery_app:app worker``). Anything else sends tasks by name through it
(``infra.after_commit``) without importing the tasks or the models they need.
"""

from __future__ import annotations

from functools import lru_cache

from celery import Celery

from infra.settings import get_settings


@lru_cache(maxsize=1)
def celery_app() -> Celery:
    settings = get_settings()
    app = Celery("portal", broker=settings.broker_url, backend=settings.result_backend)
    app.conf.update(
        task_acks_late=True,  # a task whose worker dies is delivered again
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        result_expires=3600,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": 3600},
        task_always_eager=settings.celery_eager,
        task_default_queue=settings.celery_queue,
        timezone="Asia/Ho_Chi_Minh",
    )
    return app
