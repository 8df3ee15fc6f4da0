"""The shape of the code, checked: no import cycle among the project's modules (imports under
TYPE_CHECKING and inside functions count too), discord.py only at the Discord edge, aiosqlite
only in the store, no cog reaching into the bot for a service it was not given, every package
saying what it is for, and the layers of pyproject.toml's import contract enforced.

ruff's TID251 keeps discord.py and aiosqlite in their places while you type, and `lint-imports`
(in `make test`) the layers between bot/'s packages; this test also sees cycles inside a package,
which neither does, and fails with the path of modules that closes one.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import ROOT

PACKAGES = ("bot", "cogs", "benchmarks")
DISCORD_EDGE = {
    "bot.client",
    "bot.daily.sender",
    "bot.render.embeds",
    "bot.daily.embeds",
    "bot.events_tab.discord_side",
}
TOP_LEVEL_MODULES_MAX = 8  # bot/ holds packages; only the modules that wire and run stay beside them
MODULE_LINES_MAX = 400
PACKAGE_LINES_MAX = 1_500


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


def packages() -> list[Path]:
    """bot/'s packages of code (and their subpackages), not its folders of data files."""
    folders = (path.parent for path in (ROOT / "bot").rglob("*/__init__.py"))
    return sorted(folder for folder in folders if len(list(folder.glob("*.py"))) > 1)


def test_bot_is_a_few_packages_and_the_modules_that_wire_them() -> None:
    top_level = sorted(path.name for path in (ROOT / "bot").glob("*.py") if path.name != "__init__.py")
    assert len(top_level) <= TOP_LEVEL_MODULES_MAX, top_level
    assert {"__main__.py", "client.py", "config.py", "runtime.py", "shell.py"} <= set(top_level)


@pytest.mark.parametrize("package", packages(), ids=lambda path: path.relative_to(ROOT).as_posix())
def test_each_package_says_what_it_is_for_and_stays_small(package: Path) -> None:
    docstring = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8")))
    assert docstring, f"{package.relative_to(ROOT)}/__init__.py has no docstring saying what it owns"
    sizes = {path.name: len(path.read_text(encoding="utf-8").splitlines()) for path in package.glob("*.py")}
    assert max(sizes.values()) <= MODULE_LINES_MAX, sizes
    assert sum(sizes.values()) <= PACKAGE_LINES_MAX, sizes


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"]
    return subprocess.run(command, cwd=tree, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize(
    ("module", "planted", "broken"),
    [
        ("bot/dates/months.py", "from bot.daily import scheduler", "bot.dates.months -> bot.daily.scheduler"),
        ("bot/store/rows.py", "import bot.almanac.hidden", "bot.store.rows -> bot.almanac.hidden"),
        ("bot/render/markup.py", "from cogs import errors", "bot.render.markup -> cogs.errors"),
    ],
)
def test_an_import_against_the_layers_fails_the_contract(
    tmp_path: Path, module: str, planted: str, broken: str
) -> None:
    """A copy of the tree passes `lint-imports` as it is, and fails it with one upward import added."""
    for folder in ("bot", "cogs"):
        shutil.copytree(
            ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__", "*.ttf")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    assert lint_imports(tmp_path).returncode == 0

    path = tmp_path / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{planted}  # planted\n", encoding="utf-8")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert broken in result.stdout
