"""The ingest core stays Django-free (tests/unit/test_layering.py imports it)."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def test_no_ingest_source_file_imports_django():
    django_import = re.compile(r"^\s*(from|import)\s+django\b", re.MULTILINE)

    for path in (REPO / "feed" / "ingest").rglob("*.py"):
        assert not django_import.search(path.read_text()), path
