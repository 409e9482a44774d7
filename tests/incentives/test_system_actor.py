"""Every write names its actor: services refuse a missing user, and commands and demo data act as the
system actor, recorded in the history as "系统" (issue: a missing user meant full rights)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from incentives import services
from incentives.models import TargetPlan
from loudi_portal.templatetags.portal_format import person
from villages.scope import scope_for
from villages.services import system_actor

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "call",
    [
        lambda: services.target_plan_create(year=2031, user=None),
        lambda: services.target_plan_import(year=2031, rows=[], user=None),
        lambda: services.acceptance_start(year=2031, user=None, enqueue=False),
    ],
)
def test_a_write_without_a_user_is_refused(call, divisions):
    with pytest.raises(PermissionDenied):
        call()
    assert not TargetPlan.objects.filter(year=2031).exists()


def test_the_user_is_a_required_argument(divisions):
    with pytest.raises(TypeError):
        services.target_plan_create(year=2031)


def test_a_clerk_may_not_create_a_plan(clerk):
    with pytest.raises(PermissionDenied):
        services.target_plan_create(year=2031, user=clerk)


def test_the_system_actor_is_city_wide_cannot_log_in_and_is_shown_as_system(client, divisions):
    actor = system_actor()
    assert system_actor().pk == actor.pk  # one account, created once
    assert not actor.has_usable_password()
    assert scope_for(actor).acts_for_system and scope_for(actor).manages_city
    assert not client.login(username="system", password="")
    plan = services.target_plan_create(year=2031, user=actor)
    assert person(plan.history.latest().history_user) == "系统"


def test_commands_record_the_system_actor(divisions, tmp_path):
    from .test_import_targets import ROWS, write

    path = write(tmp_path / "目标.xlsx", ROWS)
    call_command("import_targets", str(path), "--year", "2031", stdout=open(tmp_path / "out.txt", "w"))
    plan = TargetPlan.objects.get(year=2031)
    assert person(plan.history.earliest().history_user) == "系统"
