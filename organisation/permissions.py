"""Who may do what in the organisation app: pure predicates on a `villages.scope.Scope`, asked by the
services (which refuse) and by the pages (which show only the allowed buttons)."""

from villages.models import Township, Village
from villages.scope import Scope

from .models import Suggestion, SuggestionStatus


def may_manage_team(scope: Scope, village: Village) -> bool:
    """Teams are registered and rotated by the organisation department, or the county of the village."""
    return scope.can_manage_cadres(village.township)


def may_manage_training(scope: Scope, township: Township) -> bool:
    return scope.can_manage_cadres(township)


def may_record_attendance(scope: Scope, village: Village) -> bool:
    return scope.can_enter(village) or may_manage_team(scope, village)


def may_submit_suggestion(scope: Scope) -> bool:
    return scope.has_scope


def may_triage(scope: Scope, suggestion: Suggestion, user=None) -> bool:
    """The county reviewer of its county, or a clerk of its township other than the submitter."""
    if suggestion.status != SuggestionStatus.SUBMITTED:
        return False
    return scope.can_triage(
        county_id=suggestion.county_id,
        township_id=suggestion.township_id,
        own=user is not None and suggestion.submitted_by_id == user.pk,
    )


def may_decide(scope: Scope) -> bool:
    return scope.manages_city


def suggestion_actions(scope: Scope, suggestion: Suggestion, user) -> dict[str, bool]:
    decided = suggestion.status in (SuggestionStatus.ADOPTED, SuggestionStatus.PROMOTED, SuggestionStatus.DECLINED)
    return {
        "triage": may_triage(scope, suggestion, user),
        "decide": may_decide(scope) and not decided,
        "publish": may_decide(scope)
        and suggestion.status in (SuggestionStatus.ADOPTED, SuggestionStatus.PROMOTED)
        and suggestion.published_at is None,
    }
