"""The one place that decides what a user may see and do.

Every view, API endpoint, export and search narrows its queryset with `scope_for(user).filter(...)`
and asks `Scope` before it writes. No view filters by division on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Model, QuerySet

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
    def filter(self, queryset: QuerySet, village: str = "village") -> QuerySet:
        """Narrow any queryset to the user's scope.

        `village` is the lookup path from the queryset's model to its Village ("" for Village
        itself, "village" for most ledgers, "contract__village" and so on).
        """
        prefix = f"{village}__" if village else ""
        if self.level == Level.CITY:
            return queryset
        if self.level == Level.COUNTY:
            return queryset.filter(**{f"{prefix}township__county_id": self.county_id})
        if self.level == Level.TOWNSHIP:
            return queryset.filter(**{f"{prefix}township_id": self.township_id})
        return queryset.none()

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
    def can_enter(self, village: Village) -> bool:
        """Township clerks enter data for the villages of their own township only."""
        return self.is_clerk and village.township_id == self.township_id

    def can_review(self, village: Village) -> bool:
        """County reviewers review their county; the organisation department may too."""
        if self.is_reviewer:
            return village.township.county_id == self.county_id
        return self.is_org_department


NO_SCOPE = Scope(role=None, level=Level.NONE, name="无")


def scope_for(user) -> Scope:
    """The scope of a user. Superusers without a role act as administrators (city-wide)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_portal_scope", None)
    if cached is not None:
        return cached
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
