"""Models of the results domain (to be filled by its issue)."""
