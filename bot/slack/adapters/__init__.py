"""The domain's ports implemented on the Slack Web API (calls.py turns failures into port errors), and
inbound translation of Slack payloads into domain values (messages.py)."""
