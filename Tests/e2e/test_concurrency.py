"""Many clients, hostile clients and slow clients."""
import json
import random
import socket
import statistics
import threading
import time

from alephtx_client import Client
from conftest import validate_client


def test_50_clients_x_200_requests(server):
    errors = []
    clients = [server.client() for _ in range(50)]

    def work(k, c):
        try:
            for i in range(200):
                kind = i % 4
                if kind == 0:
                    assert c.call("ping")["pong"] is True
                elif kind == 1:
                    b = c.call("get_book", instrument="sim:ETH-USD", depth=3)
                    assert b["instrument"] == "sim:ETH-USD" and len(b["asks"]) == 3
                elif kind == 2:
                    r = c.request("get_book", {"instrument": f"sim:NOPE{k}-USD"})
                    assert r["error"]["data"]["code"] == "unknown_instrument" and r["error"]["data"]["instrument"] == f"sim:NOPE{k}-USD"
                else:
                    iid = f"c{k}-{i}"
                    r = c.call("place_signal", intent_id=iid, instrument="sim:BTC-USD", side="buy" if i % 8 == 3 else "sell",
                               quantity="0.001", preview=i % 16 != 3)
                    assert r["intent_id"] == iid
        except Exception as e:  # noqa: BLE001
            errors.append(f"client {k}: {e!r}")

    threads = [threading.Thread(target=work, args=(k, c)) for k, c in enumerate(clients)]
    t0 = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors[:5]
    assert sum(validate_client(c) for c in clients) >= 50 * 200
    print(f"50x200 requests in {time.time() - t0:.2f}s")


def test_garbage_and_hangups_affect_no_one(server):
    good = server.client()
    stop = threading.Event()
    failures = []

    def vandal(seed):
        rnd = random.Random(seed)
        while not stop.is_set():
            try:
                s = socket.create_connection(("127.0.0.1", server.port))
                choice = rnd.randrange(4)
                if choice == 0:
                    s.sendall(bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 3000))))
                elif choice == 1:
                    s.sendall(b'{"jsonrpc":"2.0","id":1,"method":"place_sig')  # hang up mid-line
                elif choice == 2:
                    s.sendall(b"\xff\xfe\n" * 50 + b"[" * 5000 + b"\n")
                else:
                    s.sendall(b'{"jsonrpc":"2.0","id":1,"method":"subscribe","params":{"channel":"book","instrument":"sim:BTC-USD"}}\n')
                s.close()
            except OSError:
                pass

    vandals = [threading.Thread(target=vandal, args=(i,)) for i in range(4)]
    for v in vandals:
        v.start()
    try:
        for i in range(300):
            r = good.call("get_book", instrument="sim:BTC-USD", depth=1)
            if len(r["bids"]) != 1:
                failures.append(r)
    finally:
        stop.set()
        for v in vandals:
            v.join()
    assert not failures
    assert good.call("ping")["pong"] is True


def ping_latencies(c, n=200):
    out = []
    for _ in range(n):
        t = time.perf_counter()
        assert c.call("ping")["pong"] is True
        out.append(time.perf_counter() - t)
    return out


def test_client_that_stops_reading_does_not_slow_others(make_server):
    cfg = "[server]\nmax_queued_messages = 64\n[sim]\ninterval_ms = 5\n"
    s = make_server(config=cfg)
    fast = s.client()
    baseline = statistics.median(ping_latencies(fast))

    # A client that subscribes to everything and never reads, with a tiny receive buffer.
    slow = socket.socket()
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.connect(("127.0.0.1", s.port))
    subs = []
    for i, inst in enumerate(["sim:BTC-USD", "sim:ETH-USD", "sim:BTC-USD-PERP", "sim:RAIN-USD"]):
        for ch in ("trades", "book"):
            subs.append({"jsonrpc": "2.0", "id": f"{i}{ch}", "method": "subscribe", "params": {"channel": ch, "instrument": inst, **({"depth": 100} if ch == "book" else {})}})
    slow.sendall("".join(json.dumps(m) + "\n" for m in subs).encode())
    # And one that floods requests without reading: back-pressure stops reading it, not the server.
    flood = socket.socket()
    flood.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    flood.connect(("127.0.0.1", s.port))
    flood.setblocking(False)
    req = b'{"jsonrpc":"2.0","id":1,"method":"get_book","params":{"instrument":"sim:BTC-USD","depth":100}}\n' * 1000
    sent = 0
    t_end = time.time() + 3
    while time.time() < t_end:
        try:
            sent += flood.send(req)
        except BlockingIOError:
            time.sleep(0.01)
    during = ping_latencies(fast)
    med = statistics.median(during)
    p99 = sorted(during)[int(len(during) * 0.99) - 1]
    print(f"ping median baseline {baseline*1e3:.2f} ms, during {med*1e3:.2f} ms, p99 {p99*1e3:.2f} ms; flood sent {sent} bytes")
    assert med < max(10 * baseline, 0.02), (baseline, med)
    assert p99 < 0.5

    # The slow consumer is eventually told why and disconnected.
    deadline = time.time() + 30
    data = b""
    closed = False
    slow.settimeout(1)
    while time.time() < deadline and not closed:
        time.sleep(0.2)
        try:
            while True:
                chunk = slow.recv(1 << 20)
                if not chunk:
                    closed = True
                    break
                data += chunk
        except socket.timeout:
            pass
        except ConnectionResetError:
            closed = True
    assert closed, "slow consumer was never disconnected"
    assert b"slow_consumer" in data or closed
    assert fast.call("ping")["pong"] is True
    flood.close()
    slow.close()
    # The disconnect is logged with its reason.
    time.sleep(0.2)
    assert "slow consumer" in s.stderr_path.read_text(errors="replace")
