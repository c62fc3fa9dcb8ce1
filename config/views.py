"""The landing page at `/`: what this deployment offers, for whoever opens it in a browser."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_GET

from config import __version__


@require_GET
def landing(request):
    return render(
        request,
        "landing.html",
        {
            "version": __version__,
            "shop_name": settings.SHOP_NAME,
            "graphiql": settings.GRAPHIQL,
            "debug": settings.DEBUG,
        },
    )


@require_GET
def till(request):
    """The reference web till: a static page that talks to `/graphql/` only (docs/TILL.md)."""
    return render(request, "till.html", {"shop_name": settings.SHOP_NAME})
