"""The entry page's live total reads amounts by the same grammar as the server: income.js's parser
runs through the same table of cases (tests/portal/money_cases.json) as parse_yuan, in chromium."""

import json
from pathlib import Path

import pytest
from django.urls import reverse

from villages.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CASES = json.loads((Path(__file__).parents[1] / "portal" / "money_cases.json").read_text(encoding="utf-8"))
VILLAGE = "431302001001"


def test_income_js_follows_the_money_grammar(browser_page, make_user, divisions, open_period):
    open_period(2023)  # the entry form opens only in the year's reporting period
    make_user(Role.TOWNSHIP_CLERK, township="431302001", username="town-431302001")
    browser_page.login("town-431302001")
    browser_page.goto(reverse("income:report_edit", args=[VILLAGE, 2023]))
    page = browser_page.page
    to_cents = "texts => texts.map(t => { const c = window.LoudiMoney.toCents(t); return isNaN(c) ? null : c; })"
    accepted = [case["text"] for case in CASES["accepted"]]
    assert page.evaluate(to_cents, accepted) == [case["cents"] for case in CASES["accepted"]]
    assert page.evaluate(to_cents, CASES["blank"]) == [0] * len(CASES["blank"])
    refused = [case["text"] for case in CASES["refused"]]
    assert page.evaluate(to_cents, refused) == [None] * len(refused)
    # The live total shows the refusal instead of summing "1 000" as 1000.
    page.fill("input[name=operating_revenue]", "1 000")
    assert page.text_content("#income-total") == "—"
    assert "invalid" in page.get_attribute("input[name=operating_revenue]", "class")
    browser_page.assert_no_errors()
