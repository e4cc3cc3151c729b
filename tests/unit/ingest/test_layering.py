"""The ingest core stays Django-free."""

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def test_importing_every_ingest_module_does_not_import_django():
    # In a fresh interpreter: in this one, other test packages may load Django.
    code = (
        "import sys\n"
        "import feed.ingest.clean, feed.ingest.discover, feed.ingest.fetch\n"
        "import feed.ingest.hostlimit, feed.ingest.netguard, feed.ingest.opml\n"
        "import feed.ingest.parse, feed.ingest.schedule\n"
        "loaded = {m.split('.')[0] for m in sys.modules}\n"
        "print(sorted(loaded & {'django', 'celery'}))\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert result.stdout.strip() == "[]"


def test_no_ingest_source_file_imports_django():
    django_import = re.compile(r"^\s*(from|import)\s+django\b", re.MULTILINE)

    for path in (REPO / "feed" / "ingest").rglob("*.py"):
        assert not django_import.search(path.read_text()), path
