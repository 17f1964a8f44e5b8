"""Moroccan date and number formats (``settings.FORMAT_MODULE_PATH``).

Django looks here before its own locale formats, so every ``date`` filter,
``formats.date_format`` call and form field follows Morocco: day, month, year in every
language, 24-hour times, weeks starting on Monday, the separators of CLDR's ``ar-MA`` and
``fr-MA``. The Arabic month names Morocco uses (يناير … ماي … غشت … دجنبر) are the Arabic
translations of Django's month messages in ``pilotage/locale/ar``; ``months.py`` names those
messages so ``makemessages`` keeps them. ``core/tests/test_formats.py`` compares all of this
with the CLDR data Babel ships.
"""
