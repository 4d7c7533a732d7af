"""Models of the papers domain (to be filled by its issue)."""
