"""Text from a message shortcut arrives as Slack keeps it (`&amp;`, `<@U…>`): escaped once on the way out,
mentions readable in the declare form and mentions again once declared."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.followups.models import Followup
from tests.conftest import Harness
from tests.scenarios.steering_helpers import declare, text_of, wait_post
from tests.scenarios.test_declare import fill, open_modal


def description_of(view: dict[str, Any]) -> str:
    return str(next(b for b in view["blocks"] if b["block_id"] == "description")["element"]["initial_value"])


def test_declaring_from_a_message_keeps_its_text_and_its_mentions(bot: Harness) -> None:
    emu = bot.emu
    dave, bob, general = emu.user_id("dave"), emu.user_id("bob"), emu.channel_id("general")
    first = emu.post_message(dave, general, "Warm-up <@" + bob + ">")
    emu.message_shortcut(dave, general, first, "declare_from_message")
    warm = open_modal(bot, dave)  # the first form shows ids; the bot reads the directory after it opened
    shown = next(b for b in warm["blocks"] if b["block_id"] == "description")["element"]["initial_value"]
    assert shown == f"Warm-up @{bob}"
    emu.close_view(warm["id"], dave)

    ts = emu.post_message(dave, general, f"Checkout & cart <down> since 10:02, cc <@{bob}>")
    assert emu.messages(general)[-1]["text"] == f"Checkout &amp; cart &lt;down&gt; since 10:02, cc <@{bob}>"
    seen: set[str] = {warm["id"]}

    def form_with_names() -> dict[str, Any] | None:
        """Declare from the message again until the bot has read the directory (it does so after a form opens)."""
        emu.message_shortcut(dave, general, ts, "declare_from_message")
        view = emu.wait_for(lambda: [v for v in emu.views(user=dave) if v["callback_id"] == "declare_incident_modal"
                                     and v["id"] not in seen])[-1]
        seen.add(view["id"])
        if description_of(view).endswith("@bob"):
            return view
        emu.close_view(view["id"], dave)
        return None

    view = emu.wait_for(form_with_names, timeout=15, interval=0.3)
    assert view is not None
    description = description_of(view)
    assert description == "Checkout & cart <down> since 10:02, cc @bob"
    emu.submit_view(view["id"], fill(bot, view, title="Cart down", description=description), user_id=dave)
    incident = bot.wait_ready(1)
    assert incident.description == f"Checkout & cart <down> since 10:02, cc <@{bob}>"
    card = text_of(next(m for m in emu.messages(incident.channel_id or "") if m.get("bot_id")))
    assert "Checkout &amp; cart &lt;down&gt;" in card and "&amp;amp;" not in card and f"<@{bob}>" in card


def test_a_follow_up_from_a_message_is_escaped_once(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    bob = emu.user_id("bob")
    channel = incident.channel_id or ""
    ts = emu.post_message(emu.user_id("alice"), channel, f"Retry the queue & drain it <@{bob}>")
    emu.message_shortcut(emu.user_id("alice"), channel, ts, "add_followup")
    post = wait_post(bot, channel, "Follow-up added by")
    assert "Retry the queue &amp; drain it" in text_of(post) and "&amp;amp;" not in text_of(post)
    with bot.runtime.sessions() as s:
        [item] = s.scalars(select(Followup)).all()
    assert item.text == "Retry the queue & drain it" and item.owner_id == bob
