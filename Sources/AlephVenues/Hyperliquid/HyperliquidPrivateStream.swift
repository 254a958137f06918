import AlephCore
import AlephNet
import AlephRPC
import AlephVenueKit

/// Hyperliquid's user channels for the account: `orderUpdates` (order states), `userFills` (a
/// snapshot on connect, then live fills; booked once per `tid`) and `userFundings`. No login: the
/// channels are public per address; the stream is up once every subscription is acknowledged.
public struct HyperliquidPrivateStream: PrivateStreamProtocol {
    /// The socket URL.
    public let url: String
    let account: String
    let instruments: @Sendable (String) -> Instrument?
    /// `{"method":"ping"}` period.
    public let heartbeatMs: Int
    /// No frame for this long: reconnect.
    public let idleTimeoutMs: Int
    var acknowledged: Set<String> = []
    static let channels = ["orderUpdates", "userFills", "userFundings"]

    /// Creates the stream protocol for an account.
    public init(url: String, account: String, heartbeatMs: Int, idleTimeoutMs: Int, instruments: @escaping @Sendable (String) -> Instrument?) {
        self.url = url
        self.account = account
        self.heartbeatMs = min(heartbeatMs, 50_000)
        self.idleTimeoutMs = idleTimeoutMs
        self.instruments = instruments
    }

    /// Subscribes the account's channels.
    public mutating func openingFrames(nowMs: Int64) -> [String] {
        acknowledged = []
        return HyperliquidPrivateStream.channels.map { #"{"method":"subscribe","subscription":{"type":"\#($0)","user":"\#(account)"}}"# }
    }

    /// JSON ping.
    public func heartbeatFrame(nowMs: Int64) -> String? { #"{"method":"ping"}"# }

    /// Translates one frame.
    public mutating func onFrame(_ text: String, nowMs: Int64) -> PrivateStreamOutput {
        var out = PrivateStreamOutput()
        guard let j = try? JSONParser.parse(Array(text.utf8)), let channel = j["channel"]?.stringValue else { return out }
        let data = j["data"]
        switch channel {
        case "subscriptionResponse":
            if let t = data?["subscription"]?["type"]?.stringValue, HyperliquidPrivateStream.channels.contains(t) {
                acknowledged.insert(t)
                if acknowledged.count == HyperliquidPrivateStream.channels.count { out.ready = true }
            }
        case "error":
            let why = data?.stringValue ?? JSONWriter.string(data ?? .null)
            if why.lowercased().contains("subscri") { out.reconnect = "Hyperliquid refused a subscription: \(why)" }
        case "orderUpdates":
            for u in data?.arrayValue ?? [] {
                guard let o = u["order"], let s = HyperliquidExecWire.orderState(o, status: u["status"]?.stringValue,
                                                                                 at: (u["statusTimestamp"]?.int64Value ?? nowMs) * 1_000_000) else { continue }
                out.events.append(.order(s))
            }
        case "userFills":
            if let user = data?["user"]?.stringValue, user.lowercased() != account { break }
            for f in data?["fills"]?.arrayValue ?? [] {
                guard let coin = f["coin"]?.stringValue, let inst = instruments(coin), let r = HyperliquidExecWire.fill(f, instrument: inst) else { continue }
                out.events.append(.order(VenueOrderState(clientOrderId: r.clientOrderId ?? "", venueOrderId: r.venueOrderId, status: nil, fills: [r.fill],
                                                         timestamp: r.fill.timestamp)))
            }
        case "userFundings":
            let list = (data?["fundings"]?.arrayValue ?? []).compactMap { HyperliquidExecWire.funding($0, instrument: instruments) }
            if !list.isEmpty { out.events.append(.funding(list)) }
        default: break
        }
        return out
    }
}
