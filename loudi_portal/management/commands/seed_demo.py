import importlib
import importlib.util
import time

from axes.models import AccessAttempt
from django.core.management.base import BaseCommand
from django.db.models import Q

# Each app's demo data, in dependency order. An app's `demo.seed(stdout=...)` is idempotent.
DEMO_APPS = ("villages", "assets", "rectification", "incentives", "organisation")
DEMO_USERNAMES = ("admin", "city", "agri", "finance")


class Command(BaseCommand):
    help = "创建演示数据与演示账号(密码 demo12345)。可重复执行。"

    def handle(self, *args, **options):
        for app in DEMO_APPS:
            if importlib.util.find_spec(f"{app}.demo") is None:
                continue
            started = time.monotonic()
            summary = importlib.import_module(f"{app}.demo").seed(stdout=self.stdout)
            self.stdout.write(f"[{app}] {summary}({time.monotonic() - started:.1f} 秒)")
        # A demo account locked by mistyped passwords (django-axes) is usable again.
        unlocked, _ = AccessAttempt.objects.filter(
            Q(username__in=DEMO_USERNAMES) | Q(username__startswith="county-") | Q(username__startswith="town-")
        ).delete()
        if unlocked:
            self.stdout.write(f"已解除 {unlocked} 条演示账号的登录失败记录。")
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
