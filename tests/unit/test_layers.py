"""The import contracts (``pyproject.toml``, checked by ``lint-imports`` in ``make test``)
cover every feature: a new wing fails here until it has both halves and is in them."""

from __future__ import annotations

import ast
import importlib
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parents[2]
CONTRACTS: list[dict[str, Any]] = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"][
    "importlinter"
]["contracts"]
# Folders of bot/ that are not features.
SHARED = {"kit", "delivery"}


def wings(layer: str) -> set[str]:
    return {
        folder.name
        for folder in (ROOT / layer).iterdir()
        if (folder / "__init__.py").exists() and folder.name not in SHARED
    }


def contract(kind: str, name: str) -> dict[str, Any]:
    [found] = [c for c in CONTRACTS if c["type"] == kind and c["name"].startswith(name)]
    return found


def test_every_feature_has_the_same_name_in_handlers_and_bot() -> None:
    assert wings("handlers") == wings("bot")


def test_every_feature_is_in_the_layers_of_bot() -> None:
    layers = contract("layers", "Inside bot/")["layers"]
    assert {m.strip() for m in layers[0].split(":")} == {f"bot.{w}" for w in wings("bot")}
    assert layers[1:] == ["bot.delivery", "bot.kit"]


def test_the_screens_of_every_feature_are_independent() -> None:
    modules = contract("independence", "Screens of one feature")["modules"]
    assert set(modules) == {f"handlers.{w}" for w in wings("handlers")}


def test_the_layers_are_the_four_of_the_design() -> None:
    assert contract("layers", "Layers:")["layers"] == ["app", "handlers", "bot", "storage"]
    stand_in = contract("forbidden", "The Bot API stand-in")
    assert set(stand_in["forbidden_modules"]) == {"app", "handlers", "bot", "storage"}


def test_screens_never_touch_storage() -> None:
    """Handlers call services only: no ``….storage`` reached through the services, and
    from ``storage`` only the types of what the services return (no repository, no codec)."""
    reaching, untyped = [], []
    for path in sorted((ROOT / "handlers").rglob("*.py")):
        where = path.relative_to(ROOT)
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Attribute) and node.attr == "storage":
                reaching.append(f"{where}:{node.lineno}")
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "storage":
                module = importlib.import_module(node.module or "")
                untyped += [
                    f"{where}:{node.lineno} {alias.name}"
                    for alias in node.names
                    if not isinstance(getattr(module, alias.name), type)
                ]
            if isinstance(node, ast.Import) and any(
                a.name.split(".")[0] == "storage" for a in node.names
            ):
                untyped.append(f"{where}:{node.lineno} import storage")
    assert reaching == [] and untyped == []
