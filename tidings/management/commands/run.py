"""Run the whole app in the foreground: web server, Celery worker, Celery beat, and
the embedded Redis when REDIS_URL is not set. Ctrl-C (or SIGTERM) stops everything."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from tidings import embedded_redis

STOP_GRACE_SECONDS = 15


class Command(BaseCommand):
    help = "Run web server + Celery worker + Celery beat (+ embedded Redis) together."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("PORT", 8000))
        )
        parser.add_argument("--web-workers", type=int, default=2)
        parser.add_argument("--worker-concurrency", type=int, default=2)

    def handle(self, *args, host: str, port: int, web_workers: int,
               worker_concurrency: int, **options) -> None:  # fmt: skip
        self.children: list[tuple[str, subprocess.Popen]] = []
        self.stopping = False
        # Ctrl-C, a kill, or the terminal closing (SIGHUP): all stop everything, in
        # order. The children run in sessions of their own, so that the terminal's
        # signals reach this process alone (gunicorn would reload on SIGHUP and the
        # Celery worker restart itself; Redis would stop under a working worker).
        for stop in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(stop, self._on_signal)

        redis_process = None
        if settings.EMBEDDED_REDIS:
            redis_process = embedded_redis.start(
                settings.REDIS_URL, data_dir=settings.VAR_DIR / "redis"
            )
            self.stdout.write(f"Embedded Redis on {settings.REDIS_URL}")
        python = sys.executable
        var = str(settings.VAR_DIR)
        self._spawn("web", [
            python, "-m", "gunicorn", "tidings.wsgi", "--bind", f"{host}:{port}",
            "--workers", str(web_workers), "--threads", "4", "--access-logfile", "-",
            "--graceful-timeout", "10",
        ])  # fmt: skip
        self._spawn("worker", [
            python, "-m", "celery", "-A", "tidings", "worker", "--loglevel", "INFO",
            "--queues", "default,fetch,score,digest",
            "--concurrency", str(worker_concurrency),
        ])  # fmt: skip
        self._spawn("beat", [
            python, "-m", "celery", "-A", "tidings", "beat", "--loglevel", "INFO",
            "--schedule", f"{var}/celerybeat-schedule",
            "--pidfile", f"{var}/celerybeat.pid",
        ])  # fmt: skip
        self.stdout.write(
            self.style.SUCCESS(
                f"Tidings is running at http://{host}:{port}/ (Ctrl-C stops)"
            )
        )
        exit_code = 0
        try:
            while not self.stopping:
                for name, child in self.children:
                    if child.poll() is not None:
                        self.stderr.write(
                            f"{name} exited with status {child.returncode}"
                        )
                        exit_code = 1
                        self.stopping = True
                time.sleep(0.5)
        finally:
            self._stop_all()
            embedded_redis.stop(redis_process)
        if exit_code:
            sys.exit(exit_code)

    def _spawn(self, name: str, command: list[str]) -> None:
        child = subprocess.Popen(command, start_new_session=True)  # noqa: S603
        self.children.append((name, child))

    def _on_signal(self, signum, frame) -> None:
        self.stopping = True

    def _stop_all(self) -> None:
        for _, child in self.children:
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for name, child in self.children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"{name} did not stop in time; killing it")
                child.kill()
                child.wait()
        self.stdout.write("Stopped.")
