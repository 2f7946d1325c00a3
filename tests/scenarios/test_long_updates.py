"""A long update is cut before it is escaped: never inside `&amp;` or a `<@U…>` mention."""

from __future__ import annotations

import re

from tests.conftest import Harness
from tests.scenarios.steering_helpers import command, declare, wait_post

BROKEN = re.compile(r"&(?!amp;|lt;|gt;)|<@[A-Z0-9]*(?![A-Z0-9|>])")  # a stray `&`, or an unclosed mention


def _section(post: dict) -> str:
    return post["blocks"][0]["text"]["text"]


def test_an_update_full_of_ampersands_is_cut_between_entities(bot: Harness) -> None:
    incident = declare(bot)
    channel = incident.channel_id or ""
    for offset in range(5):  # one of the five would put the cut inside an entity
        command(bot, "alice", incident, f"update {'x' * offset}{offset} {'&' * 1500}")
        section = _section(wait_post(bot, channel, f"{'x' * offset}{offset} &amp;"))
        assert len(section) <= 3000 and section.endswith("…")
        assert not BROKEN.search(section), section[-40:]


def test_an_update_full_of_mentions_keeps_every_mention_whole(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    channel = incident.channel_id or ""
    bob = emu.user_id("bob")
    mention = f"<@{bob}|bob> "
    for offset in range(len(mention)):  # the ampersands bring the mentions to the cut, somewhere in one of them
        command(bot, "alice", incident, f"update {'y' * offset}{offset} {'&' * 300}{mention * 100}")
        section = _section(wait_post(bot, channel, f"{'y' * offset}{offset} &amp;"))
        assert f"<@{bob}" in section
        assert len(section) <= 3000 and section.endswith("…")
        assert not BROKEN.search(section), section[-40:]
