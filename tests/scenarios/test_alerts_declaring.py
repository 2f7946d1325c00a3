"""The answer to a webhook whose group an auto_declare rule matched: `declaring` until the incident exists
(the declaration runs after the answer), then its number; the card links the alert's source as such."""

from __future__ import annotations

import json
from typing import Any

from bot.config import IncidentConfig
from bot.config.alerts import AlertConfig, AutoDeclareRule
from tests.scenarios.alert_helpers import TOKEN, generic, post_alerts, text_of, told, triage_messages


def test_an_auto_declared_group_is_answered_declaring_then_with_its_incident(make_bot: Any) -> None:
    bot = make_bot(alert_token=TOKEN, incident=IncidentConfig(alerts=AlertConfig(
        auto_declare=(AutoDeclareRule("SEV1", "critical"),))))
    bot.emu.inject("conversations.create", latency=3)  # the declaration is still under way
    alert = generic("pay-5xx", title="Payments 5xx", severity="critical", url="https://grafana.example/d/pay")
    status, answer = post_alerts(bot, "generic", alert)
    assert status == 202
    assert answer == {"accepted": 1, "groups": [{"key": "pay-5xx", "state": "declaring", "incident": None}]}
    status, answer = post_alerts(bot, "generic", generic("pay-5xx-b", severity="warning"))
    assert answer["groups"] == [{"key": "pay-5xx-b", "state": "firing", "incident": None}]  # no rule matched
    incident = bot.wait_ready(1)
    bot.emu.wait_for(lambda: told(bot) and any("Declared as Incident #1" in text_of(m) for m in triage_messages(bot)),
                     timeout=15)
    status, answer = post_alerts(bot, "generic", alert)
    assert answer["groups"] == [{"key": "pay-5xx", "state": "firing", "incident": 1}]
    card = next(m for m in bot.emu.messages(incident.channel_id or "")
                if (m.get("metadata") or {}).get("event_type") == "incident_card")
    assert "<https://grafana.example/d/pay|alert source>" in json.dumps(card["blocks"])
