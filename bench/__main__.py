"""`./dev bench [--quick] [--database-url URL] [--only NAMES]`: run the workloads, print a table."""

from __future__ import annotations

import argparse
import logging
import os
import platform
import sys
import time
from collections.abc import Callable
from typing import Any

from bench.common import scratch_database
from bench.declare import declare_latency, declare_storm
from bench.storm import bot_storm, floor_storm

WORKLOADS = ("storm", "declare", "declare-storm")


def _row(name: str, figures: dict[str, Any]) -> str:
    shown = ", ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items())
    return f"| {name:<38} | {shown} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./dev bench", description=__doc__)
    parser.add_argument("--database-url", default=None,
                        help="sqlite (default: a temp file) or a PostgreSQL server URL (a scratch database is made)")
    parser.add_argument("--quick", action="store_true", help="CI-sized runs")
    parser.add_argument("--only", default=",".join(WORKLOADS), help=f"comma list of {', '.join(WORKLOADS)}")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    chosen = [w.strip() for w in args.only.split(",") if w.strip()]
    backend = "postgresql" if args.database_url and args.database_url.startswith("postgres") else "sqlite"
    print(f"incident-bot benchmark · {backend} · {platform.python_implementation()} {platform.python_version()} · "
          f"{os.cpu_count()} CPUs · {platform.machine()} · {'quick' if args.quick else 'full'}")
    print("| workload                               | figures |")
    print("|---|---|")
    runs: list[tuple[str, Callable[[str], dict[str, Any]]]] = []
    if "storm" in chosen:
        total = 400 if args.quick else 2000
        runs.append((f"1. event storm, {total} from 8 senders", lambda url: bot_storm(url, total)))
        runs.append(("2. the floor, same storm", lambda url: floor_storm(url, total)))
    if "declare" in chosen:
        repeats = 3 if args.quick else 10
        runs.append(("3. declare latency, +0 ms per call", lambda url: declare_latency(url, 0.0, repeats)))
        runs.append(("3. declare latency, +100 ms per call", lambda url: declare_latency(url, 0.1, repeats)))
    if "declare-storm" in chosen:
        count = 30
        runs.append((f"4. declare storm, {count} at once, Tier 2", lambda url: declare_storm(url, count)))
    results: dict[str, dict[str, Any]] = {}
    for name, run in runs:
        started = time.perf_counter()
        with scratch_database(args.database_url) as url:
            figures = run(url)
        figures["wall_s"] = time.perf_counter() - started
        results[name[:2]] = figures
        print(_row(name, figures), flush=True)
    if "1." in results and "2." in results:
        bot, floor = results["1."], results["2."]
        print(_row("1 vs 2: bot / floor", {
            "throughput_ratio": bot["events_per_s"] / floor["events_per_s"],
            "p99_ack_ratio": bot["ack_p99_ms"] / floor["ack_p99_ms"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
