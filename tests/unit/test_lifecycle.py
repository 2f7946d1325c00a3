"""The status lifecycle's rules, on the default and on a configured list of states."""

from __future__ import annotations

import pytest

from bot.config import IncidentConfig, Status
from bot.errors import DomainError, InvalidInput
from bot.incidents.lifecycle import allowed_next, check_move, reopen_target, status_named

DEFAULT = IncidentConfig()


@pytest.mark.parametrize(("current", "allowed"), [
    ("investigating", ["identified", "monitoring", "resolved", "closed", "declined"]),
    ("monitoring", ["resolved", "closed", "declined"]),
    ("resolved", ["investigating", "identified", "monitoring", "closed"]),
    ("closed", []),
    ("declined", []),
])
def test_forward_any_steps_back_only_from_resolved_nothing_leaves_the_end(current: str, allowed: list[str]) -> None:
    assert allowed_next(DEFAULT, current) == allowed


def test_refusals_list_what_is_allowed() -> None:
    with pytest.raises(DomainError, match="From monitoring it can move to: resolved, closed, declined"):
        check_move(DEFAULT, "Incident #1", "monitoring", "investigating")
    with pytest.raises(DomainError, match="nothing leaves closed"):
        check_move(DEFAULT, "Incident #1", "closed", "resolved")
    with pytest.raises(DomainError, match="already resolved"):
        check_move(DEFAULT, "Incident #1", "resolved", "resolved")
    with pytest.raises(InvalidInput, match="investigating, identified, monitoring, resolved, closed, declined"):
        status_named(DEFAULT, "fixed")
    assert status_named(DEFAULT, " Monitoring ") == "monitoring"


def test_reopen_goes_back_to_an_earlier_state_of_a_resolved_incident() -> None:
    assert reopen_target(DEFAULT, "Incident #1", "resolved", None) == "investigating"
    assert reopen_target(DEFAULT, "Incident #1", "resolved", "identified") == "identified"
    with pytest.raises(DomainError, match="earlier state"):
        reopen_target(DEFAULT, "Incident #1", "resolved", "closed")
    with pytest.raises(DomainError, match="Only a resolved incident"):
        reopen_target(DEFAULT, "Incident #1", "monitoring", None)


def test_a_configured_lifecycle_is_followed() -> None:
    config = IncidentConfig(statuses=(Status("triage", ""), Status("fixing", ""), Status("resolved", ""),
                                      Status("closed", "")))
    assert allowed_next(config, "triage") == ["fixing", "resolved", "closed", "declined"]
    assert allowed_next(config, "resolved") == ["triage", "fixing", "closed"]
