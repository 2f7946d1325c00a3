"""In-memory fakes of the domain's chat-facing ports, for fast workflow tests (the scenario tests, through
the real App and the Slack emulator, stay the acceptance tests).

Each fake keeps state the way the platform would (a taken channel name is taken, a message that was
never posted cannot be edited), records what was said and where in plain data a test asserts on, and
can be told to fail a named step for good: `chat.fail("update the announcement", "channel_not_found")`
makes that step raise ChatStepFailed, as the Slack adapter does after its retries. Step names are the
adapters' own (bot/slack/adapters/*.py). What was said is kept as the domain's own News records, not as
rendered text: the rendering is the Slack blocks' business and is tested there.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from bot.errors import ChannelNameTaken, ChatStepFailed
from bot.incidents.news import News, RoleChange
from bot.incidents.ports import IncidentChat, IncidentNews, RunbookShelf
from bot.incidents.snapshots import IncidentSnapshot
from bot.postmortem.ports import PostmortemDesk
from bot.runbooks.ports import ChecklistChat
from bot.runbooks.snapshots import ChecklistSnapshot
from bot.timeline.ports import ChannelHistory, HistoryUnavailable
from bot.timeline.values import Capture

ANNOUNCE_CHANNEL = "incidents"


class _Failures:
    """Steps told to fail, by the adapter's step name; every call of a failing step is recorded too."""

    def __init__(self) -> None:
        self.failing: dict[str, str] = {}
        self.calls: list[str] = []
        self._lock = threading.Lock()  # the workflows call chat from a thread pool
        self._ts = 0

    def fail(self, step: str, reason: str) -> None:
        """From now on, `step` is refused with `reason`."""
        self.failing[step] = reason

    def heal(self, step: str) -> None:
        """`step` works again."""
        self.failing.pop(step, None)

    def _step(self, step: str) -> None:
        with self._lock:
            self.calls.append(step)
        if step in self.failing:
            raise ChatStepFailed(step, self.failing[step])

    def _next_ts(self) -> str:
        with self._lock:
            self._ts += 1
            return f"1800000000.{self._ts:06d}"


@dataclass
class Channel:
    """A channel as the platform holds it; `topic` is the incident as the topic last showed it."""

    id: str
    name: str
    private: bool = False
    by_bot: bool = True
    members: set[str] = field(default_factory=set)
    topic: IncidentSnapshot | None = None
    purpose: IncidentSnapshot | None = None


@dataclass
class Card:
    """A card (in the incident channel) or an announcement: the incident as it shows it now, and how often
    it was edited in place."""

    channel_id: str
    ts: str
    shows: IncidentSnapshot
    edits: int = 0
    pinned: bool = False


