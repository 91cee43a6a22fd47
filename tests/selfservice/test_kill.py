"""The booking dialogue survives SIGKILL of the process that handled the first message.

On both databases and in a couple of seconds: a child process runs the chain's verification and
self-service on the resident's request, commits, says so, and is killed with SIGKILL while it
still runs; the resident's answer is then processed by this process, which knows nothing but the
database. `test_daemon.py` does the same with the real `jun-engine run` against the emulator.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from jun_engine.config.schema import Config
from jun_engine.emulator.testing import SHIPPED_CONFIG
from jun_engine.store.session import session_scope
from tests.selfservice.town import add_message, add_resident, last_dm, later, say_and_process

ROOT = Path(__file__).resolve().parents[2]
CHILD = """
import sys
from datetime import datetime
from pathlib import Path
from jun_engine.config.loading import load_config
from jun_engine.store.engine import create_engine_from_url
from tests.selfservice.town import run_chain
config = load_config(Path(sys.argv[2])).config
run_chain(create_engine_from_url(sys.argv[1]), config, datetime.fromisoformat(sys.argv[3]))
print("processed", flush=True)
sys.stdin.read()  # stay alive until killed
"""


def test_the_dialogue_survives_sigkill_between_the_resident_s_messages(
    db_url: str, engine: Engine, config: Config, now: datetime
) -> None:
    # Given a resident's booking request, stored and waiting
    with session_scope(engine) as session:
        lola = add_resident(session)
        add_message(session, config, lola, "quiero cita con el médico", at=now)
    # When a "daemon" process handles it and is then killed with SIGKILL
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, db_url, str(SHIPPED_CONFIG), now.isoformat()],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ) as child:
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "processed"
            os.kill(child.pid, signal.SIGKILL)
            assert child.wait(timeout=30) == -signal.SIGKILL
        finally:
            if child.poll() is None:
                child.kill()
    assert "1. lunes 2 de marzo a las 11:00" in last_dm(engine, lola)
    # Then the resident's answer, handled by a fresh process, books the slot she picked
    assert say_and_process(engine, config, lola, "2", later(now, minutes=5))
    assert last_dm(engine, lola).startswith(
        "Cita confirmada en Consultorio de Salud: lunes 2 de marzo a las 11:15"
    )
