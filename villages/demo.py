"""Demo divisions and accounts (password demo12345) for `manage.py seed_demo`."""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from .models import County, Official, Role, Township
from .services import divisions_load

DEMO_PASSWORD = "demo12345"


@transaction.atomic
def seed_accounts() -> int:
    """admin, city, agri, finance, county-<code>, town-<code>. Existing accounts are left alone."""
    User = get_user_model()
    # One hash for every demo account: hashing ~100 passwords one by one takes half a minute.
    password = make_password(DEMO_PASSWORD)
    wanted: list[tuple[str, str, dict, dict]] = [
        ("admin", "系统管理员", {"role": Role.ADMIN}, {"is_staff": True, "is_superuser": True}),
        ("city", "市委组织部", {"role": Role.CITY_ORG}, {}),
        ("agri", "市农业农村局", {"role": Role.AGRI_BUREAU}, {}),
        ("finance", "市财政局", {"role": Role.FINANCE_BUREAU}, {}),
    ]
    for county in County.objects.all():
        wanted.append(
            (f"county-{county.code}", f"{county.name}审核员", {"role": Role.COUNTY_REVIEWER, "county": county}, {})
        )
    for township in Township.objects.select_related("county"):
        wanted.append(
            (f"town-{township.code}", f"{township.name}填报员", {"role": Role.TOWNSHIP_CLERK, "township": township}, {})
        )
    existing = set(User.objects.filter(username__in=[w[0] for w in wanted]).values_list("username", flat=True))
    created = 0
    for username, display, official, flags in wanted:
        if username in existing:
            continue
        user = User.objects.create(username=username, first_name=display, password=password, **flags)
        Official.objects.create(user=user, **official)
        created += 1
    return created


def seed(*, stdout) -> str:
    divisions = divisions_load()
    accounts = seed_accounts()
    return f"区划:{divisions};新建账号 {accounts} 个"
