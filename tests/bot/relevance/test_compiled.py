"""Where the compiled loops' machine code is kept: a folder named for the sources of every module
that holds such loops, so that a loop whose callee changed in another file is compiled again
rather than loaded with the old callee inside it."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

from bot.relevance import compiled
from bot.relevance.compiled import BOT_PACKAGE, COMPILED_PACKAGES, sources_digest


def copied_packages(tmp_path: Path) -> Path:
    for package in COMPILED_PACKAGES:
        shutil.copytree(
            BOT_PACKAGE / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    return tmp_path


def test_every_module_with_compiled_loops_is_in_a_package_the_digest_reads() -> None:
    holding = {
        path.relative_to(BOT_PACKAGE).parts[0]
        for path in BOT_PACKAGE.rglob("*.py")
        if "@compiled" in path.read_text(encoding="utf-8")
    }
    assert holding and holding <= set(COMPILED_PACKAGES)


def test_the_digest_changes_with_any_of_those_modules_and_only_with_them(tmp_path: Path) -> None:
    root = copied_packages(tmp_path)
    assert sources_digest(root) == sources_digest()
    (root / "relevance" / "notes.txt").write_text("not a module", encoding="utf-8")
    assert sources_digest(root) == sources_digest()
    edits = root / "relevance" / "edits.py"  # a callee: the loops calling it live in nearness.py
    edits.write_text(edits.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert sources_digest(root) != sources_digest()


def test_the_loops_are_kept_in_that_folder_and_earlier_folders_are_deleted(tmp_path: Path) -> None:
    earlier = tmp_path / "almanac-0123456789abcdef"
    earlier.mkdir()
    (earlier / "stale.nbi").write_bytes(b"old")
    mine = tmp_path / "mine"
    mine.mkdir()  # not one of the bot's: left alone
    shown = subprocess.run(
        [sys.executable, "-c", "from bot.relevance import compiled; print(compiled.numba_config.CACHE_DIR)"],
        env={**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
        cwd=BOT_PACKAGE.parent,
    ).stdout.strip()
    assert shown == str(tmp_path / f"almanac-{sources_digest()}")
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([Path(shown).name, "mine"])
    assert compiled.numba_config.CACHE_DIR.endswith(f"almanac-{sources_digest()}")  # this process too


def test_a_cache_that_cannot_be_written_only_means_compiling_again(tmp_path: Path) -> None:
    def small_files() -> None:  # a disk as good as full: any file past 1 KB fails to be written
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

    measure = (
        "import numpy as np; from bot.relevance.edits import edits_within; "
        "print(edits_within(np.array([1, 2, 3]), np.array([1, 3, 2]), 2, np.zeros((3, 4), dtype=np.int64)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", measure],
        env={**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)},  # empty: the loop is compiled and saved
        preexec_fn=small_files,
        capture_output=True,
        text=True,
        cwd=BOT_PACKAGE.parent,
    )
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "1", "")
