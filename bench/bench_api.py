"""Requests per second and latency of the open-data API under concurrent clients, against a floor.

    python -m bench.bench_api [--clients 4] [--requests 250] [--warehouse FILE]

The warehouse (default: make demo's) is published into a temporary serving folder, and
`borlange api` serves it from its own process on a free loopback port. The same mix of requests
(health, a page of kommuner, one kommun, its emissions, its carbon_law trajectory; kommuner drawn
at random) runs three times, each with `--clients` threads of `--requests` requests:

1. floor: the same queries in plain DuckDB on the serving file (a read-only connection, a
   cursor per thread), no HTTP;
2. api: over HTTP, nothing else running;
3. api + publishes: over HTTP while builds of the same warehouse are published in a loop.

It prints requests per second, p50 and p99 latency, errors and each API run's ratio to the
floor. No assertions: the numbers are for a person to judge.
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

from pipelines.api import app as api
from pipelines.lib import publish
from pipelines.settings import REPO_ROOT, Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def workload(kommuner: list[str], count: int, seed: int) -> list[tuple[str, str]]:
    """(kind, kommun) pairs: the same mix for the floor and the API."""
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
    """What the endpoint asks DuckDB, with the API's own SQL."""
    if kind == "health":
        cur.execute("select build_id from marts._manifest").fetchall()
    elif kind == "kommuner":
        cur.execute(f"select count(*) from ({api.KOMMUNER_SQL})").fetchall()
        cur.execute(f"{api.KOMMUNER_SQL} limit ? offset ?", [300, 0]).fetchall()
    elif kind == "kommun":
        cur.execute(api.KOMMUN_SQL, [kod]).fetchall()
        cur.execute(api.RANK_SQL, [kod]).fetchall()
    elif kind == "emissions":
        cur.execute("select 1 from marts.dim_kommun where kommun_kod = ?", [kod]).fetchall()
        params = [kod, "CO2e", None, None, None, None, None, None]
        cur.execute(f"select count(*) from ({api.EMISSIONS_SQL})", params).fetchall()
        cur.execute(f"{api.EMISSIONS_SQL} limit ? offset ?", [*params, 1000, 0]).fetchall()
    else:
        cur.execute("select 1 from marts.dim_kommun where kommun_kod = ?", [kod]).fetchall()
        cur.execute("select distinct method from marts.trajectory").fetchall()
        cur.execute(
            "select * from marts.trajectory where kommun_kod = ? and list_contains(?, method)",
            [kod, ["carbon_law"]],
        ).fetchall()
        cur.execute(api.PATH_SQL, [kod, ["carbon_law"]]).fetchall()


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
            except Exception:  # noqa: BLE001 - counted, not raised: the bench reports errors
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


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) >= 2 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=250, help="per client and run")
    parser.add_argument("--warehouse", type=Path, default=None)
    args = parser.parse_args()
    settings = Settings.from_env()
    warehouse = (args.warehouse or settings.warehouse.path).resolve()
    manifest = settings.dbt.target_dir / "manifest.json"  # make demo parsed it
    if not warehouse.exists():
        sys.exit(f"bench_api: no warehouse at {warehouse}: run make demo first")
    with tempfile.TemporaryDirectory(prefix="bench_api_") as tmp:
        serving = Path(tmp) / "serving"
        published = publish.publish(warehouse, serving, dbt_manifest=manifest)
        with duckdb.connect(str(published.serving_file), read_only=True) as con:
            kommuner = [
                k for (k,) in con.execute("select kommun_kod from marts.dim_kommun").fetchall()
            ]
        jobs = [workload(kommuner, args.requests, seed=n) for n in range(args.clients)]

        floor_con = duckdb.connect(
            str(serving / publish.CURRENT / publish.SERVING_FILE), read_only=True
        )
        cursors = [floor_con.cursor() for _ in range(args.clients)]

        def floor_one(n: int, kind: str, kod: str) -> bool:
            floor_query(cursors[n], kind, kod)
            return True

        run_clients(
            1, [workload(kommuner, 50, seed=99)], floor_one
        )  # warm-up: the file's pages in memory
        results = [("floor: plain DuckDB", *run_clients(args.clients, jobs, floor_one), 0)]
        for cur in cursors:
            cur.close()
        floor_con.close()

        port = free_port()
        env = {
            **os.environ,
            "SERVING_DIR": str(serving),
            "API_PORT": str(port),
            "API_HOST": "127.0.0.1",
        }
        server = subprocess.Popen(
            [str(Path(sys.executable).with_name("borlange")), "api"],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            http = [
                httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
                for _ in range(args.clients)
            ]
            deadline = time.monotonic() + 60
            while True:
                try:
                    if http[0].get("/v1/health").status_code == 200:
                        break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        sys.exit("bench_api: the API did not start")
                    time.sleep(0.2)

            def api_one(n: int, kind: str, kod: str) -> bool:
                return http[n].get(url_of(kind, kod)).status_code == 200

            run_clients(1, [workload(kommuner, 50, seed=99)], api_one)  # warm-up, as for the floor
            results.append(("api", *run_clients(args.clients, jobs, api_one), 0))
            stop, publishes = threading.Event(), [0]

            def publisher() -> None:
                while not stop.is_set():
                    publish.publish(warehouse, serving, dbt_manifest=manifest)
                    publishes[0] += 1

            thread = threading.Thread(target=publisher)
            thread.start()
            try:
                results.append(("api + publishes", *run_clients(args.clients, jobs, api_one), 0))
            finally:
                stop.set()
                thread.join()
            results[-1] = (*results[-1][:4], publishes[0])
            for client in http:
                client.close()
        finally:
            server.terminate()
            server.wait(timeout=30)

    floor_rate = len(results[0][2]) / results[0][1]
    print(
        f"bench_api: {args.clients} clients x {args.requests} requests per run, warehouse "
        f"{warehouse}"
    )
    print(
        f"{'run':<22}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'errors':>8}{'publishes':>10}{'floor/run':>10}"
    )
    for name, seconds, latencies, errors, publishes in results:
        rate = len(latencies) / seconds
        print(
            f"{name:<22}{len(latencies):>9}{rate:>9.0f}"
            f"{1000 * p(latencies, 50):>9.1f}{1000 * p(latencies, 99):>9.1f}"
            f"{errors:>8}{publishes:>10}{floor_rate / rate:>9.1f}x"
        )


if __name__ == "__main__":
    main()
