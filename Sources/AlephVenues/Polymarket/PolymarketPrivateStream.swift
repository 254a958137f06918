import AlephCore
import AlephNet
import AlephRPC
import AlephVenueKit

/// Polymarket's `user` channel: one auth frame (the L2 credentials and our markets), text
/// `PING`/`PONG`; `order` events move our orders, `trade` events carry fills — booked once when a
/// trade is first seen (its later `MINED`/`CONFIRMED` changes nothing), and reversed if it ends
/// `FAILED`. The stream is up at the first `PONG` after subscribing (the venue acks nothing else).
public struct PolymarketPrivateStream: PrivateStreamProtocol {
    /// Socket URL.
    public let url: String
    let subscribeFrame: String
    /// PING period.
    public let heartbeatMs: Int
    /// Reconnect after this long without a frame.
    public let idleTimeoutMs: Int
    let clientId: @Sendable (String) -> String?
    let instrument: @Sendable (String) -> Instrument?
    var up = false

    /// Creates the protocol.
    public init(url: String, subscribeFrame: String, heartbeatMs: Int, idleTimeoutMs: Int, clientId: @escaping @Sendable (String) -> String?,
                instrument: @escaping @Sendable (String) -> Instrument?) {
        self.url = url
        self.subscribeFrame = subscribeFrame
        self.heartbeatMs = min(heartbeatMs, 10_000)
        self.idleTimeoutMs = idleTimeoutMs
        self.clientId = clientId
        self.instrument = instrument
    }

    /// The auth frame, then a PING whose PONG says the subscription is live.
    public mutating func openingFrames(nowMs: Int64) -> [String] {
        up = false
        return [subscribeFrame, "PING"]
    }

    /// Text PING.
    public func heartbeatFrame(nowMs: Int64) -> String? { "PING" }

    /// Translates one frame (an object or an array of them).
    public mutating func onFrame(_ text: String, nowMs: Int64) -> PrivateStreamOutput {
        var out = PrivateStreamOutput()
        if text == "PONG" {
            if !up { up = true; out.ready = true }
            return out
        }
        guard let j = try? JSONParser.parse(Array(text.utf8)) else { return out }
        let now = nowMs * 1_000_000
        for m in j.arrayValue ?? [j] {
            switch m["event_type"]?.stringValue {
            case "order":
                guard let id = m["id"]?.stringValue, let cid = clientId(id),
                      var s = PolymarketExecWire.orderState(m, clientOrderId: cid, now: now) else { continue }
                // A placement or update says what rests; the fills come with the trades.
                s.filledQuantity = nil
                out.events.append(.order(s))
            case "trade":
                for f in PolymarketExecWire.fills(m, isOurs: { clientId($0) != nil }, now: now) {
                    guard let cid = clientId(f.orderId) else { continue }
                    if f.status == "FAILED" {
                        out.events.append(.fillFailed(venueTradeId: f.fill.venueTradeId, reason: "trade \(m["id"]?.stringValue ?? "?") ended FAILED"))
                    } else {
                        out.events.append(.order(VenueOrderState(clientOrderId: cid, venueOrderId: f.orderId, status: nil, fills: [f.fill], timestamp: f.fill.timestamp)))
                    }
                }
            default: break
            }
        }
        return out
    }
}
