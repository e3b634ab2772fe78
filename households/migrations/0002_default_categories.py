"""Data migration: the household categories the county uses from day one (more can be added in the admin)."""

from django.db import migrations

CATEGORIES = [
    ("low_income", "低保户", "Minimum living allowance household"),
    ("relapse_monitored", "防返贫监测户", "Monitored for relapse into poverty"),
    ("five_guarantee", "特困供养（五保）户", "Five-guarantee household"),
    ("left_behind_elderly", "留守老人", "Left-behind elderly"),
    ("left_behind_children", "留守儿童", "Left-behind children"),
    ("disabled_member", "残疾人家庭", "Household with a disabled member"),
    ("military_family", "军属", "Military family"),
]


def add_categories(apps, schema_editor):
    HouseholdCategory = apps.get_model("households", "HouseholdCategory")
    for order, (code, name, description) in enumerate(CATEGORIES):
        HouseholdCategory.objects.update_or_create(
            code=code, defaults={"name": name, "description": description, "sort_order": order}
        )


def remove_categories(apps, schema_editor):
    HouseholdCategory = apps.get_model("households", "HouseholdCategory")
    HouseholdCategory.objects.filter(code__in=[c[0] for c in CATEGORIES], households__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("households", "0001_initial")]
    operations = [migrations.RunPython(add_categories, remove_categories)]
