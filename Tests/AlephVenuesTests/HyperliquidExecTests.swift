import AlephBook
import AlephCore
import AlephCrypto
import AlephRisk
import AlephRPC
import Foundation
import Testing
@testable import AlephVenues

/// The Hyperliquid home, pure parts: request builders against the SDK's vectors
/// (../shared/vectors/hl_exec_vectors.json, hl_vectors.json), the price grid, nonces under
/// concurrency, cloids, answers and pushes parsed from the spec's shapes, and the recorded frames.
@Suite struct HyperliquidExecTests {
    static let key = "0x0123456789012345678901234567890123456789012345678901234567890123"

    static func vectors(_ file: String) -> [String: Any]? {
        guard let d = SharedData.file("../vectors/\(file)") else { return nil }
        return (try? JSONSerialization.jsonObject(with: d)) as? [String: Any]
    }

    static func wire(_ o: [String: Any]) -> HyperliquidOrderWire {
        let tif = ((o["t"] as! [String: Any])["limit"] as! [String: Any])["tif"] as! String
        return HyperliquidOrderWire(asset: o["a"] as! Int, isBuy: o["b"] as! Bool, price: o["p"] as! String, size: o["s"] as! String,
                                    reduceOnly: o["r"] as! Bool, tif: tif, cloid: o["c"] as? String)
    }

    /// Our builders produce the SDK's exact actions (msgpack bytes), digests and signatures (E2, E3,
    /// E4, E5, E9, E10 and V1–V6): batchModify, cancelByCloid, scheduleCancel with and without
    /// time and with expiresAfter, orders with and without cloids, cancels.
    @Test func buildersMatchTheSDKVectors() async throws {
        guard let v = Self.vectors("hl_exec_vectors.json"), let base = Self.vectors("hl_vectors.json") else { return }
        let signer = try LocalSigner(key: try PrivateKey(bytes: try Hex.decode(Self.key)))
        #expect(EthereumAddress.checksummed(signer.address) == v["address"] as? String)
        var checked = 0
        for vec in v["vectors"] as! [[String: Any]] {
            let name = vec["name"] as! String
            let src = try JSONSerialization.jsonObject(with: Data((vec["action_json"] as! String).utf8)) as! [String: Any]
            let built: JSON
            switch src["type"] as! String {
            case "batchModify":
                let list = (src["modifies"] as! [[String: Any]]).map { m -> (JSON, HyperliquidOrderWire) in
                    let oid: JSON = (m["oid"] as? Int).map { .int($0) } ?? .string(m["oid"] as! String)
                    return (oid, Self.wire(m["order"] as! [String: Any]))
                }
                built = HyperliquidActions.batchModify(list.map { (oid: $0.0, order: $0.1) })
            case "cancelByCloid":
                built = HyperliquidActions.cancelByCloid((src["cancels"] as! [[String: Any]]).map { (asset: $0["asset"] as! Int, cloid: $0["cloid"] as! String) })
            case "scheduleCancel":
                built = HyperliquidActions.scheduleCancel(time: (src["time"] as? NSNumber)?.int64Value)
            case "order" where (src["orders"] as! [[String: Any]]).allSatisfy({ ($0["t"] as! [String: Any])["limit"] != nil }):
                built = HyperliquidActions.order((src["orders"] as! [[String: Any]]).map(Self.wire), grouping: src["grouping"] as! String)
            default: continue
            }
            #expect(Hex.encode(try MsgPack.encode(built), prefix: false) == vec["msgpack_hex"] as? String, "\(name)")
            let nonce = (vec["nonce"] as! NSNumber).int64Value
            let expires = (vec["expiresAfter"] as? NSNumber)?.int64Value
            for (net, mainnet) in [("mainnet", true), ("testnet", false)] {
                guard let exp = vec[net] as? [String: Any] else { continue }
                let digest = try HyperliquidActions.digest(action: built, nonce: nonce, vault: nil, expiresAfter: expires, mainnet: mainnet)
                let sig = try await signer.sign(digest: digest)
                #expect(Hex.encode(sig.r) == exp["r"] as? String && Hex.encode(sig.s) == exp["s"] as? String && 27 + Int(sig.recoveryId) == exp["v"] as? Int,
                        "\(name) \(net)")
                if mainnet, let post = vec["post_body_mainnet"] as? [String: Any] {
                    let body = HyperliquidActions.body(action: built, nonce: nonce, signature: sig, vault: nil, expiresAfter: expires)
                    let ours = try JSONSerialization.jsonObject(with: Data(body)) as! NSDictionary
                    #expect(ours == post as NSDictionary, "\(name) body")
                }
            }
            checked += 1
        }
        #expect(checked >= 6)
        // The base vectors' orders and cancels (V1–V6) through the same builders.
        var more = 0
        for vec in base["vectors"] as? [[String: Any]] ?? [] {
            guard let actionText = vec["action_json"] as? String ?? (vec["action"] as? [String: Any]).flatMap({ try? String(decoding: JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }),
                  let src = try? JSONSerialization.jsonObject(with: Data(actionText.utf8)) as? [String: Any], let hex = vec["msgpack_hex"] as? String ?? vec["msgpack"] as? String else { continue }
            let built: JSON
            switch src["type"] as? String {
            case "order" where (src["orders"] as! [[String: Any]]).allSatisfy({ ($0["t"] as! [String: Any])["limit"] != nil }):
                built = HyperliquidActions.order((src["orders"] as! [[String: Any]]).map(Self.wire), grouping: src["grouping"] as! String)
            case "cancel":
                built = HyperliquidActions.cancel((src["cancels"] as! [[String: Any]]).map { (asset: $0["a"] as! Int, oid: ($0["o"] as! NSNumber).int64Value) })
            default: continue
            }
            #expect(Hex.encode(try MsgPack.encode(built), prefix: false) == hex, "\(vec["name"] ?? "?")")
            more += 1
        }
        #expect(more >= 3)
    }

