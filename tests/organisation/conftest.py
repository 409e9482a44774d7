import datetime

import pytest

from organisation import services
from organisation.models import MemberRole
from villages.models import Village

M = services.MemberInput


@pytest.fixture
def village(divisions):
    """A village of 乐坪街道 (431302001), 娄星区."""
    return Village.objects.filter(township__code="431302001").order_by("code").first()


@pytest.fixture
def other_village(divisions):
    """A village of 新化县 (431322)."""
    return Village.objects.filter(township__county__code="431322").order_by("code").first()


@pytest.fixture
def make_team(city_user):
    counter = {"n": 0}

    def _make(village, *, user=None, started_on=datetime.date(2021, 6, 1), phone="13912345678"):
        counter["n"] += 1
        return services.team_create(
            user=user or city_user,
            code=f"T{counter['n']:03d}",
            name=f"测试工作队{counter['n']}",
            dispatching_unit="市财政局",
            village=village,
            started_on=started_on,
            members=[M("张三", MemberRole.FIRST_SECRETARY, "市财政局科长", phone), M("李四", MemberRole.MEMBER)],
        )

    return _make
