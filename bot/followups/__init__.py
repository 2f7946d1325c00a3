"""Follow-up actions agreed during or after an incident."""
