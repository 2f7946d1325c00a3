"""Work that falls due later (reminders, escalations, SLA checks, follow-up nudges), kept as rows in the
database and done exactly once: whichever process claims a due row (row locks) does it, then marks it done."""
