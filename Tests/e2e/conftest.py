"""Shared fixtures: the real binary over stdio and TCP, and schema validation of every message."""
import json
import os
import pathlib
import re
import socket
import subprocess
import sys
import tempfile
import time

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "agents"))
from alephtx_client import Client  # noqa: E402

BIN = os.environ.get("ALEPHTX_BIN", str(ROOT / ".build" / "debug" / "alephtx"))
SCHEMAS = ROOT / "schemas"


def _registry():
    resources = []
    for path in SCHEMAS.rglob("*.json"):
        resources.append((path.resolve().as_uri(), Resource.from_contents(json.loads(path.read_text()))))
    return Registry().with_resources(resources)


REGISTRY = _registry()
_validators = {}


def validator(rel: str) -> Draft202012Validator:
    if rel not in _validators:
        path = (SCHEMAS / rel).resolve()
        schema = json.loads(path.read_text())
        schema = {**schema, "$id": path.as_uri()}
        Draft202012Validator.check_schema(schema)
        _validators[rel] = Draft202012Validator(schema, registry=REGISTRY)
    return _validators[rel]


def validate_message(msg, method_of_id) -> None:
    """Validates one received message (object or batch array); raises on any mismatch."""
    if isinstance(msg, list):
        assert msg, "empty batch response is never valid"
        for m in msg:
            validate_message(m, method_of_id)
        return
    assert msg.get("jsonrpc") == "2.0", msg
    if "method" in msg:
        assert "id" not in msg
        validator(f"notifications/{msg['method']}.json").validate(msg["params"])
        return
    assert "id" in msg, msg
    assert ("result" in msg) != ("error" in msg), msg
    if "error" in msg:
        validator("defs/error.json").validate(msg["error"])
        return
    method = method_of_id(msg["id"])
    assert method is not None, f"response to unknown id {msg['id']!r}"
    validator(f"methods/{method}.result.json").validate(msg["result"])


def validate_params(method: str, params) -> None:
    validator(f"methods/{method}.params.json").validate(params if params is not None else {})


def validate_client(c: Client) -> int:
    """Validates every message a client received; returns how many were checked."""
    for m in list(c.received):
        validate_message(m, c.sent_methods.get)
    return len(c.received)


_RUNNING: list = []


@pytest.fixture(autouse=True)
def _no_server_outlives_its_test():
    """A test that fails before stopping its servers must not leave them running (they would eat
    CPU for the rest of the run): every server a test started is killed when it ends."""
    start = len(_RUNNING)
    yield
    for srv in _RUNNING[start:]:
        if srv.proc.poll() is None:
            srv.proc.kill()
            srv.proc.wait()
    del _RUNNING[start:]


class Server:
    """A running `alephtx serve --tcp 127.0.0.1:0`."""

    def __init__(self, extra_args=(), config: str | None = None, data_dir: str | None = None, env: dict | None = None):
        """Starts a server; `data_dir` reuses a directory (and its ledger) across restarts; `env`
        adds environment variables (venue credentials)."""
        self.tmp = tempfile.TemporaryDirectory()
        self.data_dir = data_dir or self.tmp.name
        args = [BIN, "serve", "--tcp", "127.0.0.1:0", "--data-dir", self.data_dir, "--log-level", "info", *extra_args]
        if config is not None:
            cfg = pathlib.Path(self.tmp.name) / "config.toml"
            cfg.write_text(config)
            args += ["--config", str(cfg)]
        self.stderr_path = pathlib.Path(self.tmp.name) / "stderr.log"
        self.stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self.stderr,
                                     env={**os.environ, **(env or {})})
        _RUNNING.append(self)
        deadline = time.time() + 30
        self.port = None
        while time.time() < deadline:
            m = re.search(r"listening on [0-9.]+:(\d+)", self.stderr_path.read_text(errors="replace"))
            if m:
                self.port = int(m.group(1))
                break
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        assert self.port, f"server did not start: {self.stderr_path.read_text(errors='replace')}"
        self.clients: list[Client] = []

    def client(self) -> Client:
        c = Client.connect("127.0.0.1", self.port)
        self.clients.append(c)
        return c

    def wait_for_data(self, instrument="sim:BTC-USD"):
        c = self.client()
        for _ in range(200):
            resp = c.request("get_book", {"instrument": instrument})
            if "result" in resp:
                return
            time.sleep(0.05)
        raise AssertionError("no market data")

    def kill(self) -> None:
        """SIGKILL: no shutdown path runs."""
        self.proc.kill()
        self.proc.wait()
        for c in self.clients:
            try:
                c.close()
            except Exception:
                pass
        self.stderr.close()

    def stop(self) -> int:
        for c in self.clients:
            c.close()
        self.proc.terminate()
        try:
            code = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.stderr.close()
        return code


@pytest.fixture
def server():
    s = Server()
    s.wait_for_data()
    yield s
    for c in s.clients:
        validate_client(c)
    code = s.stop()
    assert code == 0, f"server exited {code} on SIGTERM: {s.stderr_path.read_text(errors='replace')[-2000:]}"
    s.tmp.cleanup()


@pytest.fixture
def make_server():
    servers = []

    def make(*args, config=None):
        s = Server(args, config=config)
        s.wait_for_data()
        servers.append(s)
        return s

    yield make
    for s in servers:
        for c in s.clients:
            validate_client(c)
        s.stop()
        s.tmp.cleanup()


def wait_for_book(c: Client, instrument: str = "sim:BTC-USD") -> None:
    """Waits (up to 10 s) until the simulated market has a book."""
    for _ in range(200):
        if "result" in c.request("get_book", {"instrument": instrument}):
            return
        time.sleep(0.05)


@pytest.fixture
def stdio():
    tmp = tempfile.TemporaryDirectory()
    c = Client.spawn([BIN, "serve", "--stdio", "--data-dir", tmp.name, "--log-level", "warning", "--test-hooks"])
    wait_for_book(c)
    yield c
    validate_client(c)
    code = c.close()
    assert code == 0
    tmp.cleanup()


@pytest.fixture(params=["stdio", "tcp", "unix"])
def conn(request):
    """A client of a fresh gateway on each transport in turn: stdio, TCP and a Unix-domain socket."""
    if request.param == "stdio":
        tmp = tempfile.TemporaryDirectory()
        c = Client.spawn([BIN, "serve", "--stdio", "--data-dir", tmp.name, "--log-level", "warning", "--test-hooks"])
        s = None
    else:
        tmp = tempfile.TemporaryDirectory()
        path = os.path.join(tmp.name, "gw.sock")
        s = Server(["--unix", path, "--test-hooks"])
        wait_until_text(s, "listening on unix:")
        c = s.client() if request.param == "tcp" else Client.connect_unix(path)
        if request.param == "unix":
            s.clients.append(c)
            assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    wait_for_book(c)
    yield c
    validate_client(c)
    if s is None:
        assert c.close() == 0
    else:
        assert s.stop() == 0
        s.tmp.cleanup()
    tmp.cleanup()


def wait_until_text(s: "Server", text: str, timeout: float = 30) -> None:
    """Waits until the server's log shows `text`."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if text in s.stderr_path.read_text(errors="replace"):
            return
        assert s.proc.poll() is None, s.stderr_path.read_text(errors="replace")
        time.sleep(0.02)
    raise AssertionError(f"'{text}' never logged: {s.stderr_path.read_text(errors='replace')[-2000:]}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
