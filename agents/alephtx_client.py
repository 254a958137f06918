"""A small, stdlib-only client for the AlephTX gateway (JSON-RPC 2.0, one message per line).

    from alephtx_client import Client
    with Client.spawn(["alephtx", "serve", "--stdio"]) as c:     # or Client.connect("127.0.0.1", 7878)
        print(c.call("get_book", instrument="sim:BTC-USD", depth=5))
        sub = c.subscribe("book", instrument="sim:BTC-USD")
        for update in sub.iter(timeout=5):
            print(update["data"]["bids"][0])
            break

Errors come back as RPCError with .code, .message and .data (data["code"] is a stable string).

Backtests: under `alephtx backtest --agent CMD`, ALEPHTX_CONNECT names the gateway's private
socket (`unix:/path` or `tcp:host:port`), and `Client.spawn(...)` connects there instead of
starting a gateway, so an agent runs unchanged. Simulated time then moves only when the agent
waits: `Subscription.get` sends `backtest.step` whenever its queue is empty, and raises
`BacktestFinished` once the recording has ended. `Client.sleep(s)` sleeps in the gateway's time.
"""
from __future__ import annotations

import itertools
import json
import queue
import socket
import subprocess
import threading
from typing import Any, Iterator


class ConnectionClosed(Exception):
    """The gateway closed the connection and nothing more will arrive."""


class BacktestFinished(ConnectionClosed):
    """The backtest's recording has ended (the gateway closes the connection after it)."""


def find_binary() -> str:
    """The gateway binary: $ALEPHTX_BIN, else this checkout's .build/{release,debug}/alephtx (found
    from this file, wherever the caller runs from), else `alephtx` on PATH."""
    import os
    import shutil
    env = os.environ.get("ALEPHTX_BIN")
    if env:
        return env
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for kind in ("release", "debug"):
        candidate = os.path.join(root, ".build", kind, "alephtx")
        if os.access(candidate, os.X_OK):
            return candidate
    on_path = shutil.which("alephtx")
    if on_path:
        return on_path
    raise FileNotFoundError("alephtx binary not found: build it (make build), set ALEPHTX_BIN, or put alephtx on PATH")


class RPCError(Exception):
    """A JSON-RPC error response."""

    def __init__(self, error: dict):
        self.code = error.get("code")
        self.message = error.get("message")
        self.data = error.get("data") or {}
        super().__init__(f"{self.code} {self.message}: {self.data.get('reason') or self.data.get('code') or ''}".strip())

    @property
    def app_code(self) -> str | None:
        return self.data.get("code")


class Subscription:
    """Notifications of one subscription, in arrival order."""

    def __init__(self, client: "Client", sub_id: str, channel: str):
        self.client, self.id, self.channel = client, sub_id, channel
        self.queue: "queue.Queue[dict]" = queue.Queue()

    def get(self, timeout: float = 10.0) -> dict:
        """The next notification's params ({"subscription", "data"}); raises queue.Empty on timeout.
        In a backtest it steps simulated time until one arrives (no timeout) and raises
        BacktestFinished when the recording has ended."""
        if not self.client.lockstep:
            return self.queue.get(timeout=timeout)
        while True:
            try:
                return self.queue.get_nowait()
            except queue.Empty:
                pass
            self.client.step()

    def iter(self, timeout: float = 10.0) -> Iterator[dict]:
        """Yields notifications until none arrives within `timeout` seconds (in a backtest: until
        the recording ends)."""
        while True:
            try:
                yield self.get(timeout=timeout)
            except (queue.Empty, ConnectionClosed):
                return

    def close(self) -> None:
        self.client.call("unsubscribe", subscription=self.id)


