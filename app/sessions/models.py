"""Models of the sessions domain (to be filled by its issue)."""
