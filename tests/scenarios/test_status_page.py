"""The status page: published incidents, their public updates only, never private ones or drills."""

from __future__ import annotations

from typing import Any

from tests.conftest import Harness
from tests.scenarios.status_helpers import ATOM, feed, fetch, page_json, wait_page
from tests.scenarios.steering_helpers import command, declare, events, open_view, submit_resolve_form, wait_post


def test_a_public_update_is_on_the_page_the_feed_and_the_json_and_a_private_one_is_not(bot: Harness) -> None:
    live = declare(bot, title="Checkout <script>alert(1)</script> & cart down")
    command(bot, "alice", live, "service checkout-api")
    command(bot, "alice", live, "update Internal only: we suspect the 4521 deploy")
    command(bot, "alice", live, "update --public Payments fail for some customers; a fix is rolling out")
    wait_post(bot, live.channel_id or "", "on the status page")
    quiet = declare(bot, title="Never published")
    command(bot, "alice", quiet, "update Nothing public here")
    wait_post(bot, quiet.channel_id or "", "Nothing public here")

    html = wait_page(bot, "Payments fail for some customers")

    assert "Checkout &lt;script&gt;alert(1)&lt;/script&gt; &amp; cart down" in html and "<script>" not in html
    assert "we suspect the 4521 deploy" not in html and "Never published" not in html
    assert "checkout-api" in html and "investigating" in html and "SEV3" in html
    data = page_json(bot)
    [shown] = data["incidents"]
    assert shown["number"] == live.number and shown["title"] == "Checkout <script>alert(1)</script> & cart down"
    assert shown["status"] == "investigating" and shown["severity"] == "SEV3"
    assert shown["services"] == ["checkout-api"] and shown["resolved_at"] is None
    assert shown["started_at"].endswith("Z")
    assert [u["text"] for u in shown["updates"]] == ["Payments fail for some customers; a fix is rolling out"]
    entries = feed(bot).findall(f"{ATOM}entry")
    assert len(entries) == 1
    assert "Payments fail" in (entries[0].findtext(f"{ATOM}content") or "")
    assert "<script>alert(1)</script>" in (entries[0].findtext(f"{ATOM}title") or "")  # as text, escaped in XML
    [event] = [e for e in events(bot, live, "update_posted") if (e.data or {}).get("public")]
    assert "Payments fail" in event.text


def test_private_incidents_and_drills_are_refused_and_never_shown(bot: Harness) -> None:
    hidden = declare(bot, title="Secret breach", flags="--private")
    r = command(bot, "alice", hidden, "update --public Everything is fine")
    assert "private" in r.json()["text"] and "status page" in r.json()["text"]
    drill = declare(bot, title="Practice run", flags="--drill")
    r = command(bot, "alice", drill, "update --public Drill update")
    assert "drill" in r.json()["text"]
    shown = declare(bot, title="Search is slow")
    command(bot, "alice", shown, "update --public Search is slow for everyone")

    html = wait_page(bot, "Search is slow for everyone")

    assert "Secret breach" not in html and "Practice run" not in html and "Everything is fine" not in html
    assert [i["title"] for i in page_json(bot)["incidents"]] == ["Search is slow"]


def test_the_update_form_checkbox_publishes_and_resolved_incidents_follow_open_ones(bot: Harness) -> None:
    emu = bot.emu
    first = declare(bot, title="Login errors")
    command(bot, "alice", first, "update --public Logins fail")
    second = declare(bot, title="Slow dashboards")
    command(bot, "alice", second, "update")
    view = open_view(bot, "alice", "incident_update_modal")
    values: dict[str, Any] = {
        "update": {"update_input": {"type": "plain_text_input", "value": "Dashboards are slow"}},
        "publish": {"publish_checkbox": {"type": "checkboxes", "selected_options": [{"value": "public"}]}}}
    emu.submit_view(view["id"], values, user_id=emu.user_id("alice"))
    wait_post(bot, second.channel_id or "", "Dashboards are slow")
    command(bot, "alice", first, "resolve")
    submit_resolve_form(bot, "alice")

    wait_page(bot, "Dashboards are slow")

    def resolved_shown() -> list[dict[str, Any]] | None:
        incidents: list[dict[str, Any]] = page_json(bot)["incidents"]
        return incidents if incidents[-1]["status"] == "resolved" else None
    incidents = emu.wait_for(resolved_shown, timeout=10)
    assert incidents is not None
    assert [i["title"] for i in incidents] == ["Slow dashboards", "Login errors"]
    assert incidents[-1]["resolved_at"] and incidents[0]["resolved_at"] is None
    html = wait_page(bot, "Login errors")
    assert html.index("Open incidents") < html.index("Slow dashboards") < html.index("Resolved in the last")
    assert html.index("Resolved in the last") < html.index("Login errors")


def test_the_status_page_off_answers_404_everywhere(make_bot: Any) -> None:
    bot = make_bot(status_page=False)
    for path in ("/status", "/status.json", "/status.atom"):
        assert fetch(bot, path)[0] == 404
    assert fetch(bot, "/healthz")[0] == 200
