"""The Slack adapter: the core's commands, buttons, daily posts and App Home on Bolt."""
