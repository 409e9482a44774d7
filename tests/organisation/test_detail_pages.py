"""The detail pages of the organisation app (one record of the user's scope, by id): a record in
scope shows; one outside it, or none, is a 404 saying which record was not found and showing
nothing of it; a form posted to such a page is refused the same way and changes nothing."""

import pytest
from django.urls import reverse

from organisation import services
from organisation.models import TeamTerm
from tests.checks import page_refused

pytestmark = pytest.mark.django_db


def test_a_team_outside_the_scope_is_not_found(make_team, village, other_village, login, reviewer):
    mine, theirs = make_team(village), make_team(other_village)
    client = login(reviewer)
    page = client.get(reverse("organisation:team_detail", args=[mine.pk])).content.decode()
    assert mine.name in page and "张三" in page
    url = reverse("organisation:team_detail", args=[theirs.pk])
    page_refused(client.get(url), 404, reason="没有找到该工作队。", hides=[theirs.name, theirs.code])
    rotate = reverse("organisation:team_rotate", args=[theirs.pk])
    page_refused(client.post(rotate, {"started_on": "2025-01-01"}), 404, reason="没有找到该工作队。")
    assert TeamTerm.objects.filter(team=theirs).count() == 1


def test_a_refused_rotation_shows_the_team_again_with_the_form(make_team, village, login, reviewer):
    team = make_team(village)
    response = login(reviewer).post(reverse("organisation:team_rotate", args=[team.pk]), {"started_on": "x"})
    assert response.status_code == 200
    assert response.context["team"] == team and response.context["rotate_form"].errors
    assert TeamTerm.objects.filter(team=team).count() == 1


def test_a_suggestion_of_another_township_is_not_found(login, clerk, other_clerk, village):
    suggestion = services.suggestion_submit(
        user=clerk,
        village=village,
        title="盘活闲置小学",
        text="改造为研学基地",
        category="resources",
        source="village_committee",
        author="刘村长",
    )
    url = reverse("organisation:suggestion_detail", args=[suggestion.pk])
    assert "盘活闲置小学" in login(clerk).get(url).content.decode()
    page_refused(login(other_clerk).get(url), 404, reason="没有找到该建议。", hides=["盘活闲置小学", "刘村长"])


def test_a_survey_that_does_not_exist_is_not_found(login, city_user):
    response = login(city_user).get(reverse("organisation:survey_detail", args=[999999]))
    page_refused(response, 404, reason="没有找到该调研。")
