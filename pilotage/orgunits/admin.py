from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from pilotage.orgunits import models


@admin.register(models.OrgUnit)
class OrgUnitAdmin(TreeAdmin):
    form = movenodeform_factory(models.OrgUnit)
    list_display = ("name_fr", "code", "level", "is_active")
    search_fields = ("code", "name_fr", "name_ar")
    list_filter = ("level", "is_active")


@admin.register(models.School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = (
        "school_code",
        "org_unit",
        "sector",
        "milieu",
        "has_primaire",
        "has_college",
        "has_lycee",
    )
    list_filter = ("sector", "milieu", "has_primaire", "has_college", "has_lycee")
    search_fields = ("school_code", "org_unit__name_fr")
    raw_id_fields = ("org_unit",)


admin.site.register(models.OrgUnitLevel)
admin.site.register(models.OrgUnitGroupSet)
admin.site.register(models.AcademicYear)
admin.site.register(models.Semester)
admin.site.register(models.Period)


@admin.register(models.OrgUnitGroup)
class OrgUnitGroupAdmin(admin.ModelAdmin):
    list_display = ("name_fr", "code", "group_set")
    filter_horizontal = ("members",)
