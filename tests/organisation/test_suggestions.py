"""Suggestions: submit, triage, the city's decision and 金点子; who sees and does what."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from organisation import selectors, services
from organisation.models import Suggestion, SuggestionStatus
from tests.checks import api_refused
from villages.scope import scope_for


def submit(user, village=None, **kwargs):
    data = {
        "title": "盘活闲置小学",
        "text": "改造为研学基地",
        "category": "resources",
        "source": "village_committee",
        "author": "刘村长",
    }
    return services.suggestion_submit(user=user, village=village, **(data | kwargs))


def test_the_whole_workflow_is_kept_in_history(clerk, reviewer, city_user, village):
    s = submit(clerk, village)
    assert (s.status, s.township_id, s.county_id) == (
        SuggestionStatus.SUBMITTED,
        village.township_id,
        village.township.county_id,
    )
    assert s.code.startswith("JY") and len(s.code) == 11
    services.suggestion_triage(user=reviewer, suggestion=s, note="可行")
    services.suggestion_decide(user=city_user, suggestion=s, decision="adopted", reply="采纳,在全市推广")
    services.suggestion_publish(user=city_user, suggestion=s)
    s.refresh_from_db()
    assert s.status == SuggestionStatus.ADOPTED and s.published_at is not None
    assert [h["reason"] for h in selectors.suggestion_history(suggestion=s)] == [
        "提交建议",
        "初审",
        "市级办理:采纳",
        "发布为金点子",
    ]
    assert list(selectors.golden_ideas()) == [s]


def test_the_city_may_decide_without_triage_but_only_once(clerk, city_user, village):
    s = submit(clerk, village)
    services.suggestion_decide(user=city_user, suggestion=s, decision="declined", reply="暂不采纳")
    with pytest.raises(ValidationError, match="已办理"):
        services.suggestion_decide(user=city_user, suggestion=s, decision="adopted", reply="改为采纳")
    with pytest.raises(ValidationError, match="只有采纳或推广"):
        services.suggestion_publish(user=city_user, suggestion=s)


@pytest.mark.parametrize(
    ("field", "value"), [("title", " "), ("text", ""), ("category", "x"), ("source", "y"), ("author", "")]
)
def test_bad_input_is_refused_in_chinese_and_saves_nothing(clerk, field, value):
    with pytest.raises(ValidationError):
        submit(clerk, **{field: value})
    assert not Suggestion.objects.exists()


def test_only_the_city_decides_and_a_reply_is_required(clerk, reviewer, city_user, village):
    s = submit(clerk, village)
    with pytest.raises(PermissionDenied):
        services.suggestion_decide(user=reviewer, suggestion=s, decision="adopted", reply="好")
    with pytest.raises(ValidationError):
        services.suggestion_decide(user=city_user, suggestion=s, decision="adopted", reply=" ")
    s.refresh_from_db()
    assert s.status == SuggestionStatus.SUBMITTED


def test_triage_belongs_to_its_county_or_another_clerk_of_its_township(
    clerk, make_user, other_reviewer, reviewer, village
):
    s = submit(clerk, village)
    with pytest.raises(PermissionDenied):
        services.suggestion_triage(user=clerk, suggestion=s, note="自己初审")
    with pytest.raises(PermissionDenied):
        services.suggestion_triage(user=other_reviewer, suggestion=s, note="别县")
    colleague = make_user("township_clerk", township="431302001")
    services.suggestion_triage(user=colleague, suggestion=s, note="同乡镇初审")
    with pytest.raises(ValidationError, match="不能再初审"):
        services.suggestion_triage(user=reviewer, suggestion=s, note="再审")


def test_a_clerk_cannot_name_a_village_outside_the_township(clerk, other_village):
    with pytest.raises(PermissionDenied):
        submit(clerk, other_village)


def test_scope_city_all_county_own_township_own_and_everyone_their_own(
    clerk, other_clerk, reviewer, other_reviewer, city_user, village, other_village
):
    mine = submit(clerk, village)
    theirs = submit(other_clerk, other_village)
    citys = submit(city_user)
    assert (citys.county_id, citys.township_id) == (None, None)

    def seen(user):
        return set(selectors.suggestion_list(scope=scope_for(user), user=user))

    assert seen(city_user) == {mine, theirs, citys}
    assert seen(reviewer) == {mine}
    assert seen(other_reviewer) == {theirs}
    assert seen(clerk) == {mine}
    counts = selectors.suggestion_counts(scope=scope_for(reviewer), user=reviewer)
    assert counts["total"] == 1 and counts["by_source"]["village_committee"] == 1


def test_pages_submit_and_decide(login, clerk, city_user, village):
    client = login(clerk)
    response = client.post(
        reverse("organisation:suggestion_create"),
        {
            "title": "发展辣椒种植",
            "category": "industry",
            "source": "township_cadre",
            "author": "周干部",
            "village": village.code,
            "text": "统一品牌",
        },
    )
    s = Suggestion.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "organisation:suggestion_detail", args=[s.pk]
    )
    # The clerk sees it, but neither triages their own nor decides.
    page = client.get(response["Location"]).content.decode()
    assert "发展辣椒种植" in page and "市级办理" not in page and "初审并报市级" not in page
    client = login(city_user)
    assert "市级办理" in client.get(response["Location"]).content.decode()
    client.post(reverse("organisation:suggestion_decide", args=[s.pk]), {"decision": "promoted", "reply": "推广"})
    client.post(reverse("organisation:suggestion_publish", args=[s.pk]))
    s.refresh_from_db()
    assert s.status == SuggestionStatus.PROMOTED and s.published_at is not None
    assert "发展辣椒种植" in login(clerk).get(reverse("organisation:golden_ideas")).content.decode()


def test_api_submit_and_decide(api_login, clerk, city_user, village):
    response = api_login(clerk).post(
        "/api/suggestions/",
        {
            "title": "建立三资公开制度",
            "text": "季度公开",
            "category": "assets",
            "source": "representative",
            "author": "村民代表甲",
            "village": village.code,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    api_refused(api_login(clerk).post(f"/api/suggestions/{pk}/decide/", {"decision": "adopted", "reply": "好"}), 403)
    decided = api_login(city_user).post(f"/api/suggestions/{pk}/decide/", {"decision": "adopted", "reply": "好"})
    assert decided.status_code == 200 and decided.json()["status"] == "adopted"
    bad = api_login(clerk).post(
        "/api/suggestions/", {"title": "", "text": "x", "category": "assets", "source": "x", "author": "a"}
    )
    assert bad.status_code == 400
