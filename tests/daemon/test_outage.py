"""The real daemon through a database outage: PostgreSQL cut off, SQLite's disk full.

Each outage gives one ERROR line and one line when it is over, whatever its length (the log is
counted, never timed); every loop backs off meanwhile; nothing the town sent is lost and
nothing queued is sent twice, judged from the emulator's record. `jun-engine status` says what
is wrong with its exit code. The full disk and the read-only disk are small tmpfs mounts made by
the test: where it cannot mount (not root), those tests are skipped, saying so.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, select

from jun_engine.config.schema import Config
from jun_engine.domain.statuses import OutboxKind, OutboxStatus
from jun_engine.emulator.emulator import Emulator
from jun_engine.emulator.town import SimulatedTown
from jun_engine.outbox.api import Priority, enqueue
from jun_engine.store.engine import create_engine_from_url
from jun_engine.store.session import session_scope
from jun_engine.store.tables import DaemonLockRow, OutboxRow
from tests.daemon.harness import (
    REPO,
    START,
    daemon_process,
    lock_holder,
    roomy_config,
    running_town,
    stop_daemon,
    stored_ids,
    wait_until,
)

pytestmark = pytest.mark.slow

TOWN = "1130425167"
NOTICES = 12
"""Alerts (posts and DMs) queued before the start, due one every 20 emulated seconds (a third of
a real second at speed 60): the sender is busy when the database goes."""


# --- the database going away ------------------------------------------------------------------


class CuttableProxy:
    """A TCP proxy in front of PostgreSQL: `cut()` drops every connection and refuses new ones,
    as a stopped server does; `restore()` listens again on the same port."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self._upstream = upstream
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener = self._listen(0)
        self.port = self._listener.getsockname()[1]

    def _listen(self, port: int) -> socket.socket:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(64)
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return listener

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                server = socket.create_connection(self._upstream)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets |= {client, server}
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        with suppress(OSError):
            while chunk := source.recv(65536):
                target.sendall(chunk)
        for end in (source, target):
            with suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Refuse new connections and drop every open one."""
        self._listener.close()
        with self._lock:
            for end in self._sockets:
                with suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()
            self._sockets.clear()

    def restore(self) -> None:
        """Accept connections again, on the same port."""
        self._listener = self._listen(self.port)


@contextmanager
def small_filesystem(where: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` mounted at `where`; the test is skipped where mounting is not allowed."""
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0777", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small file system here (needs root): {mounted.stderr}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(directory: Path) -> Path:
    """Write a file until the file system is full; the file (delete it to make room)."""
    filler = directory / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while _wrote(descriptor):
            pass
    finally:
        os.close(descriptor)
    return filler


def _wrote(descriptor: int) -> bool:
    try:
        os.write(descriptor, b"\0" * 65536)
    except OSError as error:
        if error.errno != errno.ENOSPC:
            raise
        return False
    return True


# --- what the daemon does ---------------------------------------------------------------------


def queue_notices(engine: Engine, resident: str) -> list[str]:
    """Alerts posted by the town account and DMed to `resident`, due over the first minutes."""
    texts = []
    with session_scope(engine) as session:
        for n in range(NOTICES):
            due = START + timedelta(seconds=20 * n)
            kind = OutboxKind.DM if n % 2 else OutboxKind.POST
            text = f"Aviso {n}: corte de agua en la calle {n}"
            enqueue(
                session,
                key=f"notice-{n}",
                account_id=TOWN,
                kind=kind,
                text=text,
                target=resident if kind is OutboxKind.DM else None,
                not_before=due,
                priority=Priority.EMERGENCY,  # ahead of the town's replies, which fill X's DMs
            )
            texts.append(text)
    return texts


def sent_by_town(emulator: Emulator) -> Counter[str]:
    """Every post and DM X has from the town account, by text (a repeat counts twice)."""
    posts = [p.text for p in emulator.state.posts_by(TOWN)]
    dms = [e.text for e in emulator.state.dms_sent_by(TOWN)]
    return Counter(posts + dms)


def all_sent(engine: Engine, texts: list[str], emulator: Emulator) -> bool:
    with Session(engine) as session:
        statuses = {
            row.idempotency_key: row.status
            for row in session.exec(select(OutboxRow)).all()
            if row.idempotency_key.startswith("notice-")
        }
    sent = sent_by_town(emulator)
    return all(s is OutboxStatus.SENT for s in statuses.values()) and all(sent[t] for t in texts)


