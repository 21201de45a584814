#!/usr/bin/env python3
"""An application beside a rebalance: a redis-py cluster client doing one GET or SET at a time
on the key set `rcplan keys load` writes (rcplan:<i>, the same values), timing every command.

Warms up until SIGUSR1 (the rebalance starts), counts from then on, and runs until SIGTERM or
SIGINT (it ended); then it writes a JSON report: commands, seconds, latency percentiles,
the redirections redis-py followed (MOVED, ASK: not errors) and the errors the application saw,
by kind, with the first few logged in full to stderr as they happen.

Debian's python3-redis (redis-py 4.3) is the client: what a Python application would use.
"""

import argparse
import collections
import json
import logging
import random
import signal
import sys
import time
from array import array

from redis.cluster import ClusterNode, RedisCluster

KEY_PREFIX = "rcplan:"


def key_value(i: int, size: int) -> str:
    """The value `rcplan keys load` writes for key i (bindings/cli/support/key_set.cpp)."""
    v = f"{i}:"
    k = 0
    while len(v) < size:
        v += chr(ord("a") + (i + k) % 26)
        k += 1
    width = max(size, len(str(i)) + 1)
    return v[:width]


class Redirections(logging.Handler):
    """redis-py logs each redirection and retry it follows (log.exception("MovedError") ...):
    counted here by kind, never formatted (formatting a traceback per MOVED would be the
    benchmark's own cost, not the cluster's)."""

    def __init__(self):
        super().__init__()
        self.counts = {}
        self.recent = collections.deque(maxlen=20)  # shown with an error: what led to it

    def emit(self, record):
        kind = str(record.msg)
        if kind.startswith("<class"):
            kind = kind.split("'")[1].rsplit(".", 1)[-1]
        kind = kind.split(":")[0]
        self.counts[kind] = self.counts.get(kind, 0) + 1
        detail = record.exc_info[1] if record.exc_info else ""
        self.recent.append(f"{time.monotonic():.4f} {kind} {detail}")


def percentile(sorted_ms, q):
    if not sorted_ms:
        return 0.0
    rank = max(1, min(len(sorted_ms), int(len(sorted_ms) * q + 0.999999)))
    return sorted_ms[rank - 1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", required=True, help="HOST:PORT of a cluster node")
    ap.add_argument("--count", type=int, required=True, help="keys in the key set")
    ap.add_argument("--size", type=int, default=100, help="bytes per value")
    ap.add_argument("--out", required=True, help="where the JSON report goes")
    ap.add_argument("--write-percent", type=int, default=50)
    args = ap.parse_args()

    redirections = Redirections()
    cluster_log = logging.getLogger("redis.cluster")
    cluster_log.addHandler(redirections)
    cluster_log.propagate = False

    host, port = args.seed.rsplit(":", 1)
    rc = RedisCluster(startup_nodes=[ClusterNode(host, int(port))], decode_responses=True)

    stop = False
    counting = False

    def on_stop(signum, frame):
        nonlocal stop
        stop = True

    def on_start(signum, frame):
        nonlocal counting
        counting = True

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    signal.signal(signal.SIGUSR1, on_start)

    rng = random.Random(1)
    latencies = array("d")
    errors = {}
    logged = 0
    started = None
    while not stop:
        if counting and started is None:
            started = time.monotonic()
            latencies = array("d")
            errors = {}
            redirections.counts = {}
        i = rng.randrange(args.count)
        key = f"{KEY_PREFIX}{i}"
        write = rng.randrange(100) < args.write_percent
        t0 = time.perf_counter_ns()
        try:
            if write:
                rc.set(key, key_value(i, args.size))
            else:
                got = rc.get(key)
                if got is not None and got != key_value(i, args.size):
                    raise ValueError(f"GET {key} returned a different value")
            latencies.append((time.perf_counter_ns() - t0) / 1e6)
        except Exception as e:  # every exception reaching the application is an error
            kind = type(e).__name__
            errors[kind] = errors.get(kind, 0) + 1
            if logged < 20:
                logged += 1
                at = time.monotonic() - started if started is not None else 0.0
                print(f"client error at {at:.3f} s: {kind}: {e}", file=sys.stderr, flush=True)
                for line in redirections.recent:
                    print(f"  after: {line}", file=sys.stderr, flush=True)
            time.sleep(0.01)
    seconds = time.monotonic() - started if started is not None else 0.0

    ms = sorted(latencies)
    report = {
        "seconds": seconds,
        "commands": len(ms),
        "ops_per_second": len(ms) / seconds if seconds > 0 else 0.0,
        "latency_ms": {
            "p50": percentile(ms, 0.50),
            "p99": percentile(ms, 0.99),
            "p99.9": percentile(ms, 0.999),
            "max": ms[-1] if ms else 0.0,
        },
        "followed": redirections.counts,
        "errors": errors,
    }
    with open(args.out, "w") as f:
        json.dump(report, f)


if __name__ == "__main__":
    main()
