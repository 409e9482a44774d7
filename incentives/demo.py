"""Demo targets for `manage.py seed_demo`: the 2023 and 2024 plans with Loudi's defaults
(interfaces.md). Idempotent: an existing plan, edited or not, is left as it is."""

from django.db import transaction

from .models import TargetPlan
from .services import target_plan_create

DEMO_YEARS = (2023, 2024)


@transaction.atomic
def seed(*, stdout) -> str:
    created = []
    for year in DEMO_YEARS:
        if not TargetPlan.objects.filter(year=year).exists():
            target_plan_create(year=year)
            created.append(year)
    if not created:
        return "年度目标任务已存在,未做修改"
    return f"新建年度目标任务:{'、'.join(f'{y} 年' for y in created)}"
