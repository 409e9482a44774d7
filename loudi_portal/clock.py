"""The portal's one clock. Every "today" (deadlines, periods, default years, file names, demo data)
is Loudi's calendar day, whatever zone the server runs in, and comes from `today()` here; every
timestamp a service writes (submitted, approved, closed at …) comes from `now()`; a test that
needs another day patches `loudi_portal.clock.now` (every date follows) or `loudi_portal.clock.today`.
Callers import the module (`from loudi_portal import clock`, then `clock.today()`) so a patch reaches
them. tests/portal/test_clock.py scans the source for any other reading of the date.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> datetime.datetime:
    """This instant, timezone-aware (UTC)."""
    return timezone.now()


def today() -> datetime.date:
    """Today's date in Loudi (Asia/Shanghai)."""
    return timezone.localtime(now(), SHANGHAI).date()
