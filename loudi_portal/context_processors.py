from villages.scope import scope_for

from .menu import menu_for


def portal(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"portal_name": "娄底村级集体经济管理平台"}
    scope = scope_for(user)
    return {"portal_name": "娄底村级集体经济管理平台", "scope": scope, "menu": menu_for(scope)}
