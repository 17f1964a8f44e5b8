"""Audit entries carry the org-unit path of their object, so the log can be read by scope.

Adding a NOT NULL column makes SQLite rebuild the table, which drops the append-only
trigger of 0002: it is created again at the end. Existing rows get the path of their object
where it still exists; on PostgreSQL the trigger (which the rebuild does not touch) is set
aside for that one UPDATE. Entries of deleted objects, accounts and logins keep "".
"""

from django.db import migrations, models
from django.db.models import BigIntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce

SQLITE_TRIGGER = """
CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
BEGIN SELECT RAISE(ABORT, 'core_auditentry is append-only'); END;
"""
PG_TRIGGER = "core_auditentry_no_update_delete"

# object type → (app, model, lookup from that model to the org unit's path)
PATH_OF = {
    "orgunits.orgunit": ("orgunits", "OrgUnit", "path"),
    "orgunits.school": ("orgunits", "OrgUnit", "path"),  # a school's pk is its unit's
    "accounts.roleassignment": ("accounts", "RoleAssignment", "org_unit__path"),
    "schooling.schoolclass": ("schooling", "SchoolClass", "school__path"),
    "schooling.enrolment": ("schooling", "Enrolment", "school__path"),
    "schooling.transfer": ("schooling", "Transfer", "from_school__path"),
    "schooling.teacher": ("schooling", "Teacher", "school__path"),
    "schooling.teachingassignment": (
        "schooling",
        "TeachingAssignment",
        "school_class__school__path",
    ),
    "schooling.marksheet": ("schooling", "MarkSheet", "school_class__school__path"),
    "schooling.absence": ("schooling", "Absence", "school_class__school__path"),
    "schooling.councildecision": ("schooling", "CouncilDecision", "enrolment__school__path"),
}


def fill_paths(apps, schema_editor):
    AuditEntry = apps.get_model("core", "AuditEntry")
    entries = AuditEntry.objects.using(schema_editor.connection.alias)
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute(f"ALTER TABLE core_auditentry DISABLE TRIGGER {PG_TRIGGER}")
    for object_type, (app_label, model_name, lookup) in PATH_OF.items():
        model = apps.get_model(app_label, model_name)
        path = model.objects.filter(pk=Cast(OuterRef("object_id"), BigIntegerField())).values(
            lookup
        )[:1]
        # An object deleted since has no path: its entries keep "".
        entries.filter(object_type=object_type, object_id__regex=r"^[0-9]+$").update(
            path=Coalesce(Subquery(path), Value(""))
        )
    if postgres:
        schema_editor.execute(f"ALTER TABLE core_auditentry ENABLE TRIGGER {PG_TRIGGER}")


def sqlite_trigger_again(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditentry_no_update;")
        schema_editor.execute(SQLITE_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_job_language_and_verbose_names"),
        ("orgunits", "0002_verbose_names"),
        ("accounts", "0002_verbose_names"),
        ("schooling", "0003_enrolment_import_indexes"),
    ]

    operations = [
        # Undoing the column rebuilds the SQLite table again: the trigger comes back after.
        migrations.RunPython(migrations.RunPython.noop, sqlite_trigger_again),
        migrations.AddField(
            model_name="auditentry",
            name="path",
            field=models.CharField(
                blank=True, db_index=True, default="", max_length=255, verbose_name="chemin"
            ),
        ),
        migrations.RunPython(fill_paths, migrations.RunPython.noop),
        migrations.RunPython(sqlite_trigger_again, migrations.RunPython.noop),
    ]
