"""The pupils, teachers and marks upload pages: the kernel's import page
(``pilotage.core.imports``) for each kind registered by ``pilotage.schooling.imports``."""

from __future__ import annotations

from pilotage.core.imports import import_urls
from pilotage.schooling.imports import KINDS

urlpatterns = [
    *import_urls("import/students/", KINDS["students"].name, "import_students"),
    *import_urls("import/teachers/", KINDS["teachers"].name, "import_teachers"),
    *import_urls("import/marks/", KINDS["marks"].name, "import_marks"),
]
