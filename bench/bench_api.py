"""Requests per second and latency of the open-data API under concurrent clients, against two
floors measured in the same run.

    python -m bench.bench_api [--clients 4] [--requests 250] [--warehouse FILE]

The warehouse (default: make demo's) is published into a temporary serving folder, and
`borlange api` serves it from its own process on a free loopback port. The same mix of requests
(health, a page of kommuner, one kommun, its emissions, its carbon_law trajectory; kommuner drawn
at random) runs with `--clients` threads of `--requests` requests each:

1. floor, plain DuckDB: the same queries on the serving file (a read-only connection, a cursor
   per thread), no HTTP;
2. floor, fixed bytes: a minimal ASGI app that answers every request with the same bytes, under
   the API's own uvicorn configuration (pipelines/api/server.py), over HTTP;
3. api, first requests: the mix on a fresh build, so most answers are rendered (a miss);
4. api: the same mix again, each answer now rendered for this build (a lookup);
5. api + publishes: the mix while builds of the same warehouse are published in a loop, so the
   answers are rendered again for each new build.

It prints the kB per answer over the wire (gzip where the client takes it), requests per second,
p50 and p99 latency, errors, publishes, and each run's rate and p99 against the fixed-bytes
floor (the target: at least 0.5x its rate, at most 2x its p99). No assertions: the numbers are
for a person to judge.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import httpx

from pipelines.api import queries
from pipelines.lib import publish
from pipelines.settings import REPO_ROOT, Settings

FIXED_BODY = b'{"status":"ok","note":"' + b"x" * 1000 + b'"}'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def workload(kommuner: list[str], count: int, seed: int) -> list[tuple[str, str]]:
    """(kind, kommun) pairs: the same mix for the floors and the API."""
    rng = random.Random(seed)
    kinds = ("health", "kommuner", "kommun", "emissions", "trajectory")
    return [(kinds[i % len(kinds)], rng.choice(kommuner)) for i in range(count)]


def url_of(kind: str, kod: str) -> str:
    return {
        "health": "/v1/health",
        "kommuner": "/v1/kommuner?limit=300",
        "kommun": f"/v1/kommuner/{kod}",
        "emissions": f"/v1/kommuner/{kod}/emissions?gas=CO2e",
        "trajectory": f"/v1/kommuner/{kod}/trajectory?method=carbon_law",
    }[kind]


def floor_query(cur, kind: str, kod: str) -> None:
    """What the endpoint asks DuckDB when it renders, with the API's own SQL."""

    def page(sql: str, params: list) -> None:
        cur.execute(f"select count(*) from ({sql})", params).fetchall()
        cur.execute(f"{sql} limit 1000 offset 0", params).fetchall()

    if kind == "health":
        cur.execute("select build_id from marts._manifest").fetchall()
    elif kind == "kommuner":
        page(queries.KOMMUNER_SQL, [None])
    elif kind == "kommun":
        cur.execute(queries.KOMMUN_SQL, [kod]).fetchall()
        cur.execute(queries.RANK_SQL, [kod]).fetchall()
    elif kind == "emissions":
        page(queries.EMISSIONS_SQL, [kod, "CO2e", None, None, None, None])
    else:
        cur.execute(queries.SUMMARY_SQL, [kod, ["carbon_law"]]).fetchall()
        cur.execute(queries.PATH_SQL, [kod, ["carbon_law"]]).fetchall()


def run_clients(
    clients: int, jobs: list[list[tuple[str, str]]], one
) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client(n: int) -> None:
        mine, failed = [], 0
        for kind, kod in jobs[n]:
            started = time.perf_counter()
            try:
                if not one(n, kind, kod):
                    failed += 1
            except Exception:  # noqa: BLE001 (counted, not raised: the bench reports errors)
                failed += 1
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, latencies, errors[0]


def p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) >= 2 else values[0]


async def fixed_bytes(scope, _receive, send) -> None:
    """The floor: the least an ASGI app can do for a request."""
    if scope["type"] != "http":
        return
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(FIXED_BODY))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": FIXED_BODY})


def serve_fixed_bytes(port: int) -> None:
    import uvicorn

    from pipelines.api import server

    uvicorn.Server(server.config(fixed_bytes, Settings.from_env().api, port=port)).run()


