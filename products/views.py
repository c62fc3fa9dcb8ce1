"""Label images (QR code and barcode PNGs) for logged-in staff."""

from __future__ import annotations

from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from graphql_jwt.exceptions import JSONWebTokenError

from accounts.backends import token_from_header
from accounts.jwt import user_from_token
from products import codes
from products.models import Product
from shared.roles import Role, has_role


def _staff_user(request):
    """The caller: a JWT in the Authorization header, else the Django session; None if neither."""
    token = token_from_header(request)
    if token is not None:
        try:
            user, _payload = user_from_token(token, request)
        except JSONWebTokenError:
            return None
        return user if has_role(user, Role.CASHIER) else None
    user = getattr(request, "user", None)
    return user if has_role(user, Role.CASHIER) else None


def _image(request, pk: int, render, symbology=None) -> HttpResponse:
    if _staff_user(request) is None:
        return JsonResponse({"error": "Log in as staff to print labels."}, status=401)
    product = Product.objects.filter(pk=pk).first()
    if product is None:
        raise Http404("No such product.")
    response = HttpResponse(render(product), content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    if symbology is not None:
        # Tells a label printer which symbol it got (a non-ASCII SKU comes back as a QR code).
        response["X-Symbology"] = symbology(product)
    return response


@require_GET
def qr_code(request, pk: int):
    return _image(request, pk, codes.qr_png)


@require_GET
def barcode_image(request, pk: int):
    return _image(request, pk, codes.barcode_png, lambda product: codes.barcode_spec(product)[0])
