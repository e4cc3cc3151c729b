"""`manage.py run` (what ./run.sh starts): web, worker, beat and the embedded Redis
stop together, whichever way the app is stopped, and leave nothing behind."""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

from tests.conftest import free_port

BASE_DIR = Path(__file__).resolve().parents[2]
CLEARED = ["DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG"]


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1)  # noqa: S310 - our own local server
    except urllib.error.HTTPError:
        return True  # it answered, with an error status
    except OSError:
        return False
    return True


def _left_behind(var_dir: Path, port: int) -> list[str]:
    marks = (str(var_dir), f":{port}")
    left = []
    for process in psutil.process_iter(["cmdline"]):
        command = " ".join(process.info["cmdline"] or ())
        if any(mark in command for mark in marks):
            left.append(command)
    return left


@pytest.mark.parametrize(
    "stop", [signal.SIGHUP, signal.SIGINT], ids=["hang-up", "ctrl-c"]
)
def test_closing_the_terminal_or_ctrl_c_stops_everything(tmp_path, stop):
    """The terminal sends its signal to the whole foreground process group: closing
    it (SIGHUP) once left gunicorn serving, the worker crashing, Redis orphaned."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(TIDINGS_VAR_DIR=str(tmp_path), PORT=str(port), DEBUG="true")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=BASE_DIR, env=env, check=True,
    )  # fmt: skip
    app = subprocess.Popen(
        [sys.executable, "manage.py", "run", "--web-workers", "1",
         "--worker-concurrency", "1"],
        cwd=BASE_DIR, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not _answers(f"http://127.0.0.1:{port}/healthz"):
            assert app.poll() is None, "the app did not start"
            assert time.monotonic() < deadline, "the app did not answer"
            time.sleep(0.2)
        os.killpg(app.pid, stop)  # as the terminal does: the whole group
        app.wait(timeout=60)
        assert not _answers(f"http://127.0.0.1:{port}/healthz")
        deadline = time.monotonic() + 10
        while _left_behind(tmp_path, port) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _left_behind(tmp_path, port) == []
    finally:  # whatever the outcome, leave no process behind for later tests
        for process in psutil.process_iter(["cmdline"]):
            command = " ".join(process.info["cmdline"] or ())
            if str(tmp_path) in command or f":{port}" in command:
                process.kill()
        if app.poll() is None:
            app.kill()
