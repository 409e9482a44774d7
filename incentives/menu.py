import importlib.util

from loudi_portal.menu import MenuItem

from .selectors import can_view

MENU = [
    MenuItem("目标任务", "incentives:plan_list", visible=can_view, order=60),
    MenuItem("年终验收", "incentives:run_list", visible=can_view, order=61),
    MenuItem("年度解锁", "incentives:year_unlock", visible=lambda scope: scope.is_admin, order=95),
]

# loudi_portal.menu reads the apps' menus; the dashboards live inside this app, so their entries
# (incentives/dashboards/menu.py, if it exists) are listed from here.
if importlib.util.find_spec("incentives.dashboards.menu") is not None:
    from .dashboards.menu import MENU as DASHBOARD_MENU

    MENU = [*MENU, *DASHBOARD_MENU]
