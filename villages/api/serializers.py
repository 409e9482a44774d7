from rest_framework import serializers

from villages.models import County, Township, Village


class CountySerializer(serializers.ModelSerializer):
    class Meta:
        model = County
        fields = ["id", "code", "name"]


class TownshipSerializer(serializers.ModelSerializer):
    county = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Township
        fields = ["id", "code", "name", "county"]


class VillageSerializer(serializers.ModelSerializer):
    township = serializers.SlugRelatedField(slug_field="code", read_only=True)
    county = serializers.CharField(source="township.county.code", read_only=True)

    class Meta:
        model = Village
        fields = ["id", "code", "name", "kind", "township", "county"]
