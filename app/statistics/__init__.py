"""Item and test statistics (试卷与试题分析) of a session, the write-back of observed difficulty into the
bank, and the center dashboard (统计). Reads theory attempts (``app.exams``), frozen papers
(``app.papers``) and final component scores only through the registry (``app.assessment``); the
maths is ``scoring.item_statistics`` / ``scoring.stats_plots`` / ``scoring.trends``."""
