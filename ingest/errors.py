"""Errors raised while reading settings and documents, each naming what was wrong."""

from __future__ import annotations


def first_line(exc: BaseException, default: str = "") -> str:
    """The first line of an exception's message (libraries' messages can run to many lines and
    must fit in one line of a report), or `default` when it has none."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else default


class HubError(Exception):
    """Base of every error the hub turns into a one-line message."""


class SettingError(HubError):
    """A setting has a value the hub cannot use."""

    def __init__(self, name: str, value: str, problem: str) -> None:
        super().__init__(f"setting {name}={value!r} {problem}")
        self.name = name
        self.value = value


class LoadError(HubError):
    """A file could not be turned into text. `hint` tells an editor what to do about it."""

    def __init__(self, path: str, reason: str, hint: str = "") -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
        self.hint = hint


class ModelUnavailable(HubError):
    """The embedding model could not be loaded from local files."""
