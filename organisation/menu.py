from loudi_portal.menu import MenuItem


def _any_role(scope) -> bool:
    return scope.has_scope


def _city_or_county(scope) -> bool:
    return scope.oversees


MENU = [
    MenuItem("驻村工作队", "organisation:team_list", visible=_any_role, order=60),
    MenuItem("干部培养", "organisation:training", visible=_any_role, order=61),
    MenuItem("建言献策", "organisation:suggestion_list", visible=_any_role, order=62),
    MenuItem("金点子", "organisation:golden_ideas", visible=_any_role, order=63),
    MenuItem("评估调研", "organisation:survey_list", visible=_city_or_county, order=64),
    MenuItem("考核", "organisation:assessment_list", visible=_city_or_county, order=65),
]
