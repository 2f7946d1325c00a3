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