    /// The spec's price table (§2.3), through the instrument each asset makes.
    @Test func priceGrid() {
        func ok(_ price: String, sz: Int, spot: Bool) -> Bool {
            let a = HyperliquidAsset(coin: "X", asset: 0, szDecimals: sz, spot: spot, base: "X", quote: "USDC")
            let p = Fixed(stringLiteral: price)
            return p.isMultiple(of: a.instrument.tick(at: p))
        }
        #expect(!ok("65000.5", sz: 5, spot: false))
        #expect(ok("65001", sz: 5, spot: false))
        #expect(ok("3456.7", sz: 4, spot: false))
        #expect(!ok("3456.75", sz: 4, spot: false))
        #expect(ok("0.01234", sz: 1, spot: false))
        #expect(!ok("0.012345", sz: 1, spot: false))
        #expect(ok("0.21345", sz: 0, spot: true))
        #expect(!ok("0.0000123", sz: 2, spot: true))
        #expect(ok("123456", sz: 5, spot: false))
        let btc = HyperliquidAsset(coin: "BTC", asset: 0, szDecimals: 5, spot: false, base: "BTC", quote: "USDC").instrument
        #expect(btc.id == "hyperliquid:BTC-USD-PERP" && btc.tickSize == Fixed(stringLiteral: "0.1") && btc.lotSize == Fixed(stringLiteral: "0.00001"))
    }

    /// The gate's tick check applies the significant-figures rule, and its corrected price passes.
    @Test func gateCorrectsOffGridPrices() {
        let btc = HyperliquidAsset(coin: "BTC", asset: 0, szDecimals: 5, spot: false, base: "BTC", quote: "USDC").instrument
        let rules = InstrumentRules(btc)
        for (price, side) in [("105054.5", Side.buy), ("105054.5", Side.sell), ("9999.95", Side.sell), ("9999.95", Side.buy), ("99999.5", Side.sell)] {
            let p = Fixed(stringLiteral: price)
            let tick = rules.tick(at: p)
            #expect(!p.isMultiple(of: tick))
            let corrected = side == .buy ? p.floored(to: tick) : p.ceiled(to: tick)
            #expect(corrected.isMultiple(of: rules.tick(at: corrected)), "\(price) \(side) → \(corrected)")
        }
    }

