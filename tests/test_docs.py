"""The documentation cannot drift from the code: its examples run, its commands parse.

- docs/cli.md is what ``benchmarks/cli_reference.py`` writes from the parser now.
- Every ```python block of a page is a doctest (pytest runs the doctests of docs/*.md, in a
  folder holding the seeds: docs/conftest.py), so no Python example goes unrun.
- Every ``dedup`` command in a ```sh or ```console block of the pages and the README parses
  with the command's own parser; those that only read the seeds are run, and the output a
  page shows after ``$ dedup ...`` must be what the command prints (``...`` stands for any
  lines).
- Every script of ``benchmarks/`` that a page names exists.

The dated records in docs/notes/ are history: their commands are checked by none of this.
"""

from __future__ import annotations

import doctest
import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from benchmarks.cli_reference import render
from dedup.cli import _parser, main

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "docs").glob("*.md"))
READMES = [ROOT / "README.md"]
FENCE = re.compile(r"^( *)```(\w*)\n(.*?)^\1```", re.S | re.M)
#: Options whose value is a file the command writes: it need not exist beforehand.
OUTPUTS = {"-o", "--output", "--html", "--index"}


@dataclass(frozen=True)
class Command:
    """One ``dedup`` command line of a page, with the output the page shows after it."""

    page: str
    argv: tuple[str, ...]
    shown: str | None  # None: the page shows no output

    def __str__(self) -> str:
        return f"{self.page}: dedup {shlex.join(self.argv)}"


def _blocks(path: Path) -> list[tuple[str, str]]:
    text = path.read_text(encoding="utf-8")
    return [(m.group(2), re.sub(rf"(?m)^{m.group(1)}", "", m.group(3)))
            for m in FENCE.finditer(text)]


def _dedup_argv(line: str) -> list[list[str]]:
    """Return the argument lists of the ``dedup`` commands on one shell line."""
    found = []
    for part in re.split(r"&&|\|", line):
        words = shlex.split(part, comments=True)
        if words and words[0] in ("dedup", ".venv/bin/dedup"):
            found.append(words[1:])
    return found


def commands(paths: list[Path]) -> list[Command]:
    """Return every ``dedup`` command of the sh, console and text blocks of ``paths``."""
    found = []
    for path in paths:
        page = path.relative_to(ROOT).as_posix()
        for lang, body in _blocks(path):
            if lang == "sh":
                lines = body.replace("\\\n", " ").splitlines()
                found += [Command(page, tuple(argv), None)
                          for line in lines for argv in _dedup_argv(line)]
            elif lang in ("console", "text"):
                # A command is a line starting with "$ "; the lines after it, its output.
                chunks = re.split(r"(?m)^\$ ", body.replace("\\\n", " "))
                for chunk in chunks[1:]:
                    line, _, output = chunk.partition("\n")
                    for argv in _dedup_argv(line):
                        found.append(Command(page, tuple(argv), output or None))
    return found


ALL = commands(PAGES + READMES)


def test_the_cli_reference_is_what_the_parser_says() -> None:
    written = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert written == render(), (
        "docs/cli.md differs from the parser: run .venv/bin/python -m benchmarks.cli_reference")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_python_example_is_a_doctest(page: Path) -> None:
    for lang, body in _blocks(page):
        if lang == "python":
            assert body.lstrip().startswith(">>>"), (
                f"{page.name}: a ```python block that is not a doctest never runs; write it "
                f"with >>> prompts:\n{body}")


def test_the_pages_show_commands() -> None:
    # The checks below would pass on nothing: make sure the parsing finds the examples.
    assert len(ALL) >= 20
    assert any(c.argv[:2] == ("scan", "seeds/") and c.shown for c in ALL)


@pytest.mark.parametrize("command", ALL, ids=str)
def test_every_command_parses(command: Command) -> None:
    try:
        _parser().parse_args(list(command.argv))
    except SystemExit as exc:
        pytest.fail(f"{command}: the parser refuses it (exit {exc.code})")


def _runnable(argv: tuple[str, ...]) -> bool:
    """Say whether a command reads only the seeds (so the test can run it)."""
    if not any(a.startswith("seeds") for a in argv) or "-" in argv:
        return False
    after_output = False
    for arg in argv:
        if after_output:
            after_output = False
            continue
        if arg in OUTPUTS:
            after_output = True
        elif not arg.startswith("-") and ("/" in arg or "." in arg) and not Path(
                ROOT, arg).exists():
            return False
    return True


RUNNABLE = [c for c in ALL if _runnable(c.argv)]


def test_some_commands_run() -> None:
    assert len(RUNNABLE) >= 5


@pytest.mark.parametrize("command", RUNNABLE, ids=str)
def test_commands_on_the_seeds_print_what_the_pages_show(
        command: Command, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    code = main(list(command.argv))
    out = capsys.readouterr().out
    assert code == (1 if "--fail-on-duplicates" in command.argv else 0), f"{command}: exit {code}"
    if command.shown is not None:
        want = command.shown.rstrip("\n") + "\n"
        checker = doctest.OutputChecker()
        assert checker.check_output(want, out, doctest.ELLIPSIS), (
            f"{command}: the page shows\n{want}\nthe command prints\n{out}")


@pytest.mark.parametrize("page", PAGES + READMES, ids=lambda p: p.name)
def test_every_benchmark_script_named_exists(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    files = set(re.findall(r"benchmarks/(\w+(?:\.\w+)?)", text))
    modules = {f"{m}.py" for m in re.findall(r"benchmarks\.(\w+)", text)}
    missing = sorted(n for n in files | modules if not (ROOT / "benchmarks" / n).exists())
    assert not missing, f"{page.name} names benchmarks that do not exist: {missing}"
