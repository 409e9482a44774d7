"""Password guessing is slowed: 10 failures lock an account from one address for 15 minutes (the
login page says so in Chinese, the token endpoint answers 429), the attempts are in the admin, the
API is throttled, tokens expire, and the demo accounts can be unlocked by seed_demo."""

from datetime import datetime, timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import UserRateThrottle

from tests.checks import api_refused
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOCKED = "登录失败次数过多"


def _login_page(client, username, password, ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_ten_wrong_passwords_lock_the_login_form_for_that_account_and_address(client, clerk, settings):
    assert settings.AXES_FAILURE_LIMIT == 10 and settings.AXES_COOLOFF_TIME == timedelta(minutes=15)
    for _ in range(9):
        response = _login_page(client, clerk.username, "wrong")
        assert response.status_code == 200 and LOCKED not in response.content.decode()
    response = _login_page(client, clerk.username, "wrong")
    assert response.status_code == 429
    html = response.content.decode()
    assert "登录失败次数过多,该账号已在本机暂时锁定,请 15 分钟后再试" in html and "<form" in html
    # Even the right password is refused now, from that address; another address still logs in.
    assert _login_page(client, clerk.username, PASSWORD).status_code == 429
    assert _login_page(client, clerk.username, PASSWORD, ip="10.0.0.2").status_code == 302
    # After the cool-off the account logs in again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _login_page(client, clerk.username, PASSWORD).status_code == 302


def test_the_token_endpoint_counts_failures_and_answers_429(clerk):
    api = APIClient(REMOTE_ADDR="10.0.0.3")
    for _ in range(9):
        api_refused(api.post("/api/auth/token/", {"username": clerk.username, "password": "x"}), 400)
    response = api.post("/api/auth/token/", {"username": clerk.username, "password": "x"})
    assert response.status_code == 429 and LOCKED in response.json()["detail"]
    response = api.post("/api/auth/token/", {"username": clerk.username, "password": PASSWORD})
    assert response.status_code == 429 and not Token.objects.filter(user=clerk).exists()
    attempt = AccessAttempt.objects.get(username=clerk.username)
    assert attempt.ip_address == "10.0.0.3" and attempt.failures_since_start >= 10


def test_the_token_endpoint_is_rate_limited_per_address(clerk):
    api = APIClient(REMOTE_ADDR="10.0.0.4")
    answers = [
        api.post("/api/auth/token/", {"username": f"nobody-{n}", "password": "x"}).status_code for n in range(31)
    ]
    assert answers[:30] == [400] * 30 and answers[30] == 429


def test_the_attempts_are_listed_in_the_admin(client, clerk, admin_user, login):
    _login_page(client, clerk.username, "wrong")
    page = login(admin_user).get("/admin/axes/accessattempt/")
    assert page.status_code == 200 and clerk.username in page.content.decode()


def test_the_api_is_throttled(api_login, city_user, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "3/minute"})
    api = api_login(city_user)
    answers = [api.get("/api/counties/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]


def test_tokens_expire_and_a_new_one_is_issued(clerk, settings):
    assert settings.API_TOKEN_TTL_DAYS == 30
    api = APIClient()
    issued = api.post("/api/auth/token/", {"username": clerk.username, "password": PASSWORD}).json()
    # Compared as instants: the answer is in Asia/Shanghai, a date taken in UTC differs after 16:00.
    expires_at = datetime.fromisoformat(issued["expires_at"])
    assert abs(expires_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    api.credentials(HTTP_AUTHORIZATION=f"Token {issued['token']}")
    assert api.get("/api/counties/").status_code == 200
    Token.objects.filter(key=issued["token"]).update(created=timezone.now() - timedelta(days=30, minutes=1))
    response = api.get("/api/counties/")
    assert response.status_code in (401, 403) and "令牌已过期" in response.json()["detail"]
    renewed = APIClient().post("/api/auth/token/", {"username": clerk.username, "password": PASSWORD}).json()
    assert renewed["token"] != issued["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {renewed['token']}")
    assert api.get("/api/counties/").status_code == 200


def test_behind_a_proxy_the_proxys_address_counts_and_spoofed_ones_do_not(client, clerk, settings):
    from loudi_portal.security import client_ip

    class Request:
        META = {"REMOTE_ADDR": "10.9.9.9", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 172.16.0.7"}

    settings.BEHIND_PROXY = False
    assert client_ip(Request()) == "10.9.9.9"
    settings.BEHIND_PROXY = True
    assert client_ip(Request()) == "172.16.0.7"


def test_seed_demo_unlocks_the_demo_accounts(divisions, client):
    AccessAttempt.objects.create(
        username="town-431302001", ip_address="127.0.0.1", user_agent="", failures_since_start=10
    )
    AccessAttempt.objects.create(username="somebody", ip_address="127.0.0.1", user_agent="", failures_since_start=10)
    call_command("seed_demo")
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["somebody"]
    response = _login_page(client, "town-431302001", "demo12345", ip="127.0.0.1")
    assert response.status_code == 302


def test_the_token_endpoint_answers_400_to_a_body_that_is_not_an_object():
    # Found by the schema fuzz run: a JSON list as the body was a server error.
    response = APIClient().post("/api/auth/token/", [None, None], format="json")
    body = api_refused(response, 400, says="该字段是必填项")
    assert set(body) == {"username", "password"} and not Token.objects.exists()
