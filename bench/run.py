#!/usr/bin/env python3
"""Runs the benchmark suite and writes BENCHMARKS.md (see bench/README.md).

Every driver consumes the same stream and prints one ``BENCH_RESULT {json}`` line:

- event throughput and CPU, and latency at a fixed rate, from the firehose (a scripted
  JSON-RPC load generator, NOT the Copilot CLI: the real CLI cannot emit millions of events);
- RSS with N idle sessions on one client (firehose);
- start-to-ready and first-session time with the real CLI against our stand-in.

Drivers: Rust core, the Python wheel, the C ABI (callback and polling), Kotlin (JVM), the
official Python SDK (PyPI github-copilot-sdk), the official Rust SDK (crates.io
github-copilot-sdk, no download features), and raw serde_json parsing on one thread.

Usage: bench/run.py [--quick] [--only name,name] [--out BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / ".tools"
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
OFFICIAL_PY_VERSION = "1.0.27"
OFFICIAL_RS_TARGET = ROOT / "target" / "official-bench"


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def run(cmd: list[str], **kw) -> str:
    log("$ " + " ".join(str(c) for c in cmd))
    return subprocess.run(cmd, check=True, text=True, stdout=subprocess.PIPE, **kw).stdout


# ---------------------------------------------------------------- set-up (idempotent)


def setup(names: set[str]) -> dict[str, object]:
    ctx: dict[str, object] = {}
    ctx["cli"] = run([str(ROOT / "scripts/setup-cli.sh")]).strip().splitlines()[-1]
    ctx["python"] = run([str(ROOT / "scripts/setup-python.sh")]).strip().splitlines()[-1]
    run(["cargo", "build", "--release", "-p", "copilot-firehose", "-p", "copilot-bench"], cwd=ROOT)
    ctx["firehose"] = str(TARGET / "release" / "copilot-firehose")
    unavailable: dict[str, str] = {}
    ctx["unavailable"] = unavailable

    def optional(driver_names: list[str], build) -> None:
        """Builds a driver; a failure drops it from this run (and is reported) instead of
        stopping the suite."""
        if not set(driver_names) & names:
            return
        try:
            build()
        except (subprocess.CalledProcessError, OSError, IndexError) as e:
            log(f"cannot build {', '.join(driver_names)}: {e}")
            for n in driver_names:
                unavailable[n] = str(e)

    def official_rust() -> None:
        env = dict(os.environ, CARGO_TARGET_DIR=str(OFFICIAL_RS_TARGET), COPILOT_SKIP_CLI_DOWNLOAD="1")
        run(["cargo", "build", "--release", "--manifest-path", str(ROOT / "bench/official-rust/Cargo.toml")], cwd=ROOT, env=env)

    optional(["official-rust"], official_rust)
    def python_wheel() -> None:
        venv = TOOLS / "bench" / "venv-ours"
        wheels = TARGET / "bench-wheels"
        shutil.rmtree(wheels, ignore_errors=True)
        run([str(TOOLS / "venv/bin/maturin"), "build", "--release", "-q", "-m", str(ROOT / "bindings/python/Cargo.toml"), "-o", str(wheels)], cwd=ROOT)
        if not (venv / "bin/python").exists():
            run([sys.executable, "-m", "venv", str(venv)])
        wheel = sorted(wheels.glob("*.whl"))[-1]
        run([str(venv / "bin/pip"), "install", "-q", "--disable-pip-version-check", "--force-reinstall", "--no-deps", str(wheel)])

    optional(["python"], python_wheel)

    def official_python() -> None:
        venv = TOOLS / "bench" / "venv-official"
        stamp = venv / f".stamp-{OFFICIAL_PY_VERSION}"
        if not stamp.exists():
            run([sys.executable, "-m", "venv", str(venv)])
            run([str(venv / "bin/pip"), "install", "-q", "--disable-pip-version-check", f"github-copilot-sdk=={OFFICIAL_PY_VERSION}"])
            stamp.touch()

    optional(["official-python"], official_python)

    def c_driver() -> None:
        run(["cargo", "build", "--release", "-p", "copilot-ffi"], cwd=ROOT)
        out = TARGET / "release" / "bench-c"
        run(["gcc", "-O2", "-std=c11", "-Wall", "-Wextra", "-Werror", "-I", str(ROOT / "include"),
             str(ROOT / "bench/c/driver.c"), "-o", str(out), "-L", str(TARGET / "release"), "-lcopilot_core",
             f"-Wl,-rpath,{TARGET / 'release'}", "-lpthread"])
        ctx["c"] = str(out)

    optional(["c-callback", "c-poll"], c_driver)

    def kotlin_driver() -> None:
        ctx["kotlin"] = run([str(ROOT / "bench/kotlin/build.sh")]).strip().splitlines()[-1]

    optional(["kotlin"], kotlin_driver)
    return ctx


# ---------------------------------------------------------------- drivers


def driver_cmd(name: str, mode: str, cli: str, ctx: dict[str, object], count: int) -> list[str] | None:
    rel = TARGET / "release"
    common = ["--mode", mode, "--cli", cli]
    if name == "rust":
        return [str(rel / "bench-core"), *common, "--count", str(count)]
    if name == "raw":
        return [str(rel / "bench-raw"), "--cli", cli] if mode == "throughput" else None
    if name == "official-rust":
        return [str(OFFICIAL_RS_TARGET / "release/official-rust-bench"), *common, "--count", str(count)]
    if name == "python":
        return [str(TOOLS / "bench/venv-ours/bin/python"), str(ROOT / "bench/python/driver.py"), "--sdk", "copilot_core", *common, "--count", str(count)]
    if name == "official-python":
        return [str(TOOLS / "bench/venv-official/bin/python"), str(ROOT / "bench/python/driver.py"), "--sdk", "copilot", *common, "--count", str(count)]
    if name in ("c-callback", "c-poll"):
        if mode == "startup":
            return None
        return [str(ctx["c"]), *common, "--delivery", name.split("-")[1], "--count", str(count)]
    if name == "kotlin":
        if mode == "startup":
            return None
        return [*str(ctx["kotlin"]).split(), *common, "--count", str(count)]
    raise KeyError(name)


def one_run(cmd: list[str], env: dict[str, str], timeout: float) -> dict | None:
    try:
        p = subprocess.run(cmd, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        log(f"timeout: {cmd[0]}")
        return {"error": f"timed out after {timeout:.0f} s"}
    for line in p.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            return json.loads(line[len("BENCH_RESULT "):])
    tail = (p.stderr or p.stdout).strip().splitlines()[-3:]
    log(f"failed ({p.returncode}): {' | '.join(tail)}")
    return {"error": " | ".join(tail)[-300:] or f"exit {p.returncode}"}


class StandIn:
    """Our stand-in for GitHub's services plus hermetic CLI state dirs, for start-up runs."""

    def __init__(self, python: str):
        self.tmp = tempfile.TemporaryDirectory(prefix="copilot-bench-")
        scenario = Path(self.tmp.name) / "scenario.json"
        scenario.write_text(json.dumps({"rules": [{"when": {}, "reply": {"text": "ok"}}]}))
        self.proc = subprocess.Popen(
            [python, str(ROOT / "tests/standin/copilot_standin.py"), "--port", "0", "--scenario", str(scenario)],
            stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        self.url = line.split("=", 1)[1]

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        for k in ("GH_TOKEN", "GITHUB_TOKEN", "COPILOT_GITHUB_TOKEN"):
            env.pop(k, None)
        for var, sub in (("COPILOT_HOME", "copilot"), ("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state"),
                         ("GH_CONFIG_DIR", "gh"), ("COPILOT_CACHE_HOME", "cache")):
            d = Path(self.tmp.name) / sub
            d.mkdir(exist_ok=True)
            env[var] = str(d)
        env.update(COPILOT_API_URL=self.url, COPILOT_DEBUG_GITHUB_API_URL=self.url,
                   COPILOT_MC_BASE_URL=self.url + "/agents", COPILOT_GITHUB_TOKEN="test-token")
        return env

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()
        self.tmp.cleanup()


# ---------------------------------------------------------------- the suite


ALL = ["rust", "python", "c-callback", "c-poll", "kotlin", "official-rust", "official-python", "raw"]
MODES = ["throughput", "latency", "latency-unpinned", "sessions", "startup"]


def pinning(firehose: str) -> tuple[list[str], str] | None:
    """For the latency runs: the driver on CPU 1 and the firehose on CPU 0 (`taskset`), so
    that neither is placed on the other's core. On this kind of small VM a wake-up sent to
    an idle vCPU sometimes takes milliseconds, which otherwise dominates p99 for drivers that
    hand events from one thread to another. None when there is no taskset or one CPU."""
    taskset = shutil.which("taskset")
    if not taskset or (os.cpu_count() or 1) < 2:
        return None
    wrapper = TARGET / "bench-firehose-cpu0.sh"
    wrapper.write_text(f'#!/bin/sh\nexec {taskset} -c 0 {firehose} "$@"\n')
    wrapper.chmod(0o755)
    return [taskset, "-c", "1"], str(wrapper)


def suite(names: list[str], quick: bool) -> dict:
    ctx = setup(set(names))
    names = [n for n in names if n not in ctx.get("unavailable", {})]
    events = 50_000 if quick else 200_000
    reps = {"throughput": 3 if quick else 5, "latency": 3, "latency-unpinned": 2, "sessions": 1 if quick else 3,
            "startup": 3 if quick else 5}
    pin = pinning(str(ctx["firehose"]))
    rate, latency_events = 10_000, 20_000 if quick else 50_000
    count = 200 if quick else 1000
    standin = StandIn(str(ctx["python"]))
    results: dict = {"events": events, "rate": rate, "latency_events": latency_events, "sessions": count,
                     "pinned": pin is not None, "runs": {}}
    try:
        for mode in MODES:
            for name in names:
                cli = str(ctx["cli"]) if mode == "startup" else str(ctx["firehose"])
                if mode == "latency" and pin:
                    cli = pin[1]
                cmd = driver_cmd(name, "latency" if mode == "latency-unpinned" else mode, cli, ctx, count)
                if cmd is None:
                    continue
                if mode == "latency" and pin:
                    cmd = [*pin[0], *cmd]
                if mode == "startup":
                    env = standin.env()
                else:
                    latency = mode.startswith("latency")
                    env = dict(os.environ, FIREHOSE_EVENTS=str(latency_events if latency else events),
                               FIREHOSE_RATE=str(rate if latency else 0))
                samples = []
                for _ in range(reps[mode]):
                    r = one_run(cmd, env, timeout=600)
                    samples.append(r)
                    if r and "error" in r:
                        break
                results["runs"].setdefault(name, {})[mode] = samples
                log(f"{name} {mode}: {samples[-1]}")
    finally:
        standin.close()
    return results


# ---------------------------------------------------------------- the report


def med(samples: list[dict], key: str) -> tuple[float, float, float] | None:
    vals = [s[key] for s in samples if s and key in s and isinstance(s[key], (int, float))]
    if not vals:
        return None
    return statistics.median(vals), min(vals), max(vals)


def fmt(v: tuple[float, float, float] | None, scale: float = 1.0, digits: int = 0) -> str:
    if v is None:
        return "—"
    m, lo, hi = (x * scale for x in v)
    return f"{m:,.{digits}f} ({lo:,.{digits}f}–{hi:,.{digits}f})"


def error_of(samples: list[dict] | None) -> str | None:
    for s in samples or []:
        if s and "error" in s:
            return s["error"]
    return None


LABELS = {
    "rust": "copilot-core (Rust)",
    "python": "copilot_core (Python wheel)",
    "c-callback": "C ABI, callback",
    "c-poll": "C ABI, polling",
    "kotlin": "Kotlin (UniFFI, JVM)",
    "official-rust": "official Rust SDK",
    "official-python": "official Python SDK",
    "raw": "raw serde_json parse (baseline)",
}


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kib / 1048576:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    rustc = subprocess.run(["rustc", "--version"], text=True, stdout=subprocess.PIPE).stdout.strip()
    return (f"{cpu}, {os.cpu_count()} cores{mem}; {platform.system()} {platform.release()}; {rustc}; "
            f"Python {platform.python_version()}")


def per_event_cpu(samples: list[dict]) -> tuple[float, float, float] | None:
    vals = [s["cpu_s"] / s["events"] * 100_000 for s in samples if s and s.get("events")]
    if not vals:
        return None
    return statistics.median(vals), min(vals), max(vals)


def report(res: dict) -> tuple[str, list[str]]:
    runs = res["runs"]
    tput = {n: med(runs[n].get("throughput", []), "events_per_s") for n in runs}
    cpu = {n: per_event_cpu(runs[n].get("throughput", [])) for n in runs}

    def ratio(a: str, b: str, table: dict, invert: bool = False) -> str:
        if not table.get(a) or not table.get(b):
            return "—"
        x, y = table[a][0], table[b][0]
        return f"{(y / x if invert else x / y):.2f}×"

    lines = [
        "# Benchmarks",
        "",
        f"Run on {datetime.date.today().isoformat()} by `make bench` ({'quick' if res.get('quick') else 'full'} run).",
        f"Machine: {machine()}.",
        "",
        "Event streams come from `copilot-firehose`, a scripted JSON-RPC load generator (not the Copilot",
        "CLI), over stdio; every driver creates one session, sends once and counts",
        f"`assistant.message_delta` events in the SDK's user-facing callback or stream until `session.idle`",
        f"({res['events']:,} deltas of 40 bytes). Figures are medians of repeated runs, (min–max) in brackets.",
        "CPU is the driver process's user+system time (the firehose is a separate process).",
        "",
        "## Throughput",
        "",
        "| Driver | events/s | CPU s per 100k events | vs official (same language) | vs raw parse |",
        "|---|---|---|---|---|",
    ]
    peer = {"rust": "official-rust", "python": "official-python", "c-callback": "rust", "c-poll": "rust", "kotlin": "rust"}
    for n in ALL:
        if n not in runs:
            continue
        err = error_of(runs[n].get("throughput"))
        vs = "—"
        if n in peer and peer[n] in runs:
            p = peer[n]
            label = "official" if p.startswith("official") else "Rust core"
            vs = f"{ratio(n, p, tput)} the events/s, {ratio(n, p, cpu)} the CPU per event (vs {label})"
        row = f"| {LABELS[n]} | {fmt(tput[n])} | {fmt(cpu[n], digits=3)} | {vs} | {ratio(n, 'raw', tput) if n != 'raw' else '1.00×'} |"
        if err and not tput[n]:
            row = f"| {LABELS[n]} | failed: {err} | | | |"
        lines.append(row)
    lines += [
        "",
        f"## Latency at {res['rate']:,} events/s",
        "",
        f"Frame written by the firehose → event in the user's callback ({res['latency_events']:,} events; same clock).",
        "The firehose runs on CPU 0 and the driver on CPU 1 (`taskset`); the last column is the same"
        " run left to the scheduler (see the notes below)." if res.get("pinned") else
        "Not pinned to CPUs (no `taskset` or one CPU).",
        "",
        "| Driver | p50 µs | p99 µs | p50 / p99 µs, unpinned |",
        "|---|---|---|---|",
    ]
    for n in ALL:
        s = runs.get(n, {}).get("latency")
        if not s:
            continue
        err = error_of(s)
        if err and not med(s, "p99_us"):
            lines.append(f"| {LABELS[n]} | failed: {err} | | |")
            continue
        u = runs.get(n, {}).get("latency-unpinned") or []
        u50, u99 = med(u, "p50_us"), med(u, "p99_us")
        free = f"{u50[0]:,.0f} / {u99[0]:,.0f}" if u50 and u99 else "—"
        lines.append(f"| {LABELS[n]} | {fmt(med(s, 'p50_us'))} | {fmt(med(s, 'p99_us'))} | {free} |")
    lines += [
        "",
        f"## Memory with {res['sessions']:,} idle sessions on one client",
        "",
        "RSS of the driver process after creating the sessions (each with a subscriber); growth is",
        "RSS after minus RSS before the client started (the SDK's share, without the interpreter/VM).",
        "",
        "| Driver | RSS MiB | growth MiB |",
        "|---|---|---|",
    ]
    for n in ALL:
        s = runs.get(n, {}).get("sessions")
        if not s:
            continue
        growth = [x["rss_kib"] - x.get("rss_before_kib", 0) for x in s if x and "rss_kib" in x]
        g = (statistics.median(growth), min(growth), max(growth)) if growth else None
        err = error_of(s)
        if err and not g:
            lines.append(f"| {LABELS[n]} | failed: {err} | |")
            continue
        lines.append(f"| {LABELS[n]} | {fmt(med(s, 'rss_kib'), 1 / 1024, 1)} | {fmt(g, 1 / 1024, 1)} |")
    lines += [
        "",
        "## Start-up with the real CLI (1.0.102, against our stand-in)",
        "",
        "| Driver | start → ready, s | start → first session, s |",
        "|---|---|---|",
    ]
    for n in ALL:
        s = runs.get(n, {}).get("startup")
        if not s:
            continue
        err = error_of(s)
        if err and not med(s, "start_to_ready_s"):
            lines.append(f"| {LABELS[n]} | failed: {err} | |")
            continue
        lines.append(f"| {LABELS[n]} | {fmt(med(s, 'start_to_ready_s'), digits=2)} | {fmt(med(s, 'first_session_s'), digits=2)} |")

    # Targets (issue: ratios in the same run).
    verdicts: list[str] = []

    def check(label: str, ok: bool | None, detail: str) -> None:
        verdicts.append(f"- {'met' if ok else ('MISSED' if ok is False else 'not measured')}: {label} — {detail}")

    def r(a: str, b: str, table: dict) -> float | None:
        return table[a][0] / table[b][0] if table.get(a) and table.get(b) else None

    x = r("python", "official-python", tput)
    c = r("official-python", "python", cpu)
    check("Python wheel ≥ 20× the official Python SDK's events/s", None if x is None else x >= 20, f"{x:.1f}×" if x else "n/a")
    check("Python wheel ≤ 1/10 the official Python SDK's CPU per event", None if c is None else c >= 10, f"1/{c:.1f}" if c else "n/a")
    x = r("rust", "official-rust", tput)
    check("Rust core ≥ 1.5× the official Rust SDK", None if x is None else x >= 1.5, f"{x:.2f}×" if x else "n/a")
    x = r("rust", "raw", tput)
    check("Rust core within 2× of raw parsing", None if x is None else x >= 0.5, f"{x:.2f}× of raw" if x else "n/a")
    for n in ("c-callback", "c-poll", "kotlin"):
        x = r(n, "rust", tput)
        check(f"{LABELS[n]} within 2× of the Rust core", None if x is None else x >= 0.5, f"{x:.2f}× of Rust" if x else "n/a")
    p99 = med(runs.get("python", {}).get("latency", []), "p99_us")
    check("p99 latency to a Python callback ≤ 1 ms at 10k events/s", None if p99 is None else p99[0] <= 1000, f"{p99[0]:.0f} µs" if p99 else "n/a")
    for n in ("rust", "python"):
        s = runs.get(n, {}).get("sessions") or []
        growth = [x["rss_kib"] - x.get("rss_before_kib", 0) for x in s if x and "rss_kib" in x]
        if res["sessions"] >= 1000 or not growth:
            g = statistics.median(growth) / 1024 if growth else None
            check(f"{LABELS[n]}: 1,000 sessions ≤ 50 MB SDK-side RSS", None if g is None else g <= 50, f"{g:.1f} MiB" if g is not None else "n/a")
    lines += ["", "## Targets", "", *verdicts, ""]
    return "\n".join(lines), verdicts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer events and repetitions (smoke run)")
    ap.add_argument("--only", help="comma-separated drivers: " + ",".join(ALL))
    ap.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"))
    ap.add_argument("--notes", default=str(ROOT / "bench/NOTES.md"), help="appended to the report if present")
    ap.add_argument("--report-only", action="store_true", help="rewrite the report from the last run's target/bench-results.json")
    args = ap.parse_args()
    names = args.only.split(",") if args.only else ALL
    unknown = set(names) - set(ALL)
    if unknown:
        raise SystemExit(f"unknown drivers: {', '.join(sorted(unknown))}")
    started = time.time()
    saved = ROOT / "target" / "bench-results.json"
    if args.report_only:
        res = json.loads(saved.read_text())
    else:
        res = suite(names, args.quick)
        res["quick"] = args.quick
    text, verdicts = report(res)
    notes = Path(args.notes)
    if notes.exists():
        text += "\n" + notes.read_text()
    Path(args.out).write_text(text)
    (ROOT / "target").mkdir(exist_ok=True)
    saved.write_text(json.dumps(res, indent=1))
    log(f"wrote {args.out} in {time.time() - started:.0f} s")
    print("\n".join(verdicts))


if __name__ == "__main__":
    main()
