"""The navigation. Each app lists its own entries in `<app>/menu.py` as MENU = [MenuItem(...)],
so the base layout needs no change when an app adds a page."""

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

MENU_APPS = ("villages", "assets", "rectification", "incentives", "organisation")


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    visible: Callable = lambda scope: True
    order: int = 100


def menu_for(scope) -> list[dict]:
    items: list[MenuItem] = []
    for app in MENU_APPS:
        if importlib.util.find_spec(f"{app}.menu") is not None:
            items.extend(importlib.import_module(f"{app}.menu").MENU)
    return [
        {"label": item.label, "url": reverse(item.url_name), "url_name": item.url_name}
        for item in sorted(items, key=lambda i: i.order)
        if item.visible(scope)
    ]