class FakeChat(_Failures):
    """IncidentChat and IncidentNews together, as the Slack adapter implements them.

    Records: `channels[name]` (Channel), `cards[channel_id]` (Card), `announcements[number]` (Card, in the
    announcement channel), `news[channel_id]` (the News told in the channel, in order), `replies[number]`
    (the News threaded under incident `number`'s announcement), `posts[channel_id]` (plain text said, e.g.
    a set-up problem), `dms[user]` (RoleChange duties or text). `groups[group_id]` is what a user group
    holds; `calls` every step asked for, in order.
    """

    def __init__(self, *, announce: bool = True) -> None:
        super().__init__()
        self.channels: dict[str, Channel] = {}
        self.cards: dict[str, Card] = {}
        self.announcements: dict[int, Card] = {}
        self.news: dict[str, list[News]] = {}
        self.replies: dict[int, list[News]] = {}
        self.posts: dict[str, list[str]] = {}
        self.dms: dict[str, list[RoleChange | str]] = {}
        self.groups: dict[str, set[str]] = {}
        self.announce_channel = self.add_channel(ANNOUNCE_CHANNEL, by_bot=False).id if announce else None

    # Setting the scene ------------------------------------------------------------------------------

    def add_channel(self, name: str, *, by_bot: bool = False, private: bool = False) -> Channel:
        """A channel that exists already (made by someone else unless `by_bot`)."""
        with self._lock:
            channel = Channel(f"C{len(self.channels) + 1:04d}", name, private=private, by_bot=by_bot)
            self.channels[name] = channel
        return channel

    def channel(self, channel_id: str | None) -> Channel:
        """The channel with this id (KeyError when there is none)."""
        for channel in list(self.channels.values()):
            if channel.id == channel_id:
                return channel
        raise KeyError(channel_id)

    def _existing(self, step: str, channel_id: str | None) -> Channel:
        try:
            return self.channel(channel_id)
        except KeyError:
            raise ChatStepFailed(step, "channel_not_found") from None

    # IncidentChat ------------------------------------------------------------------------------------

    def open_channel(self, name: str, *, private: bool) -> str:
        """A new channel; a taken name raises ChannelNameTaken (archived or not, as on Slack)."""
        self._step("create the channel")
        with self._lock:
            if name in self.channels:
                raise ChannelNameTaken(name)
            channel = Channel(f"C{len(self.channels) + 1:04d}", name, private=private, by_bot=True)
            self.channels[name] = channel
        return channel.id

    def set_topic(self, incident: IncidentSnapshot) -> None:
        """The topic shows `incident`."""
        self._step("set the topic")
        self._existing("set the topic", incident.channel_id).topic = incident

    def set_purpose(self, incident: IncidentSnapshot) -> None:
        """The purpose shows `incident`."""
        self._step("set the purpose")
        self._existing("set the purpose", incident.channel_id).purpose = incident

    def invite(self, channel_id: str, user_ids: list[str]) -> None:
        """The people become members (already-present people are fine)."""
        self._step("invite")
        self._existing("invite", channel_id).members.update(user_ids)

    def post_card(self, incident: IncidentSnapshot) -> str:
        """The card in the incident channel; one card per channel."""
        self._step("post the card")
        channel = self._existing("post the card", incident.channel_id)
        card = Card(channel.id, self._next_ts(), incident)
        self.cards[channel.id] = card
        return card.ts

    def pin(self, channel_id: str, ts: str) -> None:
        """Pin the card (only the card is ever pinned)."""
        self._step("pin the card")
        card = self.cards.get(channel_id)
        if card is None or card.ts != ts:
            raise ChatStepFailed("pin the card", "message_not_found")
        card.pinned = True

    def announce(self, incident: IncidentSnapshot) -> tuple[str, str] | None:
        """The announcement card, unless there is no announcement channel or the incident is private."""
        if self.announce_channel is None or incident.is_private:
            return None
        self._step("announce")
        card = Card(self.announce_channel, self._next_ts(), incident)
        self.announcements[incident.number] = card
        return card.channel_id, card.ts

    def find_channel(self, name: str) -> str | None:
        """The channel called `name` when the bot made it."""
        self._step("look for the channel")
        channel = self.channels.get(name)
        return channel.id if channel is not None and channel.by_bot else None

    def find_card(self, channel_id: str, number: int) -> str | None:
        """The card of incident `number` in the channel, if it is there."""
        self._step("look for the card")
        card = self.cards.get(channel_id)
        return card.ts if card is not None and card.shows.number == number else None

    def find_announcement(self, number: int) -> tuple[str, str] | None:
        """Incident `number`'s announcement, if it is out."""
        self._step("look for the announcement")
        card = self.announcements.get(number)
        return (card.channel_id, card.ts) if card is not None else None

    def say_setup_problem(self, incident: IncidentSnapshot, problem: str) -> None:
        """The problem said in the incident channel."""
        self._step("post in the channel")
        channel = self._existing("post in the channel", incident.channel_id)
        self.posts.setdefault(channel.id, []).append(problem)

    def tell_declarer(self, incident: IncidentSnapshot, text: str) -> None:
        """A direct message to the declarer."""
        self._step("send a direct message")
        self.dms.setdefault(incident.reporter_id, []).append(text)

    # IncidentNews ------------------------------------------------------------------------------------

    def refresh_card(self, incident: IncidentSnapshot) -> None:
        """The card shows `incident` now. No card recorded: nothing to do (as the adapter); a card_ts that
        was never posted in that channel is refused, as Slack would (message_not_found)."""
        if not incident.card_ts:
            return
        self._step("update the card")
        card = self.cards.get(incident.channel_id or "")
        if card is None or card.ts != incident.card_ts:
            raise ChatStepFailed("update the card", "message_not_found")
        card.shows, card.edits = incident, card.edits + 1

    def refresh_topic(self, incident: IncidentSnapshot) -> None:
        """The topic shows `incident` now."""
        self.set_topic(incident)

    def refresh_announcement(self, incident: IncidentSnapshot) -> None:
        """The announcement shows `incident` now (nothing for an incident never announced, as the adapter)."""
        if not incident.is_announced:
            return
        self._step("update the announcement")
        card = self._announcement("update the announcement", incident)
        card.shows, card.edits = incident, card.edits + 1

    def _announcement(self, step: str, incident: IncidentSnapshot) -> Card:
        card = self.announcements.get(incident.number)
        if card is None or (card.channel_id, card.ts) != (incident.announcement_channel_id, incident.announcement_ts):
            raise ChatStepFailed(step, "message_not_found")
        return card

    def post_in_channel(self, incident: IncidentSnapshot, news: list[News]) -> None:
        """The news told in the incident channel."""
        self._step("post in the channel")
        channel = self._existing("post in the channel", incident.channel_id)
        with self._lock:
            self.news.setdefault(channel.id, []).extend(news)

    def thread_under_announcement(self, incident: IncidentSnapshot, news: list[News]) -> None:
        """The news as a reply under the announcement."""
        if not incident.is_announced:
            return
        self._step("reply under the announcement")
        self._announcement("reply under the announcement", incident)
        with self._lock:
            self.replies.setdefault(incident.number, []).extend(news)

    def tell_person(self, incident: IncidentSnapshot, user_id: str, news: RoleChange) -> None:
        """The role's duties, in the person's direct messages."""
        self._step("send a direct message")
        with self._lock:
            self.dms.setdefault(user_id, []).append(news)

    def group_members(self, group_id: str) -> set[str]:
        """Who is in the user group (an unknown group is refused, as Slack does)."""
        self._step("read the admin group")
        if group_id not in self.groups:
            raise ChatStepFailed("read the admin group", "no_such_subteam")
        return set(self.groups[group_id])

    # Reading back ------------------------------------------------------------------------------------

    def news_in(self, incident: IncidentSnapshot) -> list[News]:
        """Everything told in the incident's channel so far."""
        return self.news.get(incident.channel_id or "", [])


