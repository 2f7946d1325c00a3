"""The benchmark: the bot against the Slack emulator over real HTTP (run with `./dev bench`)."""
