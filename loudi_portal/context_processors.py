from villages.city import city_name
from villages.scope import scope_for

from .menu import menu_for


def portal_name() -> str:
    """The portal's name: the configured city's name without its 市, then 村级集体经济管理平台."""
    return f"{city_name().removesuffix('市')}村级集体经济管理平台"


def portal(request) -> dict:
    names = {"portal_name": portal_name(), "city_name": city_name()}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return names
    scope = scope_for(user)
    return {**names, "scope": scope, "menu": menu_for(scope)}
