"""sync: one stock pool split into per-platform quotas (DESIGN.md section 4)."""
