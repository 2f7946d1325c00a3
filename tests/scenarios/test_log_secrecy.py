"""Tokens and the signing secret never reach the logs, even at DEBUG and when things go wrong."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.conftest import SIGNING_SECRET, Harness


def test_no_token_or_secret_is_logged_at_debug(make_bot: Any, caplog: pytest.LogCaptureFixture,
                                              capfd: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, slack_sdk's request logging included
    bot: Harness = make_bot()
    emu = bot.emu
    alice, general = emu.user_id("alice"), emu.channel_id("general")
    emu.slash_command(alice, general, "/incident", "declare Checkout down")
    bot.wait_ready(1)
    emu.inject("chat.postMessage", error="channel_not_found", times=3)
    emu.slash_command(alice, general, "/incident", "declare Search down")
    emu.send_raw(b"command=%2Fincident&text=list", "application/x-www-form-urlencoded", signature="v0=" + "0" * 64)
    emu.slash_command(alice, general, "/incident", "list")
    bot.wait_ready(2)
    emu.revoke(emu.bot_token)
    emu.slash_command(alice, general, "/incident", "declare After revocation")
    emu.wait_for(lambda: emu.calls("conversations.create")[-1].response.get("error") == "token_revoked"
                 or len(bot.incidents()) == 2, timeout=5)
    bot.runtime.close()
    logged = caplog.text + "".join(capfd.readouterr())
    assert "chat.postMessage" in logged or "conversations" in logged  # the debug logs were on
    for secret in (emu.bot_token, emu.app_token, SIGNING_SECRET):
        assert secret not in logged
