"""Static files in production (WhiteNoise), GraphiQL without a CDN, and the landing page at /."""

import base64
import hashlib
import re
from io import StringIO

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from graphene_django.views import GraphQLView

from config import __version__

HASHED_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "config.staticfiles.HashedStaticFilesStorage"},
}
VENDORED_GRAPHIQL = {
    "graphiql/react.production.min.js": GraphQLView.react_sri,
    "graphiql/react-dom.production.min.js": GraphQLView.react_dom_sri,
    "graphiql/graphiql.min.js": GraphQLView.graphiql_sri,
    "graphiql/graphiql.min.css": GraphQLView.graphiql_css_sri,
    "graphiql/graphiql-plugin-explorer.umd.js": GraphQLView.graphiql_plugin_explorer_sri,
    "graphiql/graphiql-plugin-explorer.css": GraphQLView.graphiql_plugin_explorer_css_sri,
}


def _sri(path) -> str:
    with open(path, "rb") as file:
        return "sha256-" + base64.b64encode(hashlib.sha256(file.read()).digest()).decode()


def _asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"#]+)"', html)


@pytest.fixture
def collected(settings, tmp_path):
    """Production static files: hashed storage, collectstatic into a scratch STATIC_ROOT."""
    settings.STORAGES = HASHED_STORAGES
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", "--noinput", stdout=StringIO())
    return settings.STATIC_ROOT


# --- WhiteNoise ------------------------------------------------------------------------------------


def test_static_admin_css_served_by_the_app_after_collectstatic(collected):
    from django.templatetags.static import static

    client = Client()  # a new handler: WhiteNoise indexes STATIC_ROOT when the middleware starts
    plain = client.get("/static/admin/css/base.css")
    hashed_url = static("admin/css/base.css")
    hashed = client.get(hashed_url, HTTP_ACCEPT_ENCODING="gzip")

    assert plain.status_code == 200 and plain["Content-Type"].startswith("text/css")
    assert re.fullmatch(r"/static/admin/css/base\.[0-9a-f]{12}\.css", hashed_url)
    assert hashed.status_code == 200 and hashed["Content-Encoding"] == "gzip"
    assert "immutable" in hashed["Cache-Control"]


def test_static_missing_file_is_404(collected):
    assert Client().get("/static/admin/css/no-such-file.css").status_code == 404


def test_admin_login_page_links_hashed_static_files(collected):
    html = Client().get("/admin/login/").content.decode()

    assert re.search(r'href="/static/admin/css/base\.[0-9a-f]{12}\.css"', html)


def test_vendored_graphiql_files_stay_byte_identical_when_hashed(collected):
    import json

    manifest = json.loads((collected / "staticfiles.json").read_text())["paths"]

    for name, sri in VENDORED_GRAPHIQL.items():
        assert _sri(collected / manifest[name]) == sri, name


# --- GraphiQL offline --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", VENDORED_GRAPHIQL)
def test_vendored_graphiql_file_is_the_release_graphene_django_pins(name):
    assert _sri(finders.find(name)) == VENDORED_GRAPHIQL[name]


def test_graphiql_page_loads_only_files_of_this_server(settings, db):
    settings.GRAPHIQL = True
    response = Client().get("/graphql/", HTTP_ACCEPT="text/html")
    html = response.content.decode()
    urls = _asset_urls(html)

    assert response.status_code == 200
    assert "//" not in " ".join(urls) and "cdn" not in html.lower()
    assert sorted(u.removeprefix("/static/") for u in urls) == sorted(
        [*VENDORED_GRAPHIQL, "graphiql/init.js"]
    )
    assert all(finders.find(u.removeprefix("/static/")) for u in urls)
    assert html.count('integrity="sha256-') == len(VENDORED_GRAPHIQL)


def test_graphiql_page_is_off_in_production(settings, db):
    settings.GRAPHIQL = False

    assert Client().get("/graphql/", HTTP_ACCEPT="text/html").status_code == 405


# --- landing page --------------------------------------------------------------------------------------


def test_landing_page_in_production_links_till_admin_dashboard_and_health(settings, db):
    settings.GRAPHIQL = False
    response = Client().get("/")
    html = response.content.decode()

    assert response.status_code == 200
    assert f"version {__version__}" in html and settings.SHOP_NAME in html
    assert set(_asset_urls(html)) == {"/till/", "/admin/", "/admin/dashboard/", "/healthz"}


def test_landing_page_in_development_links_graphiql_first(settings, db):
    settings.GRAPHIQL = True

    assert _asset_urls(Client().get("/").content.decode())[0] == "/graphql/"


def test_landing_page_refuses_post(db):
    assert Client().post("/").status_code == 405
