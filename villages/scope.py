"""The one place that decides what a user may see and do.

Every view, API endpoint, export and search narrows its queryset with `scope_for(user).filter(...)`
and asks `Scope` before it writes. No view filters by division on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from django.db.models import Model, Q, QuerySet

from .city import city_name
from .models import CITY_ROLES, County, Official, Role, Township, Village


class Level(StrEnum):
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"
    NONE = "none"


@dataclass(frozen=True)
class Scope:
    role: str | None
    level: Level
    county_id: int | None = None
    township_id: int | None = None
    name: str = ""
    system: bool = False  # the system actor of commands and demo data (see SYSTEM_USERNAME)

    # --- who is this -------------------------------------------------------------------------
    @property
    def is_city(self) -> bool:
        return self.level == Level.CITY

    @property
    def is_county(self) -> bool:
        return self.level == Level.COUNTY

    @property
    def is_township(self) -> bool:
        return self.level == Level.TOWNSHIP

    @property
    def is_clerk(self) -> bool:
        return self.role == Role.TOWNSHIP_CLERK

    @property
    def is_reviewer(self) -> bool:
        return self.role == Role.COUNTY_REVIEWER

    @property
    def is_org_department(self) -> bool:
        return self.role in (Role.CITY_ORG, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else "无角色"

    # --- what may they see -------------------------------------------------------------------
    def q(self, path: str = "village") -> Q:
        """The scope as a Q object on any relation path to a Village: "" for Village itself,
        "village" for most ledgers, "clues__village" from an inspection, and so on."""
        prefix = f"{path}__" if path else ""
        if self.level == Level.CITY:
            return Q()
        if self.level == Level.COUNTY:
            return Q(**{f"{prefix}township__county_id": self.county_id})
        if self.level == Level.TOWNSHIP:
            return Q(**{f"{prefix}township_id": self.township_id})
        return Q(pk__in=[])

    def filter(self, queryset: QuerySet, village: str = "village") -> QuerySet:
        """Narrow any queryset to the user's scope (`village`: the lookup path to its Village)."""
        if self.level == Level.NONE:
            return queryset.none()
        return queryset.filter(self.q(village))

    def q_township(self, path: str) -> Q:
        """The scope on a relation path to a Township (e.g. an inspection's "townships")."""
        if self.level == Level.CITY:
            return Q()
        if self.level == Level.COUNTY:
            return Q(**{f"{path}__county_id": self.county_id})
        if self.level == Level.TOWNSHIP:
            return Q(**{path: self.township_id})
        return Q(pk__in=[])

    def q_county(self, path: str) -> Q:
        """The user's county on a relation path to a County (a clerk's county is his township's)."""
        if self.level == Level.CITY:
            return Q()
        if self.level in (Level.COUNTY, Level.TOWNSHIP):
            return Q(**{f"{path}_id": self.county_id})
        return Q(pk__in=[])

    def villages(self) -> QuerySet[Village]:
        return self.filter(Village.objects.select_related("township__county"), village="")

    def townships(self) -> QuerySet[Township]:
        qs = Township.objects.select_related("county")
        if self.level == Level.CITY:
            return qs
        if self.level == Level.COUNTY:
            return qs.filter(county_id=self.county_id)
        if self.level == Level.TOWNSHIP:
            return qs.filter(pk=self.township_id)
        return qs.none()

    def counties(self) -> QuerySet[County]:
        if self.level == Level.CITY:
            return County.objects.all()
        if self.level == Level.COUNTY:
            return County.objects.filter(pk=self.county_id)
        if self.level == Level.TOWNSHIP:
            return County.objects.filter(townships=self.township_id)
        return County.objects.none()

    def q_unit(self, *, county: str = "county", township: str = "township") -> Q:
        """The scope on rows that name their own county and township (not a village): the city
        sees all; a county the rows of its county, whether or not they name a township; a township
        its own rows."""
        if self.level == Level.CITY:
            return Q()
        if self.level == Level.COUNTY:
            return Q(**{f"{county}_id": self.county_id})
        if self.level == Level.TOWNSHIP:
            return Q(**{f"{township}_id": self.township_id})
        return Q(pk__in=[])

    def for_county(self, county: County) -> Scope:
        """This scope narrowed to one county, never widened: a city-wide scope becomes that
        county's (same role); a county's own county or a township inside it stays as it is; a
        county the user may not see leaves nothing."""
        if self.level == Level.CITY:
            return replace(self, level=Level.COUNTY, county_id=county.pk, township_id=None, name=county.name)
        if self.level in (Level.COUNTY, Level.TOWNSHIP) and self.county_id == county.pk:
            return self
        return NO_SCOPE

    def for_township(self, township: Township) -> Scope:
        """This scope narrowed to one township, never widened (see for_county)."""
        if self.level == Level.CITY or (self.level == Level.COUNTY and township.county_id == self.county_id):
            return replace(
                self,
                level=Level.TOWNSHIP,
                county_id=township.county_id,
                township_id=township.pk,
                name=township.name,
            )
        if self.level == Level.TOWNSHIP and self.township_id == township.pk:
            return self
        return NO_SCOPE

    def own_division_ids(self) -> tuple[int | None, int | None]:
        """(county id, township id) of where the user works, for a record that belongs there: a
        clerk's county and township, a reviewer's county and no township, neither for the city."""
        return self.county_id, self.township_id

    def covers_village(self, village: Village) -> bool:
        if self.level == Level.CITY:
            return True
        if self.level == Level.COUNTY:
            return village.township.county_id == self.county_id
        if self.level == Level.TOWNSHIP:
            return village.township_id == self.township_id
        return False

    def covers(self, obj: Model, village: str = "village") -> bool:
        """Whether a single object (a ledger row, a clue) lies inside the scope."""
        return self.filter(type(obj)._default_manager.filter(pk=obj.pk), village=village).exists()

    # --- what may they do --------------------------------------------------------------------
    # Every page, API action, form and service asks these instead of reading the role or the level.

    @property
    def sees_city(self) -> bool:
        """City-wide figures (the city row, every county): the city's roles and the administrator."""
        return self.is_city

    @property
    def sees_one_county(self) -> bool:
        """A county reviewer: one county's figures."""
        return self.is_county

    @property
    def sees_one_township(self) -> bool:
        """A township clerk: one township's villages."""
        return self.is_township

    @property
    def has_scope(self) -> bool:
        """Any official with a division: may use the shared lists (clues, inspections, 三资)."""
        return self.level != Level.NONE

    @property
    def oversees(self) -> bool:
        """City or county officials: dashboards and acceptance pages, inspections, clues raised
        from contract warnings."""
        return self.is_city or self.is_county

    @property
    def acts_for_system(self) -> bool:
        """The system actor of a command (import_incomes may load approved past years)."""
        return self.system

    @property
    def administers(self) -> bool:
        """The system administrator: unlocking a closed year."""
        return self.is_admin

    def can_enter(self, village: Village) -> bool:
        """Township clerks enter data for the villages of their own township only."""
        return self.is_clerk and village.township_id == self.township_id

    def can_enter_township(self, township: Township) -> bool:
        return self.is_clerk and township.pk == self.township_id

    @property
    def enters_data(self) -> bool:
        """A township clerk: enters income, 三资 and rectification for the township's villages."""
        return self.is_clerk

    def can_review(self, village: Village) -> bool:
        """County reviewers review their county; the organisation department may too."""
        if self.is_reviewer:
            return village.township.county_id == self.county_id
        return self.is_org_department

    def can_review_township(self, township: Township) -> bool:
        if self.is_reviewer:
            return township.county_id == self.county_id
        return self.is_org_department

    @property
    def reviews(self) -> bool:
        """A county reviewer or the organisation department: the review buttons show."""
        return self.is_reviewer or self.is_org_department

    @property
    def reviews_county(self) -> bool:
        """A county reviewer (not the city): approves his county's reports."""
        return self.is_reviewer

    def can_record_inspection(self, *, village: Village | None = None, county_id: int | None = None) -> bool:
        """County reviewers inspect their own county; city-level officials inspect everywhere."""
        if self.is_reviewer:
            return (village.township.county_id if village is not None else county_id) == self.county_id
        return self.is_city

    @property
    def manages_city(self) -> bool:
        """The organisation department (and the administrator): targets, acceptance, reopening;
        training classes, surveys and their findings, the assessment's weights and sheets, the
        decision on a suggestion and its publication."""
        return self.is_org_department

    @property
    def manages_cadres(self) -> bool:
        """The organisation department or a county reviewer: registers (and imports) 驻村工作队 and
        directed-training students, each within can_manage_cadres."""
        return self.is_org_department or self.is_reviewer

    def can_manage_cadres(self, township: Township) -> bool:
        """Cadres of a township (its villages' teams, its students): the county reviewer of its
        county; the organisation department everywhere."""
        if self.is_reviewer:
            return township.county_id == self.county_id
        return self.is_org_department

    def can_triage(self, *, county_id: int | None, township_id: int | None, own: bool) -> bool:
        """初审 of what was raised in a township or county: the reviewer of that county, or a clerk
        of that township unless he raised it himself (`own`)."""
        if self.is_reviewer:
            return county_id is not None and county_id == self.county_id
        if self.is_clerk:
            return township_id is not None and township_id == self.township_id and not own
        return False

    def works_in_county(self, county_id: int) -> bool:
        """The user works inside this county (its reviewer or a clerk of one of its townships);
        the city's roles do not."""
        return self.level in (Level.COUNTY, Level.TOWNSHIP) and self.county_id == county_id

    @property
    def signoff_role(self) -> str | None:
        """The department this user signs the joint acceptance for (the callers check which roles sign)."""
        return self.role

    @property
    def sets_periods(self) -> bool:
        """The organisation department (and the administrator): sets and extends 填报期."""
        return self.is_org_department

    @property
    def has_role(self) -> bool:
        """Any official or the administrator: may read the 填报期 (reporting periods)."""
        return self.role is not None

    @property
    def urges(self) -> bool:
        """City or county officials: the 催报 column on 填报进度 (each township within may_urge)."""
        return self.is_city or self.is_county

    def may_urge(self, township: Township) -> bool:
        """催报 a township: the city for every township, a county for its own townships."""
        return self.is_city or (self.is_county and township.county_id == self.county_id)

    def income_actions(self, *, status: str | None, village: Village, closed: bool) -> dict[str, bool]:
        """What the user may do with a village's report of the year now; pages show exactly these."""
        return {
            "edit": not closed and status in (None, "draft") and self.can_enter(village),
            "submit": not closed and status == "draft" and self.can_enter(village),
            "approve": not closed and status == "submitted" and self.can_review(village),
            "return": not closed and status == "submitted" and self.can_review(village),
            "reopen": not closed and status == "approved" and self.manages_city,
        }


