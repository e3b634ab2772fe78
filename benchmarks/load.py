"""Load and fault run against a running server on 127.0.0.1 (issue 10, "Load and faults, measured").

    make run                                          # or make serve, in another terminal (port 8000)
    DEMO_PASSWORD=songpan-demo-2026 .venv/bin/python benchmarks/load.py --clients 100 --seconds 60

N clients, each a thread with its own keep-alive HTTP connection, for T seconds, each request drawn from a mix:
a field cadre's sync (``/api/v1/sync/``, then polls from its cursor), household lists (cadre, township, department),
case transitions by the township account (a case from its list, the next action for its status; 409 and 403 are
answers, not failures) and sign-ins at the token endpoint (the ``auth_token`` rate per address makes most of those
429 under load, as designed). The demo accounts without two-factor are used: cadre, township, department.

It prints requests/s, p50/p95/p99 latency, the count of each status (500s, 429s and 503s named) and dropped
connections (a request that got no HTTP answer: reset, refused, closed or timed out).

``--redis-outage`` makes Redis unreachable for the middle 20 s without touching the shared Redis: the script runs a
TCP proxy on ``--proxy-port`` (default 6391) to ``--redis`` (127.0.0.1:6379), and the server must be started
with its cache and broker pointed at the proxy, e.g.

    SONGPAN_CACHE_URL=redis://127.0.0.1:6391/1 CELERY_BROKER_URL=redis://127.0.0.1:6391/0 make serve

For the outage the proxy closes its listening socket and every open connection, and reopens 20 s later.
Only 127.0.0.1 is accepted as the target.
"""

import argparse
import http.client
import json
import os
import random
import selectors
import socket
import statistics
import sys
import threading
import time
from collections import Counter
from urllib.parse import urlencode

NEXT_ACTION = {
    "submitted": {"action": "accept"},
    "accepted": {"action": "assign"},
    "assigned": {"action": "start"},
    "in_progress": {"action": "resolve", "note": "Resolved during the load run."},
    "resolved": {"action": "close", "satisfaction": "satisfied"},
}
NO_ANSWER = (OSError, http.client.HTTPException)


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.statuses: Counter = Counter()
        self.kinds: Counter = Counter()
        self.by_kind: dict[str, list[float]] = {}
        self.dropped = 0
        self.dropped_kinds: Counter = Counter()

    def record(self, kind: str, status: int | None, seconds: float, error: str = "") -> None:
        with self.lock:
            self.kinds[kind] += 1
            if status is None:
                self.dropped += 1
                self.dropped_kinds[error] += 1
            else:
                self.statuses[status] += 1
                self.latencies.append(seconds)
                self.by_kind.setdefault(kind, []).append(seconds * 1000)


class Client:
    """One simulated user: a keep-alive connection, a token per account, the cadre's sync cursor."""

    def __init__(self, index: int, args, results: Results):
        self.index, self.args, self.results = index, args, results
        self.conn: http.client.HTTPConnection | None = None
        self.tokens: dict[str, str] = {}
        self.cursor = ""
        self.cases: list[dict] = []
        self.rng = random.Random(index)

    def request(self, kind: str, method: str, path: str, body=None, token: str = "") -> tuple[int | None, object]:
        headers = {"Accept": "application/json", "Accept-Language": "en"}
        if token:
            headers["Authorization"] = f"Token {token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.args.port, timeout=self.args.timeout)
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            raw = response.read()
        except NO_ANSWER as exc:
            self.results.record(kind, None, time.perf_counter() - started, type(exc).__name__)
            if self.conn is not None:
                self.conn.close()
            self.conn = None
            return None, None
        self.results.record(kind, response.status, time.perf_counter() - started)
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        try:
            return response.status, json.loads(raw) if raw else None
        except ValueError:
            return response.status, None

    def sign_in(self, username: str) -> str:
        body = {"username": username, "password": self.args.password, "device": f"load-{self.index}"}
        status, payload = self.request("sign_in", "POST", "/api/v1/auth/token/", body)
        if status == 200 and isinstance(payload, dict):
            self.tokens[username] = payload["token"]
        return self.tokens.get(username, "")

    def token(self, username: str) -> str:
        return self.tokens.get(username) or self.sign_in(username)

    def sync(self) -> None:
        token = self.token("cadre")
        if not token:
            return
        query = {"limit": 200, **({"since": self.cursor} if self.cursor else {})}
        status, payload = self.request("sync", "GET", "/api/v1/sync/?" + urlencode(query), token=token)
        if status == 200 and isinstance(payload, dict):
            self.cursor = payload.get("cursor", "") if payload.get("more") is False else ""
        elif status == 401:
            self.tokens.pop("cadre", None)

    def households(self) -> None:
        username = self.rng.choice(["cadre", "township", "department"])
        token = self.token(username)
        if token:
            self.request("households", "GET", "/api/v1/households/?page_size=20", token=token)

    def transition(self) -> None:
        token = self.token("township")
        if not token:
            return
        if not self.cases:
            status = self.rng.choice(list(NEXT_ACTION))
            code, payload = self.request(
                "case_list", "GET", f"/api/v1/cases/?status={status}&page_size=20", token=token
            )
            if code == 200 and isinstance(payload, dict):
                self.cases = list(payload.get("results", []))
            if not self.cases:
                return
        case = self.cases.pop()
        body = NEXT_ACTION.get(case.get("status"), {"action": "accept"})
        self.request("transition", "POST", f"/api/v1/cases/{case['id']}/transition/", body, token=token)

    def fresh_sign_in(self) -> None:
        self.sign_in(self.rng.choice(["cadre", "township", "department"]))

    def run(self, deadline: float) -> None:
        actions = [self.sync] * 4 + [self.households] * 4 + [self.transition] * 2 + [self.fresh_sign_in]
        while time.monotonic() < deadline:
            self.rng.choice(actions)()
            if self.args.think:
                time.sleep(self.rng.uniform(0, 2 * self.args.think))


