"""Response shapes of the division endpoints."""

from rest_framework import serializers

from divisions.models import Division, KeyVillageCategory, KeyVillageDesignation


class KeyCategorySerializer(serializers.ModelSerializer):
    category = serializers.ChoiceField(choices=KeyVillageCategory.choices, read_only=True)

    class Meta:
        model = KeyVillageDesignation
        fields = ["category", "year"]
        read_only_fields = fields


class DivisionSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent_id", read_only=True, allow_null=True)
    key_categories = KeyCategorySerializer(source="key_designations", many=True, read_only=True)

    class Meta:
        model = Division
        fields = ["code", "name", "level", "parent", "key_categories"]
        read_only_fields = fields
