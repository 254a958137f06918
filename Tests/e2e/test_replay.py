"""Replay of recordings (`recv_ts_ns <raw frame>` lines, gzip or plain) through the venue's own
adapter and the engine on the recorded clock: the real hftbacktest captures end with the book an
independent reference computes; a torn tail (a recorder killed mid-write) replays up to the last
complete frame."""
import gzip
import json
import subprocess
import zlib
from decimal import Decimal as D

import pytest

from conftest import BIN
from mock_venues import DATA, RefBook, have_data

pytestmark = pytest.mark.skipif(not have_data(), reason="../shared/data not found (it is always present in CI)")

SPOT = [DATA / "binance" / "hftbacktest_raw_spot_btcusdt_20240808.gz", DATA / "binance" / "hftbacktest_raw_spot_btcusdt_20240809.gz"]
HL = DATA / "hyperliquid" / "hftbacktest_raw_btcusd_20250126.gz"


def replay(venue, symbol, files, depth=20):
    p = subprocess.run([BIN, "replay", "--venue", venue, "--symbol", symbol, "--data", *map(str, files), "--depth", str(depth)],
                       capture_output=True, timeout=300)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def binance_reference(lines):
    """Binance's documented sync: the REST snapshot (lastUpdateId L), then depth events with u > L,
    the first with U <= L + 1 <= u, each next with U == previous u + 1."""
    book, last, pending = RefBook(), None, []
    for line in lines:
        ts, _, raw = line.partition(" ")
        m = json.loads(raw)
        if "lastUpdateId" in m:
            book.apply(m["bids"], m["asks"])
            last = m["lastUpdateId"]
            for d in pending:
                if d["u"] > last:
                    assert d["U"] <= last + 1, "gap after the snapshot"
                    book.apply(d["b"], d["a"])
                    last = d["u"]
            pending = []
            continue
        d = m.get("data", {})
        if d.get("e") != "depthUpdate":
            continue
        if last is None:
            pending.append(d)
        elif d["u"] > last:
            assert d["U"] <= last + 1, "gap in the capture"
            book.apply(d["b"], d["a"])
            last = d["u"]
    return book, last


def lines_of(files):
    out = []
    for f in files:
        with gzip.open(f, "rt") as fh:
            out += [l.rstrip("\n") for l in fh if l.strip()]
    return out


def levels(side):
    return [(D(p), D(q)) for p, q in side]


def test_the_binance_spot_capture_replays_to_the_reference_book():
    r = replay("binance", "BTCUSDT", SPOT)
    ref, last = binance_reference(lines_of(SPOT))
    bids, asks = ref.top(20)
    assert r["frames"] == 41249 + 58325 and r["snapshots"] == 1 and r["decode_errors"] == 0 and r["torn_files"] == 0
    assert r["book"]["verified"] is True and r["book"]["sequence"] == last and r["book_errors"] == 0
    assert levels(r["book"]["bids"]) == bids and levels(r["book"]["asks"]) == asks


def test_the_hyperliquid_capture_replays_to_its_last_image():
    r = replay("hyperliquid", "BTC", [HL])
    last = None
    for l in lines_of([HL]):
        m = json.loads(l.partition(" ")[2])
        if m.get("channel") == "l2Book":
            last = m["data"]
    assert last and r["book"]["verified"] is True and r["decode_errors"] == 0 and r["book"]["sequence"] == last["time"]
    assert levels(r["book"]["bids"]) == [(D(x["px"]), D(x["sz"])) for x in last["levels"][0]][:20]
    assert levels(r["book"]["asks"]) == [(D(x["px"]), D(x["sz"])) for x in last["levels"][1]][:20]


def test_a_torn_recording_replays_up_to_its_last_complete_frame(tmp_path):
    raw = SPOT[0].read_bytes()
    cut = tmp_path / "torn.gz"
    cut.write_bytes(raw[: int(len(raw) * 0.7)])          # a recorder killed mid-write: the gzip stream ends early
    partial = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(raw[: int(len(raw) * 0.7)]).decode()
    complete = [l for l in partial.split("\n")[:-1] if l.strip()]
    r = replay("binance", "BTCUSDT", [cut])
    assert r["torn_files"] == 1 and r["frames"] == len(complete) and r["decode_errors"] == 0
    ref, last = binance_reference(complete)
    bids, asks = ref.top(20)
    assert r["book"]["sequence"] == last and levels(r["book"]["bids"]) == bids and levels(r["book"]["asks"]) == asks
    # A plain recording with a cut last line and a line that is not `<ts> <frame>`.
    plain = tmp_path / "plain.txt"
    text = "\n".join(complete[:200])
    plain.write_text(text[:200] + "\nnot a frame\n" + text[200:] + "\n" + complete[200][:50])
    r = replay("binance", "BTCUSDT", [plain])
    assert r["torn_files"] == 1 and r["malformed"] >= 1 and r["frames"] <= 200
    # A file that does not exist is a clear error.
    p = subprocess.run([BIN, "replay", "--venue", "binance", "--symbol", "BTCUSDT", "--data", str(tmp_path / "nope.gz")], capture_output=True, timeout=30)
    assert p.returncode == 1 and b"cannot open recording" in p.stderr


def _manifest(d):
    try:
        return json.loads((d / "manifest.json").read_text())
    except (OSError, ValueError):
        return None


def test_record_then_replay_and_kill_9_leaves_replayable_files(tmp_path):
    """`alephtx record` on the mock Binance feed (the real depth recording): killed with -9 mid-run,
    its files replay up to the last complete frame with no decode error and a verified book; a
    clean stop (SIGTERM) leaves a manifest whose frame count the replay reads back exactly."""
    import signal
    import time
    from mock_venues import MockVenues
    for how in ("kill", "term"):
        m = MockVenues().start()      # a fresh venue: each recorder gets the recording from its start
        try:
            cfg = tmp_path / f"rec-{how}.toml"
            cfg.write_text(m.config(venues=("binance",)))
            out = tmp_path / f"rec-{how}"
            p = subprocess.Popen([BIN, "record", "--config", str(cfg), "--out", str(out), "--log-level", "warning"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            deadline = time.time() + 30
            while time.time() < deadline:
                man = _manifest(out)
                # The whole mock stream (its REST snapshot comes once some depth events are buffered).
                if man and sum(f["frames"] for f in man["files"]) >= 6000:
                    break
                assert p.poll() is None, p.stderr.read()
                time.sleep(0.1)
            else:
                raise AssertionError("the recorder wrote no manifest with frames")
            if how == "kill":
                time.sleep(1.2)       # two checkpoints: what was received is on disk (the gzip stream stays unclosed)
                p.kill()
                p.wait()
            else:
                p.send_signal(signal.SIGTERM)
                assert p.wait(timeout=20) == 0
            files = sorted(out.glob("binance-*.gz"))
            assert files and oct(out.stat().st_mode & 0o777) == "0o700"
            r = replay("binance", "BTCUSDT", files)
            assert r["decode_errors"] == 0 and r["malformed"] == 0 and r["snapshots"] >= 1 and r["book"]["verified"] is True, r
            man = _manifest(out)
            assert man["format"] == "alephtx-recording" and man["version"] == 1 and man["venues"] == {"binance": ["BTCUSDT"]}
            if how == "term":
                assert r["torn_files"] == 0 and r["frames"] == sum(f["frames"] for f in man["files"]), (r, man)
            else:
                assert r["frames"] >= 6000
        finally:
            m.stop()