class Client:
    """A connection to the gateway over a spawned process's stdio or over TCP."""

    def __init__(self, reader, writer, closer, proc: subprocess.Popen | None = None):
        self._reader, self._writer, self._closer, self.proc = reader, writer, closer, proc
        self._ids = itertools.count(100_000)  # high, so hand-written ids in tests never collide
        self._pending: dict[Any, "queue.Queue[dict]"] = {}
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._subs: dict[str, Subscription] = {}
        self.unsolicited: "queue.Queue[dict]" = queue.Queue()  # notifications without a subscription, id-null errors
        self.received: list[dict] = []  # every message, for validation in tests
        self.sent_methods: dict[Any, str] = {}  # request id -> method
        self.closed = threading.Event()
        self.lockstep = False  # a backtest: simulated time moves with backtest.step
        self.finished = False  # the backtest's recording has ended
        self.sim_time_us: int | None = None  # the gateway's simulated time after the last step
        self._thread = threading.Thread(target=self._read_loop, daemon=True)
        self._thread.start()

    @classmethod
    def spawn(cls, argv: list[str], stderr=None, env=None) -> "Client":
        """Starts `alephtx serve --stdio` (or any argv) and talks over its stdin/stdout; under
        `alephtx backtest` (ALEPHTX_CONNECT set) connects to the backtest's gateway instead."""
        import os
        target = os.environ.get("ALEPHTX_CONNECT")
        if target:
            return cls.connect_to(target, lockstep=os.environ.get("ALEPHTX_BACKTEST") == "1")
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=stderr if stderr is not None else subprocess.DEVNULL, env=env)

        def write(data: bytes) -> None:
            proc.stdin.write(data)
            proc.stdin.flush()

        def close() -> None:
            try:
                proc.stdin.close()
            except OSError:
                pass

        return cls(proc.stdout, write, close, proc)

    @classmethod
    def connect(cls, host: str = "127.0.0.1", port: int = 7878, timeout: float = 10.0) -> "Client":
        """Connects over TCP."""
        return cls._over(socket.create_connection((host, port), timeout=timeout))

    @classmethod
    def connect_to(cls, target: str, lockstep: bool = False) -> "Client":
        """Connects to `unix:/path`, `tcp:host:port` or `host:port` (the ALEPHTX_CONNECT forms)."""
        if target.startswith("unix:"):
            client = cls.connect_unix(target[5:])
        else:
            host, _, port = (target[4:] if target.startswith("tcp:") else target).rpartition(":")
            client = cls.connect(host or "127.0.0.1", int(port))
        client.lockstep = lockstep
        return client

    def step(self, until_us: int | None = None) -> dict:
        """Backtests: lets simulated time move (to the next notification, or to `until_us`);
        raises BacktestFinished once the recording has ended."""
        if self.finished:
            raise BacktestFinished("the backtest's recording has ended")
        resp = self.request("backtest.step", {"until_us": until_us} if until_us is not None else None, timeout=600)
        if "error" in resp:
            if resp["error"].get("data", {}).get("code") == "closed":
                self.finished = True
                raise BacktestFinished("the gateway closed the connection")
            raise RPCError(resp["error"])
        r = resp["result"]
        self.sim_time_us = r["time_us"]
        if r["done"]:
            self.finished = True
            if r["notifications"] == 0:
                raise BacktestFinished("the backtest's recording has ended")
        return r

    def sleep(self, seconds: float) -> None:
        """Sleeps: in a backtest for `seconds` of simulated time (the data plays meanwhile)."""
        import time
        if not self.lockstep:
            time.sleep(seconds)
            return
        now = self.sim_time_us if self.sim_time_us is not None else self.call("ping")["server_ts_us"]
        self.step(until_us=now + int(seconds * 1_000_000))

    @classmethod
    def connect_unix(cls, path: str, timeout: float = 10.0) -> "Client":
        """Connects over a Unix-domain socket (`serve --unix PATH`)."""
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(path)
        except OSError:
            sock.close()
            raise
        return cls._over(sock)

    @classmethod
    def _over(cls, sock: socket.socket) -> "Client":
        """A client on a connected stream socket; closing it half-closes (the gateway answers
        everything already sent, then closes)."""
        sock.settimeout(None)
        rfile = sock.makefile("rb")

        def write(data: bytes) -> None:
            sock.sendall(data)

        def close() -> None:
            try:
                sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass

        client = cls(rfile, write, close)
        client.sock = sock
        return client

    def _read_loop(self) -> None:
        try:
            for line in self._reader:
                if not line.strip():
                    continue
                msg = json.loads(line)
                self.received.append(msg)
                self._route(msg)
        except (OSError, ValueError):
            pass
        finally:
            with self._lock:
                self.closed.set()
                for q in self._pending.values():
                    q.put(self._closed_error())
                self._pending.clear()

    @staticmethod
    def _closed_error() -> dict:
        return {"error": {"code": -32000, "message": "connection closed", "data": {"code": "closed"}}}

    def _register(self, rid) -> "queue.Queue[dict]":
        """A queue for the answer to `rid`; already holding a closed error when the connection is gone."""
        q: "queue.Queue[dict]" = queue.Queue()
        with self._lock:
            if self.closed.is_set():
                q.put(self._closed_error())
            else:
                self._pending[rid] = q
        return q

    def _route(self, msg: Any) -> None:
        if isinstance(msg, list):
            with self._lock:
                ours = any(isinstance(m, dict) and m.get("id") in self._pending for m in msg)
            if not ours:
                self.unsolicited.put(msg)  # a batch we did not send through request(): keep it whole
                return
            for m in msg:
                self._route_response(m)
            return
        if "method" in msg and "id" not in msg:
            sub = self._subs.get(msg.get("params", {}).get("subscription"))
            (sub.queue if sub else self.unsolicited).put(msg["params"] if sub else msg)
            return
        self._route_response(msg)

    def _route_response(self, msg: dict) -> None:
        with self._lock:
            q = self._pending.pop(msg.get("id"), None)
        if q is not None:
            q.put(msg)
        else:
            self.unsolicited.put(msg)

    def send_raw(self, data: bytes) -> None:
        """Writes raw bytes (tests use this for malformed input)."""
        with self._write_lock:
            self._writer(data)

    def request(self, method: str, params: dict | None = None, timeout: float = 30.0) -> dict:
        """Sends a request and returns the whole response object."""
        rid = next(self._ids)
        q = self._register(rid)
        msg = {"jsonrpc": "2.0", "id": rid, "method": method}
        self.sent_methods[rid] = method
        if params is not None:
            msg["params"] = params
        try:
            self.send_raw((json.dumps(msg) + "\n").encode())
        except OSError:
            return self._closed_error()
        return q.get(timeout=timeout)

    def call(self, method: str, **params: Any) -> Any:
        """Calls a method with named params; returns the result or raises RPCError."""
        resp = self.request(method, params or None)
        if "error" in resp:
            raise RPCError(resp["error"])
        return resp["result"]

    def notify(self, method: str, **params: Any) -> None:
        """Sends a notification (never answered)."""
        msg = {"jsonrpc": "2.0", "method": method}
        if params:
            msg["params"] = params
        self.send_raw((json.dumps(msg) + "\n").encode())

    def subscribe(self, channel: str, **params: Any) -> Subscription:
        """Subscribes; notifications for it go to the returned Subscription."""
        rid = next(self._ids)
        q = self._register(rid)
        # Register before the response arrives: the first notification follows it immediately.
        msg = {"jsonrpc": "2.0", "id": rid, "method": "subscribe", "params": {"channel": channel, **params}}
        self.sent_methods[rid] = "subscribe"
        self.send_raw((json.dumps(msg) + "\n").encode())
        resp = q.get(timeout=30)
        if "error" in resp:
            raise RPCError(resp["error"])
        sub = Subscription(self, resp["result"]["subscription"], channel)
        self._subs[sub.id] = sub
        # Notifications that raced ahead of registration land in unsolicited; move them over.
        keep = []
        while True:
            try:
                m = self.unsolicited.get_nowait()
            except queue.Empty:
                break
            if m.get("params", {}).get("subscription") == sub.id:
                sub.queue.put(m["params"])
            else:
                keep.append(m)
        for m in keep:
            self.unsolicited.put(m)
        return sub

    def close(self) -> int | None:
        """Closes the connection; for a spawned process waits for it and returns its exit code."""
        self._closer()
        if self.proc is not None:
            try:
                return self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                return self.proc.wait()
        self.closed.wait(5)
        return None

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
