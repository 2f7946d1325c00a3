"""A faithful, stateful fake of Slack (Web API, Events API, interactivity, Socket Mode) for tests.

    from bot.emulator import SlackEmulator
    with SlackEmulator(signing_secret="test-secret") as emu:
        client = WebClient(token=emu.bot_token, base_url=emu.api_url)
"""

from .delivery import Response
from .emulator import SlackEmulator
from .server import Call

__all__ = ["Call", "Response", "SlackEmulator"]
