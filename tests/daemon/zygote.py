"""A process that imports jun-engine once and forks `jun-engine` commands on request.

Starting Python and importing every command group takes seconds on a loaded machine; the crash
test restarts the daemon 20 times. Each restart here is still a separate process running the
real `jun-engine run` entry point (and killed with a real SIGKILL), forked from this one after
the imports. Protocol, one line each way: `spawn {"argv", "env", "log"}` -> pid; `wait PID` ->
exit code. No thread is started before a fork. Commands load lazily (jun_engine/cli/commands.py),
so the `run` command's module, and with it the daemon's whole stack (scikit-learn included), is
imported here explicitly.
"""

from __future__ import annotations

import json
import os
import sys

from jun_engine.cli import app as cli
from jun_engine.cli import run as run_command  # noqa: F401 (the daemon's stack, imported once)


def spawn(argv: list[str], env: dict[str, str], log: str) -> int:
    """Fork a child running `jun-engine ARGV` with `env`, its output appended to `log`."""
    pid = os.fork()
    if pid:
        return pid
    try:
        os.environ.clear()
        os.environ.update(env)
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        sys.argv = ["jun-engine", *argv]
        cli.app(args=argv, prog_name="jun-engine")
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:  # the child must never return into the zygote's loop
        code = 1
    os._exit(code)


def main() -> None:
    """Answer spawn and wait requests on stdin until it closes."""
    print("ready", flush=True)
    for line in sys.stdin:
        verb, _, rest = line.strip().partition(" ")
        if verb == "spawn":
            request = json.loads(rest)
            print(spawn(request["argv"], request["env"], request["log"]), flush=True)
        elif verb == "wait":
            _, status = os.waitpid(int(rest), 0)
            print(os.waitstatus_to_exitcode(status), flush=True)


if __name__ == "__main__":
    main()
