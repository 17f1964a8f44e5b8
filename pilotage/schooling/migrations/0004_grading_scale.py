"""Mark scales per cycle (GradingScale), with the Moroccan defaults: primary out of 10 with
a pass at 5 and no mention, collège and lycée out of 20 with a pass at 10 and the
baccalauréat mentions, the annual average (S1 + S2) / 2 (docs/schooling.md § Marks).

The primary council's promotion threshold moves from 10 to 5 where it still holds the old
default of 10, which on marks out of 10 would promote only perfect pupils; a threshold a
ministry configured to anything else is kept. A council suggestion may now be empty
(no suggestion while a semester is incomplete).
"""

from decimal import Decimal

from django.db import migrations, models

BAC_MENTIONS = [
    {"from": "16", "fr": "Très bien", "ar": "حسن جداً", "en": "Very good"},
    {"from": "14", "fr": "Bien", "ar": "حسن", "en": "Good"},
    {"from": "12", "fr": "Assez bien", "ar": "مستحسن", "en": "Fairly good"},
    {"from": "10", "fr": "Passable", "ar": "مقبول", "en": "Pass"},
]
SCALES = {
    "primaire": (
        "10",
        "5",
        [],
        "Primaire : notes sur 10, réussite à 5/10 (docs/schooling.md § Marks)",
    ),
    "college": (
        "20",
        "10",
        BAC_MENTIONS,
        "Collège : notes sur 20, réussite à 10/20 (docs/schooling.md § Marks)",
    ),
    "lycee": (
        "20",
        "10",
        BAC_MENTIONS,
        "Lycée : notes sur 20, mentions du baccalauréat (docs/schooling.md § Marks)",
    ),
}


def scales_load(apps, schema_editor):
    GradingScale = apps.get_model("schooling", "GradingScale")
    CouncilPolicy = apps.get_model("schooling", "CouncilPolicy")
    for cycle, (mark_max, pass_mark, mentions, source) in SCALES.items():
        GradingScale.objects.get_or_create(
            cycle=cycle,
            defaults={
                "mark_max": Decimal(mark_max),
                "pass_mark": Decimal(pass_mark),
                "mentions": mentions,
                "source": source,
            },
        )
    CouncilPolicy.objects.filter(cycle="primaire", promote_from=Decimal(10)).update(
        promote_from=Decimal(5)
    )


def scales_unload(apps, schema_editor):
    CouncilPolicy = apps.get_model("schooling", "CouncilPolicy")
    CouncilPolicy.objects.filter(cycle="primaire", promote_from=Decimal(5)).update(
        promote_from=Decimal(10)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("schooling", "0003_enrolment_import_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="councildecision",
            name="suggestion",
            field=models.CharField(
                blank=True,
                choices=[("promote", "Admis"), ("repeat", "Redouble"), ("dismiss", "Exclu")],
                max_length=8,
                verbose_name="proposition",
            ),
        ),
        migrations.CreateModel(
            name="GradingScale",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "cycle",
                    models.CharField(
                        choices=[
                            ("primaire", "Primaire"),
                            ("college", "Collège"),
                            ("lycee", "Lycée"),
                        ],
                        max_length=10,
                        unique=True,
                        verbose_name="cycle",
                    ),
                ),
                (
                    "mark_max",
                    models.DecimalField(
                        decimal_places=2, max_digits=4, verbose_name="note maximale"
                    ),
                ),
                (
                    "pass_mark",
                    models.DecimalField(
                        decimal_places=2, max_digits=4, verbose_name="note de réussite"
                    ),
                ),
                (
                    "first_semester_weight",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("1"),
                        max_digits=4,
                        verbose_name="poids du 1er semestre",
                    ),
                ),
                (
                    "second_semester_weight",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("1"),
                        max_digits=4,
                        verbose_name="poids du 2e semestre",
                    ),
                ),
                (
                    "mentions",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text='Du seuil le plus haut au plus bas : [{"from": "16", "fr": "Très bien", "ar": "حسن جداً", "en": "Very good"}, …]. Vide : pas de mention.',
                        verbose_name="mentions",
                    ),
                ),
                ("source", models.CharField(blank=True, max_length=300, verbose_name="source")),
            ],
            options={
                "verbose_name": "barème des notes",
                "verbose_name_plural": "barèmes des notes",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("mark_max__gt", 0), ("mark_max__lte", Decimal("20"))),
                        name="scale_max_within_mark_column",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("pass_mark__gt", 0), ("pass_mark__lte", models.F("mark_max"))
                        ),
                        name="scale_pass_mark_within_scale",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("first_semester_weight__gte", 0),
                            ("second_semester_weight__gte", 0),
                            models.Q(
                                ("first_semester_weight__gt", 0),
                                ("second_semester_weight__gt", 0),
                                _connector="OR",
                            ),
                        ),
                        name="scale_semester_weights",
                    ),
                ],
            },
        ),
        migrations.RunPython(scales_load, scales_unload),
    ]
