"""The files v2 upload flow end to end through WebClient.files_upload_v2."""

from __future__ import annotations

import urllib.request

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.emulator import SlackEmulator


def test_files_upload_v2_end_to_end(client: WebClient, emu: SlackEmulator) -> None:
    cid = emu.channel_id("incidents")
    parent = client.chat_postMessage(channel=cid, text="timeline")["ts"]
    result = client.files_upload_v2(channel=cid, content="line 1\nline 2\n", filename="timeline.md",
                                    title="Timeline", initial_comment="Exported", thread_ts=parent)
    fid = result["file"]["id"]
    assert result["file"]["title"] == "Timeline"
    emu.drain()  # the share comes a moment after the answer
    [stored] = emu.files()
    assert stored["id"] == fid and stored["content"] == b"line 1\nline 2\n" and stored["channels"] == [cid]
    assert stored["initial_comment"] == "Exported" and stored["thread_ts"] == parent
    share = emu.messages(cid)[-1]
    assert share["subtype"] == "file_share" and share["files"][0]["id"] == fid
    assert share["text"] == "Exported" and share["thread_ts"] == parent
    info = client.files_info(file=fid)["file"]
    assert info["name"] == "timeline.md" and info["size"] == 14 and info["channels"] == [cid]
    request = urllib.request.Request(info["url_private"], headers={"Authorization": f"Bearer {emu.bot_token}"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request) as resp:
        assert resp.read() == b"line 1\nline 2\n"
    assert [c.method for c in emu.calls()][-3:] == ["files.getUploadURLExternal", "files.completeUploadExternal",
                                                    "files.info"]


def test_complete_requires_upload(client: WebClient, emu: SlackEmulator) -> None:
    slot = client.files_getUploadURLExternal(filename="a.txt", length=3)
    assert slot["upload_url"].startswith(emu.base_url + "/upload/v1/")
    with pytest.raises(SlackApiError) as exc:
        client.files_completeUploadExternal(files=[{"id": slot["file_id"], "title": "a"}],
                                            channel_id=emu.channel_id("general"))
    assert exc.value.response["error"] == "file_not_found"
    with pytest.raises(SlackApiError) as exc:
        client.files_info(file="F404")
    assert exc.value.response["error"] == "file_not_found"


def test_the_share_comes_after_the_answer(client: WebClient, emu: SlackEmulator) -> None:
    """completeUploadExternal answers first; the file_share message and files.info's shares come later."""
    cid = emu.channel_id("incidents")
    emu.file_share_delay = None  # held until released, so "not yet" is certain
    fid = client.files_upload_v2(channel=cid, content="x", filename="a.md", initial_comment="Here")["file"]["id"]
    info = client.files_info(file=fid)["file"]
    assert "shares" not in info and info["channels"] == []
    assert not [m for m in emu.messages(cid) if m.get("subtype") == "file_share"]
    emu.release_shares()
    [share] = [m for m in emu.messages(cid) if m.get("subtype") == "file_share"]
    assert share["files"][0]["id"] == fid and share["text"] == "Here"
    info = client.files_info(file=fid)["file"]
    assert info["channels"] == [cid] and [e["ts"] for e in info["shares"]["public"][cid]] == [share["ts"]]


def test_a_share_into_a_channel_archived_meanwhile_is_lost(client: WebClient, emu: SlackEmulator) -> None:
    cid = emu.channel_id("incidents")
    emu.file_share_delay = None
    fid = client.files_upload_v2(channel=cid, content="x", filename="a.md")["file"]["id"]
    client.conversations_archive(channel=cid)
    emu.release_shares()
    assert not [m for m in emu.messages(cid) if m.get("subtype") == "file_share"]
    assert "shares" not in client.files_info(file=fid)["file"]


def test_a_timed_share_lands_by_itself(client: WebClient, emu: SlackEmulator) -> None:
    cid = emu.channel_id("general")
    fid = client.files_upload_v2(channel=cid, content="x", filename="a.md")["file"]["id"]
    emu.wait_for(lambda: "shares" in client.files_info(file=fid)["file"])
    emu.drain()
    assert [m["files"][0]["id"] for m in emu.messages(cid) if m.get("subtype") == "file_share"] == [fid]
