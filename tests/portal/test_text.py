"""Wording officials read every day: open filters say 全部, the 2024 rule is dated 2024."""

import pytest

pytestmark = pytest.mark.django_db


def test_filter_dropdowns_say_all_not_dashes(login, reviewer):
    client = login(reviewer)
    for path in ("/income/?year=2025", "/assets/", "/rectification/clues/", "/villages/"):
        page = client.get(path).content.decode()
        assert '<option value="" selected>全部</option>' in page, path
        assert "---------" not in page, path


def test_contracting_hint_dates_the_rule_from_2024(login, clerk, open_period):
    open_period(2025)  # entry is open only in the year's reporting period
    page = login(clerk).get("/income/431302001001/2025/edit/").content.decode()
    assert "自 2024 年起应为 0" in page
    assert "2025 年起应为 0" not in page
