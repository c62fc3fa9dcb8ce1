"""The till's app shell: what its service worker keeps so /till/ reloads while the server is down.

The shell is the page (`templates/till.html`) and every file under `static/till/`. The worker's
cache is named after a hash of their contents, so a deploy that changes any of them ships a
different `sw.js`; the browser installs it, and it replaces the old cache (docs/TILL.md, "Reloading
offline"). GraphQL is never part of the shell: the worker leaves every POST to the network.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

PAGE_TEMPLATE = "till.html"
STATIC_DIR = "till"
SHELL_SUFFIXES = {".js", ".css"}


def shell_files() -> list[tuple[str, Path]]:
    """(static name, source path) of every file the till page loads, in a stable order."""
    entry = finders.find(f"{STATIC_DIR}/till.js")
    folder = Path(entry).parent
    return [
        (f"{STATIC_DIR}/{path.name}", path)
        for path in sorted(folder.iterdir())
        if path.is_file() and path.suffix in SHELL_SUFFIXES
    ]


def shell_version(paths: list[Path]) -> str:
    """A hash of the files' names and contents: it changes whenever one of them does."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _page_template_path() -> Path:
    return Path(loader.get_template(PAGE_TEMPLATE).origin.name)


def shell_urls(names: list[str]) -> list[str]:
    """The URLs the page fetches: the hashed name the template links to (till.js, till.css) and
    the plain one the modules import each other by (`from "./api.js"`), each once."""
    urls: list[str] = [reverse("till")]
    for name in names:
        for url in (static(name), f"{settings.STATIC_URL}{name}"):
            if url not in urls:
                urls.append(url)
    return urls


@require_GET
def till_service_worker(request):
    """`/till/sw.js`: served under /till/ so that its scope covers the till page."""
    files = shell_files()
    version = shell_version([_page_template_path(), *(path for _, path in files)])
    source = loader.render_to_string(
        "till_sw.js",
        {
            "version": version,
            "page_url": reverse("till"),
            "shell_urls": json.dumps(shell_urls([name for name, _ in files])),
        },
    )
    response = HttpResponse(source, content_type="application/javascript; charset=utf-8")
    # The browser checks for a new worker on every visit; it must not be served a stale copy.
    response["Cache-Control"] = "no-cache"
    return response