class FakeChecklists(_Failures):
    """ChecklistChat: `posted[channel_id]` lists the checklists as shown now (message ts in `ts_of`), in
    the order posted; `edits[ts]` counts in-place updates."""

    def __init__(self) -> None:
        super().__init__()
        self.posted: dict[str, list[ChecklistSnapshot]] = {}
        self.edits: dict[str, int] = {}
        self._where: dict[str, tuple[str, int]] = {}  # ts → (channel, index in posted)

    def post_checklist(self, channel_id: str, checklist: ChecklistSnapshot) -> str:
        """The checklist as a new message."""
        self._step("post the checklist")
        ts = self._next_ts()
        with self._lock:
            shown = self.posted.setdefault(channel_id, [])
            self._where[ts] = (channel_id, len(shown))
            shown.append(checklist)
            self.edits[ts] = 0
        return ts

    def update_checklist(self, channel_id: str, message_ts: str, checklist: ChecklistSnapshot) -> None:
        """The message shows `checklist` now; a message never posted there is refused."""
        self._step("update the checklist")
        where = self._where.get(message_ts)
        if where is None or where[0] != channel_id:
            raise ChatStepFailed("update the checklist", "message_not_found")
        with self._lock:
            self.posted[channel_id][where[1]] = checklist
            self.edits[message_ts] += 1

    def names(self, channel_id: str) -> list[str]:
        """The runbooks posted in the channel, in order."""
        return [c.runbook for c in self.posted.get(channel_id, [])]


