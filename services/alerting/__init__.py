"""alerting: tiered, forecast-aware stock alerts and their delivery (DESIGN.md section 3)."""
