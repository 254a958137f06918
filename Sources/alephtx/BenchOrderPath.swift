import AlephBook
import AlephCore
import AlephCrypto
import AlephGateway
import AlephNet
import AlephRPC
import AlephRisk
import AlephVenueKit
import AlephVenues
import ArgumentParser
import CHMACShim
import Foundation
import Logging
import Synchronization

/// `alephtx bench order-path`: a `place_signal` line in → the signed venue order request written
/// to a loopback TCP sink, through the real engine, risk gate, ledger write-ahead and executor
/// (only the HTTP client is swapped for the sink, which answers as the venue would), for Binance
/// (HMAC) and Hyperliquid (an EIP-712 signature over a msgpack action) in the same run. p50/p99
/// in µs with the ledger in memory and on disk; and the signing costs alone: Binance's request
/// build + HMAC (swift-crypto vs a C shim over the system OpenSSL), Hyperliquid's action build,
/// msgpack, keccak and secp256k1 signature.
struct BenchOrderPath: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "order-path", abstract: "place_signal → signed venue request on a loopback socket, µs.")

    @Option(help: "Orders per ledger mode.") var orders = 20_000
    @Option(help: "Orders on the on-disk ledger (each waits for an fsync).") var diskOrders = 2_000
    @Option(help: "HMAC iterations.") var hmacIterations = 500_000

    @Option(help: "Hyperliquid signatures timed.") var signIterations = 5_000

    func run() async throws {
        var result: [String: Any] = ["bench": "order-path"]
        let dir = NSTemporaryDirectory() + "alephtx-bench-order-path-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for venue in BenchVenue.allCases {
            // dYdX answers arrive from the Indexer, which the bench does not run: each order waits
            // out a 1 ms answer window, so fewer orders are timed (the request path is what counts).
            let cap = venue == .dydx ? 2_000 : Int.max
            let memory = try await measure(venue, ledgerPath: ":memory:", n: min(orders, cap))
            let disk = try await measure(venue, ledgerPath: dir + "/\(venue.rawValue).sqlite", n: min(diskOrders, cap))
            result[venue.rawValue] = ["memory": memory, "disk_sync_full": disk]
        }
        var sign = signing()
        sign.merge(try await hyperliquidSigning()) { a, _ in a }
        result["signing"] = sign
        print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
    }

    /// Hyperliquid's signing costs alone (ns): the order action built, msgpack'd and hashed into its
    /// EIP-712 digest, the secp256k1 signature, and the whole `/exchange` body.
    func hyperliquidSigning() async throws -> [String: Any] {
        let key = try PrivateKey(bytes: try Hex.decode("0x0123456789012345678901234567890123456789012345678901234567890123"))
        let signer = try LocalSigner(key: key)
        let wire = HyperliquidOrderWire(asset: 0, isBuy: true, price: "64000", size: "0.001", reduceOnly: false, tif: "Ioc",
                                        cloid: "0x61786b33703971000000000000001042")
        let action = HyperliquidActions.order([wire])
        func time(_ n: Int, _ body: () throws -> Int) rethrows -> Double {
            var sink = 0
            for _ in 0..<min(n, 200) { sink &+= try body() }
            let t0 = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<n { sink &+= try body() }
            let t1 = DispatchTime.now().uptimeNanoseconds
            if sink == 42 { print("") }
            return (Double(t1 - t0) / Double(n) * 10).rounded() / 10
        }
        var nonce: Int64 = 1_796_000_000_000
        let packed = try time(signIterations * 10) { try MsgPack.encode(HyperliquidActions.order([wire])).count }
        let digest = try time(signIterations * 10) {
            nonce += 1
            return Int(try HyperliquidActions.digest(action: action, nonce: nonce, vault: nil, expiresAfter: nonce + 5000, mainnet: true)[0])
        }
        let d = try HyperliquidActions.digest(action: action, nonce: nonce, vault: nil, expiresAfter: nil, mainnet: true)
        let sign = try time(signIterations) { Int(try Secp256k1.sign(digest: d, key: key.bytes).r[0]) }
        var whole: [Double] = []
        for _ in 0..<3 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<signIterations {
                nonce += 1
                let dg = try HyperliquidActions.digest(action: HyperliquidActions.order([wire]), nonce: nonce, vault: nil, expiresAfter: nonce + 5000, mainnet: true)
                let sig = try await signer.sign(digest: dg)
                _ = HyperliquidActions.body(action: action, nonce: nonce, signature: sig, vault: nil, expiresAfter: nonce + 5000)
            }
            whole.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / Double(signIterations))
        }
        return ["hyperliquid_msgpack_action_ns": packed, "hyperliquid_action_digest_ns": digest, "hyperliquid_secp256k1_sign_ns": sign,
                "hyperliquid_order_action_build_and_sign_ns": (whole.min()! * 10).rounded() / 10]
    }

    /// The signing costs alone (ns).
    func signing() -> [String: Any] {
        let secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
        let query = Array("symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.001&newClientOrderId=axbench12345&newOrderRespType=FULL&recvWindow=5000&timestamp=1796000000000".utf8)
        let key = HMACKey(secret: secret)
        var shim = chmac_key()
        Array(secret.utf8).withUnsafeBufferPointer { chmac_init(&shim, $0.baseAddress, $0.count) }
        var out = [UInt8](repeating: 0, count: 32)
        // Both implementations agree (the shim is checked before it is timed).
        query.withUnsafeBufferPointer { q in out.withUnsafeMutableBufferPointer { o in withUnsafePointer(to: shim) { chmac_sign($0, q.baseAddress, q.count, o.baseAddress) } } }
        let agree = out == key.authenticateReference(query) && key.authenticate(query) == out
        func time(_ n: Int, _ body: () -> Int) -> Double {
            var sink = 0
            for _ in 0..<min(n, 2000) { sink &+= body() }
            let t0 = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<n { sink &+= body() }
            let t1 = DispatchTime.now().uptimeNanoseconds
            if sink == 42 { print("") }
            return (Double(t1 - t0) / Double(n) * 10).rounded() / 10
        }
        let swiftCrypto = time(hmacIterations) { Int(key.authenticateReference(query)[0]) }
        let hmacKey = time(hmacIterations) { Int(key.authenticate(query)[0]) }
        let openssl = time(hmacIterations) {
            query.withUnsafeBufferPointer { q in out.withUnsafeMutableBufferPointer { o in withUnsafePointer(to: shim) { chmac_sign($0, q.baseAddress, q.count, o.baseAddress) } } }
            return Int(out[0])
        }
        let creds = VenueCredentials(apiKey: "FAKEAPIKEYfakeapikeyFAKEAPIKEYfakeapikeyFAKEAPIKEYfakeapikey0001", secret: secret)
        let builder = BinanceRequests(restURL: "http://127.0.0.1:1", credentials: creds, recvWindowMs: 5000)
        var order = Order(id: "o-1", intentId: "i", instrument: "binance:BTC-USDT", side: .buy, type: .market, timeInForce: .ioc, limitPrice: nil,
                          quantity: "0.001", postOnly: false, reduceOnly: false, rationale: nil, createdAt: 0)
        order.clientOrderId = "axbench12345"
        var ts: Int64 = 1_796_000_000_000
        let build = time(hmacIterations / 10) {
            ts += 1
            return builder.newOrder(symbol: "BTCUSDT", order: order, timestampMs: ts).url.utf8.count
        }
        return ["hmac_sha256_swift_crypto_ns": swiftCrypto, "hmac_sha256_openssl_shim_ns": openssl, "hmac_key_authenticate_ns": hmacKey,
                "implementations_agree": agree,
                "binance_order_request_build_and_sign_ns": build, "message_bytes": query.count]
    }

    static func loop(_ engine: isolated Engine, session: Session, outbox: Outbox, sink: LoopbackSink, n: Int, instrument: String, extra: String,
                     refreshEvery: Int = 1000, refresh: @Sendable () async -> Void) async -> ([Int64], [Int64]) {
        var sent: [Int64] = [], answered: [Int64] = []
        sent.reserveCapacity(n)
        answered.reserveCapacity(n)
        let warm = min(500, n / 10)
        for k in 0..<(n + warm) {
            if k % refreshEvery == 0 {
                // Outside the measurement: a fresh book, and the answers collected so far read out.
                await refresh()
                if outbox.queuedCount > 0 { _ = await outbox.nextBatch() }
            }
            let qty = extra.isEmpty ? "0.001" : "5"
            var line = #"{"jsonrpc":"2.0","id":\#(k),"method":"place_signal","params":{"intent_id":"b\#(k)","instrument":"\#(instrument)","side":"buy","quantity":"\#(qty)"\#(extra)}}"#
            let t0 = DispatchTime.now().uptimeNanoseconds
            let msg = line.withUTF8 { RPCEnvelope.decode(UnsafeRawBufferPointer($0)) }
            await engine.execute(msg, session: session)
            let t2 = DispatchTime.now().uptimeNanoseconds
            let t1 = sink.lastWritten
            if k >= warm {
                sent.append(Int64(t1) - Int64(t0))
                answered.append(Int64(t2) - Int64(t0))
            }
        }
        return (sent, answered)
    }

    /// The read paths an agent polls (`get_health`, `get_balances`) and the resolver's per-tick
    /// read of unsettled orders, p50 in µs over 200 calls each: run with no order resting and
    /// again with the bench's orders resting, they show whether those reads grow with the book of orders.
    static func queryCosts(_ engine: isolated Engine, session: Session, outbox: Outbox, venue: String) async -> [String: Double] {
        func p50(_ v: [UInt64]) -> Double { (Double(v.sorted()[v.count / 2]) / 100).rounded() / 10 }
        var out: [String: Double] = [:]
        for method in ["get_health", "get_balances"] {
            var times: [UInt64] = []
            for k in 0..<200 {
                var line = #"{"jsonrpc":"2.0","id":\#(k),"method":"\#(method)"}"#
                let t0 = DispatchTime.now().uptimeNanoseconds
                let msg = line.withUTF8 { RPCEnvelope.decode(UnsafeRawBufferPointer($0)) }
                await engine.execute(msg, session: session)
                times.append(DispatchTime.now().uptimeNanoseconds - t0)
                if outbox.queuedCount > 0 { _ = await outbox.nextBatch() }
            }
            out[method + "_p50_us"] = p50(times)
        }
        var times: [UInt64] = []
        for _ in 0..<200 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = engine.unsettledOrders(venue: venue)
            times.append(DispatchTime.now().uptimeNanoseconds - t0)
        }
        out["resolver_unsettled_read_p50_us"] = p50(times)
        return out
    }

    /// One venue and ledger mode: `n` market orders through the whole path.
    func measure(_ venue: BenchVenue, ledgerPath: String, n: Int) async throws -> [String: Any] {
        let sink = try LoopbackSink(venue: venue)
        defer { sink.close() }
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let time = SystemTimeSource()
        var inst: Instrument
        let executor: any VenueExecutor
        switch venue {
        case .binance:
            inst = Instrument(venue: "binance", base: "BTC", quote: "USDT", kind: .spot, tickSize: "0.01", lotSize: "0.00001", minNotional: "5",
                              description: "bench")
            inst.symbol = "BTCUSDT"
            var cfg = VenueConfig(venue: "binance")
            cfg.restURL = "http://127.0.0.1:\(sink.port)"
            cfg.mode = .live
            let creds = VenueCredentials(apiKey: "FAKEAPIKEYfakeapikeyFAKEAPIKEYfakeapikeyFAKEAPIKEYfakeapikey0001",
                                         secret: "FAKESECRETfakesecretFAKESECRETfakesecretFAKESECRETfakesecret0001")
            executor = BinanceExecutor(config: cfg, credentials: creds, time: time, logger: logger, transport: sink)
        case .hyperliquid:
            let asset = HyperliquidAsset(coin: "BTC", asset: 0, szDecimals: 5, spot: false, base: "BTC", quote: "USDC")
            inst = asset.instrument
            var cfg = VenueConfig(venue: "hyperliquid")
            cfg.restURL = "http://127.0.0.1:\(sink.port)"
            cfg.mode = .live
            let key = try PrivateKey(bytes: try Hex.decode("0x0123456789012345678901234567890123456789012345678901234567890123"))
            let hl = HyperliquidExecutor(config: cfg, credentials: HyperliquidCredentials(signer: try LocalSigner(key: key), account: "0x" + String(repeating: "0", count: 35) + "a11ce"),
                                         time: time, logger: logger, transport: sink, ipWeightCeiling: Int.max / 2)
            var u = HyperliquidUniverse()
            u.byCoin["BTC"] = asset
            hl.setUniverse(u)
            executor = hl
        case .dydx:
            // A market order: a short-term IOC MsgPlaceOrder in a SIGN_MODE_DIRECT transaction, broadcast SYNC.
            let market = DYDXMarket(ticker: "BTC-USD", clobPairId: 0, atomicResolution: -10, quantumConversionExponent: -9, stepBaseQuantums: 1_000_000,
                                    subticksPerTick: 100_000)
            inst = market.instrument
            var cfg = VenueConfig(venue: "dydx")
            cfg.nodeURL = "http://127.0.0.1:\(sink.port)"
            cfg.restURL = "http://127.0.0.1:\(sink.port)/v4"
            cfg.mode = .live
            cfg.submitTimeoutMs = 1
            let key = try PrivateKey(bytes: try Hex.decode("0x0123456789012345678901234567890123456789012345678901234567890123"))
            let d = DYDXExecutor(config: cfg, credentials: try DYDXCredentials(key: key), time: time, logger: logger, transport: sink)
            d.setMarkets(["BTC-USD": market])
            executor = d
        case .polymarket:
            // A resting GTC limit order: EIP-712 digest, secp256k1 signature, L2 HMAC headers.
            // (The sink cannot hash orders, so it answers another order id: that log is muted.)
            logger.logLevel = .critical
            inst = Instrument(venue: "polymarket", base: "BENCH-YES", quote: "USDC", kind: .outcome, tickSize: "0.001", lotSize: "0.01", minNotional: "0",
                              description: "bench")
            inst.symbol = "71321045679252212594626385532706912750332728571942532289631379312455583992563"
            inst.outcome = OutcomeInfo(question: "bench?", outcome: "Yes", marketSlug: "bench", conditionId: "0x" + String(repeating: "ab", count: 32),
                                       tokenId: inst.symbol, endDate: nil, status: "active", negRisk: false, minSize: "5")
            var cfg = VenueConfig(venue: "polymarket")
            cfg.restURL = "http://127.0.0.1:\(sink.port)"
            cfg.mode = .live
            let key = try PrivateKey(bytes: try Hex.decode("0x0123456789012345678901234567890123456789012345678901234567890123"))
            let signer = try LocalSigner(key: key)
            let creds = try PolymarketCredentials(signer: signer, address: EthereumAddress.checksummed(signer.address), apiKey: "00000000-0000-4000-8000-000000000000",
                                                  secret: "ZmFrZS1zZWNyZXQtZm9yLXRlc3RzLW9ubHktMDAwMDA=", passphrase: "fake-passphrase-0000")
            executor = PolymarketExecutor(config: cfg, credentials: creds, time: time, logger: logger, transport: sink)
        }
        var ec = EngineConfig()
        ec.riskLimits = RiskLimits()
        let ledger = try Ledger(path: ledgerPath, sync: .full)
        let engine = Engine(instruments: [inst], config: ec, time: time, logger: logger, ledger: ledger, executors: [executor])
        await engine.addInstruments([inst], venue: inst.venue)
        var bids: [BookLevel] = [], asks: [BookLevel] = []
        for k in 0..<50 {
            if venue == .polymarket {
                bids.append(BookLevel(price: Fixed(raw: (500 - Int64(k)) * 100_000), quantity: "1000"))
                asks.append(BookLevel(price: Fixed(raw: (501 + Int64(k)) * 100_000), quantity: "1000"))
            } else {
                bids.append(BookLevel(price: Fixed(raw: (6_500_000 - Int64(k)) * 1_000_000), quantity: "10"))
                asks.append(BookLevel(price: Fixed(raw: (6_500_001 + Int64(k)) * 1_000_000), quantity: "10"))
            }
        }
        let (fixedBids, fixedAsks, instId) = (bids, asks, inst.id)
        let ends = venue == .dydx
        let refresh: @Sendable () async -> Void = {
            let now = time.nowNanos()
            await engine.ingest([.snapshot(BookUpdate(instrument: instId, bids: fixedBids, asks: fixedAsks, sequence: now, exchangeTime: now, receiveTime: now))])
            // dYdX orders stay as admitted (the bench runs no Indexer): their ends are reported here,
            // outside the timing, so open orders do not pile up in the risk gate.
            if ends {
                for o in await engine.liveOrders(venue: "dydx") {
                    await engine.applyExecution(.order(VenueOrderState(clientOrderId: o.clientOrderId ?? "", status: .expired, filledQuantity: .zero, timestamp: now)),
                                                venue: "dydx")
                }
            }
        }
        await refresh()
        await engine.markReconciled(venue: inst.venue, report: .null)
        let outbox = Outbox(maxQueued: 1 << 20, onOverflow: { _ in })
        let session = Session(id: 1, transport: "stdio", peer: "bench", outbox: outbox)
        await engine.register(session)
        // The loop runs on the engine's own executor (an `isolated` parameter): what is timed is the
        // gateway's path, not a hop from the bench's task into the actor and back.
        let extra = venue == .polymarket ? #","limit_price":"0.45""# : ""
        let queriesEmpty = await BenchOrderPath.queryCosts(engine, session: session, outbox: outbox, venue: inst.venue)
        let (sent, answered) = await BenchOrderPath.loop(engine, session: session, outbox: outbox, sink: sink, n: n, instrument: inst.id, extra: extra,
                                                         refreshEvery: ends ? 20 : 1000, refresh: refresh)
        await engine.flushLedger()
        let queriesResting = await BenchOrderPath.queryCosts(engine, session: session, outbox: outbox, venue: inst.venue)
        outbox.finish()
        func pct(_ v: [Int64], _ p: Double) -> Double {
            let s = v.sorted()
            return (Double(s[min(s.count - 1, Int(Double(s.count) * p))]) / 100).rounded() / 10
        }
        let filled = await engine.order("o-\(n + min(500, n / 10))")?.status.rawValue ?? "?"
        // Whether the path grows with the orders left resting: the first and last tenth's p50.
        let tenth = max(1, sent.count / 10)
        let resting = await engine.liveOrders(venue: inst.venue).count
        return ["orders": n, "ledger": ledgerPath == ":memory:" ? "memory" : "file, sync=full", "venue": venue.rawValue,
                "line_to_request_written_us": ["p50": pct(sent, 0.5), "p99": pct(sent, 0.99), "max": pct(sent, 1.0)],
                "line_to_answer_us": ["p50": pct(answered, 0.5), "p99": pct(answered, 0.99)],
                "requests_written": sink.requests, "last_order_status": filled, "open_orders_at_end": resting,
                "first_tenth_p50_us": pct(Array(sent.prefix(tenth)), 0.5), "last_tenth_p50_us": pct(Array(sent.suffix(tenth)), 0.5),
                "reads_with_no_order_resting": queriesEmpty, "reads_with_the_orders_resting": queriesResting]
    }
}

