"""Working-day calendar, pure reminder planning, APScheduler wiring, and the delivery outbox sender."""
