"""The dashboards' menu entry; incentives/menu.py lists it with the app's own entries."""

from loudi_portal.menu import MenuItem

MENU = [
    # The city's dashboard; a county reviewer who opens it lands on their own county's.
    MenuItem("数据看板", "dashboards:city", visible=lambda scope: scope.is_city or scope.is_county, order=5),
]
