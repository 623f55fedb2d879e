"""The command lines of the portal's own processes, shared by ``make run``, the tests and the benchmark."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from infra.sizing import machine_sizing


def web_command(host: str, port: int, *extra: str, workers: int | None = None) -> list[str]:
    """The ASGI server serving ``portal.app:create_app``: one process per core (``infra.sizing``).

    No access log: a URL can carry a searched name, and logs carry no personal data (it also costs
    a tenth of a request's CPU). uvloop and httptools are the fast event loop and HTTP parser.
    """
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "portal.app:create_app",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers or machine_sizing().web_workers),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
        *extra,
    ]


def worker_command(*extra: str) -> list[str]:
    """A Celery worker of ``tasks.celery_app:app`` (``--concurrency`` from ``infra.sizing`` unless given)."""
    concurrency = (
        []
        if any(e.startswith("--concurrency") for e in extra)
        else [f"--concurrency={machine_sizing().worker_concurrency}"]
    )
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "tasks.celery_app:app",
        "worker",
        "--loglevel=INFO",
        *concurrency,
        *extra,
    ]


def beat_command(*extra: str) -> list[str]:
    """Celery beat for ``tasks.celery_app:app`` (the periodic case deadline watch)."""
    return [sys.executable, "-m", "celery", "-A", "tasks.celery_app:app", "beat", "--loglevel=INFO", *extra]


def mail_sink_command(host: str, port: int, maildir: str) -> list[str]:
    """A local SMTP server that files every message in a Maildir (aiosmtpd's Mailbox handler): the
    embedded default's "mail server", where one-time codes sent to staff can be read (``new/``)."""
    for sub in ("tmp", "new", "cur"):  # the handler writes into an existing Maildir only
        Path(maildir, sub).mkdir(parents=True, exist_ok=True)
    return [
        sys.executable,
        "-m",
        "aiosmtpd",
        "-n",
        "-l",
        f"{host}:{port}",
        "-c",
        "aiosmtpd.handlers.Mailbox",
        maildir,
    ]


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    """Ask a child to stop (SIGTERM), and kill it if it has not stopped within ``timeout`` seconds."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
