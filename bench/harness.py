"""Serve apps with gunicorn and load them with wrk (or a Python client when wrk is missing)."""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


RUNNING: dict[str, subprocess.Popen] = {}  # base URL -> gunicorn master, for tests that kill one


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(app: str, env: dict, workers: int = 2):
    """Run `app` under gunicorn on a free loopback port (its SITE_URL); yield its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--limit-request-line", "8190", "--log-level", "warning", "--chdir", str(ROOT), app],
        env={**os.environ, "SITE_URL": base, **env}, stdout=subprocess.DEVNULL)
    RUNNING[base] = proc
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/", timeout=2).read()  # noqa: S310 (loopback)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"{app} did not start")
        yield base
    finally:
        RUNNING.pop(base, None)
        if proc.poll() is None:
            proc.terminate()
        proc.wait(timeout=20)


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float


def _ms(value: str) -> float:
    match = re.match(r"([\d.]+)(\w+)", value)
    if not match:  # wrk prints "-nan" when too few requests completed
        return float("nan")
    number, unit = match.groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def run_wrk(base: str, paths: list[str], seconds: int, connections: int) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        quoted = ", ".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in paths)
        # Each wrk thread starts at its own place in the list, so no path is sent twice in a row.
        script.write(f"paths = {{{quoted}}}\ncounter = 0\nstarted = 0\n"
                     "setup = function(thread)\n thread:set('counter', started * math.floor(#paths / 2))\n"
                     " started = started + 1\nend\n"
                     "request = function()\n counter = counter + 1\n"
                     " return wrk.format('GET', paths[(counter % #paths) + 1])\nend\n")
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name,
                          base], capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    # The latency distribution's own lines ("    50%   38.87ms"), not a stdev share like "62.50%".
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise RuntimeError(f"{non2xx.group(1)} error responses from {paths[0]}")
    return Result(rps, p50, p99)


def run_python(base: str, paths: list[str], seconds: int, connections: int) -> Result:
    import http.client
    host, port = base.split("//")[1].split(":")
    latencies: list[float] = []
    lock, stop = threading.Lock(), time.monotonic() + seconds

    def worker(offset: int) -> None:
        local, index = [], offset * max(1, len(paths) // connections)
        while time.monotonic() < stop:
            conn = http.client.HTTPConnection(host, int(port), timeout=30)
            t0 = time.perf_counter()
            conn.request("GET", paths[index % len(paths)])
            conn.getresponse().read()
            local.append(time.perf_counter() - t0)
            conn.close()
            index += 1
        with lock:
            latencies.extend(local)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return Result(len(latencies) / seconds, pick(0.5), pick(0.99))


def load(base: str, paths: list[str], seconds: int, connections: int = 8) -> Result:
    """Requests per second and latency percentiles for GETs of `paths` in rotation. The warm-up
    uses the last paths, so a long list of distinct paths is never answered from a cache."""
    for path in paths[-50:]:
        urllib.request.urlopen(base + path, timeout=60).read()  # noqa: S310 (loopback warm-up)
    runner = run_wrk if shutil.which("wrk") else run_python
    return runner(base, paths, seconds, connections)


def report(rows: list[tuple[str, Result]], baseline: Result) -> None:
    print(f"{'page':44} {'req/s':>9} {'ratio':>7} {'%':>6} {'p50 ms':>8} {'p99 ms':>8}")
    print(f"{'minimal Flask page (baseline)':44} {baseline.rps:9.0f} {1:7.2f} {100:6.1f} "
          f"{baseline.p50_ms:8.2f} {baseline.p99_ms:8.2f}")
    for name, result in rows:
        ratio = result.rps / baseline.rps
        print(f"{name:44} {result.rps:9.0f} {ratio:7.2f} {100 * ratio:6.2f} "
              f"{result.p50_ms:8.2f} {result.p99_ms:8.2f}")


def side_by_side(targets: dict[str, tuple[str, list[str]]], seconds: int, rounds: int = 5) -> dict[str, Result]:
    """Several servers, all up, measured in turns: `rounds` short runs each, one after another
    (A B C A B C …), so that the machine's drift over minutes (a fifth on a shared machine)
    touches each alike. targets: label -> (base URL, paths); each round takes the next slice of
    a target's paths, so a list of distinct paths stays distinct over the rounds. Requests per
    second are over all rounds; latencies are the rounds' mean."""
    share = max(1, seconds // rounds)
    runs: dict[str, list[Result]] = {label: [] for label in targets}
    for turn in range(rounds):
        for label, (base, paths) in targets.items():
            size = len(paths) // rounds
            runs[label].append(load(base, paths[turn * size:(turn + 1) * size], share))
    return {label: Result(sum(r.rps for r in done) / len(done), sum(r.p50_ms for r in done) / len(done),
                          sum(r.p99_ms for r in done) / len(done)) for label, done in runs.items()}
