"""A version of each app's data, changed by every write to its tables, so that figures kept in the
cache are keyed by the versions of the data they were computed from and are never served after a
change to it as if they were current: a page whose figures take long to compute may show its last
ones after a write, saying when they were computed, while a Celery task computes the new ones
(`cached(..., recompute=...)`).

The writes are seen where SQL is executed (an execute wrapper on every database connection), not
in each service: bulk updates, imports, commands, Celery tasks and the admin all count, and no app
needs to know which caches read its tables (villages imports nothing of this). A write bumps its
app's version at once (a reader in another transaction may then compute from the data not yet
committed and keep it under the new version) and again when its transaction commits, which
replaces what such a reader kept.

    figures = cached("dashboards:city:2024", apps=("villages", "rectification"), compute=city_page)
"""

from __future__ import annotations

import itertools
import logging
import re
import time
from collections.abc import Callable, Iterable
from functools import partial

from celery import current_app
from django.apps import apps as django_apps
from django.conf import settings
from django.core.cache import cache

# The apps whose tables the cached figures read.
TRACKED_APPS = ("villages", "assets", "rectification", "incentives", "organisation")
# Tables of those apps that no cached figure reads and that are written often (a user reading a
# notification must not throw away the city's dashboard).
UNTRACKED_TABLES = frozenset({"villages_notification"})
KEY_PREFIX = "data-version:"
# Long enough to outlive any cached figure: a version that is evicted or expires is simply new.
VERSION_SECONDS = 7 * 24 * 3600

_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z0-9_]+)"?', re.IGNORECASE)
_tables: dict[str, str] | None = None
_counter = itertools.count()
logger = logging.getLogger(__name__)


def _app_of_table() -> dict[str, str]:
    global _tables
    if _tables is None:
        _tables = {
            model._meta.db_table: model._meta.app_label
            for model in django_apps.get_models(include_auto_created=True)
            if model._meta.app_label in TRACKED_APPS and model._meta.db_table not in UNTRACKED_TABLES
        }
    return _tables


def _token() -> str:
    # Unique across processes and restarts: the clock, then a counter for writes in the same instant.
    return f"{time.time_ns():x}.{next(_counter)}"


def bump(*app_labels: str) -> None:
    cache.set_many({KEY_PREFIX + label: _token() for label in app_labels}, VERSION_SECONDS)


def version(*app_labels: str) -> str:
    """The versions of these apps' data as one string, for a cache key (one cache read)."""
    keys = [KEY_PREFIX + label for label in app_labels]
    found = cache.get_many(keys)
    missing = {key: _token() for key in keys if key not in found}
    if missing:
        cache.set_many(missing, VERSION_SECONDS)
        found.update(missing)
    return "-".join(found[key] for key in keys)


def cached(
    key: str,
    *,
    apps: Iterable[str],
    compute: Callable[[], object],
    timeout: int,
    refresh: bool = False,
    as_of: str = "",
    recompute: tuple[str, dict] | None = None,
):
    """compute(), kept under `key`, `as_of` (e.g. the day) and the versions of `apps` for `timeout`
    seconds; `refresh` computes it again whatever is kept.

    With `recompute` (the name and keyword arguments of a Celery task that computes the same
    figures with `refresh`; queued by name, so that no app imports its own tasks), a change to the
    data does not make the next reader wait: the value last kept under `key`, whatever its versions
    or day, is returned with "recomputing" set while the task runs, for at most
    settings.FIGURES_STALE_SECONDS from the moment it was queued. The value must then be a dict
    carrying the time it was computed, which the page shows. Past that (no worker, or one far
    behind), when nothing was ever kept, and unless settings.FIGURES_RECOMPUTED_BY_WORKER (a
    worker sharing the cache; not where tasks run in-process, as in development and most tests,
    where the task would be this very computation), the reader computes them."""
    apps = tuple(apps)
    full_key = f"{key}:{as_of}:{version(*apps)}"
    value = None if refresh else cache.get(full_key)
    if value is not None:
        return value
    if recompute is not None and not refresh and settings.FIGURES_RECOMPUTED_BY_WORKER:
        last = _last_while_recomputing(key, full_key, recompute)
        if last is not None:
            return last
    value = compute()
    cache.set(full_key, value, timeout)
    if recompute is not None:
        cache.set(f"{key}:last", value, LAST_SECONDS)
        cache.delete(f"{key}:queued")
    return value


# How long the last figures are kept to be shown while new ones are computed: a day, so that the
# first reader of the morning waits no more than one after a write. How long a reader may be shown
# them is settings.FIGURES_STALE_SECONDS.
LAST_SECONDS = 26 * 3600


def _queue(name: str, kwargs: dict) -> None:
    current_app.send_task(name, kwargs=kwargs)


def _last_while_recomputing(key: str, full_key: str, recompute: tuple[str, dict]) -> dict | None:
    last = cache.get(f"{key}:last")
    if last is None:
        return None
    now, queued_key, stale_seconds = time.time(), f"{key}:queued", settings.FIGURES_STALE_SECONDS
    queued = cache.get(queued_key)
    if queued is not None and now - queued > stale_seconds:
        return None  # no worker, or one far behind: the reader computes them
    # Queued once for all readers (cache.add is atomic across servers).
    if queued is None and cache.add(queued_key, now, stale_seconds * 2):
        try:
            _queue(*recompute)
        except Exception:  # no broker: the reader computes them itself
            logger.exception("无法排队重算 %s", key)
            cache.delete(queued_key)
            return None
    return {**last, "recomputing": True}


def _watch_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    match = _WRITE.match(sql) if isinstance(sql, str) else None
    label = match and _app_of_table().get(match.group(1))
    if label:
        _written(context["connection"], label)
    return result


def _written(connection, label: str) -> None:
    bump(label)
    if not connection.in_atomic_block:
        return
    # Once more at commit; one callback per app and transaction (a rolled-back one drops it).
    pending = connection.__dict__.setdefault("_data_version_pending", {})
    callback = pending.get(label)
    if callback is None or not any(entry[1] is callback for entry in connection.run_on_commit):
        callback = partial(bump, label)
        pending[label] = callback
        connection.on_commit(callback)


def watch_connection(*, connection, **kwargs) -> None:
    """connection_created receiver: watch the new connection's writes (once per connection)."""
    if _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch_writes)
