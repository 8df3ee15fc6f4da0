"""The shape of the code, checked: no import cycle among the project's modules (imports under
TYPE_CHECKING and inside functions count too), discord.py only at the Discord edge, aiosqlite
only in the store, and no cog reaching into the bot for a service it was not given.

ruff's TID251 keeps the same layering while you type; this test also sees cycles, which no
linter rule does, and fails with the path of modules that closes one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import ROOT

PACKAGES = ("bot", "cogs", "benchmarks")
DISCORD_EDGE = {"bot.client", "bot.sender", "bot.render", "bot.render_daily"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    return {module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")}


def imported(path: Path, name: str) -> Iterator[str]:
    """Every module `path` imports, wherever in the file the import statement stands."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)  # `from bot import shell`


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {
        name: {target for target in imported(path, name) if target in modules and target != name}
        for name, path in modules.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a path of modules (first == last), or None."""
    state: dict[str, str] = {}
    trail: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        trail.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return [*trail[trail.index(target) :], target]
            if target not in state and (cycle := visit(target)) is not None:
                return cycle
        state[node] = "done"
        trail.pop()
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)) is not None:
            return cycle
    return None


def test_no_module_imports_itself_through_others() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def third_party_imports(name: str) -> set[str]:
    return {target.split(".")[0] for target in imported(project_modules()[name], name)}


@pytest.mark.parametrize("name", sorted(project_modules()))
def test_each_module_keeps_to_its_layer(name: str) -> None:
    uses = third_party_imports(name)
    if name.startswith("bot.store") or name == "bot.store":
        assert "discord" not in uses, "the store knows nothing of Discord"
        return
    assert "aiosqlite" not in uses, "SQL lives in bot/store/ alone"
    if name.startswith("bot") and name not in DISCORD_EDGE:
        assert "discord" not in uses, f"{name} is below the Discord edge"


def test_cogs_are_handed_their_services_and_reach_into_nothing() -> None:
    """A cog gets what it uses through its constructor: no `interaction.client.<service>`, no
    `getattr(client, ...)`, no service reached through another (`almanac.store`)."""
    for path in (ROOT / "cogs").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for smell in (
            "interaction.client.",
            "getattr(interaction.client",
            ".almanac.store",
            "self.bot.almanac",
        ):
            assert smell not in text, f"{path.name} reaches through `{smell}`"
