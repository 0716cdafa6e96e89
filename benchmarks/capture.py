"""How long ``trello-tui add`` takes, as a whole process, against the sandbox on loopback.

The sandbox (demo seed) is served from a thread of this process; each run spawns
``trello-tui add "Bench card N #copy @sam due:fri ^top" --board "Website Relaunch"`` with its
config, cache and state in a temporary directory and ``TRELLO_API_URL`` pointing at the
sandbox, and the wall time is measured from spawn to exit. The cache is warm (a first run
loaded the board), so each run sends exactly one request, the create; the benchmark checks
that, and that every card exists.

Python byte-code: an installed trello-tui has its modules compiled (pip and uv compile on
install, or on first run). This machine sets ``PYTHONDONTWRITEBYTECODE=1``, which would make
every run recompile ~270 modules from source, so the child processes keep their byte-code in
a temporary ``PYTHONPYCACHEPREFIX`` (the work tree stays clean) and the warm-up run writes it.
For transparency the same command is also timed without byte-code (``add_wall_nopyc_s``).

Figures are medians of RUNS runs. ``import_s`` is what the ``add`` path imports (the CLI,
its parser, the capture command with the engine, cache, outbox, queue and httpx), timed
inside a fresh process. Required: ``add_wall_s`` <= 0.5.

``add_cpu_s`` (user + system CPU of the child) is printed beside the wall time because this
2-core machine is shared: under load the wall time grows while the CPU time barely does, and
``load_avg`` (1-minute load average at the start) says how busy the machine was.

Last line: {"add_wall_s", "add_wall_min_s", "add_wall_max_s", "add_cpu_s", "import_s",
"python_s", "add_wall_nopyc_s", "requests_per_card", "load_avg"}.
Run: uv run python benchmarks/capture.py
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 9
BOARD = "Website Relaunch"
ROOT = Path(__file__).resolve().parents[1]
IMPORTS = """
import time
start = time.perf_counter()
from trello_tui import cli
cli._skip_httpx_cli()
cli.build_parser()
import trello_tui.capture.cli
print(time.perf_counter() - start)
"""


def command() -> list[str]:
    script = Path(sys.executable).with_name("trello-tui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "trello_tui"]


CPU: list[float] = []


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Wall time of one child process (and its CPU time, appended to CPU)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return wall, done


def main() -> None:
    from trello_tui.sandbox import Sandbox

    load = os.getloadavg()[0]
    sb = Sandbox.create(seed="demo")
    home = Path(tempfile.mkdtemp(prefix="capture-bench-"))
    try:
        with sb.serve_in_thread(host="127.0.0.1", port=0) as url:
            creds = sb.credentials
            base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
            env = dict(
                base,
                TRELLO_API_KEY=creds.key,
                TRELLO_TOKEN=creds.token,
                TRELLO_API_URL=url,
                TRELLO_TUI_CACHE_DIR=str(home / "cache"),
                TRELLO_TUI_STATE_DIR=str(home / "state"),
                TRELLO_TUI_CONFIG_DIR=str(home / "config"),
                PYTHONPYCACHEPREFIX=str(home / "pycache"),
            )
            add = [*command(), "add"]
            warm, done = timed([*add, "Warm up", "--board", BOARD], env)
            assert done.returncode == 0, done.stderr
            print(f"cold cache, first run: {warm:.3f} s")
            walls: list[float] = []
            cpus: list[float] = []
            requests: list[int] = []
            for n in range(RUNS):
                before = sb.stats["requests"]
                text = f"Bench card {n} #copy @sam due:fri ^top"
                wall, done = timed([*add, text, "--board", BOARD], env)
                assert done.returncode == 0, done.stderr
                assert done.stdout.startswith("https://trello.com/c/"), done.stdout
                requests.append(sb.stats["requests"] - before)
                walls.append(wall)
                cpus.append(CPU[-1])
                print(
                    f"run {n}: {wall:.3f} s wall, {cpus[-1]:.3f} s CPU, {requests[-1]} request(s)"
                )
            names = {c.name for c in sb.world.cards.values()}
            assert all(f"Bench card {n}" in names for n in range(RUNS))
            # An empty cache prefix that is never written: every module compiled from source.
            nopyc_env = dict(
                env, PYTHONDONTWRITEBYTECODE="1", PYTHONPYCACHEPREFIX=str(home / "empty")
            )
            nopyc = [
                timed([*add, f"No byte-code {n}", "--board", BOARD], nopyc_env)[0] for n in range(3)
            ]
        imports = [
            float(timed([sys.executable, "-c", IMPORTS], env)[1].stdout) for _ in range(RUNS)
        ]
        python = [timed([sys.executable, "-c", "pass"], env)[0] for _ in range(RUNS)]
    finally:
        shutil.rmtree(home, ignore_errors=True)
    result = {
        "add_wall_s": round(statistics.median(walls), 3),
        "add_wall_min_s": round(min(walls), 3),
        "add_wall_max_s": round(max(walls), 3),
        "add_cpu_s": round(statistics.median(cpus), 3),
        "import_s": round(statistics.median(imports), 3),
        "python_s": round(statistics.median(python), 3),
        "add_wall_nopyc_s": round(statistics.median(nopyc), 3),
        "requests_per_card": max(requests),
        "load_avg": round(load, 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