NO_SCOPE = Scope(role=None, level=Level.NONE, name="无")
# Commands and demo data act as this account (villages.services.system_actor): city-wide, recorded
# in every history as "系统", and unable to log in (no usable password).
SYSTEM_USERNAME = "system"
SYSTEM_SCOPE = Scope(role=Role.ADMIN, level=Level.CITY, name="系统", system=True)


def city_wide(name: str = "全市", *, role: str | None = Role.ADMIN) -> Scope:
    """A reading scope over the whole city for what is nobody's request: the assessment's
    computation, demo data, a command's export."""
    return Scope(role=role, level=Level.CITY, name=name)


def scope_for(user) -> Scope:
    """The scope of a user. Superusers without a role act as administrators (city-wide)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_portal_scope", None)
    if cached is not None:
        return cached
    if user.get_username() == SYSTEM_USERNAME and not user.has_usable_password():
        user._portal_scope = SYSTEM_SCOPE
        return SYSTEM_SCOPE
    try:
        official = Official.objects.select_related("county", "township__county").get(user=user)
    except Official.DoesNotExist:
        scope = Scope(role=Role.ADMIN, level=Level.CITY, name=city_name()) if user.is_superuser else NO_SCOPE
    else:
        if official.role == Role.TOWNSHIP_CLERK:
            scope = Scope(
                role=official.role,
                level=Level.TOWNSHIP,
                county_id=official.township.county_id,
                township_id=official.township_id,
                name=official.scope_name,
            )
        elif official.role == Role.COUNTY_REVIEWER:
            scope = Scope(
                role=official.role, level=Level.COUNTY, county_id=official.county_id, name=official.scope_name
            )
        elif official.role in CITY_ROLES:
            scope = Scope(role=official.role, level=Level.CITY, name=city_name())
        else:
            scope = NO_SCOPE
    user._portal_scope = scope
    return scope


class ScopedMixin:
    """For class-based views and DRF viewsets: `get_queryset` is narrowed to the user's scope.

    Set `scope_village_path` to the lookup from the model to its Village ("" for Village). Objects
    outside the scope are simply not found, so detail pages and API calls answer 404.
    """

    scope_village_path = "village"

    @property
    def scope(self) -> Scope:
        return scope_for(self.request.user)

    def get_queryset(self):
        return self.scope.filter(super().get_queryset(), village=self.scope_village_path)
