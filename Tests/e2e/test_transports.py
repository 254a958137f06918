"""Process-level behaviour: stdio purity and exit, netcat over TCP, signals, CLI errors."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from conftest import BIN, Server, validate_message


def test_stdio_only_protocol_on_stdout_and_exit_0_on_eof():
    reqs = [
        {"jsonrpc": "2.0", "id": 1, "method": "ping"},
        {"jsonrpc": "2.0", "id": 2, "method": "list_instruments"},
        {"jsonrpc": "2.0", "id": 3, "method": "get_balances"},
    ]
    methods = {r["id"]: r["method"] for r in reqs}
    with tempfile.TemporaryDirectory() as d:
        p = subprocess.run([BIN, "serve", "--stdio", "--data-dir", d, "--log-level", "debug"],
                           input=("\n".join(json.dumps(r) for r in reqs) + "\n").encode(),
                           capture_output=True, timeout=30)
    assert p.returncode == 0, p.stderr.decode()[-2000:]
    lines = p.stdout.decode().splitlines()
    assert len(lines) == 3
    for line in lines:
        validate_message(json.loads(line), methods.get)
    assert b"serving JSON-RPC on stdio" in p.stderr  # logs go to stderr, at debug level too


def test_stdio_with_stdout_to_a_file():
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "out.jsonl")
        with open(out, "wb") as f:
            p = subprocess.run([BIN, "serve", "--stdio", "--data-dir", d], input=b'{"jsonrpc":"2.0","id":1,"method":"ping"}\n',
                               stdout=f, stderr=subprocess.DEVNULL, timeout=30)
        assert p.returncode == 0
        assert json.loads(open(out).read())["result"]["pong"] is True


def test_netcat_session():
    nc = shutil.which("nc")
    if nc is None:
        pytest.fail("nc (netcat-openbsd) is required; `make test` installs it")
    s = Server()
    try:
        reqs = [
            {"jsonrpc": "2.0", "id": 1, "method": "ping"},
            {"jsonrpc": "2.0", "id": 2, "method": "get_book", "params": {"instrument": "sim:BTC-USD", "depth": 2}},
            {"jsonrpc": "2.0", "id": 3, "method": "place_signal", "params": {"intent_id": "nc-1", "instrument": "sim:ETH-USD", "side": "buy", "quantity": "0.1"}},
            {"jsonrpc": "2.0", "id": 4, "method": "get_positions"},
        ]
        methods = {r["id"]: r["method"] for r in reqs}
        # Give the sim a moment to publish its first books.
        time.sleep(0.5)
        p = subprocess.run([nc, "-q", "2", "127.0.0.1", str(s.port)], input=("\n".join(json.dumps(r) for r in reqs) + "\n").encode(),
                           capture_output=True, timeout=30)
        lines = [json.loads(l) for l in p.stdout.decode().splitlines()]
        assert [m["id"] for m in lines] == [1, 2, 3, 4], lines
        for m in lines:
            validate_message(m, methods.get)
        assert lines[2]["result"]["status"] == "filled"
        assert lines[3]["result"]["positions"][0]["instrument"] == "sim:ETH-USD"
    finally:
        assert s.stop() == 0


def test_sigint_shuts_down_cleanly():
    s = Server()
    c = s.client()
    assert c.call("ping")["pong"] is True
    s.proc.send_signal(signal.SIGINT)
    assert s.proc.wait(timeout=15) == 0
    c.closed.wait(5)
    assert c.closed.is_set()


def test_refuses_non_loopback_without_auth_and_bad_config():
    p = subprocess.run([BIN, "serve", "--tcp", "0.0.0.0:0"], capture_output=True, timeout=30)
    assert p.returncode != 0 and b"refusing to listen on 0.0.0.0" in p.stderr
    with tempfile.NamedTemporaryFile("w", suffix=".toml") as f:
        f.write("[paper]\nstarting_cahs = 5\n")
        f.flush()
        p = subprocess.run([BIN, "serve", "--config", f.name], capture_output=True, timeout=30)
    assert p.returncode != 0 and b"unknown key 'paper.starting_cahs'" in p.stderr


def test_config_file_changes_paper_settings():
    s = Server(config="[paper]\nstarting_cash = \"2500.50\"\ntaker_fee_bps = 10\n[sim]\nseed = 7\n")
    try:
        s.wait_for_data()
        c = s.client()
        assert c.call("get_balances")["starting_cash"] == "2500.50"
        r = c.call("place_signal", intent_id="cfg-1", instrument="sim:ETH-USD", side="buy", quantity="0.1")
        fee = sum(__import__("decimal").Decimal(f["price"]) * __import__("decimal").Decimal(f["quantity"]) for f in r["fills"]) / 1000
        assert abs(__import__("decimal").Decimal(r["fees"]) - fee) < __import__("decimal").Decimal("0.00000002")
    finally:
        assert s.stop() == 0


def test_version():
    p = subprocess.run([BIN, "version"], capture_output=True, timeout=30)
    assert p.returncode == 0 and p.stdout.decode().startswith("alephtx ")


def _unix_server(path, data_dir, extra=(), env=None):
    """`serve --unix PATH --tcp off` (ALEPH_SOCKET when path is None)."""
    args = [BIN, "serve", "--tcp", "off", "--data-dir", data_dir, "--log-level", "info", *extra]
    if path is not None:
        args += ["--unix", path]
    return subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, **(env or {})})


def _wait_socket(path, proc, timeout=30):
    from alephtx_client import Client
    deadline = time.time() + timeout
    while time.time() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode()
        if os.path.exists(path):
            try:
                return Client.connect_unix(path)
            except OSError:
                pass
        time.sleep(0.05)
    raise AssertionError("unix socket never served")


def test_unix_socket_is_private_replaces_a_stale_file_and_never_a_live_one():
    tmp = tempfile.mkdtemp()
    path = os.path.join(tmp, "a.sock")
    try:
        # ALEPH_SOCKET is the default path; the socket file is 0600 and a session there is admin.
        p = _unix_server(None, os.path.join(tmp, "d1"), env={"ALEPH_SOCKET": path})
        c = _wait_socket(path, p)
        assert oct(os.stat(path).st_mode & 0o777) == "0o600"
        hello = c.call("session.hello")
        assert hello["transport"] == "unix" and hello["admin"] is True
        # A second gateway (its own data dir) refuses the live socket, clearly, and hurts nothing.
        q = _unix_server(path, os.path.join(tmp, "d2"))
        out, err = q.communicate(timeout=30)
        assert q.returncode != 0 and b"another process is listening on unix socket" in err, err
        assert c.call("ping")["pong"] is True
        # kill -9 leaves the file behind: the next start replaces it.
        p.kill()
        p.wait()
        c.close()
        assert os.path.exists(path)
        p = _unix_server(path, os.path.join(tmp, "d1"))
        c = _wait_socket(path, p)
        assert c.call("ping")["pong"] is True
        c.close()
        p.send_signal(signal.SIGTERM)
        assert p.wait(timeout=20) == 0
        assert not os.path.exists(path), "the socket file is removed at shutdown"
        # A path that is not a socket is never removed.
        with open(path, "w") as f:
            f.write("precious")
        q = _unix_server(path, os.path.join(tmp, "d3"))
        out, err = q.communicate(timeout=30)
        assert q.returncode != 0 and b"is not a socket" in err and open(path).read() == "precious"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_stdio_tcp_and_unix_together_share_one_engine():
    from alephtx_client import Client
    tmp = tempfile.mkdtemp()
    path = os.path.join(tmp, "g.sock")
    try:
        c = Client.spawn([BIN, "serve", "--stdio", "--tcp", "127.0.0.1:0", "--unix", path, "--data-dir", tmp, "--log-level", "warning"])
        u = None
        deadline = time.time() + 30
        while u is None and time.time() < deadline:
            try:
                u = Client.connect_unix(path)
            except OSError:
                time.sleep(0.05)
        sub = u.subscribe("orders")
        for _ in range(200):
            if "result" in c.request("get_book", {"instrument": "sim:BTC-USD"}):
                break
            time.sleep(0.05)
        r = c.call("place_signal", intent_id="both", instrument="sim:BTC-USD", side="buy", quantity="0.01")
        assert r["status"] == "filled"
        assert sub.get(timeout=5)["data"]["intent_id"] == "both"
        assert u.call("get_orders", status="all")["orders"][0]["intent_id"] == "both"
        u.close()
        assert c.close() == 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
