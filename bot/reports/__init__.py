"""The leaders' daily report (督查日报告): forms for a role on units of some levels."""
