"""Data migration: the case categories of DESIGN §4 and the county's default deadline policies (the county can
change both in the admin; routing rules name departments, so each deployment adds its own)."""

from django.db import migrations

CATEGORIES = [
    ("education", "教育", "Education"),
    ("health", "医疗卫生", "Health"),
    ("employment", "就业", "Employment"),
    ("income", "增收", "Income"),
    ("housing", "住房", "Housing"),
    ("roads_transport", "道路交通", "Roads and transport"),
    ("water_power", "水电", "Water and power"),
    ("social_security", "社会保障", "Social security"),
    ("land_forest_grassland", "土地林草", "Land, forest and grassland"),
    ("other", "其他", "Other"),
]

# (category or None for every category, priority, days to resolve, days of grace after a supervision notice)
POLICIES = [
    (None, "normal", 30, 10),
    (None, "high", 10, 5),
    (None, "urgent", 3, 2),
    ("water_power", "normal", 15, 5),
    ("health", "normal", 15, 5),
]


def add(apps, schema_editor):
    CaseCategory = apps.get_model("grievances", "CaseCategory")
    DeadlinePolicy = apps.get_model("grievances", "DeadlinePolicy")
    for order, (code, name, description) in enumerate(CATEGORIES):
        CaseCategory.objects.update_or_create(
            code=code, defaults={"name": name, "description": description, "sort_order": order}
        )
    for category, priority, days, grace in POLICIES:
        DeadlinePolicy.objects.update_or_create(
            category_id=category, priority=priority, defaults={"days": days, "grace_days": grace}
        )


def remove(apps, schema_editor):
    apps.get_model("grievances", "DeadlinePolicy").objects.all().delete()
    apps.get_model("grievances", "CaseCategory").objects.filter(cases__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("grievances", "0001_cases")]
    operations = [migrations.RunPython(add, remove)]
