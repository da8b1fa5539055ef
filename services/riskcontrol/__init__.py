"""riskcontrol: scores hold attempts and keeps hoarders out (DESIGN.md section 2)."""
