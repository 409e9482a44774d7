import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from villages.models import County, Official, Township, Village

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_load_divisions_is_idempotent(divisions, capsys):
    call_command("load_divisions")
    assert "新增 0 条,更新 0 条" in capsys.readouterr().out
    assert (County.objects.count(), Township.objects.count(), Village.objects.count()) == (5, 89, 2107)


def test_load_divisions_repairs_a_changed_name(divisions):
    Village.objects.filter(code="431302001001").update(name="错误名称")
    call_command("load_divisions")
    assert Village.objects.get(code="431302001001").name == "街心社区"


def test_seed_demo_accounts(divisions):
    call_command("seed_demo")
    call_command("seed_demo")  # twice is fine
    User = get_user_model()
    assert User.objects.filter(username__startswith="town-").count() == 89
    assert User.objects.filter(username__startswith="county-").count() == 5
    for name in ("admin", "city", "agri", "finance"):
        assert User.objects.get(username=name).check_password("demo12345")
    clerk = Official.objects.get(user__username="town-431302001")
    assert clerk.township.name == "乐坪街道"


def _manage(*args, env_extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(env_extra)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def test_production_refuses_to_start_without_secrets():
    result = _manage("check", env_extra={"DJANGO_ENV": "production"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_passes_deploy_check():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra={
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": "a-long-random-secret-key-for-the-test-only-0123456789-abcdefghijklmnop",
            "DJANGO_ALLOWED_HOSTS": "portal.loudi.gov.cn",
        },
    )
    assert result.returncode == 0, result.stderr + result.stdout
