"""files.* methods: the v2 external upload flow and files.info.

As in real Slack, files.completeUploadExternal answers before the file is shared: the file_share
message, the file's `channels` and its `shares` in files.info appear `ws.file_share_delay` seconds
later (a share into a channel archived meanwhile is lost).
"""

from __future__ import annotations

import mimetypes
import time
from typing import Any

from .args import ApiError, Args, Handler, invalid_arguments
from .methods_chat import post_as_bot, resolve_target
from .state import Channel, FileRec, Workspace

MAX_UPLOAD = 1024 * 1024 * 1024


def file_object(ws: Workspace, f: FileRec, shares: bool = True) -> dict[str, Any]:
    """The file object as files.info / message "files" carry it."""
    ext = f.name.rsplit(".", 1)[-1].lower() if "." in f.name else "text"
    mimetype = mimetypes.guess_type(f.name)[0] or "text/plain"
    chans = [ws.channels[c] for c in f.channels if c in ws.channels]
    url = f"{ws.base_url}/files-pri/{ws.team_id}-{f.id}/{f.name}"
    out: dict[str, Any] = {
        "id": f.id, "created": f.created, "timestamp": f.created, "name": f.name, "title": f.title or f.name,
        "mimetype": mimetype, "filetype": ext, "pretty_type": ext.upper(), "user": f.user,
        "user_team": ws.team_id, "editable": False, "size": len(f.content or b""), "mode": "hosted",
        "is_external": False, "external_type": "", "is_public": any(not c.is_private for c in chans),
        "public_url_shared": False, "display_as_bot": False, "username": "", "url_private": url,
        "url_private_download": url + "?download=1",
        "permalink": f"https://{ws.domain}.slack.com/files/{f.user}/{f.id}/{f.name}",
        "permalink_public": f"https://slack-files.com/{ws.team_id}-{f.id}",
        "comments_count": 0, "is_starred": False, "has_rich_preview": False,
        "channels": [c.id for c in chans if not c.is_private],
        "groups": [c.id for c in chans if c.is_private and not c.is_im],
        "ims": [c.id for c in chans if c.is_im],
    }
    if f.alt_txt:
        out["alt_txt"] = f.alt_txt
    if shares and chans:
        out["shares"] = _shares(ws, f, chans)
    return out


def _shares(ws: Workspace, f: FileRec, chans: list[Channel]) -> dict[str, Any]:
    shares: dict[str, Any] = {}
    for ch in chans:
        entries = [{"reply_users": [], "reply_users_count": 0, "reply_count": 0, "ts": m["ts"],
                    "channel_name": ch.name, "team_id": ws.team_id, "share_user_id": f.user,
                    **({"thread_ts": m["thread_ts"]} if m.get("thread_ts") else {})}
                   for m in ch.messages.values() if any(x.get("id") == f.id for x in m.get("files", []))]
        shares.setdefault("private" if ch.is_private else "public", {})[ch.id] = entries
    return shares


def get_upload_url(ws: Workspace, a: Args) -> dict[str, Any]:
    """files.getUploadURLExternal: a loopback upload_url and a file id."""
    length = a.int("length", 0)
    if length <= 0:
        raise invalid_arguments("[ERROR] missing required field: length")
    if length > MAX_UPLOAD:
        raise ApiError("file_upload_size_restricted")
    fid = ws.new_id("F")
    ws.files[fid] = FileRec(fid, a.str("filename"), length, ws.bot_user_id, int(time.time()),
                            alt_txt=a.str("alt_txt") or a.str("alt_text") or None)
    return {"ok": True, "upload_url": f"{ws.base_url}/upload/v1/{fid}", "file_id": fid}


def receive_upload(ws: Workspace, file_id: str, data: bytes) -> bool:
    """Store the bytes POSTed to an upload_url; False when the slot is unknown or finished."""
    f = ws.files.get(file_id)
    if f is None or f.completed:
        return False
    f.content = data
    return True


def complete_upload(ws: Workspace, a: Args) -> dict[str, Any]:
    """files.completeUploadExternal: share uploaded files, posting a file_share message."""
    items = a.json("files")
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) and i.get("id") for i in items):
        raise invalid_arguments("[ERROR] invalid files argument [json-pointer:/files]")
    recs: list[FileRec] = []
    for item in items:
        f = ws.files.get(str(item["id"]))
        if f is None or f.content is None or f.completed:
            raise ApiError("file_not_found")
        recs.append(f)
    refs = ([a.str("channel_id")] if a.has("channel_id") else []) + a.list("channels")
    targets: list[Channel] = []
    for ref in refs:
        ch = resolve_target(ws, ref)
        if ch.is_archived:
            raise ApiError("is_archived")
        if ch.is_private and ws.bot_user_id not in ch.members:
            raise ApiError("not_in_channel")
        if a.str("thread_ts") and ws.thread_parent(ch, a.str("thread_ts")) is None:
            raise ApiError("thread_not_found")
        targets.append(ch)
    for f, item in zip(recs, items, strict=True):
        f.title = str(item.get("title") or f.name)
        f.completed = True
        f.initial_comment = a.str("initial_comment") or None
        f.thread_ts = a.str("thread_ts") or None
    blocks = a.json("blocks", error="invalid_blocks") if a.has("blocks") else None
    ws.defer(ws.file_share_delay, lambda: _share(ws, recs, targets, a.str("initial_comment"), blocks,
                                                 a.str("thread_ts") or None))
    return {"ok": True, "files": [{"id": f.id, "title": f.title} for f in recs]}


def _share(ws: Workspace, recs: list[FileRec], targets: list[Channel], comment: str, blocks: Any,
           thread_ts: str | None) -> None:
    """The asynchronous part of completeUploadExternal: the file_share messages, then the shares."""
    for ch in targets:
        if ch.is_archived:
            continue
        for f in recs:
            f.channels.append(ch.id)
        content = {"text": comment, "files": [file_object(ws, f, shares=False) for f in recs],
                   "upload": True, "display_as_bot": False, "subtype": "file_share"}
        if blocks is not None:
            content["blocks"] = blocks
        try:
            post_as_bot(ws, ch, content, thread_ts)
        except ApiError:  # the thread went away meanwhile: shared without its message
            continue


def info(ws: Workspace, a: Args) -> dict[str, Any]:
    """files.info."""
    f = ws.files.get(a.str("file"))
    if f is None or not f.completed:
        raise ApiError("file_not_found")
    return {"ok": True, "file": file_object(ws, f), "comments": [], "response_metadata": {"next_cursor": ""}}


METHODS: dict[str, Handler] = {
    "files.getUploadURLExternal": get_upload_url,
    "files.completeUploadExternal": complete_upload,
    "files.info": info,
}