def wait_all_stored(engine: Engine, town: SimulatedTown, timeout: float) -> set[str]:
    """Wait until every message the town has sent so far is stored; their ids. On a timeout,
    the failure says which are missing (kind, account, when)."""
    sent = {m.platform_id: m for m in town.sent}
    try:
        wait_until(lambda: set(sent) <= set(stored_ids(engine)), timeout, "every message stored")
    except AssertionError:
        missing = [m for i, m in sent.items() if i not in set(stored_ids(engine))]
        details = sorted((str(m.at), m.route, m.to_account_id) for m in missing)
        raise AssertionError(f"{len(missing)} of {len(sent)} not stored: {details[:20]}") from None
    return set(sent)


def log_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8", errors="replace").splitlines()


def since_the_error(lines: list[str]) -> list[str]:
    """The log from the outage's ERROR line on: before it the daemon was still working."""
    starts = [i for i, line in enumerate(lines) if " ERROR " in line]
    return lines[starts[0] :] if starts else []


def outage_lines(lines: list[str]) -> tuple[list[str], list[str]]:
    """The ERROR lines and the "database back" lines of the daemon's outage watch."""
    errors = [line for line in lines if " ERROR " in line]
    back = [line for line in lines if "database back after" in line]
    return errors, back


def status(db_url: str, config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jun_engine", "-c", str(config), "--db", db_url, "status"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )


# --- the tests --------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_postgresql_cut_off_during_intake_and_sending_loses_nothing_and_logs_once(
    town_config: Config, engine: Engine, db: str, tmp_path: Path
) -> None:
    log = tmp_path / "daemon.log"
    url = make_url(db)
    proxy = CuttableProxy((url.host or "127.0.0.1", url.port or 5432))
    through_proxy = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    with running_town(town_config, speed=60, rate_per_hour=600) as (emulator, town):
        resident = emulator.sink.add_user("vecina_aviso", "Vecina")
        texts = queue_notices(engine, resident)
        with daemon_process(emulator, through_proxy, log, "--backfill") as daemon:
            # Given the daemon storing the town's messages and sending the queued notices
            wait_until(lambda: sum(sent_by_town(emulator).values()) >= 3, 90, "3 notices sent")
            wait_until(lambda: len(stored_ids(engine)) >= 10, 60, "10 messages stored")
            # When PostgreSQL goes away, while the town writes on and notices fall due
            before = len(log_lines(log))
            proxy.cut()
            wait_until(lambda: bool(outage_lines(log_lines(log))[0]), 60, "the outage's ERROR line")
            during = len(town.sent)  # an outage of some 25 s: the backoff reaches its cap
            wait_until(lambda: len(town.sent) >= during + 250, 120, "250 more messages")
            outage = since_the_error(log_lines(log)[before:])
            # And comes back
            proxy.restore()
            wait_until(lambda: bool(outage_lines(log_lines(log))[1]), 90, "the outage's end")
            sent = wait_all_stored(engine, town, 120)
            wait_until(lambda: all_sent(engine, texts, emulator), 90, "every notice sent")
            code = stop_daemon(daemon)
            record = sent_by_town(emulator)
    lines = log_lines(log)
    text = "\n".join(lines)
    # Then the outage was one ERROR line and one line when it was over, and no traceback
    errors, back = outage_lines(lines)
    assert len(errors) == 1, "\n".join(errors)
    assert "database unreachable" in errors[0]
    assert len(back) == 1
    assert "Traceback" not in text
    assert len(outage) <= 12, "\n".join(outage)  # however long the outage lasted
    # And it stopped cleanly, every message stored once, every notice sent exactly once
    assert code == 0, text[-3000:]
    stored = Counter(stored_ids(engine))
    assert set(stored.values()) == {1}
    assert sent <= set(stored)  # (the town's own replies that tag a department are stored too)
    assert {t: record[t] for t in texts} == dict.fromkeys(texts, 1)


