"""Forms of the customers admin: recording a payment into a customer's account."""

from __future__ import annotations

import inspect

from django import forms

from customers import services
from customers.models import CustomerPayment
from shared.backoffice import DateInput, DecimalText

KEEP_EXCESS = "keep_excess_as_credit"


def service_keeps_excess() -> bool:
    """Whether record_payment takes `keep_excess_as_credit` (overpayment refused unless asked)."""
    return KEEP_EXCESS in inspect.signature(services.record_payment).parameters


class RecordPaymentForm(forms.Form):
    amount = DecimalText()
    method = forms.ChoiceField(choices=CustomerPayment.Method.choices, initial=CustomerPayment.Method.CASH)
    reference = forms.CharField(
        required=False, max_length=100, help_text="Card slip or transfer reference, if any."
    )
    note = forms.CharField(required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if service_keeps_excess():
            self.fields[KEEP_EXCESS] = forms.BooleanField(
                required=False,
                label="Keep any excess as store credit",
                help_text="Without this, paying more than the customer owes is refused.",
            )

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        arguments = {
            "amount": data["amount"],
            "method": data["method"],
            "reference": data["reference"],
            "note": data["note"],
        }
        if KEEP_EXCESS in self.fields:
            arguments[KEEP_EXCESS] = data[KEEP_EXCESS]
        return arguments


class StatementPeriodForm(forms.Form):
    date_from = forms.DateField(label="From", widget=DateInput)
    date_to = forms.DateField(label="To", widget=DateInput)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "The end date is before the start date.")
        return data
