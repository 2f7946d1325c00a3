"""Slack markup (mrkdwn and its `<…>` tokens) as pure functions: the one home for them.

No slack_sdk / slack_bolt import, so the domain packages use it too: every mention pattern, every
markup → plain conversion and every date token of the bot is here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo

MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
# Slack tokens kept when user text goes into a message others see: people, channels, links.
# Broadcasts (<!here>, <!channel>) are not among them: they are escaped and cannot ping.
MENTIONS_AND_LINKS = re.compile(r"<(?:@[UW][A-Z0-9]+|#C[A-Z0-9]+|https?://[^<>\s]+)(?:\|[^<>]*)?>")
# Every Slack token (mentions, channels, `<!…>` specials, bare links), kept when stored text is echoed
# back to the one person who asked (an ephemeral answer pings nobody).
TOKEN = re.compile(r"(<(?:[@#!][^<>\s]*|https?://[^<>\s]*)>)")
LINK_URL = re.compile(r"<(https?://[^|>\s]+)(?:\|[^>]*)?>")  # the URL of a link a person posted
USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>")
LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
DATE = re.compile(r"<!date\^\d+\^[^|]*\|([^>]*)>")
DATE_PARTS = re.compile(r"<!date\^(\d+)\^([^|^]*)(?:\^[^|]*)?\|([^>]*)>")  # time, pattern, (link), fallback
_DATE_WORDS = re.compile(r"\{(date_num|date_short_pretty|date_long_pretty|date_pretty|date_short|date_long|date|"
                         r"time_secs|time|ago)\}")
ENTITY_OR_TOKEN = re.compile(r"&(?:amp|lt|gt);|<[^<>]*>")  # what a cut must not split in mrkdwn
# `@bob` typed as plain text (not an e-mail address, not inside a `<…>` token), without trailing punctuation
HANDLE = re.compile(r"(?<![\w.@<|&])@([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")
SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")  # broadcasts


def escape(text: str) -> str:
    """Escape user text for mrkdwn (`&`, `<`, `>`), so it cannot ping or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Slack's three entities back to characters (Slack escapes nothing else)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with an ellipsis when it is longer."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def mentioned_users(text: str) -> list[str]:
    """The user ids @-mentioned in `text`, in order."""
    return MENTION.findall(text)


def link_urls(text: str) -> list[str]:
    """The URLs of the `<https://…>` links in `text`, in order."""
    return LINK_URL.findall(text)


def escape_keeping_mentions(text: str) -> str:
    """Escape user text for mrkdwn, keeping `<@U…>`, `<#C…>` and links as typed (broadcasts escaped)."""
    out, pos = [], 0
    for match in MENTIONS_AND_LINKS.finditer(text):
        out += [escape(text[pos:match.start()]), match.group(0)]
        pos = match.end()
    return "".join([*out, escape(text[pos:])])


def link_handles(text: str, id_of: Callable[[str], str | None]) -> str:
    """Each `@handle` in `text` whose person `id_of` knows as `<@U…>`; unknown handles stay as typed."""
    def linked(match: re.Match[str]) -> str:
        user_id = id_of(match.group(1))
        return f"<@{user_id}>" if user_id else match.group(0)
    return HANDLE.sub(linked, text)


def escape_within(text: str, limit: int) -> str:
    """`escape_keeping_mentions(text)` in at most `limit` characters: the text is cut first (with an ellipsis),
    then escaped, so the cut never falls inside an `&amp;` or a `<@U…>` token (a token is kept whole or left
    out)."""
    units: list[str] = []
    pos = 0
    for match in MENTIONS_AND_LINKS.finditer(text):
        units += [escape(c) for c in text[pos:match.start()]] + [match.group(0)]
        pos = match.end()
    units += [escape(c) for c in text[pos:]]
    if sum(map(len, units)) <= limit:
        return "".join(units)
    out, used = [], 0
    for unit in units:
        if used + len(unit) > limit - 1:
            break
        out.append(unit)
        used += len(unit)
    return "".join(out).rstrip() + "…"


def shorten_mrkdwn(text: str, limit: int) -> str:
    """`shorten` for mrkdwn: the cut backs off to before an entity (`&amp;`) or a `<…>` token it would split."""
    if len(text) <= limit:
        return text
    cut = limit - 1
    for match in ENTITY_OR_TOKEN.finditer(text, max(0, cut - 4000), cut + 4000):
        if match.start() < cut < match.end():
            cut = match.start()
            break
    return text[:cut].rstrip() + "…"


