import AlephBook
import AlephCore
import AlephCrypto
import AlephNet
import AlephRPC
import AlephVenueKit
import AlephVenues
import BigInt
import Logging
import ServiceLifecycle

/// GMX prices for the gate: the GMX price API's tickers (`minPrice`/`maxPrice` per token, in USD
/// per smallest unit × 10^30) polled into a one-level book per market — bid = min, ask = max, the
/// spread GMX itself executes at. GMX has no order book; the size shown is nominal.
public struct GMXFeedService: Service {
    let config: GMXConfig
    let engine: Engine
    let logger: Logger

    /// Creates the service.
    public init(config: GMXConfig, engine: Engine, logger: Logger) {
        self.config = config
        self.engine = engine
        self.logger = logger
    }

    /// The book events of one tickers answer (pure).
    public static func events(_ json: JSON, markets: [GMXConfig.Market], sequence: Int64, at now: Int64) -> [MarketEvent] {
        var out: [MarketEvent] = []
        for m in markets {
            let token = Hex.encode(m.indexToken)
            guard let t = json.arrayValue?.first(where: { $0["tokenAddress"]?.stringValue?.lowercased() == token }),
                  let lo = t["minPrice"]?.stringValue.flatMap({ BigUInt($0) }), let hi = t["maxPrice"]?.stringValue.flatMap({ BigUInt($0) }),
                  let bid = GMXExecutor.price(lo, indexDecimals: m.indexDecimals), let ask = GMXExecutor.price(hi, indexDecimals: m.indexDecimals),
                  bid.isPositive, ask >= bid else { continue }
            let depth = Fixed(1_000_000)
            out.append(.snapshot(BookUpdate(instrument: m.instrument.id, bids: [BookLevel(price: bid, quantity: depth)],
                                            asks: [BookLevel(price: ask == bid ? ask + m.tickSize : ask, quantity: depth)],
                                            sequence: sequence, exchangeTime: now, receiveTime: now)))
        }
        return out
    }

    /// Runs until graceful shutdown.
    public func run() async throws {
        await engine.addInstruments(config.markets.map(\.instrument), venue: "gmx")
        await cancelWhenGracefulShutdown {
            var seq: Int64 = 0
            while !Task.isCancelled {
                do {
                    let body = try await HTTPTransport().get(config.tickersURL, timeout: .seconds(10))
                    seq += 1
                    let ev = GMXFeedService.events(try JSONParser.parse(body), markets: config.markets, sequence: seq, at: engine.now)
                    if !ev.isEmpty { await engine.ingest(ev) }
                } catch {
                    logger.warning("GMX tickers unavailable", metadata: ["url": "\(config.tickersURL)", "error": "\(error)"])
                }
                try? await Task.sleep(for: .milliseconds(config.pollMs))
            }
        }
    }
}
