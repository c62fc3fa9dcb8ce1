"""Posting an admin change form the way a browser would: every field as the page shows it."""

import json


def admin_form_data(client, url: str, **overrides) -> dict:
    """The form's current values (ticked boxes as "on", unticked left out), the inlines' management
    forms, then `overrides` (a value of None unticks or removes the field)."""
    response = client.get(url)
    context = response.context
    data = {}
    for bound in context["adminform"].form:
        value = bound.value()
        if value is True:
            data[bound.name] = "on"
        elif value is False or value is None:
            continue
        elif isinstance(value, dict | list):
            data[bound.name] = json.dumps(value)
        else:
            data[bound.name] = str(value)
    for formset in context["inline_admin_formsets"]:
        prefix = formset.formset.prefix
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    for name, value in overrides.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data
