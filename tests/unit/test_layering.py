"""The ingest and ranking cores, and the topic catalogue, stay free of Django and
Celery (checked in a fresh interpreter: other tests load Django)."""

import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def test_ingest_and_ranking_import_no_django():
    code = (
        "import pkgutil, importlib, sys, feed.defaults, feed.ingest, feed.ranking\n"
        "for package in (feed.ingest, feed.ranking):\n"
        "    for module in pkgutil.iter_modules(package.__path__):\n"
        "        importlib.import_module(package.__name__ + '.' + module.name)\n"
        "print(sorted(m for m in sys.modules if m.startswith('feed.')))\n"
        "assert 'django' not in sys.modules, 'django was imported'\n"
        "assert 'celery' not in sys.modules, 'celery was imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert (
        "feed.ingest.parse" in result.stdout and "feed.ranking.topics" in result.stdout
    )
