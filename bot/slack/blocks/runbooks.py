"""Block Kit for runbook checklists and the `/incident runbook` answer: pure functions over snapshots."""

from __future__ import annotations

import re
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    SectionBlock,
)

from bot.markup import date_token, escape, shorten
from bot.runbooks.queries import Overview
from bot.runbooks.snapshots import ChecklistSnapshot, StepView
from bot.slack.blocks.card import HEADER_MAX, SECTION_MAX
from bot.slack.ids import COMMAND, Action
from bot.slack.ids import Block as B

CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)
LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
ITALIC = re.compile(r"(?<![*\w])\*(?!\s)([^*\n]+?)\*(?![*\w])")
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", re.M)
BULLET = re.compile(r"^(\s*)[-*+]\s+", re.M)
DONE = "done"


def markdown_to_mrkdwn(markdown: str) -> str:
    """Runbook Markdown as Slack mrkdwn: `&<>` escaped, links, bold, italics, headings and bullets
    converted; code spans left as they are (escaped only)."""
    parts = CODE.split(markdown)
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(escape(part))
            continue
        text = escape(part)
        text = LINK.sub(lambda m: f"<{m.group(2)}|{m.group(1)}>", text)
        text = BOLD.sub(lambda m: "\x00" + (m.group(1) or m.group(2)) + "\x00", text)
        text = ITALIC.sub(r"_\1_", text)
        text = HEADING.sub(lambda m: f"\x00{m.group(1)}\x00", text)
        text = BULLET.sub(r"\1• ", text)
        out.append(text.replace("\x00", "*"))
    return "".join(out)


def unwrap(markdown: str) -> str:
    """Join the soft-wrapped lines of Markdown paragraphs (Slack keeps every newline); lists, headings,
    blank lines and code blocks keep theirs."""
    out: list[str] = []
    fenced = False
    for line in markdown.splitlines():
        starts_block = not line.strip() or bool(BULLET.match(line) or HEADING.match(line)) or line.startswith("```")
        if out and not fenced and not starts_block and out[-1].strip() and not out[-1].lstrip().startswith("```") \
                and not HEADING.match(out[-1]):
            out[-1] = f"{out[-1]} {line.strip()}"
        else:
            out.append(line)
        if line.startswith("```"):
            fenced = not fenced
    return "\n".join(out)


def _when(step: StepView) -> str:
    if step.changed_at is None:
        return ""
    return f" · {date_token(step.changed_at, '{date_short_pretty} {time}')}"


def _step_text(step: StepView, show_section: bool) -> str:
    head = f"*{markdown_to_mrkdwn(step.section)}*\n" if show_section and step.section else ""
    done = f"\n:white_check_mark: <@{step.changed_by}>{_when(step)}" if step.done and step.changed_by else ""
    body = f"{step.index + 1}. {markdown_to_mrkdwn(step.text)}"
    return head + shorten(body, SECTION_MAX - len(head) - len(done)) + done


def _step_block(checklist: ChecklistSnapshot, step: StepView, show_section: bool) -> SectionBlock:
    option = Option(value=DONE, text=PlainTextObject(text="Done"))
    return SectionBlock(
        block_id=f"{B.RUNBOOK_STEP}:{checklist.id}:{step.index}",
        text=MarkdownTextObject(text=_step_text(step, show_section)),
        accessory=CheckboxesElement(action_id=Action.RUNBOOK_STEP, options=[option],
                                    initial_options=[option] if step.done else None),
    )


def checklist(view: ChecklistSnapshot) -> list[dict[str, Any]]:
    """The checklist message: a header, the runbook's notes, one tickable section per step, progress."""
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=shorten(f"📋 Runbook: {view.title}", HEADER_MAX)))]
    if view.summary:
        summary = shorten(markdown_to_mrkdwn(unwrap(view.summary)), SECTION_MAX)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=summary)))
    section: str | None = None
    for step in view.steps:
        blocks.append(_step_block(view, step, show_section=step.section != section))
        section = step.section
    progress = f"*{view.done_count}/{len(view.steps)} done*"
    context = [progress, f"`{view.runbook}`"] + ([f"posted {view.reason}"] if view.reason else [])
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=" · ".join(context))]))
    return [b.to_dict() for b in blocks]


def fallback(view: ChecklistSnapshot) -> str:
    """The notification and screen-reader text of a checklist message."""
    return f"📋 Runbook: {view.title} ({view.done_count}/{len(view.steps)} done)"


def overview(incident_label: str, view: Overview) -> str:
    """The `/incident runbook` answer: what applies, what is posted, what else there is."""
    lines = [f"*Runbooks for {incident_label}*"]
    if view.applying:
        for runbook, posted in view.applying:
            state = "posted in this channel" if posted else f"not posted: `{COMMAND} runbook {runbook.name}`"
            lines.append(f"• `{runbook.name}` *{escape(runbook.title)}* ({runbook.criteria()}): {state}")
    else:
        lines.append("None applies to this incident as it stands (category, service, severity).")
    for checklist_ in view.posted_elsewhere:
        lines.append(f"• `{checklist_.runbook}` *{escape(checklist_.title)}*: posted in this channel")
    if view.others:
        names = ", ".join(f"`{r.name}`" for r in view.others)
        lines += ["", f"Other runbooks: {names}. Post one with `{COMMAND} runbook <name>`."]
    if view.problems:
        lines += ["", f"⚠️ {view.problems} runbook file(s) have problems and are left out; "
                      "run `incident-bot runbooks check` to see them."]
    return "\n".join(lines)
