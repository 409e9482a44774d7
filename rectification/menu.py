from loudi_portal.menu import MenuItem


def _any_role(scope) -> bool:
    return scope.has_scope


MENU = [
    MenuItem("问题线索", "rectification:clue_list", visible=_any_role, order=40),
    MenuItem("检查记录", "rectification:inspection_list", visible=_any_role, order=41),
    MenuItem("自查自纠", "rectification:campaign_list", visible=_any_role, order=42),
    MenuItem("整改率", "rectification:rates", visible=_any_role, order=43),
    MenuItem("软弱涣散党组织", "rectification:weak_org_list", visible=_any_role, order=44),
]
