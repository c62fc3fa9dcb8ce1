"""Production settings refuse to start without real secrets; only bare manage.py defaults to dev."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(code: str, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "JWT_SECRET")}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


LOAD_SETTINGS = (
    "import os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; import django; django.setup()"
)


@pytest.mark.parametrize(
    "env,message",
    [
        ({"DEBUG": "0"}, "SECRET_KEY must be set"),
        ({"DEBUG": "0", "SECRET_KEY": "s" * 50}, "JWT_SECRET must be set"),
        ({"DEBUG": "0", "SECRET_KEY": "s" * 50, "JWT_SECRET": "s" * 50}, "JWT_SECRET must differ"),
    ],
)
def test_production_refuses_to_start_without_secrets(env, message):
    result = run(LOAD_SETTINGS, **env)

    assert result.returncode != 0
    assert message in result.stderr


def test_wsgi_has_no_development_default():
    result = run("import config.wsgi")

    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_bare_manage_py_runs_in_development_mode():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "JWT_SECRET")},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
