from django.contrib import admin
from django.urls import include, path

from pilotage.accounts.views import language_switch
from pilotage.api import api_app, api_namespace, api_patterns

urlpatterns = [
    path("", include("pilotage.core.urls")),
    path("accounts/", include("pilotage.accounts.urls")),
    path("orgunits/", include("pilotage.orgunits.urls")),
    path("schooling/", include("pilotage.schooling.urls")),
    path("indicators/", include("pilotage.indicators.urls")),
    path("cooperation/", include("pilotage.cooperation.urls")),
    path("contact/", include("pilotage.contact.urls")),
    path("surveys/", include("pilotage.surveys.urls")),
    path("i18n/setlang/", language_switch, name="set_language"),
    path("api/v1/", include((api_patterns, api_app), namespace=api_namespace)),
    path("admin/", admin.site.urls),
]

# Generated files (report-card batches) are never served from MEDIA_ROOT directly, in any
# mode: only through the download views, which check who asks.
handler400 = "pilotage.core.errors.bad_request"
# The site's own error pages, in the visitor's language with the way back; Django's
# technical pages only with DJANGO_DEBUG=1 (settings.py).
handler403 = "pilotage.core.errors.permission_denied"
handler404 = "pilotage.core.errors.page_not_found"
handler500 = "pilotage.core.errors.server_error"
