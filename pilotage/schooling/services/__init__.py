"""Every write to school records, one module per concern."""
