"""Audit trails and sign-offs name people with their role and unit, not logins; the demo accounts
have people's names."""

import pytest
from django.contrib.auth import get_user_model

from loudi_portal.templatetags.portal_format import person_label
from villages import services
from villages.demo import seed_accounts
from villages.models import Role

pytestmark = pytest.mark.django_db


def test_person_label_gives_name_role_and_unit(make_user):
    clerk = make_user(Role.TOWNSHIP_CLERK, township="431302001", username="town-x")
    clerk.first_name = "刘建国"
    assert person_label(clerk) == "刘建国(乡镇填报员 · 乐坪街道)"
    reviewer = make_user(Role.COUNTY_REVIEWER, county="431302", username="county-x")
    reviewer.first_name = "王敏"
    assert person_label(reviewer) == "王敏(县级审核员 · 娄星区)"
    finance = make_user(Role.FINANCE_BUREAU, username="finance-x")
    finance.first_name = ""
    assert person_label(finance) == "finance-x(市财政局)"
    assert person_label(None, "系统") == "系统"


def test_income_history_shows_people(login, clerk, reviewer, open_period):
    open_period(2025)  # townships enter income only while the year's 填报期 is open
    clerk.first_name, reviewer.first_name = "刘建国", "王敏"
    clerk.save()
    reviewer.save()
    from villages.models import Village

    village = Village.objects.get(code="431302001001")
    report = services.income_save_and_submit(
        user=clerk,
        village=village,
        year=2025,
        data={
            "operating_revenue": "60000",
            "contracting_revenue": "0",
            "investment_income": "0",
            "subsidy_income": "0",
            "other_income": "0",
            "note": "",
        },
        version=0,
    )
    services.income_approve(user=reviewer, report=report, version=report.version)
    page = login(reviewer).get("/income/431302001001/2025/").content.decode()
    assert "刘建国(乡镇填报员 · 乐坪街道)" in page
    assert "王敏(县级审核员 · 娄星区)" in page
    assert 'class="username"' not in page


def test_seed_gives_every_account_a_persons_name(divisions):
    seed_accounts()
    User = get_user_model()
    users = list(User.objects.filter(official__isnull=False))
    assert len(users) == 4 + 5 + 89
    for user in users:
        assert user.first_name and not user.first_name.endswith(("员", "部", "局")), user.username
    assert len({u.first_name for u in users}) == len(users)
    # Accounts seeded before names existed get one; a second run changes nothing.
    town = User.objects.get(username="town-431302001")
    User.objects.filter(pk=town.pk).update(first_name="乐坪街道填报员")
    seed_accounts()
    town.refresh_from_db()
    assert town.first_name and town.first_name != "乐坪街道填报员"
    name = town.first_name
    seed_accounts()
    town.refresh_from_db()
    assert town.first_name == name
