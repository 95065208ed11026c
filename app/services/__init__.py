"""Services: the use cases the UI calls.  They own sessions and turn rows into domain values."""
