import AlephCore
import AlephNet
import AlephRPC
import AlephVenueKit

/// The Bybit v5 private stream: `auth`, then `order`, `execution`, `position` and `wallet`;
/// a JSON `ping` every 20 s. No snapshot on subscribe, no replay: the engine catches up by REST.
public struct BybitPrivateStream: PrivateStreamProtocol {
    /// The private URL.
    public let url: String
    let requests: BybitRequests
    let instruments: @Sendable (String) -> Instrument?
    let offsetMs: @Sendable () -> Int64
    /// JSON ping period.
    public let heartbeatMs: Int
    /// No frame for this long: reconnect.
    public let idleTimeoutMs: Int

    /// Creates the stream protocol.
    public init(url: String, requests: BybitRequests, heartbeatMs: Int, idleTimeoutMs: Int, offsetMs: @escaping @Sendable () -> Int64,
                instruments: @escaping @Sendable (String) -> Instrument?) {
        self.url = url
        self.requests = requests
        self.heartbeatMs = min(heartbeatMs, 20_000)
        self.idleTimeoutMs = idleTimeoutMs
        self.offsetMs = offsetMs
        self.instruments = instruments
    }

    /// Authenticates (valid for 10 s).
    public mutating func openingFrames(nowMs: Int64) -> [String] { [requests.auth(expiresMs: nowMs + offsetMs() + 10_000)] }

    /// JSON ping.
    public func heartbeatFrame(nowMs: Int64) -> String? { #"{"req_id":"axping","op":"ping"}"# }

    /// Translates one frame.
    public mutating func onFrame(_ text: String, nowMs: Int64) -> PrivateStreamOutput {
        var out = PrivateStreamOutput()
        guard let j = try? JSONParser.parse(Array(text.utf8)) else { return out }
        if let op = j["op"]?.stringValue {
            let ok = j["success"]?.boolValue ?? (j["retCode"]?.intValue == 0)
            switch op {
            case "auth":
                if ok { out.send.append(#"{"req_id":"axsub","op":"subscribe","args":["order","execution","position","wallet"]}"#) }
                else { out.reconnect = "Bybit auth refused: \(j["ret_msg"]?.stringValue ?? j["retMsg"]?.stringValue ?? "")" }
            case "subscribe":
                if ok { out.ready = true } else { out.reconnect = "Bybit subscribe refused: \(j["ret_msg"]?.stringValue ?? "")" }
            default: break
            }
            return out
        }
        let now = nowMs * 1_000_000
        switch j["topic"]?.stringValue {
        case "order":
            for o in j["data"]?.arrayValue ?? [] {
                if let s = BybitExecWire.order(o, now: now) { out.events.append(.order(s)) }
            }
        case "execution", "execution.fast":
            for e in j["data"]?.arrayValue ?? [] {
                guard let sym = e["symbol"]?.stringValue, let inst = instruments(sym), let r = BybitExecWire.execution(e, instrumentId: inst.id) else { continue }
                out.events.append(.order(VenueOrderState(clientOrderId: r.clientOrderId ?? "", venueOrderId: r.venueOrderId, status: nil, fills: [r.fill],
                                                         timestamp: r.fill.timestamp)))
            }
        case "position":
            let list = (j["data"]?.arrayValue ?? []).compactMap { p -> VenuePosition? in
                guard let sym = p["symbol"]?.stringValue, let inst = instruments(sym) else { return nil }
                return BybitExecWire.position(p, instrumentId: inst.id)
            }
            if !list.isEmpty { out.events.append(.positions(list)) }
        case "wallet":
            let b = BybitExecWire.balances(j["data"])
            if !b.isEmpty { out.events.append(.balances(b, complete: false)) }
        default: break
        }
        return out
    }
}
