"""The reference web till's page at /till/ (docs/TILL.md): served by Django, assets by WhiteNoise.

Its behaviour in a browser is tested in tests/browser/test_till.py; these check what a till PC
downloads: every asset is local, the module imports resolve after collectstatic, and the whole first
load stays small.
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from tests.test_static_files import HASHED_STORAGES

FIRST_LOAD_LIMIT = 300 * 1024


@pytest.fixture
def collected(settings, tmp_path):
    settings.STORAGES = HASHED_STORAGES
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", "--noinput", stdout=StringIO())
    return settings.STATIC_ROOT


def _first_load(client: Client) -> dict[str, bytes]:
    """The page, its assets and the modules they import, as a browser fetches them."""
    page = client.get("/till/")
    assert page.status_code == 200
    loaded = {"/till/": page.content}
    pending = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.content.decode())
    while pending:
        url = pending.pop()
        if url in loaded:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        loaded[url] = body
        base = url.rsplit("/", 1)[0]
        pending += [f"{base}/{name.decode()}" for name in re.findall(rb'from "\./([\w.-]+)"', body)]
    return loaded


def test_till_page_assets_are_local_hashed_and_under_300_kb(collected):
    loaded = _first_load(Client())
    html = loaded["/till/"].decode()

    assert re.search(r'src="/static/till/till\.[0-9a-f]{12}\.js"', html)
    assert re.search(r'href="/static/till/till\.[0-9a-f]{12}\.css"', html)
    modules = ("api", "queries", "messages", "session", "ui", "customer", "shift", "returns", "tender")
    assert {f"/static/till/{name}.js" for name in modules} <= set(loaded)
    assert "http" not in html.replace("http-equiv", "")  # no CDN, nothing from outside
    assert sum(len(body) for body in loaded.values()) < FIRST_LOAD_LIMIT


def test_till_page_labels_every_input(db):
    html = Client().get("/till/").content.decode()
    inputs = re.findall(r'<input id="([\w-]+)"', html)

    assert inputs and all(f'for="{name}"' in html for name in inputs)


def test_till_page_refuses_post(db):
    assert Client().post("/till/").status_code == 405