class FakeDesk(_Failures):
    """PostmortemDesk: `people` are the names it knows; `files[channel_id]` the (filename, markdown)
    uploaded; `archived` the channels archived.

    Given the SQLite database's URL, `names` checks that no transaction is open while it is asked (every
    bot transaction takes the write lock, BEGIN IMMEDIATE, so one that is open makes a 0-timeout BEGIN
    IMMEDIATE fail): a Slack call inside a transaction is recorded in `violations`.
    """

    def __init__(self, people: dict[str, str] | None = None, *, database_url: str | None = None) -> None:
        super().__init__()
        self.people = dict(people or {})
        self.files: dict[str, list[tuple[str, str]]] = {}
        self.archived: set[str] = set()
        self.violations: list[str] = []
        self.asked: list[set[str]] = []
        self._database = make_url(database_url).database if database_url else None

    def names(self, user_ids: set[str]) -> dict[str, str]:
        """The names it knows of these people (the others are missing, as for people Slack does not know)."""
        self._check_no_transaction("names")
        self.asked.append(set(user_ids))
        return {u: self.people[u] for u in user_ids if u in self.people}

    def upload(self, incident: IncidentSnapshot, filename: str, markdown: str) -> tuple[str, str | None]:
        """The file in the incident channel; returns (file id, permalink)."""
        self._check_no_transaction("upload")
        self._step("post the postmortem")
        file_id = f"F{sum(len(f) for f in self.files.values()) + 1:04d}"
        self.files.setdefault(incident.channel_id or "", []).append((filename, markdown))
        return file_id, f"https://files.example/{file_id}/{filename}"

    def wait_shared(self, channel_id: str, file_id: str) -> bool:
        """Uploads are shared at once here."""
        return True

    def archive(self, channel_id: str) -> None:
        """The channel is archived (again is fine)."""
        self._step("archive the channel")
        self.archived.add(channel_id)

    def _check_no_transaction(self, what: str) -> None:
        if self._database is None:
            return
        db = sqlite3.connect(self._database, timeout=0, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute("ROLLBACK")
        except sqlite3.OperationalError as exc:
            self.violations.append(f"{what} asked while a transaction was open ({exc})")
        finally:
            db.close()


class FakeHistory:
    """ChannelHistory: `messages[channel_id]` is what the channel holds (a test puts Captures there);
    a channel in `unreadable` raises HistoryUnavailable; `reads` lists (channel, since) asked for."""

    def __init__(self) -> None:
        self.messages: dict[str, list[Capture]] = {}
        self.unreadable: dict[str, str] = {}
        self.reads: list[tuple[str, str | None]] = []

    def read(self, channel_id: str, since: str | None, threads: Collection[str] = ()) -> Iterator[Capture]:
        """Everything in the channel, whatever `since` (catch-up stores each value once anyway)."""
        self.reads.append((channel_id, since))
        if channel_id in self.unreadable:
            raise HistoryUnavailable(f"conversations_history: {self.unreadable[channel_id]}")
        yield from list(self.messages.get(channel_id, []))

    def add(self, captures: Iterable[Capture]) -> None:
        """Messages appear in their channels."""
        for capture in captures:
            self.messages.setdefault(capture.channel_id, []).append(capture)


class FakeShelf:
    """RunbookShelf: `asked` lists (incident id, reason) in order; `failing` is what it reports as not posted."""

    def __init__(self, failing: list[tuple[str, str]] | None = None, *, broken: bool = False) -> None:
        self.asked: list[tuple[int, str]] = []
        self.failing = list(failing or [])
        self.broken = broken  # raise as a shelf whose database is gone would

    def post_matching(self, incident_id: int, reason: str) -> list[tuple[str, str]]:
        """Record the request; report `failing` (or raise when `broken`)."""
        self.asked.append((incident_id, reason))
        if self.broken:
            raise RuntimeError("the runbook shelf is broken")
        return list(self.failing)

    @property
    def reasons(self) -> list[str]:
        """Why runbooks were asked for, in order."""
        return [reason for _, reason in self.asked]


if TYPE_CHECKING:  # mypy proves each fake is its port
    _chat: IncidentChat = FakeChat()
    _news: IncidentNews = FakeChat()
    _shelf: RunbookShelf = FakeShelf()
    _checklists: ChecklistChat = FakeChecklists()
    _desk: PostmortemDesk = FakeDesk()
    _history: ChannelHistory = FakeHistory()