class RedisProxy:
    """A TCP relay 127.0.0.1:listen -> target that can be taken down (listener and connections closed) and up."""

    def __init__(self, listen_port: int, target: tuple[str, int]):
        self.listen_port, self.target = listen_port, target
        self.lock = threading.Lock()
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.server: socket.socket | None = None
        self.stopping = False

    def up(self) -> None:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.listen_port))
        server.listen(128)
        self.server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def down(self) -> None:
        server, self.server = self.server, None
        if server is not None:
            server.close()
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for a, b in pairs:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return  # closed: the outage began
            try:
                upstream = socket.create_connection(self.target, timeout=2)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.pairs.append((client, upstream))
            threading.Thread(target=self._relay, args=(client, upstream), daemon=True).start()

    def _relay(self, a: socket.socket, b: socket.socket) -> None:
        selector = selectors.DefaultSelector()
        try:
            selector.register(a, selectors.EVENT_READ, b)
            selector.register(b, selectors.EVENT_READ, a)
            while True:
                for key, _ in selector.select(timeout=1):
                    data = key.fileobj.recv(65536)
                    if not data:
                        return
                    key.data.sendall(data)
        except (OSError, ValueError):
            return
        finally:
            selector.close()
            for s in (a, b):
                s.close()


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8000, help="the server's port on 127.0.0.1")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=0.0, help="mean pause between a client's requests (s)")
    parser.add_argument("--timeout", type=float, default=30, help="seconds without an answer = a dropped request")
    parser.add_argument("--password", default=os.environ.get("DEMO_PASSWORD", "songpan-demo-2026"))
    parser.add_argument("--redis-outage", action="store_true", help="Redis unreachable for the middle 20 s")
    parser.add_argument("--proxy-port", type=int, default=6391)
    parser.add_argument("--redis", default="127.0.0.1:6379", help="the real Redis the proxy relays to")
    parser.add_argument("--outage-seconds", type=float, default=20)
    args = parser.parse_args()

    host, _, port = args.redis.partition(":")
    if host != "127.0.0.1":
        parser.error("only 127.0.0.1 is accepted")
    proxy = None
    if args.redis_outage:
        proxy = RedisProxy(args.proxy_port, (host, int(port)))
        proxy.up()
        print(f"Redis proxy on 127.0.0.1:{args.proxy_port} -> {args.redis}; start the server pointed at it.")

    results = Results()
    started = time.monotonic()
    deadline = started + args.seconds
    clients = [Client(i, args, results) for i in range(args.clients)]
    threads = [threading.Thread(target=c.run, args=(deadline,), daemon=True) for c in clients]
    for thread in threads:
        thread.start()

    if proxy is not None:
        outage_start = args.seconds / 2 - args.outage_seconds / 2
        time.sleep(max(0.0, started + outage_start - time.monotonic()))
        proxy.down()
        print(f"  {time.monotonic() - started:5.1f} s: Redis unreachable", flush=True)
        time.sleep(max(0.0, started + outage_start + args.outage_seconds - time.monotonic()))
        proxy.up()
        print(f"  {time.monotonic() - started:5.1f} s: Redis reachable again", flush=True)

    for thread in threads:
        thread.join(timeout=args.seconds + args.timeout + 10)
    elapsed = time.monotonic() - started
    if proxy is not None:
        proxy.down()

    answered = sum(results.statuses.values())
    ms = [s * 1000 for s in results.latencies]
    print(f"\n{args.clients} clients, {elapsed:.1f} s, port {args.port}" + (", Redis outage" if proxy else ""))
    print(f"requests answered  {answered}  ({answered / elapsed:.1f}/s)")
    if ms:
        print(
            f"latency ms         p50 {percentile(ms, 0.5):.0f}  p95 {percentile(ms, 0.95):.0f}  "
            f"p99 {percentile(ms, 0.99):.0f}  max {max(ms):.0f}  mean {statistics.fmean(ms):.0f}"
        )
    print("statuses           " + "  ".join(f"{code}: {n}" for code, n in sorted(results.statuses.items())))
    print(
        f"500s {sum(n for c, n in results.statuses.items() if c >= 500 and c != 503)}  "
        f"429s {results.statuses[429]}  503s {results.statuses[503]}  dropped connections {results.dropped}"
        + (f" ({dict(results.dropped_kinds)})" if results.dropped else "")
    )
    print(
        "by kind (n, p50 ms) "
        + "  ".join(
            f"{kind}: {n}, {percentile(results.by_kind.get(kind, []), 0.5):.0f}"
            for kind, n in sorted(results.kinds.items())
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
