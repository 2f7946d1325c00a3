"""Reporting: figures across incidents (MTTx, SLA breaches, follow-ups), computed in SQL."""
