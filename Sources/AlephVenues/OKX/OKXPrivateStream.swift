import AlephCore
import AlephNet
import AlephRPC
import AlephVenueKit

/// The OKX private WebSocket: login (Unix-seconds signature), then the `orders` channel (every
/// order change, fills included, for any instrument type) and `account` (balances). Text
/// `ping`/`pong` keeps it alive; there is no snapshot on subscribe and no replay after a gap.
public struct OKXPrivateStream: PrivateStreamProtocol {
    /// The private URL.
    public let url: String
    let requests: OKXRequests
    let instruments: @Sendable (String) -> Instrument?
    let offsetMs: @Sendable () -> Int64
    /// Text ping period (OKX drops a connection silent for 30 s).
    public let heartbeatMs: Int
    /// No frame (not even a pong) for this long: reconnect.
    public let idleTimeoutMs: Int

    /// Creates the stream protocol.
    public init(url: String, requests: OKXRequests, heartbeatMs: Int, idleTimeoutMs: Int, offsetMs: @escaping @Sendable () -> Int64,
                instruments: @escaping @Sendable (String) -> Instrument?) {
        self.url = url
        self.requests = requests
        self.heartbeatMs = min(heartbeatMs, 25_000)
        self.idleTimeoutMs = idleTimeoutMs
        self.offsetMs = offsetMs
        self.instruments = instruments
    }

    /// Logs in.
    public mutating func openingFrames(nowMs: Int64) -> [String] { [requests.login(timestampSeconds: (nowMs + offsetMs()) / 1000)] }

    /// `ping`.
    public func heartbeatFrame(nowMs: Int64) -> String? { "ping" }

    /// Translates one frame.
    public mutating func onFrame(_ text: String, nowMs: Int64) -> PrivateStreamOutput {
        var out = PrivateStreamOutput()
        if text == "pong" { return out }
        guard let j = try? JSONParser.parse(Array(text.utf8)) else { return out }
        if let event = j["event"]?.stringValue {
            switch event {
            case "login":
                if j["code"]?.stringValue == "0" {
                    out.send.append(#"{"id":"axsub1","op":"subscribe","args":[{"channel":"orders","instType":"ANY"},{"channel":"account"}]}"#)
                } else {
                    out.reconnect = "OKX login refused: \(j["code"]?.stringValue ?? "?") \(j["msg"]?.stringValue ?? "")"
                }
            case "subscribe":
                if j["arg"]?["channel"]?.stringValue == "orders" { out.ready = true }
            case "error":
                out.reconnect = "OKX private stream error: \(j["code"]?.stringValue ?? "?") \(j["msg"]?.stringValue ?? "")"
            case "notice":
                out.reconnect = "OKX notice \(j["code"]?.stringValue ?? ""): \(j["msg"]?.stringValue ?? "")"
            default: break
            }
            return out
        }
        switch j["arg"]?["channel"]?.stringValue {
        case "orders":
            for o in j["data"]?.arrayValue ?? [] {
                guard let instId = o["instId"]?.stringValue, let inst = instruments(instId),
                      let s = OKXExecWire.order(o, instrument: inst, channel: true, now: nowMs * 1_000_000) else { continue }
                out.events.append(.order(s))
            }
        case "account":
            let b = OKXExecWire.balances(j["data"])
            if !b.isEmpty { out.events.append(.balances(b, complete: false)) }
        default: break
        }
        return out
    }
}
