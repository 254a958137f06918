"""Polymarket: outcome instruments from Gamma, the market channel through the real binary against
mock_polymarket.py (real message samples), books equal to an independent reference."""
from decimal import Decimal as D

import pytest

from conftest import Server, validate_client
from live_helpers import wait_until
from mock_polymarket import A_NO, A_YES, B_ONE, B_TWO, MockPolymarket, reference_books

YES = "polymarket:WILL-THE-MOCK-MARKET-RESOLVE-YES-YES-USDC"
NO = "polymarket:WILL-THE-MOCK-MARKET-RESOLVE-YES-NO-USDC"
ALICE = "polymarket:MOCK-NEGRISK-CANDIDATE-MARKET-ALICE-USDC"
BOB = "polymarket:MOCK-NEGRISK-CANDIDATE-MARKET-BOB-USDC"
TOKENS = {YES: A_YES, NO: A_NO, ALICE: B_ONE, BOB: B_TWO}


@pytest.fixture
def pm():
    m = MockPolymarket().start()
    yield m
    m.stop()


def test_markets_become_outcome_instruments_and_books_match_the_reference(pm):
    s = Server(config=pm.config())
    try:
        c = s.client()
        ref = reference_books()

        def books_match():
            for inst, token in TOKENS.items():
                r = c.request("get_book", {"instrument": inst, "depth": 100})
                if "result" not in r or not r["result"]["freshness"]["verified"]:
                    return False
                bids, asks = ref[token]
                got_b = [(D(p), D(q)) for p, q in r["result"]["bids"]]
                got_a = [(D(p), D(q)) for p, q in r["result"]["asks"]]
                if got_b != sorted(bids.items(), reverse=True) or got_a != sorted(asks.items()):
                    return False
            return True
        wait_until(books_match, timeout=30, what="every Polymarket book equal to the reference")
        inst = {i["id"]: i for i in c.call("list_instruments", venue="polymarket")["instruments"]}
        assert set(inst) == set(TOKENS), inst.keys()
        y = inst[YES]
        assert y["kind"] == "outcome" and y["quote"] == "USDC" and y["tick_size"] == "0.001" and y["lot_size"] == "0.01"
        o = y["outcome"]
        assert o["outcome"] == "Yes" and o["token_id"] == A_YES and o["neg_risk"] is False and o["status"] == "active"
        assert o["market_slug"] == "will-the-mock-market-resolve-yes" and o["question"].startswith("Mock question") and o["min_size"] == "5"
        assert inst[ALICE]["outcome"]["neg_risk"] is True and inst[ALICE]["outcome"]["outcome"] == "Alice"
        # tick_size_change (0.01 → 0.001) reached the rules of that token only.
        wait_until(lambda: c.call("list_instruments", venue="polymarket")["instruments"] and
                   {i["id"]: i for i in c.call("list_instruments", venue="polymarket")["instruments"]}[ALICE]["tick_size"] == "0.001",
                   what="tick size changed live")
        assert {i["id"]: i for i in c.call("list_instruments", venue="polymarket")["instruments"]}[BOB]["tick_size"] == "0.01"
        # The venue's text heartbeat is sent, and each PONG confirms the (quiet) books: they stay fresh.
        wait_until(lambda: pm.pings >= 1, timeout=5, what="PING heartbeat")
        import time
        time.sleep(1.5)
        for inst in TOKENS:
            assert c.call("get_book", instrument=inst)["freshness"]["age_ms"] < 1200, inst
        # Paper trading on the live book: a market buy of Yes fills at the best ask.
        best_ask = min(ref[A_YES][1])
        r = c.call("place_signal", intent_id="pm1", instrument=YES, side="buy", quantity="10")
        assert r["status"] == "filled" and D(r["average_price"]) == best_ask, r
        validate_client(c)
    finally:
        assert s.stop() == 0