/// The venues the order-path bench drives.
enum BenchVenue: String, CaseIterable {
    case binance, hyperliquid, polymarket, dydx
}

/// The venue side of the bench: every request is serialized as HTTP/1.1 and written to a
/// connected loopback TCP socket (a thread reads and discards), then answered as the venue answers
/// a filled market order (Binance: `FULL` with the request's client order id; Hyperliquid: a
/// `filled` status, and the fill when the executor reads it back from `/info`).
final class LoopbackSink: HTTPSending, @unchecked Sendable {
    let venue: BenchVenue
    let fd: Int32
    let port: Int
    private let listener: Int32
    private let reader: Thread
    private let stamp = Atomic<UInt64>(0)
    private let count = Atomic<Int>(0)
    private let nextId = Atomic<Int>(28_457_123)

    init(venue: BenchVenue) throws {
        self.venue = venue
        let l = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(l, $0, len) } }
        listen(l, 1)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(l, $0, &len) } }
        let c = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(c, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var target = addr
        guard withUnsafePointer(to: &target, { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(c, $0, len) } }) == 0 else {
            throw HTTPFailure(description: "loopback sink: connect failed")
        }
        listener = l
        fd = c
        port = Int(UInt16(bigEndian: addr.sin_port))
        reader = Thread {
            let a = accept(l, nil, nil)
            // Poll rather than block, so a request does not wake this thread every time.
            _ = fcntl(a, F_SETFL, fcntl(a, F_GETFL) | O_NONBLOCK)
            var buf = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = buf.withUnsafeMutableBytes { read(a, $0.baseAddress, $0.count) }
                if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) { break }
                if n < 0 { usleep(1000) }
            }
            Foundation.close(a)
        }
        reader.start()
    }

    /// When the last request finished writing (uptime ns).
    var lastWritten: UInt64 { stamp.load(ordering: .acquiring) }
    /// Requests written.
    var requests: Int { count.load(ordering: .relaxed) }

    nonisolated(nonsending) func send(_ r: HTTPRequestSpec, timeout: Duration, maxBody: Int) async -> HTTPOutcome {
        // HTTP/1.1 as the client would write it: request line, headers, empty body.
        var head: [UInt8] = []
        head.reserveCapacity(r.url.utf8.count + 160)
        head.append(contentsOf: r.method.utf8)
        head.append(UInt8(ascii: " "))
        let url = Array(r.url.utf8)
        var pathStart = 0, slashes = 0
        for (k, b) in url.enumerated() where b == UInt8(ascii: "/") {
            slashes += 1
            if slashes == 3 { pathStart = k; break }
        }
        head.append(contentsOf: url[pathStart...])
        head.append(contentsOf: " HTTP/1.1\r\nHost: 127.0.0.1\r\n".utf8)
        for (k, v) in r.headers {
            head.append(contentsOf: k.utf8)
            head.append(contentsOf: ": ".utf8)
            head.append(contentsOf: v.utf8)
            head.append(contentsOf: "\r\n".utf8)
        }
        head.append(contentsOf: "Content-Length: \(r.body?.count ?? 0)\r\n\r\n".utf8)
        if let b = r.body { head.append(contentsOf: b) }
        let ok = head.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) == $0.count }
        // The order request is what is timed (not a read-back that follows its answer).
        if venue == .binance || url.suffix(9).elementsEqual("/exchange".utf8) || url.suffix(6).elementsEqual("/order".utf8) || url.suffix(4).elementsEqual("/txs".utf8) {
            stamp.store(DispatchTime.now().uptimeNanoseconds, ordering: .releasing)
            count.add(1, ordering: .relaxed)
        }
        guard ok else { return .unknown("sink write failed") }
        if venue == .hyperliquid { return hyperliquidAnswer(url) }
        if venue == .dydx { return dydxAnswer(url) }
        if venue == .polymarket {
            let id = nextId.add(1, ordering: .relaxed).newValue
            return .reply(HTTPReply(status: 200, headers: [:], body: Array(#"{"success":true,"errorMsg":"","orderID":"0x\#(String(id, radix: 16))","status":"live","makingAmount":"","takingAmount":"","tradeIDs":[],"transactionsHashes":[]}"#.utf8)))
        }
        // The venue's answer: a filled market order with the request's client id.
        var cid: ArraySlice<UInt8> = []
        let key = Array("newClientOrderId=".utf8)
        if let at = url.indices.first(where: { url[$0...].starts(with: key) }) {
            let from = at + key.count
            cid = url[from..<(url[from...].firstIndex(of: UInt8(ascii: "&")) ?? url.endIndex)]
        }
        let id = nextId.add(1, ordering: .relaxed).newValue
        var body: [UInt8] = Array(#"{"symbol":"BTCUSDT","orderId":\#(id),"orderListId":-1,"clientOrderId":""#.utf8)
        body.append(contentsOf: cid)
        body.append(contentsOf: #"","transactTime":1796000000000,"price":"0.00000000","origQty":"0.00100000","executedQty":"0.00100000","origQuoteOrderQty":"0.00000000","cummulativeQuoteQty":"65.00001000","status":"FILLED","timeInForce":"GTC","type":"MARKET","side":"BUY","workingTime":1796000000000,"fills":[{"price":"65000.01000000","qty":"0.00100000","commission":"0.06500001","commissionAsset":"USDT","tradeId":\#(id)}]}"#.utf8)
        return .reply(HTTPReply(status: 200, headers: ["x-mbx-used-weight-1m": "1"], body: body))
    }

    /// Hyperliquid's answers: a filled IOC on `/exchange`; its fill on `/info` (the executor reads
    /// it back: the bench runs no user channel).
    func hyperliquidAnswer(_ url: [UInt8]) -> HTTPOutcome {
        if url.suffix(9).elementsEqual("/exchange".utf8) {
            let oid = nextId.add(1, ordering: .relaxed).newValue
            return .reply(HTTPReply(status: 200, headers: [:], body: Array(#"{"status":"ok","response":{"type":"order","data":{"statuses":[{"filled":{"totalSz":"0.001","avgPx":"65000.1","oid":\#(oid)}}]}}}"#.utf8)))
        }
        let oid = nextId.load(ordering: .relaxed)
        return .reply(HTTPReply(status: 200, headers: [:], body: Array(#"[{"coin":"BTC","px":"65000.1","sz":"0.001","side":"B","time":1796000000000,"startPosition":"0.0","dir":"Open Long","closedPnl":"0.0","hash":"0x0","oid":\#(oid),"crossed":true,"fee":"0.0227","tid":\#(oid),"feeToken":"USDC"}]"#.utf8)))
    }

    /// dYdX's answers: CheckTx admits every transaction; the node's height and the account; the
    /// Indexer lists nothing (the bench runs no Indexer, so orders stay as admitted).
    func dydxAnswer(_ url: [UInt8]) -> HTTPOutcome {
        let text = String(decoding: url, as: UTF8.self)
        let body: String
        if text.hasSuffix("/txs") {
            body = #"{"tx_response":{"height":"0","txhash":"\#(String(nextId.add(1, ordering: .relaxed).newValue, radix: 16).uppercased())","codespace":"","code":0,"raw_log":""}}"#
        } else if text.contains("blocks/latest") {
            body = #"{"block":{"header":{"height":"20000000"}}}"#
        } else if text.contains("/accounts/") {
            body = #"{"account":{"account_number":"12345","sequence":"7"}}"#
        } else {
            body = "[]"
        }
        return .reply(HTTPReply(status: 200, headers: [:], body: Array(body.utf8)))
    }

    func close() {
        Foundation.close(fd)
        Foundation.close(listener)
    }
}
