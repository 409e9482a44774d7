"""The prefecture (地级市) the portal serves. Its code is configured once (settings.PORTAL_CITY_CODE);
its name comes from the loaded divisions (the City row `load_divisions` writes)."""

from django.conf import settings

CITY_CODE: str = settings.PORTAL_CITY_CODE
# What a page shows before `load_divisions` has run.
UNNAMED = "本市"

# A per-process cache: the name is read once; `load_divisions` refreshes it in its own process and
# the app servers pick a renamed city up on restart.
_names: dict[str, str] = {}


def city_name(*, query: bool = True) -> str:
    """The configured city's name, as `load_divisions` recorded it. With query=False (the error
    page) only what this process already knows, never a database query."""
    name = _names.get(CITY_CODE)
    if name is None and not query:
        return UNNAMED
    if name is None:
        from .models import City

        name = City.objects.filter(code=CITY_CODE).values_list("name", flat=True).first()
        if name is None:
            return UNNAMED
        _names[CITY_CODE] = name
    return name


def city_name_remember(*, code: str, name: str) -> None:
    _names[code] = name
