"""继续教育 (T/SSOF 0001-2024 B.2): the center's requirement, claims and 学时认定, yearly summaries,
the transcript, and its use (结果运用) in session readiness."""
