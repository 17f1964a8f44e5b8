"""IATI 2.03 activity files: the streamed export (``export``), the IATI Standard rules
checked before it (``rules``) and the import of a donor's published file (``imports``).
The schemas live in ``cooperation/data/iati-2.03`` (CC BY 4.0, see its LICENCE.md)."""
