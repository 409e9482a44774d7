from loudi_portal.menu import MenuItem

from .selectors import can_view

MENU = [
    # A county reviewer who opens the city's dashboard lands on their own county's.
    MenuItem("数据看板", "dashboards:city", visible=can_view, order=5),
    MenuItem("目标任务", "incentives:plan_list", visible=can_view, order=60),
    MenuItem("年终验收", "incentives:run_list", visible=can_view, order=61),
    MenuItem("年度解锁", "incentives:year_unlock", visible=lambda scope: scope.administers, order=95),
]
