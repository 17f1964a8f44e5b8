"""Pages of the school records, one module per area; each module exports its
``urlpatterns`` and ``pilotage/schooling/urls.py`` joins them."""
