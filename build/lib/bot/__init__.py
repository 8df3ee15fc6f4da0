"""Almanac: a Discord bot that keeps a chronology and answers questions about it in chat."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("almanac")  # pyproject.toml is the one place the version is written
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
