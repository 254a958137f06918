#!/usr/bin/env python3
"""A toy momentum agent: spawns the gateway over stdio, trades the simulated market, prints PnL.

It watches the BTC book's mid; when the mid has risen over the last N updates it buys, when it
has fallen it sells back, always with reduce_only on exits and a fresh intent_id per decision.
Run from anywhere: python3 agents/examples/momentum.py [--seconds 30] [--binary PATH]

Backtest it unchanged over a recording (the client connects to the backtest's gateway):
    alephtx backtest --data REC.gz --out out --agent "python3 agents/examples/momentum.py \
        --instrument binance:BTC-USDT --clock sim --seconds 600"
`--clock sim` is the one backtest option: --seconds counts the market data's time (the books'
receive times), not the wall clock, so a run never depends on how fast the machine is.
"""
import argparse
import os
import sys
import tempfile
import time
from collections import deque
from decimal import Decimal

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from alephtx_client import BacktestFinished, Client, RPCError, find_binary  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", default=None, help="gateway binary (default: $ALEPHTX_BIN, else this checkout's build, else PATH)")
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--instrument", default="sim:BTC-USD")
    ap.add_argument("--size", default="0.05")
    ap.add_argument("--lookback", type=int, default=10)
    ap.add_argument("--clock", choices=("wall", "sim"), default="wall",
                    help="what --seconds counts: wall-clock time, or the market data's own time (backtests)")
    ap.add_argument("--data-dir", default=None,
                    help="gateway data dir (its ledger keeps the paper account); default: a fresh temporary one per run")
    args = ap.parse_args()
    if args.binary is None and os.environ.get("ALEPHTX_CONNECT"):
        args.binary = "alephtx"  # not started: the client connects to the backtest's gateway
    if args.binary is None:
        try:
            args.binary = find_binary()
        except FileNotFoundError as e:
            print(e, file=sys.stderr)
            return 2

    data_dir = args.data_dir or tempfile.mkdtemp(prefix="alephtx-momentum-")
    with Client.spawn([args.binary, "serve", "--stdio", "--log-level", "warning", "--data-dir", data_dir]) as c:
        for _ in range(100):
            if "result" in c.request("get_book", {"instrument": args.instrument}):
                break
            time.sleep(0.05)
        book = c.subscribe("book", instrument=args.instrument, depth=1)
        mids: deque = deque(maxlen=args.lookback)
        position = Decimal(0)
        decisions = 0
        deadline = None if args.clock == "sim" else time.time() + args.seconds
        ended = False
        while True:
            if args.clock == "wall" and time.time() >= deadline:
                break
            try:
                update = book.get(timeout=5)["data"]
            except BacktestFinished:
                ended = True
                break
            if args.clock == "sim":
                now = update["freshness"]["receive_ts_us"] / 1e6
                deadline = deadline or now + args.seconds
                if now >= deadline:
                    break
            if not update["freshness"]["verified"] or update["mid"] is None:
                continue
            mids.append(Decimal(update["mid"]))
            if len(mids) < mids.maxlen:
                continue
            trend = mids[-1] - mids[0]
            side = None
            if trend > 0 and position <= 0:
                side = "buy"
            elif trend < 0 and position > 0:
                side = "sell"
            if side is None:
                continue
            decisions += 1
            params = dict(intent_id=f"momentum-{os.getpid()}-{decisions}", instrument=args.instrument, side=side,
                          quantity=str(position) if side == "sell" else args.size, reduce_only=side == "sell",
                          rationale=f"mid moved {trend} over {len(mids)} updates")
            try:
                r = c.call("place_signal", **params)
            except RPCError as e:
                print(f"error: {e}", file=sys.stderr)
                continue
            if r["status"] == "rejected":
                print(f"rejected: {r.get('rejection') or r.get('reason')}", file=sys.stderr)
                continue
            filled = Decimal(r["filled_quantity"])
            position += filled if side == "buy" else -filled
            print(f"{side:4} {r['filled_quantity']} @ {r['average_price']}  (trend {trend:+})")
            mids.clear()
        if ended:
            print(f"--- the backtest's data ended after {decisions} decisions (the gateway's report has the results) ---")
            return 0
        positions = c.call("get_positions")
        balances = c.call("get_balances")
        print("--- summary ---")
        for p in positions["positions"]:
            print(f"{p['instrument']}: qty {p['quantity']} entry {p['average_entry']} mark {p['mark']} "
                  f"uPnL {p['unrealized_pnl']} rPnL {p['realized_pnl']} fees {p['fees']}")
        print(f"decisions {decisions}, equity {balances['equity']} {balances['currency']}, "
              f"PnL {balances['pnl']}, fees {balances['fees_paid']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
