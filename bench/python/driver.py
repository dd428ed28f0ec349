"""Benchmark driver for Python SDKs: ours (``copilot_core``) or the official one (``copilot``).

The same code runs against both: the API is the official package's, so only the import root
differs (``--sdk``). Modes:

- ``throughput``: one session, one ``send``; counts ``assistant.message_delta`` events delivered
  to a ``session.on`` callback until ``session.idle``.
- ``latency``: the same at a fixed firehose rate; latency = callback time - the send time the
  firehose wrote at the start of ``deltaContent`` (``<ns>|...``).
- ``sessions``: RSS of this process with N idle sessions on one client.
- ``startup``: start-to-ready and first-session time against the real CLI.

Prints one ``BENCH_RESULT {json}`` line, like every other driver.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import resource
import tempfile
import time


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


async def stop(client) -> None:
    """Stops the client; the firehose does not implement every teardown call an SDK may make."""
    try:
        await client.stop()
    except Exception as e:  # noqa: BLE001 - the measurement is already printed
        print(f"stop: {type(e).__name__}", file=__import__("sys").stderr)


def type_name(event) -> str:
    t = event.type
    return getattr(t, "value", t)


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sdk", choices=["copilot", "copilot_core"], required=True)
    ap.add_argument("--cli", required=True)
    ap.add_argument("--mode", default="throughput")
    ap.add_argument("--count", type=int, default=1000)
    args = ap.parse_args()

    sdk = importlib.import_module(args.sdk)
    RuntimeConnection = getattr(sdk, "RuntimeConnection", None) or importlib.import_module(f"{args.sdk}.client").RuntimeConnection
    approve_all = sdk.PermissionHandler.approve_all

    def new_client():
        return sdk.CopilotClient(connection=RuntimeConnection.for_stdio(path=args.cli))

    if args.mode in ("throughput", "latency"):
        client = new_client()
        await client.start()
        session = await client.create_session(on_permission_request=approve_all)
        done = asyncio.get_running_loop().create_future()
        count = 0
        lat_us: list[float] = []
        latency = args.mode == "latency"

        def on_event(event) -> None:
            nonlocal count
            t = type_name(event)
            if t == "assistant.message_delta":
                count += 1
                if latency:
                    now = time.time_ns()
                    sent = event.data.delta_content.split("|", 1)[0]
                    lat_us.append((now - int(sent)) / 1000.0)
            elif t == "session.idle" and not done.done():
                done.set_result(None)

        session.on(on_event)
        cpu0 = cpu_seconds()
        t0 = time.perf_counter()
        await session.send("go")
        await done
        wall = time.perf_counter() - t0
        result = {"events": count, "wall_s": wall, "cpu_s": cpu_seconds() - cpu0, "events_per_s": count / wall}
        if latency:
            result["p50_us"] = percentile(lat_us, 50)
            result["p99_us"] = percentile(lat_us, 99)
        print("BENCH_RESULT " + json.dumps(result), flush=True)
        await stop(client)
    elif args.mode == "sessions":
        before = rss_kib()
        client = new_client()
        await client.start()
        keep = []
        for _ in range(args.count):
            s = await client.create_session(on_permission_request=approve_all)
            s.on(lambda e: None)
            keep.append(s)
        await asyncio.sleep(0.2)
        print("BENCH_RESULT " + json.dumps({"sessions": args.count, "rss_kib": rss_kib(), "rss_before_kib": before}), flush=True)
        await stop(client)
    elif args.mode == "startup":
        t0 = time.perf_counter()
        client = new_client()
        await client.start()
        ready = time.perf_counter() - t0
        with tempfile.TemporaryDirectory() as cwd:
            await client.create_session(on_permission_request=approve_all, working_directory=cwd)
            first = time.perf_counter() - t0
        print("BENCH_RESULT " + json.dumps({"start_to_ready_s": ready, "first_session_s": first}), flush=True)
        await client.stop()
    else:
        raise SystemExit(f"unknown mode {args.mode}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    asyncio.run(main())
