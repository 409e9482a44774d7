"""Work teams: registration, rotation with its handover, a village's complete history, scope and phones."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from organisation import selectors, services
from organisation.models import Handover, MemberRole, TeamMember, TeamTerm
from tests.checks import page_refused

from .conftest import M

D = datetime.date
ROTATION = D(2024, 4, 1)


def rotate(team, user, *, started_on=ROTATION, items=("工作日志", "帮扶项目清单"), out="张三", inc="王五"):
    return services.team_rotate(
        user=user,
        team=team,
        started_on=started_on,
        members=[M("王五", MemberRole.FIRST_SECRETARY), M("赵六", MemberRole.LEADER), M("钱七", MemberRole.MEMBER)],
        handover_items=list(items),
        outgoing_signatory=out,
        incoming_signatory=inc,
    )


def test_rotation_closes_the_term_opens_the_next_and_records_the_handover(make_team, village, city_user):
    team = make_team(village)
    term2 = rotate(team, city_user)
    term1 = TeamTerm.objects.get(team=team, number=1)
    assert term1.ended_on == D(2024, 3, 31) and term2.ended_on is None and term2.number == 2
    handover = Handover.objects.get(outgoing=term1)
    assert handover.incoming == term2 and handover.items == ["工作日志", "帮扶项目清单"]
    assert (handover.outgoing_signatory, handover.incoming_signatory) == ("张三", "王五")
    # The first term's members stay with it: the village's history is complete.
    assert sorted(TeamMember.objects.filter(term=term1).values_list("name", flat=True)) == ["张三", "李四"]
    history = selectors.village_teams(village=village)
    assert [(t.number, t.ended_on is None) for t in history] == [(2, True), (1, False)]
    assert term1.history.filter(history_change_reason="轮换离岗").exists()
    assert handover.history.get().history_user == city_user


def test_a_second_rotation_keeps_every_term(make_team, village, city_user):
    team = make_team(village)
    rotate(team, city_user)
    rotate(team, city_user, started_on=D(2026, 4, 1), out="王五", inc="孙八")
    assert list(TeamTerm.objects.filter(team=team).order_by("number").values_list("number", "ended_on")) == [
        (1, D(2024, 3, 31)),
        (2, D(2026, 3, 31)),
        (3, None),
    ]
    assert Handover.objects.filter(outgoing__team=team).count() == 2


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"items": ()}, "handover_items"),
        ({"out": " "}, "outgoing_signatory"),
        ({"inc": ""}, "incoming_signatory"),
        ({"started_on": D(2021, 6, 1)}, "started_on"),
    ],
)
def test_a_rotation_without_a_signed_list_or_a_later_date_changes_nothing(make_team, village, city_user, kwargs, field):
    team = make_team(village)
    with pytest.raises(ValidationError) as exc:
        rotate(team, city_user, **kwargs)
    assert field in exc.value.message_dict
    assert TeamTerm.objects.filter(team=team).count() == 1
    assert TeamTerm.objects.get(team=team).ended_on is None


def test_members_need_a_leader_and_at_most_one_first_secretary(city_user, village):
    for members, message in [
        ([M("甲", MemberRole.MEMBER)], "第一书记或队长"),
        ([M("甲", MemberRole.FIRST_SECRETARY), M("乙", MemberRole.FIRST_SECRETARY)], "一名第一书记"),
        ([M("甲", MemberRole.LEADER, phone="12345")], "联系电话"),
    ]:
        with pytest.raises(ValidationError, match=message):
            services.team_create(
                user=city_user,
                code="X1",
                name="队",
                dispatching_unit="单位",
                village=village,
                started_on=D(2024, 1, 1),
                members=members,
            )


def test_the_database_holds_one_open_term_per_team(make_team, village):
    team = make_team(village)
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamTerm.objects.create(team=team, number=2, started_on=D(2024, 1, 1))


def test_a_county_manages_its_own_villages_teams_only(make_team, reviewer, other_reviewer, village, clerk):
    team = make_team(village, user=reviewer)
    with pytest.raises(PermissionDenied):
        rotate(team, other_reviewer)
    with pytest.raises(PermissionDenied):
        rotate(team, clerk)


def test_lists_are_scoped(make_team, village, other_village, reviewer, other_reviewer, city_user, clerk):
    mine, theirs = make_team(village), make_team(other_village)
    from villages.scope import scope_for

    assert set(selectors.team_list(scope=scope_for(reviewer))) == {mine}
    assert set(selectors.team_list(scope=scope_for(other_reviewer))) == {theirs}
    assert set(selectors.team_list(scope=scope_for(city_user))) == {mine, theirs}
    assert set(selectors.team_list(scope=scope_for(clerk))) == {mine}


def test_phone_is_masked_outside_the_persons_county(make_team, village, login, reviewer, other_reviewer, city_user):
    team = make_team(village)
    url = reverse("organisation:team_detail", args=[team.pk])
    assert "13912345678" in login(reviewer).get(url).content.decode()
    page = login(city_user).get(url).content.decode()
    assert "13912345678" not in page and "139****5678" in page
    page_refused(login(other_reviewer).get(url), 404)


def test_the_api_masks_phones_like_the_pages(make_team, village, api_login, city_user, reviewer):
    make_team(village)
    city = api_login(city_user).get("/api/work-teams/").json()["results"][0]
    assert {m["phone"] for m in city["members"]} == {"139****5678", ""}
    own = api_login(reviewer).get("/api/work-teams/").json()["results"][0]
    assert "13912345678" in {m["phone"] for m in own["members"]}


def test_rotate_page_posts_and_shows_the_handover(make_team, village, login, city_user):
    team = make_team(village)
    client = login(city_user)
    response = client.post(
        reverse("organisation:team_rotate", args=[team.pk]),
        {
            "started_on": "2024-04-01",
            "members": "王五,第一书记,市财政局\n赵六,队员",
            "handover_items": "工作日志\n项目清单",
            "outgoing_signatory": "张三",
            "incoming_signatory": "王五",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("organisation:team_detail", args=[team.pk])).content.decode()
    assert "第 2 轮" in page and "项目清单" in page and "交出方签字 张三" in page


def test_rotate_page_shows_a_bad_role_in_chinese_and_saves_nothing(make_team, village, login, city_user):
    team = make_team(village)
    response = login(city_user).post(
        reverse("organisation:team_rotate", args=[team.pk]),
        {
            "started_on": "2024-04-01",
            "members": "王五,书记",
            "handover_items": "日志",
            "outgoing_signatory": "甲",
            "incoming_signatory": "乙",
        },
    )
    assert response.status_code == 200 and "职务“书记”应为第一书记、队长或队员" in response.content.decode()
    assert TeamTerm.objects.filter(team=team).count() == 1
