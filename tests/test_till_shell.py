"""The till's service worker at /till/sw.js (config/till_shell.py, docs/TILL.md "Reloading offline"):
what it is served as, what it keeps, and that its cache name follows the files it keeps. Its
behaviour in a browser (a reload with the server gone) is in tests/browser/test_till_offline_reload.py.
"""

import json
import re
import shutil
from pathlib import Path

import pytest
from django.test import Client

import config.till_shell
from tests.test_till_page import _first_load, collected  # noqa: F401 (a fixture)


def _worker(client: Client) -> tuple[str, list[str]]:
    response = client.get("/till/sw.js")
    assert response.status_code == 200
    source = response.content.decode()
    version = re.search(r'const VERSION = "([0-9a-f]{16})"', source).group(1)
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", source).group(1))
    return version, shell


def test_worker_is_served_as_javascript_from_the_till_folder_and_always_revalidated(db):
    client = Client()
    response = client.get("/till/sw.js")

    assert response["Content-Type"].startswith("application/javascript")
    assert response["Cache-Control"] == "no-cache"
    # A worker's scope is its own folder: /till/sw.js covers /till/, which registers it.
    page = client.get("/till/").content.decode()
    assert 'data-service-worker="/till/sw.js"' in page
    assert client.post("/till/sw.js").status_code == 405


def test_worker_keeps_every_url_the_page_loads_and_no_graphql(collected):  # noqa: F811
    client = Client()
    _, shell = _worker(client)
    loaded = _first_load(client)

    assert set(loaded) <= set(shell)  # the hashed till.js and till.css, the modules by plain name
    assert shell[0] == "/till/" and not [url for url in shell if "graphql" in url]
    for url in shell:
        assert client.get(url).status_code == 200, url


@pytest.fixture
def till_copy(tmp_path, monkeypatch):
    """The till's static files and page template copied where a test may change them."""
    static = tmp_path / "till"
    shutil.copytree(Path(config.till_shell.finders.find("till/till.js")).parent, static)
    template = tmp_path / "till.html"
    shutil.copy(config.till_shell._page_template_path(), template)
    monkeypatch.setattr(config.till_shell.finders, "find", lambda name: str(tmp_path / name))
    monkeypatch.setattr(config.till_shell, "_page_template_path", lambda: template)
    return static, template


def test_cache_version_changes_with_any_file_of_the_shell_and_only_then(db, till_copy):
    static, template = till_copy
    client = Client()
    first, _ = _worker(client)
    assert _worker(client)[0] == first  # the same files, the same cache

    with open(static / "api.js", "a") as module:
        module.write("\n// a deploy changed a module\n")
    changed_module, _ = _worker(client)
    template.write_text(template.read_text().replace("<title>", "<title>New "))
    changed_page, _ = _worker(client)
    (static / "extra.css").write_text("body { color: red }")
    added, shell = _worker(client)

    assert len({first, changed_module, changed_page, added}) == 4
    assert "/static/till/extra.css" in shell
