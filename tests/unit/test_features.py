"""The feature records: one per feature, each complete, none claiming another's things."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.features import FEATURES
from bot.config import ConfigError, FeatureName, Settings, load_settings
from bot.kit.i18n import LANGUAGES
from bot.services import Services
from handlers.kit.feature import Feature, Outbox, outbox_of
from handlers.kit.menu import KIT_COMMANDS, Menu
from storage import Storage

LOCALES = Path(__file__).resolve().parents[2] / "bot" / "locales"
# Sections of the settings that belong to the app as a whole, not to one feature.
INFRASTRUCTURE = {"telegram", "storage", "delivery", "cluster", "logging"}


def test_one_record_per_feature_in_the_order_of_the_names() -> None:
    assert [f.name for f in FEATURES] == list(FeatureName)


def test_each_record_names_its_catalogue_in_both_languages_and_no_file_is_left_over() -> None:
    for language in LANGUAGES:
        files = {p.stem for p in (LOCALES / language).glob("*.ftl")}
        assert files == {f.catalogue for f in FEATURES}, language


def test_each_settings_section_belongs_to_one_feature_or_to_the_app() -> None:
    owned = [section for f in FEATURES for section in f.config]
    assert len(owned) == len(set(owned))
    assert set(owned) | INFRASTRUCTURE == set(Settings.model_fields)


def test_commands_are_claimed_once_and_ranked_apart() -> None:
    listed = [c for f in FEATURES for c in f.commands] + list(KIT_COMMANDS)
    assert len({c.command for c in listed}) == len(listed)
    assert len({c.rank for c in listed}) == len(listed)
    assert Menu(FEATURES).names() == {c.command for c in listed}


async def test_message_kinds_claimed_by_two_features_are_refused(
    services: Services, storage: Storage
) -> None:
    kinds = outbox_of(FEATURES, services).renderers
    assert {"directive", "checkin_flag", "duty_prompt", "summary"} <= set(kinds)
    directives = next(f for f in FEATURES if f.name is FeatureName.DIRECTIVES)
    copycat = Feature(
        name=FeatureName.SUMMARIES,
        outbox=lambda s: Outbox({"directive": kinds["directive"]}),
    )
    with pytest.raises(ValueError, match="directive"):
        outbox_of((directives, copycat), services)


def test_features_off_names_a_known_feature() -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(None, organisation={"features_off": ["grid"]})
    [problem] = raised.value.problems
    assert problem.startswith("organisation.features_off[0]: input should be 'org'")
