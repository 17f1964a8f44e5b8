"""Morocco's official entry ages and durations (primaire 6–11, collège 12–14, lycée
15–17); a ministry elsewhere changes them in the admin."""

from django.db import migrations

MOROCCO = [("primaire", 6, 6), ("college", 12, 3), ("lycee", 15, 3)]


def forwards(apps, schema_editor):
    CycleSetting = apps.get_model("indicators", "CycleSetting")
    for cycle, entry_age, duration in MOROCCO:
        CycleSetting.objects.get_or_create(
            cycle=cycle, defaults={"entry_age": entry_age, "duration": duration}
        )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0002_aggregate_data")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
