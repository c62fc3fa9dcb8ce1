"""The admin index leads a manager to the dashboard and the back-office pages."""

import pytest

pytestmark = pytest.mark.django_db


def test_admin_index_links_dashboard_and_back_office_pages(client, manager):
    client.force_login(manager)

    response = client.get("/admin/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="/admin/dashboard/" id="dashboard-link">Dashboard</a>' in html
    for url in (
        "/admin/products/product/receive-stock/",
        "/admin/products/product/adjust-stock/",
        "/admin/products/product/transfer-stock/",
        "/admin/products/product/?stock=low",
        "/admin/products/product/?expiry=30",
    ):
        assert f'href="{url}"' in html
    assert client.get("/admin/dashboard/").status_code == 200


def test_admin_index_still_lists_the_apps(client, admin_user):
    client.force_login(admin_user)

    html = client.get("/admin/").content.decode()

    assert 'href="/admin/accounts/user/"' in html and 'href="/admin/sales/sale/"' in html
