"""`./dev bench [--quick] [--database-url URL] [--only NAMES]`: run the workloads, print a table and verdicts."""

from __future__ import annotations

import argparse
import logging
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from bench.alerts import alert_storm
from bench.common import scratch_database
from bench.declare import declare_latency, declare_storm
from bench.postmortem import postmortem
from bench.reminders import reminder_burst
from bench.reports import reports
from bench.socket_storm import long_storm, socket_storm
from bench.status import status_page
from bench.storm import bot_storm, floor_storm

WORKLOADS = ("storm", "declare", "declare-storm", "postmortem", "socket-storm", "long-storm", "status", "alerts",
             "reports", "reminders")
Figures = dict[str, Any]


@dataclass(frozen=True)
class Verdict:
    """One target of product.md ("What good looks like in numbers") against this run's figure."""

    target: str
    figure: str
    met: bool


def _value(v: Any) -> str:
    return f"{v:.3f}" if isinstance(v, float) and abs(v) < 10 else f"{v:.1f}" if isinstance(v, float) else str(v)


def _row(name: str, figures: Figures) -> str:
    shown = ", ".join(f"{k}={_value(v)}" for k, v in figures.items())
    return f"| {name:<40} | {shown} |"


def verdicts(results: dict[str, Figures]) -> list[Verdict]:
    """The targets this run can judge (a workload left out by --only is not judged)."""
    out: list[Verdict] = []
    bot, floor = results.get("storm"), results.get("floor")
    if bot is not None:
        out.append(Verdict("storm: p99 ack < 100 ms", f"{bot['ack_p99_ms']:.1f} ms", bot["ack_p99_ms"] < 100))
        out.append(Verdict("storm: every message stored exactly once, all 2xx",
                           f"missing {bot['missing']}, duplicates {bot['duplicates']}, non-2xx {bot['non_2xx']}",
                           bot["all_once"] == "yes"))
    if bot is not None and floor is not None:
        ratio = bot["stored_per_s"] / floor["stored_per_s"]
        out.append(Verdict("storm: stored/s >= 0.75 x floor's", f"{ratio:.2f} x "
                           f"({bot['stored_per_s']:.0f} vs {floor['stored_per_s']:.0f}/s)", ratio >= 0.75))
        p99 = bot["ack_p99_ms"] / floor["ack_p99_ms"]
        out.append(Verdict("storm: p99 ack <= 2 x floor's", f"{p99:.2f} x "
                           f"({bot['ack_p99_ms']:.1f} vs {floor['ack_p99_ms']:.1f} ms)", p99 <= 2))
    slow = results.get("declare+100")
    if slow is not None:
        out.append(Verdict("declare at +100 ms/call: ready < 1 s", f"{slow['ready_ms']:.0f} ms median, "
                           f"{slow['ready_max_ms']:.0f} ms max", slow["ready_max_ms"] < 1000))
        out.append(Verdict("declare: <= 9 Slack calls in all", f"{slow['total_calls']} "
                           f"({slow['critical_path_calls']} in sequence)", slow["total_calls"] <= 9))
    storm = results.get("declare-storm")
    if storm is not None:
        ok = (storm["ready"] == storm["declared"] == storm["announced"] == storm["requested"]
              and storm["duplicates"] == 0)
        out.append(Verdict("declare storm: all complete, none duplicated",
                           f"{storm['ready']}/{storm['requested']} ready, {storm['announced']} announced, "
                           f"{storm['duplicates']} duplicated, "
                           f"last after {storm['seconds_to_last']:.1f} s (Tier 2 allows no less than "
                           f"{storm['slack_bound_s']:.0f} s)", ok))
    out += _socket_verdicts(results)
    page = results.get("status")
    if page is not None:
        out.append(Verdict("status page, 1,000 incidents, 20 readers during a storm: p99 < 50 ms",
                           f"{page['p99_ms']:.1f} ms over {page['requests']} requests ({page['non_200']} not 200; "
                           f"one render {page['render_ms']:.0f} ms)", page["p99_ms"] < 50 and page["non_200"] == 0))
    rep = results.get("reports")
    if rep is not None:
        out.append(Verdict(f"/incident stats 90d over {rep['incidents']:,} incidents < 1 s",
                           f"{rep['stats_90d_s']:.2f} s median of 3 (slowest {rep['stats_slowest_s']:.2f} s)",
                           rep["stats_90d_s"] < 1))
        out.append(Verdict(f"full HTML report over {rep['incidents']:,} incidents < 2 s",
                           f"{rep['report_html_s']:.2f} s median of 3 (slowest {rep['report_slowest_s']:.2f} s)",
                           rep["report_html_s"] < 2))
    pm = results.get("postmortem")
    if pm is not None:
        out.append(Verdict(f"postmortem of {pm['entries']:,} entries < 1 s",
                           f"{pm['total_s']:.2f} s median of 3 (slowest {pm['slowest_s']:.2f} s), "
                           f"peak {pm['peak_mib']:.0f} MiB", pm["total_s"] < 1))
    return out