def escape_keeping_tokens(text: str) -> str:
    """Stored text (as the person typed it) back into mrkdwn: `& < >` escaped, every Slack token kept."""
    return "".join(part if TOKEN.fullmatch(part) else escape(part) for part in TOKEN.split(text))


def date_token(when: datetime, pattern: str, fallback: str | None = None) -> str:
    """`<!date^…^pattern|fallback>`: a time every reader sees in their own time zone (the fallback, by
    default the ISO form, is for clients that cannot render it)."""
    fallback = fallback or when.isoformat(timespec="seconds")
    return f"<!date^{int(when.timestamp())}^{pattern}|{fallback}>"


def labelled_link(url: str, label: str | None) -> str:
    """`label (url)`, or the bare URL: how a link reads as plain text."""
    return f"{label} ({url})" if label else url


def markdown_link(url: str, label: str | None) -> str:
    """`[label](url)`, or the bare URL: how a link reads in Markdown."""
    return f"[{label}]({url})" if label else url


def readable(text: str, name_of: Callable[[str], str | None] = lambda _: None, *,
             channel_of: Callable[[str], str | None] = lambda _: None,
             link: Callable[[str, str | None], str] = labelled_link, entities: bool = True,
             zone: tzinfo | None = None, now: datetime | None = None) -> str:
    """Slack markup as people read it: `<@U1>` → `@Ada` (`name_of`, else the token's label, else the id),
    `<#C1|ops>` → `#ops` (`channel_of`, else the label, else the id), `<!here>` → `@here`, a date token
    → its fallback text (or, given a `zone`, as Slack renders it for a reader in that zone: `rendered_date`),
    `<url|label>` → `link(url, label)`; and Slack's own escaping undone unless `entities` is False (text
    already stored as typed)."""
    text = USER.sub(lambda m: "@" + (name_of(m.group(1)) or m.group(2) or m.group(1)), text)
    text = CHANNEL.sub(lambda m: "#" + (channel_of(m.group(1)) or m.group(2) or m.group(1)), text)
    if zone is not None:
        text = DATE_PARTS.sub(lambda m: rendered_date(int(m.group(1)), m.group(2), zone, now), text)
    text = DATE.sub(lambda m: m.group(1), text)
    text = SPECIAL.sub(lambda m: "@" + m.group(1), text)
    text = LINK.sub(lambda m: link(m.group(1), m.group(2)), text)
    return unescape(text) if entities else text


def rendered_date(timestamp: int, pattern: str, zone: tzinfo, now: datetime | None = None) -> str:
    """A date token's pattern (`{date_short_pretty} at {time}`) filled in as Slack shows it to a reader in
    `zone`: `{date_num}` 2026-03-04, `{date_short}` Mar 4, 2026, `{date_long}` Wednesday, March 4th, 2026,
    `{date}` March 4th, 2026, the `_pretty` forms say today / yesterday / tomorrow when they can, `{time}`
    10:00, `{time_secs}` 10:00:05, `{ago}` 5 minutes ago."""
    at = datetime.fromtimestamp(timestamp, zone)
    today = (now or datetime.now(zone)).astimezone(zone)
    days = (at.date() - today.date()).days
    nth = "th" if 10 <= at.day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(at.day % 10, "th")
    plain = {"date_num": at.strftime("%Y-%m-%d"), "date_short": f"{at:%b} {at.day}, {at.year}",
             "date_long": f"{at:%A}, {at:%B} {at.day}{nth}, {at.year}", "date": f"{at:%B} {at.day}{nth}, {at.year}",
             "time": at.strftime("%H:%M"), "time_secs": at.strftime("%H:%M:%S")}
    relative = {0: "today", -1: "yesterday", 1: "tomorrow"}.get(days)

    def word(m: re.Match[str]) -> str:
        name = m.group(1)
        if name == "ago":
            ago = today - at
            return duration_text(ago) + (" ago" if ago.total_seconds() >= 0 else " from now")
        if name.endswith("_pretty"):
            return relative.capitalize() if relative and m.start() == 0 else relative or plain[name[:-7] or "date"]
        return plain[name]

    return _DATE_WORDS.sub(word, pattern)


def duration_text(value: timedelta) -> str:
    """A duration as people say it: `under a minute`, `4 min`, `1 h 11 min`, `3 days`, `2 days 5 h`."""
    minutes = int(abs(value.total_seconds()) // 60)
    sign = "-" if value.total_seconds() < 0 and minutes else ""
    if minutes < 1:
        return "under a minute"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        unit = "day" if days == 1 else "days"
        return sign + f"{days} {unit}" + (f" {hours} h" if hours else "")
    if hours:
        return sign + f"{hours} h" + (f" {minutes} min" if minutes else "")
    return sign + f"{minutes} min"