def test_a_full_disk_is_one_error_a_status_that_says_so_and_nothing_lost(
    town_config: Config, sqlite_at_head: Path, tmp_path: Path
) -> None:
    log = tmp_path / "daemon.log"
    config = roomy_config(tmp_path)
    with small_filesystem(tmp_path / "small", "64m") as disk:
        path = disk / "jun-engine.db"
        shutil.copyfile(sqlite_at_head, path)
        db = f"sqlite:///{path}"
        engine = create_engine_from_url(db)
        try:
            with running_town(town_config, speed=60, rate_per_hour=600) as (emulator, town):
                resident = emulator.sink.add_user("vecina_aviso", "Vecina")
                texts = queue_notices(engine, resident)
                with daemon_process(emulator, db, log, "--backfill") as daemon:
                    # Given the daemon at work on a small disk
                    wait_until(lambda: len(stored_ids(engine)) >= 10, 90, "10 messages stored")
                    # When the disk fills up
                    before = len(log_lines(log))
                    filler = fill(disk)
                    wait_until(
                        lambda: bool(outage_lines(log_lines(log))[0]), 90, "the outage's ERROR line"
                    )
                    during = len(town.sent)
                    wait_until(lambda: len(town.sent) >= during + 60, 60, "60 more messages")
                    outage = since_the_error(log_lines(log)[before:])
                    # Then `status` says the disk is full, with the database's exit code
                    full = status(db, config)
                    # And when room is made again, the daemon goes on by itself
                    filler.unlink()
                    wait_until(
                        lambda: bool(outage_lines(log_lines(log))[1]), 90, "the outage's end"
                    )
                    sent = wait_all_stored(engine, town, 120)
                    wait_until(lambda: all_sent(engine, texts, emulator), 90, "notices sent")
                    code = stop_daemon(daemon)
                    record = sent_by_town(emulator)
            stored = Counter(stored_ids(engine))
        finally:
            engine.dispose()
    lines = log_lines(log)
    text = "\n".join(lines)
    errors, back = outage_lines(lines)
    assert len(errors) == 1, "\n".join(errors)
    assert "database disk full" in errors[0]
    assert len(back) == 1
    assert "Traceback" not in text
    assert len(outage) <= 12, "\n".join(outage)
    assert full.returncode == 3, full.stdout + full.stderr
    assert "database: disk full" in full.stdout
    assert "messages:" in full.stdout  # the table is still shown: status only reads
    assert code == 0, text[-3000:]
    assert set(stored.values()) == {1}
    assert sent <= set(stored)  # (the town's own replies that tag a department are stored too)
    assert {t: record[t] for t in texts} == dict.fromkeys(texts, 1)


def test_status_reads_a_database_on_a_read_only_disk_and_says_so(
    sqlite_at_head: Path, tmp_path: Path
) -> None:
    config = roomy_config(tmp_path)
    with small_filesystem(tmp_path / "ro", "4m") as disk:
        path = disk / "jun-engine.db"
        shutil.copyfile(sqlite_at_head, path)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        assert not os.access(path, os.W_OK) or os.statvfs(disk).f_flag & os.ST_RDONLY

        shown = status(f"sqlite:///{path}", config)

    assert "database: read-only" in shown.stdout, shown.stdout + shown.stderr
    assert "messages:" in shown.stdout  # it read the database: the table is there
    assert "daemon: not running" in shown.stdout
    assert shown.returncode == 3  # the daemon could not store anything on it


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_daemon_whose_lock_was_taken_over_stops_with_exit_4(
    x_emulator: Emulator, engine: Engine, db: str, tmp_path: Path
) -> None:
    log = tmp_path / "daemon.log"
    with daemon_process(x_emulator, db, log, "--no-send") as daemon:
        wait_until(lambda: lock_holder(engine) == daemon.pid, 60, "the daemon to start")
        # When another daemon takes the lock over (as after a stall longer than STALE_AFTER)
        with session_scope(engine) as session:
            row = session.get(DaemonLockRow, 1)
            assert row is not None
            row.holder, row.pid = "another-daemon", 1
            session.add(row)
        # Then this one notices at its next heartbeat, stops, and says so with exit code 4
        code = daemon.wait(timeout=60)
    text = log.read_text(encoding="utf-8", errors="replace")
    assert code == 4, text[-3000:]
    assert "taken over" in text
    assert "stopped:" in text  # its summary line: it stopped in order
    assert daemon.returncode != -signal.SIGKILL
