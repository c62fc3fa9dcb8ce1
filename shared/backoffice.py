"""Back-office pages in the Django admin: a form whose submit calls exactly one service.

Each page is reached through a ModelAdmin's `get_urls` wrapped in `admin_site.admin_view` (login,
staff, CSRF, no caching), checks the role the matching GraphQL mutation needs, and on submit calls
the service. The service is one transaction, so a refusal (`DomainError`) has changed nothing; its
errors are shown on the form: on the field the GraphQL input name maps to, else above the form.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from shared.errors import DomainError
from shared.roles import Role, has_role

SERVICE_FORM_TEMPLATE = "admin/pos/service_form.html"
_CAMEL_BOUNDARY = re.compile(r"(?<!^)(?=[A-Z])")


def form_field_for(form: forms.Form, graphql_field: str | None) -> str | None:
    """The form field a service error's GraphQL input name (`unitCost`, `productId`) stands for."""
    if not graphql_field:
        return None
    snake = _CAMEL_BOUNDARY.sub("_", graphql_field).lower()
    for candidate in (snake, snake.removesuffix("_id")):
        if candidate in form.fields:
            return candidate
    return None


def add_domain_errors(form: forms.Form, error: DomainError) -> None:
    """Put each of the refusal's errors on its field, or above the form when no field matches."""
    for detail in error.errors:
        form.add_error(form_field_for(form, detail.field), detail.message)


def check_through_service(form: forms.Form, call: Callable[[], object]) -> None:
    """Run `call` (the service the admin's save will make) in a savepoint that is always rolled
    back, so its refusals land on the form's fields before anything is saved."""
    try:
        with transaction.atomic():
            call()
            transaction.set_rollback(True)
    except DomainError as error:
        add_domain_errors(form, error)
    except ValidationError as error:
        by_field = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
        for name, errors in by_field.items():
            form.add_error(name if name in form.fields else None, errors)


class DecimalText(forms.CharField):
    """An amount or quantity typed as text: the service's own parser decides (one rule everywhere)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "size": 12}))
        super().__init__(**kwargs)


class DateInput(forms.DateInput):
    input_type = "date"


def model_admin_changelist(model_admin) -> str:
    opts = model_admin.model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")


def service_form_page(
    model_admin,
    request,
    *,
    form: forms.Form,
    title: str,
    submit_label: str,
    perform: Callable[[dict], str],
    success_url: str | Callable[[dict], str],
    minimum_role: Role = Role.MANAGER,
    summary: list[tuple[str, object]] | None = None,
    intro: str = "",
    obj=None,
) -> TemplateResponse | HttpResponseRedirect:
    """Render `form`; on a valid POST call `perform(cleaned_data)` (one service call).

    `perform` returns the success message. A `DomainError` re-renders the form with its errors and
    nothing written; success redirects to `success_url` (or `success_url(cleaned_data)`) with the
    message (post/redirect/get).
    """
    if not has_role(request.user, minimum_role):
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        try:
            message = perform(form.cleaned_data)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            model_admin.message_user(request, message, messages.SUCCESS)
            return HttpResponseRedirect(
                success_url(form.cleaned_data) if callable(success_url) else success_url
            )
    opts = model_admin.model._meta
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "subtitle": None,
        "opts": opts,
        "app_label": opts.app_label,
        "original": obj,
        "form": form,
        "submit_label": submit_label,
        "summary": summary or [],
        "intro": intro,
        "cancel_url": model_admin_changelist(model_admin) if callable(success_url) else success_url,
        "media": model_admin.media + form.media,
    }
    return TemplateResponse(request, SERVICE_FORM_TEMPLATE, context)
