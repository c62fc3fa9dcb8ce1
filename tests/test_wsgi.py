"""gunicorn runs with --preload: the master imports config.wsgi once and forks the workers."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import gc
import config.wsgi
from django.db import connections
opened = [alias for alias in connections if connections[alias].connection is not None]
assert not opened, f"database connection opened at import: {opened}"
assert "config.urls" in __import__("sys").modules, "URLconf and schema should be imported (warm workers)"
assert gc.get_freeze_count() > 0, "long-lived objects should be frozen out of the collector"
print("ok")
"""


def test_wsgi_import_warms_the_app_without_opening_a_database_connection(tmp_path):
    # A connection opened in the master would be shared by every forked worker: one socket, many
    # processes, interleaved protocol messages. The probe runs in a fresh interpreter.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("ok")
