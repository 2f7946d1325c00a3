"""usergroups.users.list through WebClient."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.emulator import SlackEmulator


def test_usergroup_members_are_listed_and_unknown_groups_refused(client: WebClient, emu: SlackEmulator) -> None:
    alice, bob = emu.user_id("alice"), emu.user_id("bob")
    group = emu.add_usergroup("oncall", [alice, bob])
    assert group.startswith("S")
    assert client.usergroups_users_list(usergroup=group)["users"] == [alice, bob]
    with pytest.raises(SlackApiError) as exc:
        client.usergroups_users_list(usergroup="S999")
    assert exc.value.response["error"] == "no_such_subteam"
    with pytest.raises(SlackApiError) as exc:
        client.api_call("usergroups.users.list", params={})
    assert exc.value.response["error"] == "invalid_arguments"
