"""Pure reminder planning: working-day calendar, policy, planner (no I/O, no clock)."""
