"""The ranking core and the topic catalogue import no Django."""

import subprocess
import sys

MODULES = (
    "feed.defaults",
    "feed.ranking.blend",
    "feed.ranking.evaluation",
    "feed.ranking.explain",
    "feed.ranking.features",
    "feed.ranking.metrics",
    "feed.ranking.mutes",
    "feed.ranking.personal",
    "feed.ranking.stories",
    "feed.ranking.topics",
)


def test_ranking_modules_do_not_import_django():
    # A fresh interpreter: other tests in this session may have imported Django.
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in MODULES)
        + "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'django')\n"
        + "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)  # noqa: S603
