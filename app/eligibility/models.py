"""Models of the eligibility domain (to be filled by its issue)."""
