"""Every write of the surveys app: surveys and their form versions (``forms.py``)."""
