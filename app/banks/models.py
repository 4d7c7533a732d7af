"""Models of the banks domain (to be filled by its issue)."""