def start(command: list[str], env: dict, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    probe = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
    while True:
        try:
            if probe.get("/v1/health").status_code == 200:
                break
        except httpx.TransportError:
            if time.monotonic() > deadline:
                process.terminate()
                sys.exit(f"bench_api: {command} did not start")
            time.sleep(0.2)
    probe.close()
    return process


def over_http(port: int, clients: int, received: list[int]):
    """Each client's GET; `received` counts the bytes that came over the wire, per client."""
    http = [httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) for _ in range(clients)]

    def one(n: int, kind: str, kod: str) -> bool:
        answer = http[n].get(url_of(kind, kod))
        received[n] += answer.num_bytes_downloaded
        return answer.status_code == 200

    return one, http


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=250, help="per client and run")
    parser.add_argument("--warehouse", type=Path, default=None)
    parser.add_argument("--fixed-bytes-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fixed_bytes_server:
        serve_fixed_bytes(args.fixed_bytes_server)
        return
    settings = Settings.from_env()
    warehouse = (args.warehouse or settings.warehouse.path).resolve()
    manifest = settings.dbt.target_dir / "manifest.json"  # make demo parsed it
    if not warehouse.exists():
        sys.exit(f"bench_api: no warehouse at {warehouse}: run make demo first")
    results = []
    sizes: dict[str, int] = {}  # bytes over the wire per HTTP run
    with tempfile.TemporaryDirectory(prefix="bench_api_") as tmp:
        serving = Path(tmp) / "serving"
        published = publish.publish(warehouse, serving, dbt_manifest=manifest)
        with duckdb.connect(str(published.serving_file), read_only=True) as con:
            kommuner = [
                k for (k,) in con.execute("select kommun_kod from marts.dim_kommun").fetchall()
            ]
        jobs = [workload(kommuner, args.requests, seed=n) for n in range(args.clients)]
        warm_up = [workload(kommuner, 50, seed=99)]

        floor_con = duckdb.connect(str(published.serving_file), read_only=True)
        cursors = [floor_con.cursor() for _ in range(args.clients)]

        def floor_one(n: int, kind: str, kod: str) -> bool:
            floor_query(cursors[n], kind, kod)
            return True

        run_clients(1, warm_up, floor_one)  # the file's pages in memory
        results.append(("floor: plain DuckDB", *run_clients(args.clients, jobs, floor_one), 0))
        for cur in cursors:
            cur.close()
        floor_con.close()

        port = free_port()
        command = [sys.executable, "-m", "bench.bench_api", "--fixed-bytes-server", str(port)]
        fixed = start(command, dict(os.environ), port)
        try:
            received = [0] * args.clients
            one, http = over_http(port, args.clients, received)
            run_clients(1, warm_up, one)
            received[:] = [0] * args.clients
            results.append(("floor: fixed bytes", *run_clients(args.clients, jobs, one), 0))
            sizes["floor: fixed bytes"] = sum(received)
            for client in http:
                client.close()
        finally:
            fixed.terminate()
            fixed.wait(timeout=30)

        port = free_port()
        env = {**os.environ, "SERVING_DIR": str(serving), "API_PORT": str(port)}
        env["API_HOST"] = "127.0.0.1"
        api = start([str(Path(sys.executable).with_name("borlange")), "api"], env, port)
        try:
            received = [0] * args.clients
            one, http = over_http(port, args.clients, received)
            for name in ("api: first requests", "api"):
                received[:] = [0] * args.clients
                results.append((name, *run_clients(args.clients, jobs, one), 0))
                sizes[name] = sum(received)
            received[:] = [0] * args.clients
            stop, publishes = threading.Event(), [0]

            def publisher() -> None:
                while not stop.is_set():
                    publish.publish(warehouse, serving, dbt_manifest=manifest)
                    publishes[0] += 1

            thread = threading.Thread(target=publisher)
            thread.start()
            try:
                results.append(("api + publishes", *run_clients(args.clients, jobs, one), 0))
            finally:
                stop.set()
                thread.join()
            results[-1] = (*results[-1][:4], publishes[0])
            sizes["api + publishes"] = sum(received)
            for client in http:
                client.close()
        finally:
            api.terminate()
            api.wait(timeout=30)

    def kb_per_request(name: str, latencies: list[float]) -> str:
        return f"{sizes[name] / len(latencies) / 1000:.1f}" if name in sizes else "-"

    _, floor_s, floor_latencies, _, _ = results[1]
    floor_rate, floor_p99 = len(floor_latencies) / floor_s, p(floor_latencies, 99)
    print(f"bench_api: {args.clients} clients x {args.requests} requests per run, {warehouse}")
    print(
        f"{'run':<22}{'requests':>9}{'kB/req':>7}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'errors':>7}{'publishes':>10}{'rate/fixed':>11}{'p99/fixed':>10}"
    )
    for name, seconds, latencies, errors, publishes in results:
        rate, p99 = len(latencies) / seconds, p(latencies, 99)
        print(
            f"{name:<22}{len(latencies):>9}{kb_per_request(name, latencies):>7}{rate:>8.0f}"
            f"{1000 * p(latencies, 50):>8.1f}"
            f"{1000 * p99:>8.1f}{errors:>7}{publishes:>10}{rate / floor_rate:>10.2f}x"
            f"{p99 / floor_p99:>9.2f}x"
        )


if __name__ == "__main__":
    main()
