"""Fewer indexes for the enrolment import to maintain (see the comments in models.py).

The enrolment foreign keys only lose their index: the database side drops the four
indexes by name (the same on PostgreSQL and SQLite) instead of letting AlterField drop
and re-add each foreign-key constraint, which on PostgreSQL would check every existing
enrolment again, four times. The pupil's code Massar becomes unique through a named
constraint, without the varchar_pattern_ops index that unique=True adds on PostgreSQL.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

ENROLMENT_INDEXES = {
    "academic_year_id": "schooling_enrolment_academic_year_id_31d0ffc5",
    "grade_level_id": "schooling_enrolment_grade_level_id_409524e3",
    "school_id": "schooling_enrolment_school_id_682d8506",
    "school_class_id": "schooling_enrolment_school_class_id_a6926bfe",
}


class Migration(migrations.Migration):
    dependencies = [
        ("orgunits", "0002_verbose_names"),
        ("schooling", "0002_verbose_names"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql=f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "schooling_enrolment" ("{column}")',
                )
                for column, name in ENROLMENT_INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="enrolment",
                    name="academic_year",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="enrolments",
                        to="orgunits.academicyear",
                        verbose_name="année scolaire",
                    ),
                ),
                migrations.AlterField(
                    model_name="enrolment",
                    name="grade_level",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="schooling.gradelevel",
                        verbose_name="niveau",
                    ),
                ),
                migrations.AlterField(
                    model_name="enrolment",
                    name="school",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="enrolments",
                        to="orgunits.orgunit",
                        verbose_name="établissement",
                    ),
                ),
                migrations.AlterField(
                    model_name="enrolment",
                    name="school_class",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="enrolments",
                        to="schooling.schoolclass",
                        verbose_name="classe",
                    ),
                ),
            ],
        ),
        migrations.AlterField(
            model_name="pupil",
            name="code_massar",
            field=models.CharField(
                max_length=10,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[A-Z][0-9]{9}$",
                        "Le code Massar est une lettre majuscule suivie de 9 chiffres.",
                    )
                ],
                verbose_name="code Massar",
            ),
        ),
        migrations.AddConstraint(
            model_name="pupil",
            constraint=models.UniqueConstraint(fields=("code_massar",), name="pupil_code_massar"),
        ),
    ]
