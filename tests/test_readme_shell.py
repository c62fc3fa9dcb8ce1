"""The README's shell lines run on a fresh clone as written (no activated virtualenv assumed)."""

import re
from pathlib import Path

import pytest
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def shell_lines() -> list[str]:
    blocks = re.findall(r"```(?:bash|sh)\n(.*?)```", README, re.S)
    inline = re.findall(r"`([^`\n]*(?:manage\.py|scripts/)[^`\n]*)`", README)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()] + inline


def test_readme_shell_lines_found():
    assert any("scripts/manage.sh" in line for line in shell_lines())


@pytest.mark.parametrize("line", [x for x in shell_lines() if "manage.py" in x])
def test_readme_manage_py_only_inside_the_container_or_the_venv(line):
    assert line.startswith(("docker compose exec", ".venv/bin/python")), line


@pytest.mark.parametrize("script", sorted(set(re.findall(r"scripts/[\w.-]+\.sh", README))))
def test_readme_script_exists(script):
    assert (ROOT / script).is_file()


@pytest.mark.parametrize("command", sorted(set(re.findall(r"scripts/manage\.sh ([a-z_]+)", README))))
def test_readme_manage_command_exists(command):
    assert command in get_commands()
