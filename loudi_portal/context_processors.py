from django.utils.functional import SimpleLazyObject

from villages.city import UNNAMED, city_name
from villages.scope import scope_for
from villages.selectors import notification_unread_count

from .menu import menu_for


def portal_name(*, query: bool = True) -> str:
    """The portal's name: the configured city's name without its 市, then 村级集体经济管理平台."""
    name = city_name(query=query)
    return f"{'' if name == UNNAMED else name.removesuffix('市')}村级集体经济管理平台"


def portal(request) -> dict:
    names = {"portal_name": portal_name(), "city_name": city_name()}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return names
    scope = scope_for(user)
    return {
        **names,
        "scope": scope,
        "menu": menu_for(scope),
        # Counted only when a page shows the header (the bell), not for downloads or JSON.
        "unread_notifications": SimpleLazyObject(lambda: notification_unread_count(user=user)),
    }
