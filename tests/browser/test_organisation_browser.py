"""The organisation department's suggestion path in a real browser: a township clerk submits a
suggestion (建言献策), the city adopts it with a reply and publishes it as a 金点子, and the clerk
reads it on the 金点子 page."""

import pytest

from organisation.models import Suggestion, SuggestionStatus
from villages.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VILLAGE = "431302001001"  # 街心社区, 乐坪街道, 娄星区


def test_clerk_submits_a_suggestion_and_the_city_adopts_it(browser_page, make_user, divisions):
    make_user(Role.TOWNSHIP_CLERK, township="431302001", username="town-431302001")
    make_user(Role.CITY_ORG, username="city")
    page = browser_page.page

    # 1. The clerk submits a suggestion from the menu.
    browser_page.login("town-431302001")
    page.click("nav.mainnav a:text('建言献策')")
    page.wait_for_load_state("networkidle")
    page.click("a:text('我要献策')")
    page.wait_for_load_state("networkidle")
    page.fill("input[name=title]", "盘活闲置村小建研学基地")
    page.select_option("select[name=category]", "resources")
    page.select_option("select[name=source]", "township_cadre")
    page.fill("input[name=author]", "周干部")
    page.select_option("select[name=village]", VILLAGE)
    page.fill("textarea[name=text]", "把闲置多年的村小修缮为农耕文化研学基地,由村集体经济合作社统一运营。")
    page.click("button[type=submit]:text('提交')")
    page.wait_for_load_state("networkidle")
    assert "建议已提交" in page.locator(".messages").inner_text()
    suggestion = Suggestion.objects.get()
    assert suggestion.status == SuggestionStatus.SUBMITTED and suggestion.village.code == VILLAGE
    browser_page.screenshot("organisation-1-clerk-suggestion")
    browser_page.assert_no_errors()
    browser_page.logout()

    # 2. The city finds it in the list, adopts it with a reply and publishes it.
    browser_page.login("city")
    page.click("nav.mainnav a:text('建言献策')")
    page.wait_for_load_state("networkidle")
    page.click("a:text('盘活闲置村小建研学基地')")
    page.wait_for_load_state("networkidle")
    page.check("input[name=decision][value=adopted]")
    page.fill("textarea[name=reply]", "建议可行,请娄星区结合实际推进。")
    page.click("#decide-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "已办理:采纳" in page.locator(".messages").inner_text()
    assert page.locator("#suggestion-status").inner_text() == "采纳"
    page.click("button:text('发布为金点子')")
    page.wait_for_load_state("networkidle")
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.ADOPTED and suggestion.published_at is not None
    browser_page.screenshot("organisation-2-city-adopted")
    browser_page.assert_no_errors()
    browser_page.logout()

    # 3. The clerk reads it among the 金点子.
    browser_page.login("town-431302001")
    page.click("nav.mainnav a:text('金点子')")
    page.wait_for_load_state("networkidle")
    assert "盘活闲置村小建研学基地" in page.content()
    assert "建议可行,请娄星区结合实际推进。" in page.content()
    browser_page.assert_no_errors()
