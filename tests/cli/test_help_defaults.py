"""Every option's default shows in `--help`, at 80 and 200 columns (rich markup once ate them)."""

from __future__ import annotations

import re

import pytest
import typer

from conftest import invoke

_BOX = re.compile(r"[│╭╮╰╯─┃━┏┓┗┛]")


def _commands():
    from toolkit.cli.app import app

    def walk(command, path=()):
        if not hasattr(command, "commands"):  # typer vendors its own click: no isinstance
            yield path, command
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, (*path, name))

    return list(walk(typer.main.get_command(app)))


def _is_option(param) -> bool:
    return param.param_type_name == "option"


def _has_default(param) -> bool:
    if not _is_option(param) or param.hidden or param.name == "help":
        return False
    return param.default not in (None, False, (), []) and not callable(param.default)


COMMANDS = [(path, cmd) for path, cmd in _commands() if any(map(_has_default, cmd.params))]


def test_some_commands_have_defaults():
    assert len(COMMANDS) >= 5


@pytest.mark.parametrize("columns", ["80", "200"])
@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_default_is_in_help(path, command, columns):
    result = invoke(*path, "--help", env={"COLUMNS": columns})
    assert result.returncode == 0, result.stderr
    text = " ".join(_BOX.sub(" ", result.stdout).split())
    visible = [p for p in command.params if _is_option(p) and not p.hidden]
    # each option's stretch of help runs from its name to the next option's name
    starts = sorted((text.index(p.opts[0] + " "), p) for p in visible)
    for i, (start, param) in enumerate(starts):
        if not _has_default(param):
            continue
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        assert "[default:" in text[start:end], f"{' '.join(path)} {param.opts[0]}: {text[start:end]}"


ALL_COMMANDS = _commands()


@pytest.mark.parametrize("path", [p for p, _ in ALL_COMMANDS],
                         ids=[" ".join(p) or "toolkit" for p, _ in ALL_COMMANDS])
def test_help_at_80_columns_cuts_nothing(path):
    """Rich cuts what does not fit with '…': an option name, a path or a URL in a help text."""
    result = invoke(*path, "--help", env={"COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    assert max(map(len, result.stdout.splitlines())) <= 80
    cut = [line for line in result.stdout.splitlines() if "…" in line]
    assert not cut, "\n".join(cut)
