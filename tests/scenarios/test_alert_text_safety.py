"""What an alert's sender writes can ping nobody: the triage message's fallback text is escaped like its blocks."""

from __future__ import annotations

from typing import Any

from tests.scenarios.alert_helpers import TOKEN, generic, post_alerts, told


def test_a_broadcast_in_an_alert_title_is_escaped_in_every_text_slack_gets(make_bot: Any) -> None:
    bot = make_bot(alert_token=TOKEN)
    status, _ = post_alerts(bot, "generic", generic("db-1", title="<!channel> db-1 <script>down</script>"))
    assert status == 202
    bot.emu.wait_for(lambda: told(bot))
    calls = [c for c in bot.emu.calls("chat.postMessage") if "db-1" in str(c.args.get("text"))]
    assert calls
    for call in calls:
        text = str(call.args.get("text"))
        assert "<!channel>" not in text and "<script>" not in text, text
        assert "&lt;!channel&gt;" in text