def _socket_verdicts(results: dict[str, Figures]) -> list[Verdict]:
    """Workloads 6 and 7: the storm through Socket Mode, and the long storms' flat p99 and memory."""
    out: list[Verdict] = []
    sock, floor = results.get("socket-storm"), results.get("floor")
    if sock is not None:
        out.append(Verdict("Socket Mode storm: p99 ack < 100 ms", f"{sock['ack_p99_ms']:.1f} ms",
                           sock["ack_p99_ms"] < 100))
        out.append(Verdict("Socket Mode storm: every message stored exactly once, all acked",
                           f"missing {sock['missing']}, duplicates {sock['duplicates']}, "
                           f"not acked {sock['not_acked']}", sock["all_once"] == "yes"))
    if sock is not None and floor is not None:
        ratio = sock["stored_per_s"] / floor["stored_per_s"]
        out.append(Verdict("Socket Mode storm: stored/s >= 0.75 x floor's", f"{ratio:.2f} x "
                           f"({sock['stored_per_s']:.0f} vs {floor['stored_per_s']:.0f}/s)", ratio >= 0.75))
    for key in ("long-socket", "long-http"):
        long = results.get(key)
        if long is None:
            continue
        name = f"long storm of {long['stored']:,} over {'Socket Mode' if key == 'long-socket' else 'HTTP'}"
        first, last = long["first_slice_p99_ms"], long["last_slice_p99_ms"]
        out.append(Verdict(f"{name}: last slice's p99 <= 2 x the first's", f"{last:.1f} vs {first:.1f} ms "
                           f"({last / first:.2f} x)", last <= 2 * first))
        grew = long["peak_rss_mib"] / long["peak_rss_first_slice_mib"]
        out.append(Verdict(f"{name}: peak memory flat (end <= 1.25 x after the first slice), none lost",
                           f"{long['peak_rss_mib']:.1f} vs {long['peak_rss_first_slice_mib']:.1f} MiB "
                           f"({grew:.2f} x), all once: {long['all_once']}", grew <= 1.25 and long["all_once"] == "yes"))
    alerts = results.get("alerts")
    if alerts is not None:
        out.append(Verdict("alerts: webhook p99 < 100 ms", f"{alerts['p99_ms']:.1f} ms", alerts["p99_ms"] < 100))
        out.append(Verdict("alerts: 0 lost, 50 triage messages", f"accepted {alerts['accepted_share']:.3f}, "
                           f"{alerts['triage_messages']} messages",
                           alerts["accepted_share"] == 1 and alerts["triage_messages"] == 50))
    return out + _reminder_verdicts(results)


def _reminder_verdicts(results: dict[str, Figures]) -> list[Verdict]:
    """Workload 10: reminders falling due together, two replicas."""
    out: list[Verdict] = []
    for key, when in (("reminders", "within one minute"), ("reminders-burst", "at the same instant")):
        r = results.get(key)
        if r is not None:
            out.append(Verdict(f"{r['reminders']:,} reminders due {when}, 2 replicas: each within 5 s, "
                               "0 duplicates, 0 missed, no 429",
                               f"last {r['late_last_s']:.2f} s late (p99 {r['late_p99_s']:.2f} s), {r['duplicates']} "
                               f"duplicates, {r['missed']} missed, {r['http_429']} 429s",
                               r["late_last_s"] <= 5 and r["duplicates"] == 0 and r["missed"] == 0
                               and r["http_429"] == 0))
    return out


