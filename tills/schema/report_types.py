"""GraphQL types of the X/Z shift report and the cash variance per cashier."""

from __future__ import annotations

import graphene

from shared.graphql import Money, Rate
from shared.money import to_decimal
from tills.models import ShiftPosting
from tills.schema.types import ShiftType


class PostingFiguresType(graphene.ObjectType):
    """Count and sums of one kind of document posted to a shift (signed: money into the shop is positive)."""

    count = graphene.Int(required=True)
    total = Money(required=True, description="Document totals (refunds and voids negative).")
    discount = Money(required=True)
    tax = Money(required=True)
    cash = Money(required=True, description="Cash into the drawer, net of change.")
    card = Money(required=True)
    transfer = Money(required=True)
    on_account = Money(required=True, description="Charged to customer accounts (credit sales).")
    store_credit = Money(required=True, description="Store credit spent (positive) or given (negative).")
    exchange = Money(required=True, description="Value of goods taken back in exchanges.")


class TaxRateFiguresType(graphene.ObjectType):
    """Net tax at one rate over a shift: sales less voids and refunds."""

    rate = Rate(required=True, description='Tax rate as a fraction, e.g. "0.0750".')
    taxable = Money(required=True, description="Amount taxed at this rate, tax excluded.")
    tax = Money(required=True)


class TenderFiguresType(graphene.ObjectType):
    """Expected against counted for one tender."""

    tender = graphene.String(required=True, description="cash, card or transfer.")
    expected = Money(description="Null in a blind view.")
    counted = Money(description="Null until counted.")
    variance = Money(description="counted - expected; null until closed or in a blind view.")


class ShiftReportType(graphene.ObjectType):
    """An X report (open shift, live, changes nothing) or the Z report (closed, fixed at close)."""

    shift = graphene.Field(ShiftType, required=True)
    is_z = graphene.Boolean(required=True, description="True once closed: the figures are the fixed Z.")
    is_blind = graphene.Boolean(
        required=True, description="The cashier's own open shift: expected figures withheld until counted."
    )
    z_number = graphene.Int(description="Gapless per register, assigned at close.")
    opening_float = Money(required=True)
    expected_cash = Money(description="Opening float + net cash postings + pay-ins - pay-outs - drops.")
    counted_cash = Money()
    variance = Money(description="countedCash - expectedCash, once closed.")
    sales = graphene.Field(PostingFiguresType, required=True)
    voids = graphene.Field(PostingFiguresType, required=True)
    refunds = graphene.Field(PostingFiguresType, required=True)
    account_payments = graphene.Field(PostingFiguresType, required=True, description="Payments on account.")
    exchange_differences = graphene.Field(PostingFiguresType, required=True)
    pay_ins = Money(required=True)
    pay_outs = Money(required=True)
    drops = Money(required=True)
    tenders = graphene.List(graphene.NonNull(TenderFiguresType), required=True)
    tax_by_rate = graphene.List(
        graphene.NonNull(TaxRateFiguresType),
        required=True,
        description="Net tax per rate, lowest rate first; the taxes add up to the tax of sales, voids and refunds.",
    )

    @staticmethod
    def _figures(report, kind):
        if report.is_z and report.shift.z_report:
            row = report.shift.z_report["kinds"][kind]
            return PostingFiguresType(**row)
        figures = report.summary.kind(kind)
        return PostingFiguresType(
            count=figures.count,
            **{name: getattr(figures, name) for name in PostingFiguresType._meta.fields if name != "count"},
        )

    def resolve_shift(report, info):
        return report.shift

    def resolve_z_number(report, info):
        return report.shift.z_number

    def resolve_opening_float(report, info):
        return report.shift.opening_float

    def resolve_counted_cash(report, info):
        return report.shift.counted_cash

    def resolve_sales(report, info):
        return ShiftReportType._figures(report, ShiftPosting.Kind.SALE)

    def resolve_voids(report, info):
        return ShiftReportType._figures(report, ShiftPosting.Kind.VOID)

    def resolve_refunds(report, info):
        return ShiftReportType._figures(report, ShiftPosting.Kind.REFUND)

    def resolve_account_payments(report, info):
        return ShiftReportType._figures(report, ShiftPosting.Kind.ACCOUNT_PAYMENT)

    def resolve_exchange_differences(report, info):
        return ShiftReportType._figures(report, ShiftPosting.Kind.EXCHANGE_DIFFERENCE)

    def resolve_pay_ins(report, info):
        return report.shift.z_report["pay_ins"] if report.is_z else report.summary.pay_ins

    def resolve_pay_outs(report, info):
        return report.shift.z_report["pay_outs"] if report.is_z else report.summary.pay_outs

    def resolve_drops(report, info):
        return report.shift.z_report["drops"] if report.is_z else report.summary.drops

    def resolve_tax_by_rate(report, info):
        if report.is_z and report.shift.z_report:
            rows = report.shift.z_report.get("tax_by_rate", [])  # absent from a Z closed before tax rows
            return [TaxRateFiguresType(**row) for row in rows]
        return [
            TaxRateFiguresType(rate=row.rate, taxable=row.taxable, tax=row.tax)
            for row in report.summary.tax_by_rate
        ]

    def resolve_tenders(report, info):
        counted = report.shift.counted_by_tender or {}
        rows = []
        for name in ("cash", "card", "transfer"):
            expected = report.expected_tender(name)
            count = report.shift.counted_cash if name == "cash" else counted.get(name)
            rows.append(
                TenderFiguresType(
                    tender=name,
                    expected=expected,
                    counted=count,
                    variance=None
                    if count is None or expected is None or not report.is_z
                    else to_decimal(count) - expected,
                )
            )
        return rows


class CashierVarianceType(graphene.ObjectType):
    """Counted-cash variance of one cashier's closed shifts over a period."""

    cashier_id = graphene.ID(required=True)
    username = graphene.String(required=True)
    shift_count = graphene.Int(required=True)
    variance = Money(required=True, description="Net variance; negative means the drawers were short.")
    short = Money(required=True, description="Sum of the shortfalls, as a positive amount.")
    over = Money(required=True, description="Sum of the surpluses.")
    pending_count = graphene.Int(required=True, description="Closes still waiting for a manager.")
