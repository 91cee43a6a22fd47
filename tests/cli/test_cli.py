"""What every `jun-engine` command shares (issue 18, "CLI consistency"): the version, shell
completion, one error prefix, the same `-n/--limit` on every list, one JSON style with ISO 8601
times and their offsets, tables in the town's zone with the zone named, help that the terminal
wraps."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer import _click as click
from typer.main import get_group
from typer.testing import CliRunner

from jun_engine import __version__
from jun_engine.cli.app import app
from jun_engine.cli.exit_codes import ExitCode
from jun_engine.store.migrate import upgrade

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "accounts.yaml"
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "120"})
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def commands(
    group: typer.core.TyperGroup | None = None, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], object]]:
    """Every command of the tree, with its path (`("cases", "list")`)."""
    root = group if group is not None else get_group(app)
    context = click.Context(root)
    for name in root.list_commands(context):  # the root imports each command when asked
        command = root.get_command(context, name)
        if isinstance(command, typer.core.TyperGroup):
            yield from commands(command, (*path, name))
        else:
            yield (*path, name), command


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'jun.db'}"
    upgrade(url)
    return url


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_the_version_has_a_long_and_a_short_flag(flag: str) -> None:
    assert invoke(flag) == (ExitCode.OK, f"jun-engine {__version__}\n", "")


def test_shell_completion_is_offered_and_prints_a_script() -> None:
    _, help_text, _ = invoke("--help")
    assert "--install-completion" in help_text
    assert "--show-completion" in help_text
    code, script, _ = invoke("--show-completion", "bash")
    assert code == ExitCode.OK
    assert "_JUN_ENGINE_COMPLETE" in script
    assert "complete " in script


def test_every_list_takes_the_same_limit_option() -> None:
    lists = [(path, command) for path, command in commands() if path[-1] == "list"]
    assert {path[0] for path, _ in lists} >= {
        "cases", "outbox", "residents", "notices", "menus", "appointments", "slots"
    }  # fmt: skip
    for path, command in lists:
        [limit] = [p for p in command.params if p.name == "limit"]  # type: ignore[attr-defined]
        assert sorted(limit.opts) == ["--limit", "-n"], path


def test_every_help_paragraph_is_one_line_for_the_terminal_to_wrap() -> None:
    for path, command in commands():
        help_text = command.help or ""  # type: ignore[attr-defined]
        for paragraph in help_text.split("\n\n"):
            assert "\n" not in paragraph, (path, paragraph)


def test_usage_errors_and_refusals_share_one_error_prefix(tmp_path: Path, db: str) -> None:
    broken = tmp_path / "accounts.yaml"
    broken.write_text("version: 1\ntown: {name: Jun}\n", encoding="utf-8")
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "demo.sqlite3").write_bytes(b"")
    refusals = [
        ("cases", "list", "--bogus"),  # click's usage error
        ("cases", "list", "-n", "0"),  # a bad value
        ("--db", str(tmp_path / "behind.db"), "status"),
        ("--db", str(tmp_path / "behind.db"), "outbox", "list"),
        ("-c", str(CONFIG), "--db", str(tmp_path / "behind.db"), "cases", "list"),
        ("-c", str(broken), "--db", db, "run"),
        ("demo", "--dir", str(tmp_path / "demo")),
        ("classifier", "train", str(tmp_path / "missing.csv")),
        ("-c", str(CONFIG), "--db", db, "alert", "Incendio"),  # no --yes, no terminal
    ]
    for args in refusals:
        code, _, stderr = invoke(*args)
        assert code in (ExitCode.USAGE, ExitCode.DATABASE), (args, code, stderr)
        said = [line for line in stderr.splitlines() if line.startswith("error: ")]
        assert said, (args, stderr)
        assert not any(line.startswith(("jun-engine ", "Error")) for line in stderr.splitlines())


def test_json_output_is_one_style_with_iso_times_and_offsets(db: str) -> None:
    base = ("-c", str(CONFIG), "--db", db)
    code, enrolled, _ = invoke(*base, "residents", "enrol", "Ana Ruiz", "-d", "Centro", "--json")
    assert code == ExitCode.OK
    notice = ("notices", "add", "Pleno", "--at", "2026-03-05 19:00", "--json")
    assert invoke(*base, *notice)[0] == ExitCode.OK
    outputs = [enrolled] + [
        invoke(*base, *args, "--json")[1]
        for args in (
            ("residents", "list"), ("residents", "show", "1"), ("notices", "list"),
            ("cases", "list"), ("outbox", "list"), ("menus", "list"), ("db", "current"),
        )
    ]  # fmt: skip
    times = []
    for text in outputs:
        document = json.loads(text)
        assert text == json.dumps(document, ensure_ascii=False, indent=2) + "\n", text
        times += list(_times(document))
    assert times, "no time in any JSON output"
    assert all(ISO_WITH_OFFSET.match(t) for t in times), times


def _times(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith(("_at", "_due")) and isinstance(item, str):
                yield item
            else:
                yield from _times(item)
    elif isinstance(value, list):
        for item in value:
            yield from _times(item)


def test_tables_show_times_in_the_towns_zone_and_name_it(db: str) -> None:
    base = ("-c", str(CONFIG), "--db", db)
    invoke(*base, "residents", "enrol", "Ana Ruiz", "-d", "Centro")
    invoke(*base, "notices", "add", "Pleno", "--at", "2026-03-05 19:00")
    for args in (("residents", "list"), ("notices", "list"), ("cases", "list")):
        code, table, _ = invoke(*base, *args)
        assert code == ExitCode.OK
        assert "times in Europe/Madrid" in table, args
    _, notices, _ = invoke(*base, "notices", "list")
    assert "2026-03-05 19:00" in notices  # 18:00 UTC, shown in Jun's time