def _socket_runs(chosen: list[str], quick: bool) -> list[tuple[str, str, Callable[[str], Figures]]]:
    runs: list[tuple[str, str, Callable[[str], Figures]]] = []
    if "socket-storm" in chosen:
        total = 400 if quick else 2000
        runs.append(("socket-storm", f"6. Socket Mode storm, {total} from 8 senders",
                     partial(socket_storm, total=total)))
        if "storm" not in chosen:  # its stored/s is judged against the floor's
            runs.append(("floor", "2. the floor, same storm", partial(floor_storm, total=total)))
    if "long-storm" in chosen:
        events, part = (1600, 400) if quick else (20_000, 2000)
        for key, transport in (("long-socket", "Socket Mode"), ("long-http", "HTTP")):
            runs.append((key, f"7. long storm, {events} over {transport} in slices of {part}",
                         partial(long_storm, total=events, slice_size=part, socket_mode=key == "long-socket")))
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./dev bench", description=__doc__)
    parser.add_argument("--database-url", default=None,
                        help="sqlite (default: a temp file) or a PostgreSQL server URL (a scratch database is made)")
    parser.add_argument("--quick", action="store_true", help="CI-sized runs (under a minute)")
    parser.add_argument("--only", default=",".join(WORKLOADS), help=f"comma list of {', '.join(WORKLOADS)}")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    # waitress warns whenever a request waits for a worker thread; in a storm that is the point, not news
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    chosen = [w.strip() for w in args.only.split(",") if w.strip()]
    unknown = sorted(set(chosen) - set(WORKLOADS))
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(WORKLOADS)}")
    backend = "postgresql" if args.database_url and args.database_url.startswith("postgres") else "sqlite"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"incident-bot benchmark · {backend} · {platform.python_implementation()} {platform.python_version()} · "
          f"{os.cpu_count()} CPUs · {platform.machine()} · {'quick' if args.quick else 'full'} · "
          f"load {load:.2f} at start")
    print("| workload                                 | figures |")
    print("|---|---|")
    runs: list[tuple[str, str, Callable[[str], Figures]]] = []
    if "storm" in chosen:
        total = 400 if args.quick else 2000
        runs.append(("storm", f"1. event storm, {total} from 8 senders", lambda url: bot_storm(url, total)))
        runs.append(("floor", "2. the floor, same storm", lambda url: floor_storm(url, total)))
    if "declare" in chosen:
        repeats = 3 if args.quick else 10
        runs.append(("declare+0", "3. declare latency, +0 ms per call",
                     lambda url: declare_latency(url, 0.0, repeats)))
        runs.append(("declare+100", "3. declare latency, +100 ms per call",
                     lambda url: declare_latency(url, 0.1, repeats)))
    if "declare-storm" in chosen:
        count = 30
        runs.append(("declare-storm", f"4. declare storm, {count} at once, Tier 2",
                     lambda url: declare_storm(url, count)))
    if "postmortem" in chosen:
        entries = 10_000
        runs.append(("postmortem", f"5. postmortem, {entries:,} entries", lambda url: postmortem(url, entries)))
    runs += _socket_runs(chosen, args.quick)
    if "status" in chosen:
        storm = 400 if args.quick else 2000
        runs.append(("status", f"8. status page, 1,000 incidents, 20 readers, storm of {storm}",
                     partial(status_page, storm=storm)))
    if "alerts" in chosen:
        runs.append(("alerts", "9. alert storm, 1000 in 10 s over 50 groups, 5 senders", alert_storm))
    if "reports" in chosen:
        count = 10_000 if args.quick else 100_000
        runs.append(("reports", f"10. stats and report, {count:,} incidents", lambda url: reports(url, count)))
    if "reminders" in chosen:
        count, lead = (100, 8.0) if args.quick else (1000, 20.0)
        runs.append(("reminders", f"11. {count} reminders due over {10 if args.quick else 60} s, 2 replicas",
                     partial(reminder_burst, count=count, window=10.0 if args.quick else 60.0, lead=lead)))
        runs.append(("reminders-burst", f"11. {count} reminders due at one instant, 2 replicas",
                     partial(reminder_burst, count=count, window=0.0, lead=lead)))
    results: dict[str, Figures] = {}
    for key, name, run in runs:
        started = time.perf_counter()
        with scratch_database(args.database_url) as url:
            figures = run(url)
        figures["wall_s"] = time.perf_counter() - started
        results[key] = figures
        print(_row(name, figures), flush=True)
    if "storm" in results and "floor" in results:
        bot, floor = results["storm"], results["floor"]
        print(_row("1 vs 2: bot / floor", {
            "stored_per_s_ratio": bot["stored_per_s"] / floor["stored_per_s"],
            "acked_per_s_ratio": bot["acked_per_s"] / floor["acked_per_s"],
            "p99_ack_ratio": bot["ack_p99_ms"] / floor["ack_p99_ms"]}))
    judged = verdicts(results)
    if judged:
        print()
        print("| target (product.md) | this run | verdict |")
        print("|---|---|---|")
        for v in judged:
            print(f"| {v.target} | {v.figure} | {'met' if v.met else 'MISSED'} |")
    print(f"\nload {os.getloadavg()[0]:.2f} at the end (1-minute average; {os.cpu_count()} CPUs)"
          if hasattr(os, "getloadavg") else "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
