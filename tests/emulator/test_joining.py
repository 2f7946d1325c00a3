"""A person joining a channel on their own: the driver's `join_channel`, as Slack's channel browser does it."""

from __future__ import annotations

from bot.emulator import SlackEmulator
from tests.emulator.conftest import FakeApp


def test_join_channel_adds_the_member_stores_the_join_and_delivers_the_event(emu: SlackEmulator, app: FakeApp) -> None:
    dave = emu.user_id("dave")
    ops = emu.add_channel("ops")

    emu.join_channel(dave, ops)
    emu.join_channel(dave, ops)  # already a member: nothing more

    assert dave in emu.channel(ops)["members"]
    joins = [m for m in emu.messages(ops, include_system=True) if m.get("subtype") == "channel_join"]
    assert [(m["user"], "inviter" in m) for m in joins] == [(dave, False)]
    events = [e for e in app.of_type("member_joined_channel") if e["channel"] == ops]
    assert [(e["user"], e.get("inviter")) for e in events] == [(dave, None)]
