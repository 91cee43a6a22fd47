"""kill -9 at any instant loses nothing and sends nothing twice: a real `jun-engine outbox drain`
process is killed with SIGKILL at random moments while it sends, restarted each time, and at the
end X (an emulator process of its own) holds every post and DM exactly once. On SQLite and on
PostgreSQL."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx
import pytest
from sqlmodel import select

from jun_engine.config.schema import Config
from jun_engine.domain.statuses import OutboxKind, OutboxStatus
from jun_engine.emulator.testing import SHIPPED_CONFIG
from jun_engine.outbox.api import enqueue
from jun_engine.store.engine import create_engine_from_url
from jun_engine.store.migrate import upgrade
from jun_engine.store.session import session_scope
from jun_engine.store.tables import OutboxRow

KILLS = 20
POSTS_PER_ACCOUNT = 15
DMS_PER_ACCOUNT = 8
EMULATOR = ["--seed", "7", "--speed", "10", "--faults", "slow=1:60ms", "--print-env"]
"""Time at 10x, so a look for an uncertain item (5 s later) comes half a real second later;
every answer 60 ms late, so each kill has requests in flight to land in."""
PROGRESS_TIMEOUT = 60.0


class EmulatorProcess:
    """`jun-engine emulator` in a process of its own, and what it recorded (its admin API)."""

    def __init__(self, config: Config) -> None:
        command = [
            sys.executable,
            "-m",
            "jun_engine",
            "--config",
            str(SHIPPED_CONFIG),
            "emulator",
            *EMULATOR,
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        self.env = self._read_env(config)
        self.url = self.env["JUN_X_BASE_URL"] + "/_emulator"

    def _read_env(self, config: Config) -> dict[str, str]:
        assert self.process.stdout is not None
        wanted = {"JUN_X_BASE_URL", config.x.app.consumer_key_env, config.x.app.consumer_secret_env}
        wanted |= {a.access_token_secret_env for a in config.accounts.values()}
        env: dict[str, str] = {}
        for line in self.process.stdout:
            if line.startswith("export "):
                name, _, value = line.removeprefix("export ").strip().partition("=")
                env[name] = value
            if wanted <= env.keys():
                return env
        raise AssertionError("the emulator did not print its environment")

    def add_user(self, handle: str) -> str:
        reply = httpx.post(f"{self.url}/users", json={"handle": handle, "name": handle})
        return str(reply.raise_for_status().json()["id"])

    def sent_so_far(self) -> int:
        accounts = httpx.get(f"{self.url}/stats").raise_for_status().json()["accounts"].values()
        return sum(a["posts_sent"] + a["dms_sent"] for a in accounts)

    def texts_sent_by(self, user_id: str) -> Counter[str]:
        posts = httpx.get(f"{self.url}/posts", params={"author": user_id}).json()["posts"]
        dms = httpx.get(f"{self.url}/dms", params={"sender": user_id}).json()["dms"]
        return Counter([p["text"] for p in posts] + [d["text"] for d in dms])

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        if self.process.stdout is not None:
            self.process.stdout.close()


@pytest.fixture
def emulator_process(x_emulator_config: Config) -> Iterator[EmulatorProcess]:
    emulator = EmulatorProcess(x_emulator_config)
    yield emulator
    emulator.stop()


def _fill_queue(db_url: str, config: Config, residents: list[str]) -> int:
    engine = create_engine_from_url(db_url)
    queued = 0
    with session_scope(engine) as session:
        for key, account in config.accounts.items():
            for n in range(POSTS_PER_ACCOUNT):
                text = f"Aviso {n} de {key}: corte de agua en la calle {n}."
                if n % 5 == 0:  # some become threads (every part's text its own)
                    text = " ".join(f"{text} Disculpen las molestias ({m})." for m in range(8))
                enqueue(
                    session,
                    key=f"{key}:post:{n}",
                    account_id=account.user_id,
                    kind=OutboxKind.POST,
                    text=text,
                )
                queued += 1
            if not account.dm_access:
                continue
            for n in range(DMS_PER_ACCOUNT):
                enqueue(
                    session,
                    key=f"{key}:dm:{n}",
                    account_id=account.user_id,
                    kind=OutboxKind.DM,
                    target=residents[n % len(residents)],
                    text=f"Hola, {key} le informa ({n}): su trámite avanza.",
                )
                queued += 1
    engine.dispose()
    return queued


def _rows(db_url: str) -> list[OutboxRow]:
    engine = create_engine_from_url(db_url)
    try:
        with session_scope(engine) as session:
            return list(session.exec(select(OutboxRow)))
    finally:
        engine.dispose()


def _drain(db_url: str, env: dict[str, str], log: IO[bytes]) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "jun_engine",
        "-v",
        "--config",
        str(SHIPPED_CONFIG),
        "--db",
        db_url,
        "outbox",
        "drain",
        "--until-empty",
    ]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)


def _wait_for_progress(
    emulator: EmulatorProcess, since: int, process: subprocess.Popen[bytes]
) -> bool:
    pause = threading.Event()
    for _ in range(int(PROGRESS_TIMEOUT / 0.02)):
        if emulator.sent_so_far() > since or process.poll() is not None:
            return True
        pause.wait(0.02)
    return False


@pytest.mark.slow
def test_a_sender_killed_at_random_instants_sends_everything_exactly_once(
    tmp_path: Path, db_url: str, x_emulator_config: Config, emulator_process: EmulatorProcess
) -> None:
    upgrade(db_url)
    residents = [emulator_process.add_user(f"vecino{n}") for n in range(5)]
    queued = _fill_queue(db_url, x_emulator_config, residents)
    env = {**os.environ, **emulator_process.env}
    rng = random.Random(20260302)
    kills, caught_sending = 0, 0
    with (tmp_path / "drain.log").open("wb") as log:
        while kills < KILLS:
            before = emulator_process.sent_so_far()
            process = _drain(db_url, env, log)
            assert _wait_for_progress(emulator_process, before, process), "no progress"
            threading.Event().wait(rng.uniform(0.0, 0.4))
            if process.poll() is not None:
                break
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            kills += 1
            caught_sending += any(r.status is OutboxStatus.SENDING for r in _rows(db_url))
        final = _drain(db_url, env, log)
        final.wait(timeout=180)
    assert final.returncode == 0, (tmp_path / "drain.log").read_text()[-3000:]

    rows = _rows(db_url)
    sent = {
        a.user_id: emulator_process.texts_sent_by(a.user_id)
        for a in x_emulator_config.accounts.values()
    }
    assert kills == KILLS, "the queue drained before every kill; make it longer"
    assert caught_sending >= 1, "no kill landed mid-send"
    assert len(rows) > queued >= 200
    assert [(r.id, r.failure) for r in rows if r.status is not OutboxStatus.SENT] == []
    assert [r.id for r in rows if sent[r.account_id][r.text] != 1] == []
    assert sum(sum(texts.values()) for texts in sent.values()) == len(rows)
