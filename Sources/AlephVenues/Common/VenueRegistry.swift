import AlephCore
import AlephVenueKit
import Logging

/// Builds a venue's parts by name: the one place that knows which venues exist.
public enum VenueRegistry {
    /// A live executor for a venue config, with the credentials the config names (read from the
    /// environment or files; errors name where, never a value).
    public static func liveExecutor(_ c: VenueConfig, time: any TimeSource, logger: Logger) throws(VenueSetupError) -> any VenueExecutor {
        if c.venue == "hyperliquid" {
            let credentials: HyperliquidCredentials
            do { credentials = try HyperliquidCredentials.load(c) } catch {
                throw VenueSetupError("mode = \"live\" but its credentials cannot be read: \(error.description)")
            }
            return HyperliquidExecutor(config: c, credentials: credentials, time: time, logger: logger)
        }
        if c.venue == "dydx" {
            let credentials: DYDXCredentials
            do { credentials = try DYDXCredentials.load(c) } catch {
                throw VenueSetupError("mode = \"live\" but its key cannot be read: \(error.description)")
            }
            logger.notice("dYdX trading account", metadata: ["address": "\(credentials.address)", "subaccount": "\(c.subaccountNumber)"])
            return DYDXExecutor(config: c, credentials: credentials, time: time, logger: logger)
        }
        if c.venue == "polymarket" {
            let credentials: PolymarketCredentials
            do { credentials = try PolymarketCredentials.load(c) } catch {
                throw VenueSetupError("mode = \"live\" but its credentials cannot be read: \(error.description)")
            }
            return PolymarketExecutor(config: c, credentials: credentials, time: time, logger: logger)
        }
        let credentials: VenueCredentials
        do { credentials = try VenueCredentials.load(c) } catch {
            throw VenueSetupError("mode = \"live\" but its credentials cannot be read: \(error.description)")
        }
        switch c.venue {
        case "binance": return BinanceExecutor(config: c, credentials: credentials, time: time, logger: logger)
        case "okx": return OKXExecutor(config: c, credentials: credentials, time: time, logger: logger)
        case "bybit": return BybitExecutor(config: c, credentials: credentials, time: time, logger: logger)
        default: throw VenueSetupError("live trading on \(c.venue) is not implemented in this build; use mode = \"paper\"")
        }
    }
}

/// A venue that cannot be set up as configured.
public struct VenueSetupError: Error, CustomStringConvertible, Sendable {
    /// What is wrong and what to do.
    public var description: String
    /// Creates an error.
    public init(_ d: String) { description = d }
}
