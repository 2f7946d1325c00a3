"""Per-method metadata vendored from slack-ruby/slack-api-ref.

Rate-limit tiers and required arguments below were extracted from
slack-ruby/slack-api-ref @ f4837c0 (docs.slack.dev/methods/*.json), which is
MIT licensed: Copyright (c) 2015-2026 Daniel Doubrovkine, Artsy and Contributors.
Only the small facts the emulator needs are copied, as plain Python data.
"""

from __future__ import annotations

# method -> tier ("t1".."t4", "t5" = special)
TIERS: dict[str, str] = {
    "apps.connections.open": "t3",
    "auth.test": "t5",
    "bookmarks.add": "t2",
    "bookmarks.edit": "t2",
    "bookmarks.list": "t3",
    "bookmarks.remove": "t2",
    "chat.delete": "t3",
    "chat.getPermalink": "t5",
    "chat.postEphemeral": "t4",
    "chat.postMessage": "t5",
    "chat.update": "t3",
    "conversations.archive": "t2",
    "conversations.create": "t2",
    "conversations.history": "t3",
    "conversations.info": "t3",
    "conversations.invite": "t3",
    "conversations.join": "t3",
    "conversations.kick": "t3",
    "conversations.list": "t2",
    "conversations.members": "t4",
    "conversations.open": "t3",
    "conversations.rename": "t2",
    "conversations.replies": "t3",
    "conversations.setPurpose": "t2",
    "conversations.setTopic": "t2",
    "conversations.unarchive": "t2",
    "files.completeUploadExternal": "t4",
    "files.getUploadURLExternal": "t4",
    "files.info": "t4",
    "pins.add": "t2",
    "pins.list": "t2",
    "pins.remove": "t2",
    "reactions.add": "t3",
    "reactions.get": "t3",
    "reactions.remove": "t2",
    "usergroups.users.list": "t2",
    "users.info": "t4",
    "users.list": "t2",
    "users.lookupByEmail": "t3",
    "views.open": "t4",
    "views.publish": "t4",
    "views.push": "t4",
    "views.update": "t4",
}

# requests per minute for each tier (Slack's documented floor: "1+/min", "20+/min", ...)
TIER_PER_MINUTE: dict[str, int] = {"t1": 1, "t2": 20, "t3": 50, "t4": 100}

# method -> required args (besides token). A few entries are tightened where the
# docs.slack.dev prose requires an argument the schema leaves optional
# (bookmarks.add channel_id, conversations.rename name).
REQUIRED: dict[str, tuple[str, ...]] = {
    "bookmarks.add": ("channel_id", "title", "type"),
    "bookmarks.list": ("channel_id",),
    "bookmarks.remove": ("channel_id", "bookmark_id"),
    "chat.delete": ("channel", "ts"),
    "chat.getPermalink": ("channel", "message_ts"),
    "chat.postEphemeral": ("channel", "user"),
    "chat.postMessage": ("channel",),
    "chat.update": ("channel", "ts"),
    "conversations.archive": ("channel",),
    "conversations.create": ("name",),
    "conversations.history": ("channel",),
    "conversations.info": ("channel",),
    "conversations.invite": ("channel", "users"),
    "conversations.join": ("channel",),
    "conversations.kick": ("channel", "user"),
    "conversations.members": ("channel",),
    "conversations.rename": ("channel", "name"),
    "conversations.replies": ("channel", "ts"),
    "conversations.setPurpose": ("channel", "purpose"),
    "conversations.setTopic": ("channel", "topic"),
    "conversations.unarchive": ("channel",),
    "files.completeUploadExternal": ("files",),
    "files.getUploadURLExternal": ("filename", "length"),
    "files.info": ("file",),
    "pins.add": ("channel",),
    "pins.list": ("channel",),
    "pins.remove": ("channel",),
    "reactions.add": ("channel", "name", "timestamp"),
    "reactions.remove": ("name",),
    "usergroups.users.list": ("usergroup",),
    "users.info": ("user",),
    "users.lookupByEmail": ("email",),
    "views.open": ("view",),
    "views.publish": ("user_id", "view"),
    "views.push": ("view",),
    "views.update": ("view",),
}

# (method, arg) -> the method's own error code when that required arg is missing,
# where Slack answers with one instead of the generic invalid_arguments.
MISSING_ARG_ERRORS: dict[tuple[str, str], str] = {
    ("chat.postMessage", "channel"): "channel_not_found",
    ("chat.postEphemeral", "channel"): "channel_not_found",
    ("chat.update", "channel"): "channel_not_found",
    ("chat.delete", "channel"): "channel_not_found",
    ("chat.getPermalink", "channel"): "channel_not_found",
    ("conversations.create", "name"): "invalid_name_required",
    ("conversations.rename", "name"): "invalid_name_required",
    ("conversations.info", "channel"): "channel_not_found",
    ("conversations.history", "channel"): "channel_not_found",
    ("conversations.members", "channel"): "channel_not_found",
    ("conversations.join", "channel"): "channel_not_found",
    ("conversations.archive", "channel"): "channel_not_found",
    ("conversations.unarchive", "channel"): "channel_not_found",
    ("conversations.invite", "users"): "no_user",
    ("users.info", "user"): "user_not_found",
    ("users.lookupByEmail", "email"): "users_not_found",
    ("pins.add", "channel"): "channel_not_found",
    ("pins.remove", "channel"): "channel_not_found",
    ("pins.list", "channel"): "channel_not_found",
    ("reactions.add", "channel"): "channel_not_found",
    ("reactions.add", "timestamp"): "no_item_specified",
    ("reactions.add", "name"): "invalid_name",
    ("reactions.remove", "name"): "invalid_name",
    ("files.info", "file"): "file_not_found",
    ("bookmarks.add", "channel_id"): "channel_not_found",
    ("bookmarks.list", "channel_id"): "channel_not_found",
    ("bookmarks.remove", "channel_id"): "channel_not_found",
}
