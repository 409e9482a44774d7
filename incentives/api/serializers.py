from rest_framework import serializers

from incentives import selectors
from incentives.models import (
    VILLAGE_RESULT_FIELDS,
    AcceptanceRun,
    AcceptanceSignoff,
    AcceptanceVillageResult,
    CountyTarget,
    TargetPlan,
)
from incentives.services import COUNTY_FIELDS, PLAN_FIELDS
from loudi_portal.money import YuanSerializerField


class CountyTargetSerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="county.code", read_only=True)
    county_name = serializers.CharField(source="county.name", read_only=True)
    effective = serializers.SerializerMethodField()

    class Meta:
        model = CountyTarget
        fields = ["county", "county_name", *COUNTY_FIELDS, "effective"]

    def get_effective(self, obj) -> dict:
        """The values in force: the county's own, or the city's where it left them empty."""
        return {name: str(obj.effective(name)) for name in CountyTarget.INHERITED}


class TargetPlanSerializer(serializers.ModelSerializer):
    county_targets = serializers.SerializerMethodField()

    class Meta:
        model = TargetPlan
        fields = ["year", *PLAN_FIELDS, "updated_at", "county_targets"]

    def get_county_targets(self, obj) -> list:
        # Only the counties the user may see (a county reviewer: his own).
        codes = self.context["visible_codes"]
        return CountyTargetSerializer([t for t in obj.county_targets.all() if t.county.code in codes], many=True).data


class SignoffSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = AcceptanceSignoff
        fields = ["role", "user", "signed_at", "comment", "confirmed_reward_total"]


class AcceptanceRunSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    started_by = serializers.CharField(source="started_by.username", read_only=True, default=None)
    results = serializers.SerializerMethodField()
    signoffs = SignoffSerializer(many=True, read_only=True)

    class Meta:
        model = AcceptanceRun
        fields = [
            "id",
            "year",
            "version",
            "status",
            "status_label",
            "error",
            "started_by",
            "created_at",
            "started_at",
            "finished_at",
            "results",
            "signoffs",
        ]

    def get_results(self, obj) -> dict | None:
        """The `run_acceptance --json` document; a county reviewer gets his county's unit only."""
        return selectors.run_results_visible(run=obj, scope=self.context["scope"])


class RunStartSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class SignSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    reward_total = YuanSerializerField(required=False, allow_null=True, label="奖补总额")


class VillageResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = AcceptanceVillageResult
        fields = list(VILLAGE_RESULT_FIELDS)
