"""Hostile files and hostile text: a clear problem or exact storage, never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jun_engine.config import ConfigError, Problem, load_config
from jun_engine.config.reading import MAX_BYTES

REPO = Path(__file__).parents[2]
SHIPPED = REPO / "accounts.yaml"


def outcome(path: Path) -> tuple[bool, tuple[Problem, ...]]:
    """Whether the file loaded (for the emulator), else the problems it raised."""
    try:
        load_config(path, target="emulator", environ={})
    except ConfigError as exc:
        return False, exc.problems
    return True, ()


def only_problem(path: Path) -> str:
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    [problem] = raised.value.problems
    return str(problem)


def test_a_ten_megabyte_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    # Given a 10 MB file (valid YAML all the way through)
    path = tmp_path / "huge.yaml"
    with path.open("w", encoding="utf-8") as stream:
        for index in range(400_000):
            stream.write(f"k{index}: xxxxxxxxxxxxxxxxx\n")
    assert path.stat().st_size > 10 * MAX_BYTES
    # Then one problem says how big it is and what the cap is
    problem = only_problem(path)
    assert "huge.yaml: error: the file is 10.2 MiB; accounts.yaml must be under 1 MiB" in problem


def test_a_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"town:\n  name: Jun\n" + bytes(range(256)) * 4)
    assert "binary.yaml:3:1: error: this is a binary file, not YAML text" in only_problem(path)


def test_a_latin1_file_is_refused_with_the_place_of_the_first_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("town:\n  name: Jun\n  districts: [Espa\u00f1a]\n".encode("latin-1"))
    problem = only_problem(path)
    assert "latin1.yaml:3:19: error: the file is not UTF-8 text (byte 0xf1 here)" in problem


def test_a_missing_file_a_directory_or_a_pipe_is_one_clear_problem(tmp_path: Path) -> None:
    assert "no such file" in only_problem(tmp_path / "nowhere.yaml")
    assert "this is a directory" in only_problem(tmp_path)
    os.mkfifo(tmp_path / "pipe.yaml")
    assert "this is not a regular file" in only_problem(tmp_path / "pipe.yaml")


def test_an_unreadable_file_says_permission_denied(tmp_path: Path) -> None:
    # Given a file nobody may read (root is made to obey the mode by dropping its override)
    path = tmp_path / "secret.yaml"
    shutil.copy(SHIPPED, path)
    path.chmod(0)
    command = [sys.executable, "-m", "jun_engine", "check", str(path)]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: cannot make a file unreadable")
        command = [setpriv, "--bounding-set=-dac_override,-dac_read_search", *command]
    # When `jun-engine check` runs on it
    completed = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )
    # Then it exits 2 with words, not a traceback
    assert completed.returncode == 2
    assert f"{path}: error: cannot read the file: permission denied" in completed.stdout
    assert "Traceback" not in completed.stderr


HOSTILE_NAMES = [
    "Ayuntamiento de Jun 🏛️🇪🇸👩🏽‍💼",
    "بلدية خون \u202eRTL\u202c עיריית חון",
    "nul\x00 bell\x07 escape\x1b[31m red",
    "ศาลากลาง" + "ก" * 9_990,
    "x" * 10_000,
]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=["emoji", "rtl", "controls", "thai", "long"])
def test_hostile_text_is_stored_exactly(tmp_path: Path, name: str) -> None:
    # Given the shipped file with the town's display name set to hostile text (YAML-escaped)
    text = SHIPPED.read_text(encoding="utf-8").replace(
        "    display_name: Ayuntamiento de Jun\n",
        f"    display_name: {json.dumps(name, ensure_ascii=False)}\n",
    )
    path = tmp_path / "accounts.yaml"
    path.write_text(text, encoding="utf-8")
    # When it is loaded, then the text is exactly what was written
    loaded = load_config(path, target="emulator", environ={})
    assert loaded.config.accounts["town"].display_name == name


def test_a_long_hostile_value_is_cut_and_escaped_in_messages(tmp_path: Path) -> None:
    path = tmp_path / "accounts.yaml"
    hostile = '"\\e[31m' + "A b " * 5_000 + '"'
    path.write_text(
        SHIPPED.read_text(encoding="utf-8").replace("handle: JunAguas", f"handle: {hostile}")
    )
    problem = only_problem(path)
    assert "\x1b" not in problem
    assert "\\x1b[31m" in problem
    assert "(20005 characters)" in problem
    assert len(problem) < 400


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=300))
def test_any_text_either_loads_or_raises_config_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    loaded, problems = outcome(path)
    assert loaded or problems


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_any_change_to_a_shipped_line_either_loads_or_raises_config_error(
    tmp_path: Path, data: st.DataObject
) -> None:
    # Given the shipped file with one line replaced by arbitrary text
    lines = SHIPPED.read_text(encoding="utf-8").splitlines()
    index = data.draw(st.integers(0, len(lines) - 1))
    lines[index] = data.draw(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
    path = tmp_path / "mutated.yaml"
    path.write_text("\n".join(lines), encoding="utf-8")
    # Then loading either succeeds or fails with located problems
    loaded, problems = outcome(path)
    assert loaded or all(p.line is not None for p in problems)


def test_a_hostile_key_is_escaped_in_the_path_and_the_message(tmp_path: Path) -> None:
    # Given a key made of a terminal escape sequence and a bell
    path = tmp_path / "accounts.yaml"
    path.write_text('town:\n  name: Jun\n  "\\e[31mred\\x07": 1\n', encoding="utf-8")
    # When it is loaded, then the problem names it escaped, never raw
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    [problem] = [p for p in raised.value.problems if "unknown key" in p.message]
    assert (problem.line, problem.column) == (3, 3)
    assert problem.path == "town.'\\x1b[31mred\\x07'"
    assert "\x1b" not in str(problem)
    assert "\x07" not in str(problem)
