"""scripts/browser_check.sh, the browser step of scripts/test.sh, when Chromium cannot be had.

Run in a copy of scripts/ whose install_browser.sh fails as apt-get would, with Chromium pointed at
a path that does not exist: CI must fail, a laptop must carry on but say so loudly.
"""

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FAILING_INSTALLER = "#!/usr/bin/env bash\necho 'E: Unable to locate package chromium' >&2\nexit 100\n"


@pytest.fixture
def checkout(tmp_path) -> Path:
    """A checkout with the real step, the real venv and an installer that cannot install."""
    (tmp_path / "scripts").mkdir()
    for script in ("lib.sh", "browser_check.sh"):
        shutil.copy(ROOT / "scripts" / script, tmp_path / "scripts" / script)
    (tmp_path / "scripts" / "install_browser.sh").write_text(FAILING_INSTALLER)
    # A venv that lib.sh's ensure_venv takes as up to date, so that it installs nothing: the step
    # must stop before it runs Python at all.
    requirements = b""
    for name in ("requirements.txt", "requirements-dev.txt"):
        shutil.copy(ROOT / name, tmp_path / name)
        requirements += (ROOT / name).read_bytes()
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").symlink_to(sys.executable)
    (tmp_path / ".venv" / ".requirements.sha256").write_text(hashlib.sha256(requirements).hexdigest())
    return tmp_path


def run_step(checkout: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key != "CI"}
    environment.update(POS_CHROMIUM=str(checkout / "no-chromium-here"), **env)
    return subprocess.run(
        ["bash", "scripts/browser_check.sh"],
        cwd=checkout,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif(os.geteuid() != 0, reason="the installer is only tried as root (or with sudo in CI)")
def test_browser_step_in_ci_without_chromium_tries_to_install_then_fails(checkout):
    done = run_step(checkout, CI="true")

    assert done.returncode == 1
    assert "Installing Chromium (scripts/install_browser.sh)" in done.stdout
    assert "E: Unable to locate package chromium" in done.stderr
    assert "is missing and could not be installed, and CI=true: failing." in done.stderr


def test_browser_step_in_ci_without_chromium_fails_whoever_runs_it(checkout):
    """Root installs, a CI user may sudo, anyone else cannot: in CI every one of them must fail."""
    (checkout / "scripts" / "install_browser.sh").write_text("exit 1\n")
    done = run_step(checkout, CI="true")

    assert done.returncode == 1
    assert "CI=true: failing." in done.stderr
    assert "SKIPPED" not in done.stderr


def test_browser_step_outside_ci_without_chromium_skips_loudly_and_passes(checkout):
    done = run_step(checkout)

    assert done.returncode == 0
    assert "the BROWSER CHECK was SKIPPED" in done.stderr
    assert "Installing pinned dependencies" not in done.stdout
