"""API shapes of the 三资 ledgers. Villages are given by code; writes go through assets.services."""

from rest_framework import serializers

from villages.scope import scope_for

from ..models import Asset, Contract, ContractPayment, Fund, FundBalance, Resource
from ..rules import ASSET_FIELDS, CONTRACT_FIELDS, FUND_FIELDS, PAYMENT_FIELDS, RESOURCE_FIELDS

DIVISION_FIELDS = ["id", "village", "village_name", "township", "county"]


class VillageCodeField(serializers.SlugRelatedField):
    """A village code inside the user's scope; anything else reads as "does not exist"."""

    default_error_messages = {
        "does_not_exist": "村(社区)代码 {value} 不存在或不在您的范围内。",
        "invalid": "村(社区)代码无效。",
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", **kwargs)

    def get_queryset(self):
        return scope_for(self.context["request"].user).villages()


class DivisionMixin(serializers.Serializer):
    village = VillageCodeField()
    village_name = serializers.CharField(source="village.name", read_only=True)
    township = serializers.CharField(source="village.township.code", read_only=True)
    county = serializers.CharField(source="village.township.county.code", read_only=True)

    # Writes go through assets.services (the viewsets call them); saving a serializer directly
    # would bypass the rules, so it is refused.
    def update(self, instance, validated_data):
        raise NotImplementedError("use assets.services")

    def create(self, validated_data):
        raise NotImplementedError("use assets.services")

    def validate_village(self, village):
        if self.instance is not None and village != self.instance.village:
            raise serializers.ValidationError("不能更改记录所属的村(社区)。")
        return village


class AssetSerializer(DivisionMixin, serializers.ModelSerializer):
    revitalised = serializers.BooleanField(read_only=True)

    class Meta:
        model = Asset
        fields = [*DIVISION_FIELDS, *ASSET_FIELDS, "revitalised"]
        validators = []  # the services check uniqueness and constraints, with Chinese messages


class ResourceSerializer(DivisionMixin, serializers.ModelSerializer):
    revitalised = serializers.BooleanField(read_only=True)

    class Meta:
        model = Resource
        fields = [*DIVISION_FIELDS, *RESOURCE_FIELDS, "revitalised"]
        validators = []


class FundBalanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = FundBalance
        fields = ["year", "balance"]
        validators = []


class FundSerializer(DivisionMixin, serializers.ModelSerializer):
    balances = FundBalanceSerializer(many=True, read_only=True)

    class Meta:
        model = Fund
        fields = [*DIVISION_FIELDS, *FUND_FIELDS, "balances"]
        validators = []


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContractPayment
        fields = ["id", *PAYMENT_FIELDS]
        validators = []


class ScopedItemField(serializers.PrimaryKeyRelatedField):
    """An asset or resource id inside the user's scope."""

    default_error_messages = {"does_not_exist": "编号为 {pk_value} 的记录不存在或不在您的范围内。"}

    def get_queryset(self):
        return scope_for(self.context["request"].user).filter(self.model.objects.all())

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(**kwargs)


class ContractSerializer(DivisionMixin, serializers.ModelSerializer):
    asset = ScopedItemField(Asset, required=False, allow_null=True)
    resource = ScopedItemField(Resource, required=False, allow_null=True)
    payments = PaymentSerializer(many=True, read_only=True)
    total_due = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    total_received = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    schedule = serializers.BooleanField(write_only=True, required=False, default=False, help_text="按年生成收款计划")

    class Meta:
        model = Contract
        fields = [
            *DIVISION_FIELDS,
            *CONTRACT_FIELDS,
            "total_due",
            "total_received",
            "payments",
            "schedule",
        ]
        validators = []
