from django.contrib import admin

from pilotage.schooling import models


@admin.register(models.GradeLevel)
class GradeLevelAdmin(admin.ModelAdmin):
    list_display = ("code", "name_fr", "cycle", "order", "entry_age")


@admin.register(models.SubjectCoefficient)
class SubjectCoefficientAdmin(admin.ModelAdmin):
    list_display = ("grade_level", "stream", "subject", "coefficient")
    list_filter = ("grade_level", "stream")


@admin.register(models.ExamWeighting)
class ExamWeightingAdmin(admin.ModelAdmin):
    list_display = ("grade_level", "continuous", "local_exam", "regional_exam", "national_exam")


@admin.register(models.CouncilPolicy)
class CouncilPolicyAdmin(admin.ModelAdmin):
    list_display = ("cycle", "promote_from", "max_repeats")


@admin.register(models.MarkDeadline)
class MarkDeadlineAdmin(admin.ModelAdmin):
    list_display = ("semester", "org_unit", "closes_at")
    raw_id_fields = ("org_unit",)


admin.site.register(models.Stream)
admin.site.register(models.Subject)
