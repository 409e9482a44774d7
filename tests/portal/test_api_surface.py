"""The API's description is for logged-in users; year filters accept only 2000–2100; the schema
tells the truth where it used to be wrong; X-Forwarded-Proto is believed only behind our proxy."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.checks import api_refused
from tests.villages.test_commands import _manage

pytestmark = pytest.mark.django_db


def test_schema_and_docs_require_login(client, login, clerk):
    for path in ("/api/schema/", "/api/schema/?format=json"):
        response = APIClient().get(path)  # answered in the schema's own format, YAML or JSON
        assert response.status_code == 403, response.status_code
        body = response.content.decode()
        assert "身份认证信息未提供" in body and "paths" not in body and "/api/villages/" not in body
    for path in ("/api/docs/", "/api/redoc/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client = login(clerk)
    for path in ("/api/schema/", "/api/docs/"):
        assert client.get(path).status_code == 200
    assert client.get("/api/redoc/")["Location"] == "/api/docs/"


@pytest.mark.parametrize(
    "path",
    [
        "/api/inspections/?year=10000",
        "/api/inspections/?year=1999",
        "/api/incomes/?year=10000",
        "/api/acceptance-runs/?year=10000",
        "/api/target-plans/?year=-1",
        "/api/inspections/?year=abc",
    ],
)
def test_year_filters_outside_2000_to_2100_answer_400(api_login, city_user, path):
    response = api_login(city_user).get(path)
    assert response.status_code == 400, response.content
    assert "年度" in str(response.json())


def test_a_year_filter_on_a_page_gives_an_empty_list_with_the_message(login, reviewer):
    response = login(reviewer).get(reverse("rectification:inspection_list"), {"year": "10000"})
    assert response.status_code == 200
    assert "年度应在 2000 到 2100 之间" in response.content.decode()


def test_the_schema_matches_the_responses(login, clerk):
    schema = login(clerk).get("/api/schema/?format=json").json()
    villages = schema["paths"]["/api/acceptance-runs/{id}/villages/"]["get"]
    assert villages["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "PaginatedVillageResultList"
    )
    warning = schema["components"]["schemas"]["Clue"]["properties"]["warning_code"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in warning["oneOf"]
    report = schema["components"]["schemas"]["IncomeReport"]["properties"]
    assert all(report[name]["nullable"] for name in ("submitted_by", "approved_by", "returned_by"))


@pytest.mark.parametrize(("behind_proxy", "expected"), [("", "None"), ("1", "('HTTP_X_FORWARDED_PROTO', 'https')")])
def test_the_forwarded_proto_header_is_trusted_only_behind_our_proxy(behind_proxy, expected):
    env = {
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "a-long-random-secret-key-for-the-test-only-0123456789-abcdefghijklmnop",
        "DJANGO_ALLOWED_HOSTS": "portal.loudi.gov.cn",
    }
    if behind_proxy:
        env["DJANGO_BEHIND_PROXY"] = behind_proxy
    result = _manage(
        "shell", "-c", "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)", env_extra=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


def test_a_malformed_id_in_the_path_is_404_not_500(api_login, city_user):
    # Found by the schema fuzz run: Django's get_object_or_404 raised ValueError on "null,null".
    body = api_refused(api_login(city_user).get("/api/assessment-runs/null,null/scores/"), 404, says="未找到")
    assert set(body) == {"detail"}


def test_an_api_path_no_view_matches_answers_json(api_login, city_user, client):
    # Found by the schema fuzz run: an id the router does not match got the HTML 404 page.
    response = api_login(city_user).get("/api/assets/1,5/x/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "未找到该接口或记录。"}
    assert "<html" in client.get("/villages/no-such-page/").content.decode()  # pages keep the HTML page


def test_an_api_404_says_not_found_in_chinese_and_keeps_a_views_chinese_reason():
    from django.http import Http404

    from loudi_portal.api import exception_handler

    django_text = exception_handler(Http404("No Village matches the given query."), {})
    assert (django_text.status_code, django_text.data) == (404, {"detail": "未找到。"})
    reason = exception_handler(Http404("该村本年度尚未填报。"), {})
    assert (reason.status_code, reason.data) == (404, {"detail": "该村本年度尚未填报。"})
