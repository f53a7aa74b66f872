"""manifest.yml declares what the app listens to and calls: an admin pastes it once."""

from __future__ import annotations

import yaml

from adapters.slack.app import COMMAND, EVENTS, SCOPES
from tests.conftest import REPO


def test_the_manifest_matches_the_app():
    manifest = yaml.safe_load((REPO / "manifest.yml").read_text(encoding="utf-8"))
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == COMMAND
    assert command["should_escape"] is True  # channels arrive as <#C..|name>, as parsed
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == SCOPES
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == set(EVENTS)
    assert manifest["settings"]["interactivity"]["is_enabled"] is True  # buttons, modals
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
