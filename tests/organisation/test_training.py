"""Directed training and 全员培训: the figures, per-village graduates, scope and checks."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from organisation import selectors, services
from organisation.models import StudentStatus
from villages.models import Township, Village
from villages.scope import Level, Scope, scope_for

S = services.StudentInput


@pytest.fixture
def leping(divisions):
    return Township.objects.get(code="431302001")


def test_training_figures(city_user, reviewer, leping):
    villages = list(Village.objects.filter(township=leping).order_by("code")[:3])
    add = lambda **kw: services.student_save(user=city_user, data=S(township=leping, major="农村经营管理", **kw))  # noqa: E731
    add(name="甲", enrolled_year=2020, graduated_year=2023, village=villages[0], status=StudentStatus.SERVING)
    add(name="乙", enrolled_year=2020, graduated_year=2023, village=villages[1], status=StudentStatus.LEFT)
    add(name="丙", enrolled_year=2021, graduated_year=2024, status=StudentStatus.AWAITING)
    add(name="丁", enrolled_year=2023)
    session = services.session_create(
        user=city_user,
        title="全员培训一期",
        kind="all_staff",
        organiser="市委党校",
        started_on=datetime.date(2023, 3, 6),
        ended_on=datetime.date(2023, 3, 8),
        hours=Decimal("24"),
    )
    services.attendance_record(user=reviewer, session=session, village=villages[0], name="王书记", position="both")
    services.attendance_record(user=reviewer, session=session, village=villages[1], name="李书记", position="secretary")
    figures = selectors.training_figures(scope=scope_for(city_user))
    assert {k: figures[k] for k in ("trained", "graduated", "assigned", "serving", "studying", "trainees")} == {
        "trained": 4,
        "graduated": 3,
        "assigned": 2,
        "serving": 1,
        "studying": 1,
        "trainees": 2,
    }
    assert figures["villages_with_graduate"] == 1
    assert figures["villages_without_graduate"] == Village.objects.count() - 1
    flags = {v.pk: v.has_graduate for v in selectors.villages_coverage(scope=scope_for(reviewer))}
    assert flags[villages[0].pk] is True and flags[villages[1].pk] is False
    assert selectors.training_figures(scope=scope_for(reviewer))["trained"] == 4
    other = Scope(
        role="county_reviewer", level=Level.COUNTY, county_id=Township.objects.get(code="431322001").county_id
    )
    assert selectors.training_figures(scope=other)["trained"] == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"status": StudentStatus.SERVING, "graduated_year": 2023}, "village"),
        ({"status": StudentStatus.STUDYING, "graduated_year": 2023}, "status"),
        ({"status": StudentStatus.AWAITING}, "graduated_year"),
        ({"graduated_year": 2020, "status": StudentStatus.AWAITING}, "graduated_year"),
        ({"phone": "123"}, "phone"),
    ],
)
def test_inconsistent_students_are_refused(city_user, leping, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        services.student_save(
            user=city_user, data=S(name="甲", township=leping, enrolled_year=2020, major="x", **kwargs)
        )
    assert field in exc.value.message_dict


def test_a_county_registers_only_its_own_students_and_a_clerk_none(other_reviewer, clerk, leping):
    for user in (other_reviewer, clerk):
        with pytest.raises(PermissionDenied):
            services.student_save(user=user, data=S(name="甲", township=leping, enrolled_year=2022, major="x"))


def test_attendance_hours_within_the_session(city_user, clerk, leping):
    session = services.session_create(
        user=city_user,
        title="一期",
        kind="all_staff",
        organiser="市委党校",
        started_on=datetime.date(2023, 3, 6),
        ended_on=datetime.date(2023, 3, 8),
        hours=Decimal("24"),
    )
    village = Village.objects.filter(township=leping).first()
    with pytest.raises(ValidationError):
        services.attendance_record(
            user=clerk, session=session, village=village, name="甲", position="both", hours=Decimal("25")
        )
    services.attendance_record(user=clerk, session=session, village=village, name="甲", position="both")
    with pytest.raises(ValidationError, match="已在该培训班"):
        services.attendance_record(user=clerk, session=session, village=village, name="甲", position="both")


def test_the_city_opens_a_class_and_a_clerk_records_its_villages_attendance(login, city_user, clerk, leping):
    from django.urls import reverse

    from organisation.models import Attendance, TrainingSession

    response = login(city_user).post(
        reverse("organisation:session_create"),
        {
            "title": "全员培训二期",
            "kind": "all_staff",
            "organiser": "市委党校",
            "started_on": "2023-04-03",
            "ended_on": "2023-04-05",
            "hours": "24",
        },
    )
    assert response.status_code == 302
    session = TrainingSession.objects.get()
    village = Village.objects.filter(township=leping).first()
    client = login(clerk)
    url = reverse("organisation:attendance_create")
    response = client.post(url, {"session": session.pk, "village": village.code, "name": "刘书记", "position": "both"})
    assert response.status_code == 302 and Attendance.objects.get().hours == Decimal("24.0")
    other = Village.objects.exclude(township=leping).first()
    response = client.post(url, {"session": session.pk, "village": other.code, "name": "外乡", "position": "both"})
    assert response.status_code == 200 and Attendance.objects.count() == 1
    refused = login(clerk).post(
        reverse("organisation:session_create"),
        {
            "title": "乡镇自办班",
            "kind": "topic",
            "organiser": "乐坪街道",
            "started_on": "2023-04-03",
            "ended_on": "2023-04-03",
            "hours": "4",
        },
    )
    assert "培训班由市委组织部登记" in refused.content.decode()
    assert TrainingSession.objects.count() == 1
