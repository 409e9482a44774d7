"""Who may do what with a clue, an inspection or a weak organisation.

Predicates on a clue's or organisation's state combined with the user's rights, which come from
`villages.scope.Scope` (the one place that reads roles and divisions): the services enforce them
(raising PermissionDenied) and the pages ask them which buttons to show, so both always agree.
"""

from villages.models import Village
from villages.scope import Scope

from .models import Clue, ClueSource, ClueStatus, WeakOrgStatus, WeakPartyOrganisation


def may_create_clue(scope: Scope, village: Village, source: str) -> bool:
    """Clerks record what their own villages found (自查自纠); inspectors record everything else."""
    if source == ClueSource.SELF:
        return scope.can_enter(village)
    return scope.can_record_inspection(village=village)


def may_work(scope: Scope, clue: Clue) -> bool:
    """Only the township clerk works a clue (measures, evidence), while it is not yet under review."""
    return clue.status in (ClueStatus.PENDING, ClueStatus.IN_PROGRESS) and scope.can_enter(clue.village)


def may_start(scope: Scope, clue: Clue) -> bool:
    return clue.status == ClueStatus.PENDING and scope.can_enter(clue.village)


def may_request_acceptance(scope: Scope, clue: Clue) -> bool:
    return clue.status == ClueStatus.IN_PROGRESS and scope.can_enter(clue.village)


def may_verify(scope: Scope, clue: Clue) -> bool:
    """The county reviewer of the clue's county, or the city, closes or rejects it."""
    return clue.status == ClueStatus.AWAITING and scope.can_review(clue.village)


def may_manage_weak_org(scope: Scope, village: Village) -> bool:
    """Listing, planning and 对账销号 belong to the county reviewer (own county) and the city."""
    return scope.can_review(village)


def may_report_weak_org_progress(scope: Scope, organisation: WeakPartyOrganisation) -> bool:
    return organisation.status == WeakOrgStatus.RECTIFYING and (
        scope.can_enter(organisation.village) or scope.can_review(organisation.village)
    )


def clue_actions(scope: Scope, clue: Clue) -> dict[str, bool]:
    """What the user may do with the clue now: the detail page shows exactly these forms."""
    return {
        "start": may_start(scope, clue),
        "work": may_work(scope, clue),
        "request": may_request_acceptance(scope, clue),
        "verify": may_verify(scope, clue),
    }
