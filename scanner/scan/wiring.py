"""Builds the running parts from a validated config: connectors, detectors, detection context."""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any

from connectors import CONNECTORS
from connectors.base import Connector, FetchResult
from detectors import DETECTORS
from detectors.base import Detector
from scanner.config.keys import ensure_local_key
from scanner.config.schema import AccountConfig, Config
from scanner.errors import RegistryError
from scanner.records import AccountInfo, ConnectorInfo, DetectionContext, DetectorInfo

log = logging.getLogger(__name__)
#: For findings of a detector that is not installed (any more): masked and routed like PII.
UNKNOWN_DETECTOR = DetectorInfo(
    policy_item="", action="", categories={}, masks_spans=True, privacy_officer=True
)


def build_detectors(config: Config) -> dict[str, Detector]:
    """The enabled detectors, built once each (spaCy/Presidio load here), in registry order.

    A roster without a configured `roster_secret` gets the local key, made here on first use.
    """
    district = config.district
    if district.roster is not None and not district.roster_secret:
        district = replace(district, roster_secret=ensure_local_key(config.state_dir))
    return {
        name: DETECTORS.get(name)(settings, district)
        for name, settings in config.detectors.items()
        if settings.enabled
    }


def build_connector(config: Config, platform: str, *, offline: bool = False) -> Connector:
    """A connector for `platform` with its `platforms.<name>` settings (defaults if absent)."""
    cls = CONNECTORS.get(platform)
    settings = config.platforms.get(platform) or cls.Settings()
    return cls(settings, offline=offline, config_dir=config.dir)


def replay_context(path: Path | None, *, record: bool = False) -> AbstractContextManager[Any]:
    """A vcrpy cassette around a fetch when the account replays one; otherwise nothing."""
    if path is None:
        return nullcontext()
    # vcrpy loads only when a cassette is replayed (start-up speed)
    from connectors.replay import cassette

    return cassette(path, record=record)


def fetch_account(
    config: Config, account: AccountConfig, cursor: str | None, state: dict[str, Any]
) -> FetchResult:
    """Fetch one registered account, replaying its cassette when it has one."""
    replay = config.resolve(account.replay) if account.replay else None
    connector = build_connector(config, account.platform, offline=replay is not None)
    with replay_context(replay):
        return connector.fetch(account, cursor, state)


def account_info(account: AccountConfig, profile_text: str | None) -> AccountInfo:
    """What detectors need to know about a registered account."""
    return AccountInfo(
        id=account.id,
        school=account.school,
        district_officer=account.district_officer,
        profile_disclaimer_counts=account.profile_disclaimer_counts,
        profile_text=profile_text,
        scheduled_posts_exempt=account.scheduled_posts_exempt,
    )


def detection_context(config: Config, profiles: dict[str, str | None]) -> DetectionContext:
    """Context for a batch: every registered account, with the profile texts we know."""
    return DetectionContext({a.id: account_info(a, profiles.get(a.id)) for a in config.accounts})


def comment_action(platform: str) -> str:
    """What a sponsor can do on `platform` about a comment by someone else."""
    try:
        return str(CONNECTORS.get(platform).info.comment_action)
    except (RegistryError, AttributeError):
        return ConnectorInfo(label=platform).comment_action


def detector_info(name: str) -> DetectorInfo:
    """What the detector registered as `name` declares (`UNKNOWN_DETECTOR` if none is)."""
    try:
        return DETECTORS.get(name).info
    except RegistryError:
        return UNKNOWN_DETECTOR
