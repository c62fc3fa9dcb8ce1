import pytest
from django.test import Client
from graphql_jwt.shortcuts import get_token

from products import services as product_services
from purchasing import services
from purchasing.models import PurchaseOrder, Stocktake, StockTransfer
from purchasing.services import SupplierReturnLineRequest, TransferLineRequest
from tests.products.factories import LocationFactory, ProductFactory, SupplierFactory
from tests.purchasing.factories import D, draft_order, ordered, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def test_admin_pages_render_and_refuse_direct_adds(client, manager, location):
    purchase_order = ordered(manager)
    receipt = receive(manager, purchase_order, [(purchase_order.lines.get(), "2")])
    stocktake = services.start_stocktake(user=manager)

    for url in (
        "/admin/purchasing/purchaseorder/",
        f"/admin/purchasing/purchaseorder/{purchase_order.pk}/change/",
        f"/admin/purchasing/purchasereceipt/{receipt.pk}/change/",
        "/admin/purchasing/stocktake/",
        f"/admin/purchasing/stocktake/{stocktake.pk}/change/",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/purchasing/purchaseorder/add/").status_code == 403


def test_admin_order_action_goes_through_the_service_and_reports_refusals(client, manager, location):
    draft, cancelled = draft_order(manager), draft_order(manager)
    services.cancel_purchase_order(user=manager, purchase_order_id=cancelled.pk)

    response = client.post(
        "/admin/purchasing/purchaseorder/",
        {"action": "order_selected", "_selected_action": [draft.pk, cancelled.pk]},
        follow=True,
    )

    texts = [str(m) for m in response.context["messages"]]
    draft.refresh_from_db()
    assert draft.status == PurchaseOrder.Status.ORDERED and draft.number
    assert any("already been ordered" in text for text in texts)
    assert PurchaseOrder.objects.get(pk=cancelled.pk).number is None


def test_admin_finalize_action_zeroes_uncounted_stock(client, manager, location):
    tea, soap = ProductFactory(), ProductFactory()
    for product in (tea, soap):
        product_services.receive_stock(
            user=manager, product=product, location=location, quantity=D("3"), unit_cost=D("1.00")
        )
    stocktake = services.start_stocktake(user=manager)
    services.record_count(user=manager, stocktake_id=stocktake.pk, product_id=tea.pk, counted=D("3"))

    client.post(
        "/admin/purchasing/stocktake/",
        {"action": "finalize_zeroing_uncounted", "_selected_action": [stocktake.pk]},
    )

    assert Stocktake.objects.get(pk=stocktake.pk).status == Stocktake.Status.FINALIZED
    assert soap.stock_levels.get().quantity == D("0")


def test_admin_receive_transfer_action_books_it_in_full(client, manager, location):
    warehouse = LocationFactory()
    tea = ProductFactory()
    product_services.receive_stock(
        user=manager, product=tea, location=location, quantity=D("3"), unit_cost=D("1")
    )
    transfer = services.send_transfer(
        user=manager,
        from_location_id=None,
        to_location_id=warehouse.pk,
        lines=[TransferLineRequest(tea.pk, D("2"))],
    )
    supplier_return = services.return_to_supplier(
        user=manager,
        supplier_id=SupplierFactory().pk,
        lines=[SupplierReturnLineRequest(tea.pk, D("1"), "dented")],
    )

    client.post(
        "/admin/purchasing/stocktransfer/", {"action": "receive_in_full", "_selected_action": [transfer.pk]}
    )

    assert StockTransfer.objects.get(pk=transfer.pk).status == StockTransfer.Status.RECEIVED
    assert tea.stock_levels.get(location=warehouse).quantity == D("2")
    for url in (
        f"/admin/purchasing/stocktransfer/{transfer.pk}/change/",
        f"/admin/purchasing/supplierreturn/{supplier_return.pk}/change/",
    ):
        assert client.get(url).status_code == 200, url


def test_printable_purchase_order_and_csv_for_managers_only(manager, cashier, location):
    tea = ProductFactory(sku="TEA", name="=HYPERLINK(1)")
    purchase_order = ordered(manager, lines=[(tea, "3", "2.50")])
    as_manager = {"HTTP_AUTHORIZATION": f"JWT {get_token(manager)}"}

    page = Client().get(f"/purchasing/orders/{purchase_order.number}/", **as_manager)
    sheet = Client().get(f"/purchasing/orders/{purchase_order.pk}/csv", **as_manager)
    refused = Client().get(
        f"/purchasing/orders/{purchase_order.pk}/", HTTP_AUTHORIZATION=f"JWT {get_token(cashier)}"
    )

    assert page.status_code == 200
    assert purchase_order.number in page.content.decode() and "7.50" in page.content.decode()
    assert sheet.content.decode().splitlines() == [
        "sku,product,quantity,unit_cost,line_total,received",
        "TEA,'=HYPERLINK(1),3,2.50,7.50,0",
    ]
    assert refused.status_code == 403
