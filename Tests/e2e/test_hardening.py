"""Hardening: end of input on stdio, one gateway per ledger, shutdown under abuse, private files,
admin-token throttling, and the CLI's rough edges. Each test failed before its fix."""
import concurrent.futures
import json
import os
import pathlib
import signal
import socket
import stat
import subprocess
import tempfile
import threading
import time

import pytest

from conftest import BIN, ROOT, Server, validate_message


def _run_stdio_late_reader(lines: bytes, data_dir: str, delay: float, extra=()) -> tuple[bytes, int, bytes]:
    """Writes `lines` to `serve --stdio`, closes stdin, and reads stdout only after `delay` seconds."""
    p = subprocess.Popen([BIN, "serve", "--stdio", "--data-dir", data_dir, "--log-level", "warning", *extra],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    def feed():
        try:
            p.stdin.write(lines)
            p.stdin.close()
        except BrokenPipeError:
            pass
    t = threading.Thread(target=feed, daemon=True)
    t.start()
    time.sleep(delay)
    out = p.stdout.read()
    err = p.stderr.read()
    code = p.wait(timeout=60)
    t.join(5)
    return out, code, err


def test_stdio_keeps_every_answer_when_input_ends_before_output_is_read():
    # The exact reproduction: two rpc.discover answers (~64 KB) and a market order, read 2 s later.
    reqs = [
        {"jsonrpc": "2.0", "id": 1, "method": "rpc.discover"},
        {"jsonrpc": "2.0", "id": 2, "method": "rpc.discover"},
        {"jsonrpc": "2.0", "id": 3, "method": "place_signal",
         "params": {"intent_id": "eof-1", "instrument": "sim:BTC-USD", "side": "buy", "quantity": "0.01"}},
    ]
    methods = {r["id"]: r["method"] for r in reqs}
    with tempfile.TemporaryDirectory() as d:
        # Wait for market data first, so the order is not answered venue_unavailable.
        body = "\n".join(json.dumps(r) for r in reqs) + "\n"
        warm = subprocess.run([BIN, "serve", "--stdio", "--data-dir", d], input=b'{"jsonrpc":"2.0","id":0,"method":"ping"}\n',
                              capture_output=True, timeout=60)
        assert warm.returncode == 0
        out, code, err = _run_stdio_late_reader(("" + body).encode(), d, 2.0, extra=("--test-hooks",))
        assert code == 0, err.decode()[-2000:]
        msgs = [json.loads(l) for l in out.decode().splitlines()]
        assert [m["id"] for m in msgs] == [1, 2, 3], (len(out), [m.get("id") for m in msgs])
        for m in msgs:
            validate_message(m, methods.get)
        # Filled, or refused for lack of market data in the first instants: never lost.
        res = msgs[2]
        assert "result" in res or res["error"]["data"]["code"] == "venue_unavailable"
        journal = subprocess.run([BIN, "ledger", "export", "--data-dir", d], capture_output=True, timeout=60).stdout.decode()
        if "result" in res:
            assert res["result"]["status"] == "filled"
            assert '"kind":"fill"' in journal


def _one_batch_run(k: int) -> str | None:
    n = 5000
    with tempfile.TemporaryDirectory() as d:
        if k % 2 == 0:
            # One JSON-RPC batch of 5k pings: a single answer line of ~400 KB.
            payload = (json.dumps([{"jsonrpc": "2.0", "id": i, "method": "ping"} for i in range(n)]) + "\n").encode()
        else:
            # 5k request lines.
            payload = "".join(json.dumps({"jsonrpc": "2.0", "id": i, "method": "ping"}) + "\n" for i in range(n)).encode()
        out, code, err = _run_stdio_late_reader(payload, d, 0.3)
        if code != 0:
            return f"run {k}: exit {code}: {err.decode()[-500:]}"
        ids = []
        for line in out.decode().splitlines():
            m = json.loads(line)
            ids.extend(x["id"] for x in (m if isinstance(m, list) else [m]))
        if sorted(ids) != list(range(n)):
            return f"run {k}: {len(ids)} of {n} answers ({len(out)} bytes)"
    return None


def test_stdio_100_runs_of_a_5k_batch_with_a_late_reader_lose_nothing():
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        failures = [f for f in pool.map(_one_batch_run, range(100)) if f]
    assert not failures, failures[:5]


def test_second_gateway_on_the_same_data_dir_is_refused_with_the_holders_pid():
    s = Server()
    try:
        s.wait_for_data()
        p = subprocess.run([BIN, "serve", "--stdio", "--data-dir", s.data_dir], input=b"", capture_output=True, timeout=60)
        assert p.returncode != 0
        err = p.stderr.decode()
        assert f"pid {s.proc.pid}" in err, err
        assert "in use" in err
        # The first gateway is unharmed.
        c = s.client()
        assert c.call("place_signal", intent_id="lock-1", instrument="sim:ETH-USD", side="buy", quantity="0.1")["status"] == "filled"
    finally:
        assert s.stop() == 0
    # Once the holder exits, the directory is free again.
    p = subprocess.run([BIN, "serve", "--stdio", "--data-dir", s.data_dir], input=b'{"jsonrpc":"2.0","id":1,"method":"ping"}\n',
                       capture_output=True, timeout=60)
    assert p.returncode == 0 and b'"pong":true' in p.stdout
    s.tmp.cleanup()


def test_in_memory_ledgers_do_not_lock():
    s = Server(config='[ledger]\npath = ":memory:"\n')
    try:
        p = subprocess.run([BIN, "serve", "--stdio", "--data-dir", s.data_dir, "--config", str(pathlib.Path(s.tmp.name) / "config.toml")],
                           input=b'{"jsonrpc":"2.0","id":1,"method":"ping"}\n', capture_output=True, timeout=60)
        assert p.returncode == 0, p.stderr.decode()[-1000:]
        assert b'"pong":true' in p.stdout
    finally:
        assert s.stop() == 0
        s.tmp.cleanup()


def test_data_dir_and_ledger_files_are_private():
    with tempfile.TemporaryDirectory() as parent:
        d = os.path.join(parent, "fresh", "alephtx")
        old = os.umask(0o022)
        try:
            p = subprocess.run([BIN, "serve", "--stdio", "--data-dir", d], input=b'{"jsonrpc":"2.0","id":1,"method":"get_balances"}\n',
                               capture_output=True, timeout=60)
        finally:
            os.umask(old)
        assert p.returncode == 0, p.stderr.decode()[-1000:]
        assert stat.S_IMODE(os.stat(d).st_mode) == 0o700
        files = [f for f in os.listdir(d) if f.startswith("ledger.sqlite")]
        assert "ledger.sqlite" in files
        for f in files:
            mode = stat.S_IMODE(os.stat(os.path.join(d, f)).st_mode)
            assert mode == 0o600, (f, oct(mode))
        # An existing ledger with loose permissions is tightened at start.
        os.chmod(os.path.join(d, "ledger.sqlite"), 0o644)
        p = subprocess.run([BIN, "serve", "--stdio", "--data-dir", d], input=b"", capture_output=True, timeout=60)
        assert p.returncode == 0
        assert stat.S_IMODE(os.stat(os.path.join(d, "ledger.sqlite")).st_mode) == 0o600


def _flood(port: int, count: int) -> None:
    """A client with a tiny receive buffer that sends `count` pings without reading, then closes."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    s.connect(("127.0.0.1", port))
    line = b'{"jsonrpc":"2.0","id":1,"method":"ping"}\n'
    chunk = line * 1000
    s.settimeout(3)
    sent = 0
    try:
        while sent < count:
            s.sendall(chunk)
            sent += 1000
    except (socket.timeout, OSError):
        pass
    s.close()


def _place_acked(port: int, prefix: str, n: int) -> list[tuple[str, str]]:
    from alephtx_client import Client
    c = Client.connect("127.0.0.1", port)
    acked = []
    for i in range(n):
        r = c.request("place_signal", {"intent_id": f"{prefix}-{i}", "instrument": "sim:ETH-USD", "side": "buy" if i % 2 else "sell",
                                      "quantity": "0.01"}, timeout=10)
        if "result" in r and r["result"]["order_id"] is not None:
            acked.append((f"{prefix}-{i}", r["result"]["order_id"]))
        elif "result" in r:
            time.sleep(0.06)  # a rate_limited rejection: pace down
    c.close()
    return acked


@pytest.mark.parametrize("how", ["sigterm", "sigkill"])
def test_shutdown_under_a_flooding_client_is_bounded_and_loses_nothing(how):
    s = Server()
    try:
        s.wait_for_data()
        acked = _place_acked(s.port, "pre", 20)
        assert len(acked) == 20
        flooders = [threading.Thread(target=_flood, args=(s.port, 126_000), daemon=True) for _ in range(2)]
        for t in flooders:
            t.start()
        more = _place_acked(s.port, "during", 10)
        assert more, "no signal was acknowledged while the flood ran"
        for t in flooders:
            t.join(30)
        time.sleep(0.5)
        start = time.monotonic()
        s.proc.send_signal(signal.SIGTERM if how == "sigterm" else signal.SIGKILL)
        try:
            code = s.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            s.proc.kill()
            pytest.fail(f"still running 5 s after {how}")
        elapsed = time.monotonic() - start
        assert elapsed < 5
        if how == "sigterm":
            assert code == 0, s.stderr_path.read_text(errors="replace")[-2000:]
        s.stderr.close()
        # Every acknowledged intent is still there, with the same order.
        r = Server(data_dir=s.data_dir)
        try:
            from alephtx_client import Client
            c = r.client()
            for intent, order in acked + more:
                res = c.request("place_signal", {"intent_id": intent, "instrument": "sim:ETH-USD",
                                                 "side": "buy" if int(intent.split("-")[1]) % 2 else "sell", "quantity": "0.01"})
                assert res["result"]["duplicate"] is True and res["result"]["order_id"] == order, (intent, res)
        finally:
            assert r.stop() == 0
            r.tmp.cleanup()
    finally:
        if s.proc.poll() is None:
            s.proc.kill()
        s.tmp.cleanup()


def test_admin_token_guessing_is_throttled_logged_and_disconnected():
    token = "correct-horse-battery-staple-42"
    env_args = ("--admin-token", token)
    s = Server(env_args)
    try:
        from alephtx_client import Client
        c = Client.connect("127.0.0.1", s.port)
        answered = 0
        start = time.monotonic()
        for i in range(50):
            r = c.request("session.hello", {"token": f"guess-{i:04d}-xxxxxxxxxxxx"}, timeout=10)
            if r.get("error", {}).get("data", {}).get("code") == "closed":
                break
            assert r["error"]["data"]["code"] in ("unauthorized", "rate_limited")
            answered += 1
        assert answered <= 5, answered          # a few tries, then the connection is closed
        assert c.closed.wait(5)
        # Reconnecting does not reset the count for this source: guesses stay slow.
        tries = 0
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            c2 = Client.connect("127.0.0.1", s.port)
            r = c2.request("session.hello", {"token": "guess-again-xxxxxxxxxxxxxxx"}, timeout=10)
            if "error" in r and r["error"]["data"].get("code") == "unauthorized":
                tries += 1
            c2.close()
        assert tries < 20, f"{tries} token checks in 2 s from one source"
        # The right token still works from a fresh source-level slate? It is refused while locked out,
        # so the test uses the lockout answer: rate_limited with retry_after_ms.
        c3 = Client.connect("127.0.0.1", s.port)
        r = c3.request("session.hello", {"token": token}, timeout=10)
        assert r.get("error", {}).get("data", {}).get("code") == "rate_limited" or r.get("result", {}).get("admin") is True
        c3.close()
        log = s.stderr_path.read_text(errors="replace")
        assert "session.hello failed" in log
        assert "guess-0000" not in log and "guess-again" not in log and token not in log
    finally:
        assert s.stop() == 0
        s.tmp.cleanup()


def test_right_token_after_one_wrong_guess_still_works():
    token = "correct-horse-battery-staple-42"
    s = Server(("--admin-token", token))
    try:
        from alephtx_client import Client
        c = Client.connect("127.0.0.1", s.port)
        r = c.request("session.hello", {"token": "typo-correct-horse-battery"})
        assert r["error"]["data"]["code"] == "unauthorized"
        assert c.call("session.hello", token=token)["admin"] is True
        c.close()
    finally:
        assert s.stop() == 0
        s.tmp.cleanup()


# --- item 6: hints on overflow, notional too small for a lot -------------------------------------

def _check(result, name):
    return next(c for c in result["checks"] if c["check"] == name)


def test_overflowing_order_says_so_and_its_hint_passes(server):
    c = server.client()
    r = c.call("place_signal", intent_id="big-1", instrument="sim:BTC-USD", side="buy", quantity="1500000")
    rej = r["rejection"]
    assert r["status"] == "rejected" and rej["code"] == "max_order_notional", rej
    assert rej.get("overflow") is True and "overflow" in rej["message"]
    hint = rej["max_allowed_quantity"]
    assert hint is not None
    # The hint passes the very check it came from (same book, as a preview).
    p = c.call("place_signal", intent_id="big-1", instrument="sim:BTC-USD", side="buy", quantity=hint, preview=True)
    assert _check(p, "max_order_notional")["outcome"] == "passed", p
    # Sells too (the walk's average moves the other way).
    r = c.call("place_signal", intent_id="big-2", instrument="sim:BTC-USD", side="sell", quantity="1500000")
    p = c.call("place_signal", intent_id="big-2", instrument="sim:BTC-USD", side="sell", quantity=r["rejection"]["max_allowed_quantity"], preview=True)
    assert _check(p, "max_order_notional")["outcome"] == "passed", p


def test_notional_below_one_lot_is_explained_with_the_notional_given(server):
    c = server.client()
    r = c.call("place_signal", intent_id="tiny-1", instrument="sim:BTC-USD", side="buy", notional="1")
    rej = r["rejection"]
    assert r["status"] == "rejected" and rej["code"] == "lot_size", rej
    assert "notional of 1 USD" in rej["message"] and "Order notional 0" not in rej["message"], rej["message"]
    q, n = rej["corrected"]["quantity"], rej["corrected"]["notional"]
    assert float(q) > 0 and float(n) > 1
    # Both corrections pass: by quantity and by notional (the id was not consumed).
    ok = c.call("place_signal", intent_id="tiny-1", instrument="sim:BTC-USD", side="buy", notional=n)
    assert ok["status"] == "filled", ok


# --- item 7: post-only that would cross -----------------------------------------------------------

def test_post_only_cross_is_a_rejection_that_keeps_the_intent_id(server):
    c = server.client()
    book = c.call("get_book", instrument="sim:BTC-USD", depth=1)
    ask = book["asks"][0][0]
    r = c.call("place_signal", intent_id="po-1", instrument="sim:BTC-USD", side="buy", quantity="0.01", limit_price=ask, post_only=True)
    assert r["status"] == "rejected" and r["order_id"] is None
    rej = r["rejection"]
    assert rej["code"] == "post_only_would_cross" and rej["retryable"] is False
    rest = rej["corrected"]["limit_price"]
    from decimal import Decimal
    assert Decimal(rest) < Decimal(ask)
    # The corrected resend with the same intent_id is accepted, not intent_conflict.
    ok = c.call("place_signal", intent_id="po-1", instrument="sim:BTC-USD", side="buy", quantity="0.01", limit_price=rest, post_only=True)
    assert ok["status"] in ("open", "filled", "partially_filled") and ok["order_id"], ok


# --- item 8: rough edges ---------------------------------------------------------------------------

def test_preview_warns_when_sending_would_conflict_or_duplicate(server):
    c = server.client()
    c.call("place_signal", intent_id="pv-1", instrument="sim:ETH-USD", side="buy", quantity="0.1")
    p = c.call("place_signal", intent_id="pv-1", instrument="sim:ETH-USD", side="buy", quantity="0.2", preview=True)
    assert any("intent_conflict" in w for w in p["warnings"]), p
    p = c.call("place_signal", intent_id="pv-1", instrument="sim:ETH-USD", side="buy", quantity="0.1", preview=True)
    assert any("duplicate" in w for w in p["warnings"]), p
    p = c.call("place_signal", intent_id="pv-new", instrument="sim:ETH-USD", side="buy", quantity="0.1", preview=True)
    assert "warnings" not in p


def test_error_messages_name_the_right_limit(server):
    c = server.client()
    r = c.request("place_signal", {"intent_id": "x" * 5000, "instrument": "sim:ETH-USD", "side": "buy", "quantity": "1"})
    assert r["error"]["data"]["field"] == "intent_id" and "128 bytes" in r["error"]["data"]["reason"], r
    r = c.request("get_book", {"instrument": "sim:BTC-USD", "depth": 10**30})
    reason = r["error"]["data"]["reason"]
    assert "between" in reason and "non-integer" not in reason, reason
    r = c.request("get_book", {"instrument": "sim:BTC-USD", "depth": 2.5})
    assert "non-integer" in r["error"]["data"]["reason"]


def test_cli_rough_edges():
    with tempfile.TemporaryDirectory() as d:
        p = subprocess.run([BIN, "serve", "--seed", "-1", "--data-dir", d], capture_output=True, timeout=30)
        assert p.returncode != 0 and b"--seed must be a whole number" in p.stderr and b"missing value" not in p.stderr, p.stderr
        p = subprocess.run([BIN, "serve", "--max-line-bytes", "10", "--data-dir", d], capture_output=True, timeout=30)
        assert p.returncode != 0 and b"--max-line-bytes must be between 64 and" in p.stderr, p.stderr
        # A runtime error is printed without the usage text.
        p = subprocess.run([BIN, "serve", "--tcp", "0.0.0.0:0", "--data-dir", d], capture_output=True, timeout=30)
        assert p.returncode != 0 and b"refusing to listen on 0.0.0.0" in p.stderr and b"USAGE" not in p.stderr.upper(), p.stderr
        # --tcp off works on the command line as in the config.
        p = subprocess.run([BIN, "serve", "--config", "/dev/null", "--stdio", "--tcp", "off", "--data-dir", d],
                           input=b'{"jsonrpc":"2.0","id":1,"method":"ping"}\n', capture_output=True, timeout=30)
        assert p.returncode == 0 and b'"pong":true' in p.stdout and b"listening on" not in p.stderr, p.stderr
        p = subprocess.run([BIN, "serve", "--tcp", "off", "--data-dir", d], capture_output=True, timeout=30)
        assert p.returncode != 0 and b"nothing to serve" in p.stderr


def test_default_data_dir_follows_home():
    with tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if k != "ALEPHTX_DATA_DIR"}
        env["HOME"] = home
        p = subprocess.run([BIN, "serve", "--stdio"], input=b'{"jsonrpc":"2.0","id":1,"method":"ping"}\n', capture_output=True,
                           timeout=30, env=env)
        assert p.returncode == 0, p.stderr
        assert os.path.exists(os.path.join(home, ".alephtx", "ledger.sqlite"))


def test_momentum_example_finds_the_binary_from_any_directory():
    env = {k: v for k, v in os.environ.items() if k != "ALEPHTX_BIN"}
    with tempfile.TemporaryDirectory() as cwd:
        p = subprocess.run(["python3", str(ROOT / "agents" / "examples" / "momentum.py"), "--seconds", "2", "--lookback", "3"],
                           capture_output=True, text=True, timeout=60, cwd=cwd, env=env)
    assert p.returncode == 0, p.stderr
    assert "--- summary ---" in p.stdout


def test_readme_netcat_pipe_works_as_written():
    import re
    import shutil
    readme = (ROOT / "README.md").read_text()
    cmd = re.search(r"^\$ (printf .* \| nc -N 127\.0\.0\.1 7878)$", readme, re.M).group(1)
    s = Server()
    try:
        assert shutil.which("nc")
        p = subprocess.run(cmd.replace("7878", str(s.port)), shell=True, capture_output=True, timeout=20)
        assert p.returncode == 0, p.stderr
        assert json.loads(p.stdout.decode().splitlines()[0])["result"]["pong"] is True
    finally:
        assert s.stop() == 0
        s.tmp.cleanup()


def test_halt_and_resume_are_logged(server):
    c = server.client()
    c.call("halt")
    c.call("session.hello")  # loopback: no token needed; resume needs admin, which stdio has, TCP not
    log = server.stderr_path.read_text(errors="replace")
    assert "trading halted by request" in log
