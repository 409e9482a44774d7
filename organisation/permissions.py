"""Who may do what in the organisation app: pure predicates on a `villages.scope.Scope`, asked by the
services (which refuse) and by the pages (which show only the allowed buttons)."""

from villages.models import Township, Village
from villages.scope import Level, Scope

from .models import Suggestion, SuggestionStatus


def may_manage_team(scope: Scope, village: Village) -> bool:
    """Teams are registered and rotated by the organisation department, or the county of the village."""
    if scope.is_reviewer:
        return village.township.county_id == scope.county_id
    return scope.is_org_department


def may_manage_training(scope: Scope, township: Township) -> bool:
    if scope.is_reviewer:
        return township.county_id == scope.county_id
    return scope.is_org_department


def may_record_attendance(scope: Scope, village: Village) -> bool:
    return scope.can_enter(village) or may_manage_team(scope, village)


def may_submit_suggestion(scope: Scope) -> bool:
    return scope.level != Level.NONE


def may_triage(scope: Scope, suggestion: Suggestion, user=None) -> bool:
    """The county reviewer of its county, or a clerk of its township other than the submitter."""
    if suggestion.status != SuggestionStatus.SUBMITTED:
        return False
    if scope.is_reviewer:
        return suggestion.county_id == scope.county_id
    if scope.is_clerk:
        own = user is not None and suggestion.submitted_by_id == user.pk
        return suggestion.township_id == scope.township_id and not own
    return False


def may_decide(scope: Scope) -> bool:
    return scope.is_org_department


def suggestion_actions(scope: Scope, suggestion: Suggestion, user) -> dict[str, bool]:
    decided = suggestion.status in (SuggestionStatus.ADOPTED, SuggestionStatus.PROMOTED, SuggestionStatus.DECLINED)
    return {
        "triage": may_triage(scope, suggestion, user),
        "decide": may_decide(scope) and not decided,
        "publish": may_decide(scope)
        and suggestion.status in (SuggestionStatus.ADOPTED, SuggestionStatus.PROMOTED)
        and suggestion.published_at is None,
    }
