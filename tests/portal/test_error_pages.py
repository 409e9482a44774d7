"""The 403, 404, 500 and CSRF-failure pages: Chinese, in the portal's layout, with DEBUG off."""

import logging
import re

import pytest
from django.test import Client

from villages.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def debug_off(settings):
    settings.DEBUG = False


def test_403_shows_the_reason_the_view_gave(login, clerk):
    response = login(clerk).post("/incentives/runs/start/", {"year": 2024})
    assert response.status_code == 403
    page = response.content.decode()
    assert "没有权限执行该操作" in page
    assert "只有市委组织部可以进行此操作。" in page
    assert 'class="mainnav"' in page  # the portal's layout, with the user's menu
    assert "Forbidden" not in page


def test_404_is_chinese_and_hides_django_messages(login, make_user):
    other = make_user(Role.TOWNSHIP_CLERK, township="431302001")  # 乐坪街道, not 杉山镇
    response = login(other).get("/assets/village/431302100210/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在或不在您的查看范围内" in page
    assert "Not Found" not in page and "matches the given query" not in page
    assert "返回首页" in page


def test_404_of_an_unknown_address_for_a_visitor_offers_login():
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and "/accounts/login/?next=/no-such-page/" in page


def test_500_shows_a_reference_that_is_in_the_log(login, clerk, monkeypatch, caplog):
    from villages import views

    def broken(self, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.HomeView, "get_context_data", broken)
    client = login(clerk)
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="loudi_portal.errors"):
        response = client.get("/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "服务器内部错误" in page
    reference = re.search(r'class="error-ref">([0-9A-F]{12})<', page).group(1)
    logged = [r for r in caplog.records if r.name == "loudi_portal.errors"]
    assert len(logged) == 1 and reference in logged[0].getMessage()
    assert logged[0].exc_info[0] is RuntimeError


def test_csrf_failure_is_chinese_and_changes_nothing(clerk):
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk)
    response = client.post("/income/bulk/submit/", {"year": 2025, "township": "431302001"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "页面已过期,操作未执行" in page and "数据没有改动" in page
    assert "CSRF verification failed" not in page
