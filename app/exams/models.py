"""Models of the exams domain (to be filled by its issue)."""
