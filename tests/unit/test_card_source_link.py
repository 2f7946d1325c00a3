"""The card's link to where the incident came from: a Slack message, or an alert's source."""

from __future__ import annotations

import json

import pytest

from bot.config import IncidentConfig
from bot.slack.blocks.card import card
from tests.unit.test_runbook_loader import incident


@pytest.mark.parametrize(("link", "label"), [
    ("https://acme.slack.com/archives/C0123/p1700000000000100", "from this message"),
    ("https://grafana.example/d/pay", "alert source"),
])
def test_the_card_names_its_source_link_for_what_it_is(link: str, label: str) -> None:
    shown = json.dumps(card(incident(source_permalink=link), IncidentConfig()))
    assert f"<{link}|{label}>" in shown
