"""Models of the practical domain (to be filled by its issue)."""
