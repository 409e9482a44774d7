"""Absurd and malformed amounts are a Chinese field or row error, never a 500; a blank on submit is
an error, a draft may keep it (issue: one money parser)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from loudi_portal.money import OUT_OF_RANGE
from villages import services
from villages.models import IncomeReport

from .conftest import figures
from .test_excel import row, upload, xlsx

pytestmark = pytest.mark.django_db


def _post(client, village, **data):
    url = reverse("income:report_edit", args=[village.code, 2024])
    return client.post(url, {**figures(), "version": 0, **data})


@pytest.mark.parametrize(
    "typed, message",
    [
        ("1e26", "科学计数法"),
        ("1000000000000", OUT_OF_RANGE),
        ("12,34", "千分位"),
        ("1 000", "空格"),
    ],
)
def test_the_entry_form_refuses_in_chinese(login, clerk, village, typed, message):
    response = _post(login(clerk), village, operating_revenue=typed)
    assert response.status_code == 200
    assert message in response.context["form"].errors["operating_revenue"][0]
    assert not IncomeReport.objects.filter(village=village).exists()


def test_full_width_and_chinese_commas_are_read(login, clerk, village):
    _post(login(clerk), village, operating_revenue="１２，３４５．６７", action="draft")
    assert str(IncomeReport.objects.get(village=village).operating_revenue) == "12345.67"


def test_a_blank_on_submit_is_an_error_a_draft_keeps_it_blank(login, clerk, village):
    client = login(clerk)
    response = _post(client, village, other_income="", action="submit")
    assert response.context["form"].errors["other_income"] == ["请填写其他收入,没有此项收入请填 0。"]
    assert not IncomeReport.objects.filter(village=village).exists()
    with pytest.raises(ValidationError) as error:
        services.income_save_and_submit(
            user=clerk, village=village, year=2024, data={**figures(), "subsidy_income": ""}, version=None
        )
    assert error.value.message_dict["subsidy_income"] == ["请填写补助收入,没有此项收入请填 0。"]
    _post(client, village, other_income="", action="draft")
    assert IncomeReport.objects.get(village=village).other_income is None


def test_the_api_refuses_absurd_numbers_with_400(api_login, clerk, village):
    api = api_login(clerk)
    for value in (1e26, "1e5", "12,34"):
        response = api.post(
            "/api/incomes/", {**figures(operating_revenue=value), "village": village.code, "year": 2024}, format="json"
        )
        assert response.status_code == 400, value
        assert "operating_revenue" in response.json()
    assert not IncomeReport.objects.filter(village=village).exists()


def test_an_upload_with_1e30_is_a_row_error(login, clerk, village):
    content = xlsx([row(village, operating=1e30), row(village, year=2023, subsidy="1e5")])
    response = upload(login(clerk), content)
    assert response.status_code == 200
    html = response.content.decode()
    assert OUT_OF_RANGE in html and "科学计数法" in html
    assert not IncomeReport.objects.filter(village=village).exists()
