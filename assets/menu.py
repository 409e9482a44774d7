from loudi_portal.menu import MenuItem


def _any_role(scope) -> bool:
    return scope.has_scope


MENU = [
    MenuItem("三资台账", "assets:asset_list", visible=_any_role, order=30),
    MenuItem("合同预警", "assets:warning_list", visible=_any_role, order=31),
    MenuItem("资产盘活", "assets:revitalisation_summary", visible=_any_role, order=32),
]