    /// Nonces stay strictly increasing and unique with many tasks drawing at once, and never
    /// go below the clock.
    @Test func noncesUniqueUnderConcurrency() async {
        let n = HyperliquidNonces()
        let now: Int64 = 1_700_000_000_000
        let all = await withTaskGroup(of: [Int64].self) { g in
            for _ in 0..<8 {
                g.addTask {
                    var mine: [Int64] = []
                    for _ in 0..<2_000 { mine.append(n.next(nowMs: now)) }
                    return mine
                }
            }
            var out: [[Int64]] = []
            for await x in g { out.append(x) }
            return out
        }
        let flat = all.flatMap { $0 }
        #expect(Set(flat).count == 16_000 && flat.allSatisfy { $0 >= now })
        for mine in all { #expect(zip(mine, mine.dropFirst()).allSatisfy { $0 < $1 }) }
        #expect(n.next(nowMs: now + 1_000_000) == now + 1_000_000)
    }

    /// Hex cloids carry the ledger tag and the order number; other ledgers' and malformed ones are not ours.
    @Test func hexCloids() {
        let ids = ClientOrderIds(tag: "k3p9q")
        let cid = ids.id(forOrder: "o-1042", format: .hex128)
        #expect(cid == "0x61786b33703971000000000000001042" && cid.count == 34)
        #expect(cid.dropFirst(2).allSatisfy { $0.isHexDigit })
        #expect(ids.isOurs(cid) && ids.orderId(for: cid) == "o-1042" && ids.orderId(for: cid.uppercased().replacingOccurrences(of: "0X", with: "0x")) == "o-1042")
        #expect(!ClientOrderIds(tag: "zzzzz").isOurs(cid))
        #expect(!ids.isOurs("0x61786b337039710000000000000000ab") && !ids.isOurs("0x0000000000000000000000000000abcd"))
        #expect(ids.orderId(for: ids.id(forOrder: "o-1042")) == "o-1042")
    }

    /// `/exchange` answers: statuses positionally, errors inside `ok`, action-level `err`.
    @Test func answersAndRejections() {
        let ok = Array(#"{"status":"ok","response":{"type":"order","data":{"statuses":[{"resting":{"oid":77738308}},{"filled":{"totalSz":"0.02","avgPx":"1891.4","oid":77747314}},{"error":"Insufficient margin to place order. asset=0"},"waitingForFill"]}}}"#.utf8)
        #expect(HyperliquidExecWire.answer(ok) == .ok([.resting(oid: 77738308), .filled(oid: 77747314, totalSize: "0.02", averagePrice: "1891.4"),
                                                       .error("Insufficient margin to place order. asset=0"), .text("waitingForFill")]))
        #expect(HyperliquidExecWire.answer(Array(#"{"status":"err","response":"User or API Wallet 0xabc does not exist."}"#.utf8)) == .err("User or API Wallet 0xabc does not exist."))
        #expect(HyperliquidExecWire.answer(Array("<html>".utf8)) == nil)
        let cases: [(String, VenueRejectionCode, String)] = [
            ("Insufficient margin to place order. asset=0", .insufficientBalance, "perpMarginRejected"),
            ("Post only order would have immediately matched, bbo was 1@2. asset=0", .postOnlyWouldCross, "badAloPxRejected"),
            ("Price must be divisible by tick size. asset=0", .venueRejected, "tickRejected"),
            ("Order must have minimum value of $10. asset=0", .venueRejected, "minTradeNtlRejected"),
            ("User or API Wallet 0xabc does not exist.", .venueAuth, "unknownSigner"),
            ("Too many cumulative requests sent (1 > 0) for cumulative volume traded $0.", .venueRateLimited, "addressRateLimited"),
            ("Invalid nonce: duplicate nonce 5", .venueRejected, "invalidNonce"),
        ]
        for (text, code, venueCode) in cases {
            let r = HyperliquidExecWire.rejection(text)
            #expect(r.code == code && r.venueCode == venueCode && r.message == text, "\(text)")
        }
        #expect(HyperliquidExecWire.status("open") == .open && HyperliquidExecWire.status("marginCanceled") == .cancelled
                && HyperliquidExecWire.status("iocCancelRejected") == .expired && HyperliquidExecWire.status("tickRejected") == .rejected
                && HyperliquidExecWire.status("somethingNew") == nil)
    }

    /// Order statuses, fills and the account as the info endpoint returns them.
    @Test func infoAnswers() throws {
        let st = try JSONParser.parse(#"{"status":"order","order":{"order":{"coin":"BTC","side":"B","limitPx":"64000.0","sz":"0.001","oid":91,"timestamp":1700000000000,"origSz":"0.003","cloid":"0x61786B33703971000000000000001042"},"status":"open","statusTimestamp":1700000000500}}"#)
        guard case .some(.some(let found)) = HyperliquidExecWire.orderStatus(st) else { Issue.record("not found"); return }
        #expect(found.coin == "BTC" && found.state.status == .partiallyFilled && found.state.filledQuantity == Fixed(stringLiteral: "0.002"))
        #expect(found.state.clientOrderId == "0x61786b33703971000000000000001042" && found.state.venueOrderId == "91" && found.state.limitPrice == Fixed(64000))
        if case .none = HyperliquidExecWire.orderStatus(try JSONParser.parse(#"{"status":"unknownOid"}"#)) {} else { Issue.record("unknownOid is not found") }
        let btc = HyperliquidAsset(coin: "BTC", asset: 0, szDecimals: 5, spot: false, base: "BTC", quote: "USDC").instrument
        let fill = try JSONParser.parse(#"{"coin":"BTC","px":"64000.0","sz":"0.002","side":"B","time":1700000000123,"startPosition":"0.0","dir":"Open Long","closedPnl":"0.0","hash":"0x1","oid":91,"crossed":false,"fee":"0.0128","tid":555,"feeToken":"USDC"}"#)
        let r = try #require(HyperliquidExecWire.fill(fill, instrument: btc))
        #expect(r.fill.venueTradeId == "hyperliquid:555" && r.fill.liquidity == .maker && r.fill.fee == Fixed(stringLiteral: "0.0128") && r.venueOrderId == "91")
        let perp = try JSONParser.parse(#"{"marginSummary":{"accountValue":"10100.5","totalMarginUsed":"320.0","totalNtlPos":"6400.0","totalRawUsd":"3700.5"},"withdrawable":"9780.5","assetPositions":[{"type":"oneWay","position":{"coin":"BTC","szi":"0.1","entryPx":"63000.0","unrealizedPnl":"100.5","liquidationPx":"1000.0","marginUsed":"320.0","leverage":{"type":"cross","value":20}}}]}"#)
        let spot = try JSONParser.parse(#"{"balances":[{"coin":"USDC","token":0,"hold":"5.0","total":"50.0","entryNtl":"0.0"},{"coin":"PURR","token":1,"hold":"0.0","total":"1000","entryNtl":"210"}]}"#)
        let a = HyperliquidExecWire.account(perp: perp, spot: spot, instrument: { $0 == "BTC" ? btc : nil })
        let usdc = try #require(a.balances.first { $0.asset == "USDC" })
        // Perp collateral 10000 (account value less unrealized), 9780.5 of it free; plus spot 45 free, 5 held.
        #expect(usdc.free == Fixed(stringLiteral: "9825.5") && usdc.locked == Fixed(stringLiteral: "224.5") && usdc.total == Fixed(10050))
        #expect(a.positions.first?.quantity == Fixed(stringLiteral: "0.1") && a.positions.first?.leverage == Fixed(20) && a.margin?.accountValue == Fixed(stringLiteral: "10100.5"))
        let meta = try #require(SharedData.file("hyperliquid/pysdk_cassette_info_meta_response.json"))
        let u = try HyperliquidUniverse.parse(meta: try JSONParser.parse(Array(meta)), spotMeta: nil)
        #expect(u.byCoin["BTC"]?.asset == 0 && u.byCoin["BTC"]?.szDecimals == 5 && u.byCoin["ETH"]?.asset == 1 && u.byCoin["DOGE"]?.szDecimals == 0)
        let sm = try JSONParser.parse(#"{"tokens":[{"name":"USDC","szDecimals":8,"weiDecimals":8,"index":0},{"name":"PURR","szDecimals":0,"weiDecimals":5,"index":1},{"name":"HFUN","szDecimals":2,"weiDecimals":8,"index":2}],"universe":[{"name":"PURR/USDC","tokens":[1,0],"index":0,"isCanonical":true},{"name":"@1","tokens":[2,0],"index":1,"isCanonical":false}]}"#)
        let su = try HyperliquidUniverse.parse(meta: nil, spotMeta: sm)
        #expect(su.byCoin["PURR/USDC"]?.asset == 10_000 && su.byCoin["HFUN/USDC"]?.coin == "@1" && su.byCoin["@1"]?.asset == 10_001)
        #expect(su.byCoin["PURR/USDC"]?.instrument.id == "hyperliquid:PURR-USDC" && su.byCoin["PURR/USDC"]?.instrument.tickSize == Fixed(raw: 1))
    }

    /// The recorded frames decode and sync: every l2Book image replaces the book exactly; trades
    /// carry tids; an empty book (tardis sample) is a valid image; an older image is stale.
    @Test func recordedFrames() throws {
        guard let books = SharedData.lines("hyperliquid/ws_l2Book_BTC_2025-01-26.jsonl"), let trades = SharedData.lines("hyperliquid/ws_trades_BTC_2025-01-26.jsonl"),
              let tardis = SharedData.lines("hyperliquid/tardis_ws_samples.jsonl") else { return }
        var a = HyperliquidAdapter(url: "ws://x", instruments: ["BTC": "hyperliquid:BTC-USD-PERP", "SHIA": "hyperliquid:SHIA-USD-PERP"], perps: ["BTC"])
        var last: Int64 = 0
        for line in books {
            var text = line
            let out = try text.withUTF8 { p in try a.onFrame(UnsafeRawBufferPointer(p), receiveTime: 1) }
            let j = try JSONParser.parse(line)
            let lv = j["data"]!["levels"]!.arrayValue!
            guard case .book(let b)? = out.events.first else { Issue.record("no book"); return }
            #expect(b.verified && b.sequence == j["data"]!["time"]!.int64Value!)
            #expect(Array(b.bids).map(\.price) == lv[0].arrayValue!.map { Fixed(stringLiteral: $0["px"]!.stringValue!) })
            #expect(Array(b.asks).map(\.quantity) == lv[1].arrayValue!.map { Fixed(stringLiteral: $0["sz"]!.stringValue!) })
            last = b.sequence
        }
        // An older image is ignored.
        var old = books[0]
        let stale = try old.withUTF8 { p in try a.onFrame(UnsafeRawBufferPointer(p), receiveTime: 2) }
        #expect(stale.events.isEmpty && last > 0)
        var n = 0
        for line in trades {
            var text = line
            let out = try text.withUTF8 { p in try a.onFrame(UnsafeRawBufferPointer(p), receiveTime: 1) }
            for e in out.events { if case .trade(let t) = e { n += 1; #expect(!t.tradeId.isEmpty && t.price.isPositive) } }
        }
        #expect(n > 0)
        for line in tardis {
            var text = line
            _ = try text.withUTF8 { p in try a.onFrame(UnsafeRawBufferPointer(p), receiveTime: 1) }
        }
        #expect(a.subscribeFrames.contains(#"{"method":"subscribe","subscription":{"type":"activeAssetCtx","coin":"BTC"}}"#))
        var bad = "{\"channel\":\"l2Book\",\"data\":{\"coin\":\"BTC\",\"time\":1,\"levels\":[[{\"px\":\"x\"}]]}}"
        #expect(throws: WireError.self) { try bad.withUTF8 { p in try a.onFrame(UnsafeRawBufferPointer(p), receiveTime: 1) } }
    }

    /// Order wires: post-only is Alo, a market order is an IOC limit inside the slippage on the
    /// price grid, fill-or-kill is refused before anything is signed.
    @Test func orderWires() {
        let asset = HyperliquidAsset(coin: "BTC", asset: 0, szDecimals: 5, spot: false, base: "BTC", quote: "USDC")
        let inst = asset.instrument
        var o = Order(id: "o-1", intentId: "i", instrument: inst.id, side: .buy, type: .limit, timeInForce: .gtc, limitPrice: Fixed(64000),
                      quantity: Fixed(stringLiteral: "0.002"), postOnly: true, reduceOnly: false, rationale: nil, createdAt: 0)
        guard case .success(let w) = HyperliquidActions.wire(order: o, asset: asset, instrument: inst, mid: nil, slippageBps: 500, cloid: "0xab") else {
            Issue.record("refused"); return
        }
        #expect(w.tif == "Alo" && w.price == "64000" && w.size == "0.002" && w.cloid == "0xab")
        o.type = .market
        o.limitPrice = nil
        o.postOnly = false
        o.timeInForce = .ioc
        guard case .success(let m) = HyperliquidActions.wire(order: o, asset: asset, instrument: inst, mid: Fixed(stringLiteral: "105055.5"), slippageBps: 500, cloid: nil) else {
            Issue.record("refused"); return
        }
        // 105055.5 × 1.05 = 110308.275 → on the grid (integers above 10^5) toward the mid: 110308.
        #expect(m.tif == "Ioc" && m.price == "110308")
        o.side = .sell
        guard case .success(let s) = HyperliquidActions.wire(order: o, asset: asset, instrument: inst, mid: Fixed(stringLiteral: "105055.5"), slippageBps: 500, cloid: nil) else {
            Issue.record("refused"); return
        }
        #expect(s.price == "99803")
        o.timeInForce = .fok
        if case .failure(let r) = HyperliquidActions.wire(order: o, asset: asset, instrument: inst, mid: Fixed(100_000), slippageBps: 500, cloid: nil) {
            #expect(r.venueCode == "unsupportedTif")
        } else { Issue.record("fok accepted") }
    }

    /// The per-IP weight window: the ceiling holds, the wait is until the oldest request leaves
    /// the minute, and a long run (compactions included) agrees with a plain recount.
    @Test func ipWeightWindowHoldsTheCeilingAndAgreesWithARecount() {
        let w = HyperliquidWeights(ceiling: 100)
        let s: Int64 = 1_000_000_000
        #expect(w.reserve(60, now: 0) == nil && w.reserve(40, now: 10 * s) == nil)
        #expect(w.used(now: 10 * s) == 100)
        // Full: the next waits until the first request (t = 0) is a minute old.
        #expect(w.reserve(1, now: 20 * s) == 40_000)
        #expect(w.reserve(1, now: 60 * s) == nil && w.used(now: 60 * s) == 41)
        // Many requests over several minutes against a recount of the last minute.
        let big = HyperliquidWeights(ceiling: 1_000_000)
        var log: [(Int64, Int)] = []
        var t: Int64 = 0
        for k in 0..<20_000 {
            t += Int64(1 + (k * 7919) % 50) * 1_000_000
            let weight = 1 + k % 20
            #expect(big.reserve(weight, now: t) == nil)
            log.append((t, weight))
            if k % 997 == 0 {
                let recount = log.filter { t - $0.0 < 60 * s }.reduce(0) { $0 + $1.1 }
                #expect(big.used(now: t) == recount, "at \(k)")
            }
        }
        #expect(big.used(now: t + 60 * s) == 0)
    }
}
