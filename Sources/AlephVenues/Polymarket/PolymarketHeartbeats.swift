import AlephCore
import AlephNet
import AlephRPC
import AlephVenueKit

/// Polymarket's dead-man's switch: `POST /v1/heartbeats`. The first accepted heartbeat arms an
/// auto-cancel of every open order of the API key; each later one must carry the id the previous
/// answer returned, and about 10 s without an accepted one cancels them all. There is no disarm.
public enum PolymarketHeartbeats {
    /// The switch as the engine sees it: a fixed ~10 s window (refreshed every third of it), no disarm.
    public static let deadman = NativeDeadman(name: "heartbeats", minTimeoutMs: 10_000, maxTimeoutMs: 10_000, stopCancelsAll: true)

    /// The request body carrying `id` (empty for the first).
    public static func body(id: String) -> String {
        var out: [UInt8] = []
        JSONWriter.write(.object([JSONMember("heartbeat_id", .string(id))]), into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// What an answer means: the id to send next (nil: keep the current one), or the id the
    /// venue expects after a stale one, or a refusal.
    public enum Answer: Equatable {
        /// Accepted; the next heartbeat carries this id (nil when the answer names none).
        case accepted(next: String?)
        /// Our id was stale; the venue expects this one.
        case stale(expected: String)
        /// Refused.
        case refused(String)
    }

    /// Reads a heartbeat answer.
    public static func answer(status: Int, body: [UInt8]) -> Answer {
        let j = try? JSONParser.parse(body)
        let id = j?["heartbeat_id"]?.stringValue
        if status == 200 { return .accepted(next: id.flatMap { $0.isEmpty ? nil : $0 }) }
        // A stale id (or, after the registration lapsed, any id): the answer names the one expected ("" to start anew).
        if status == 400, let id { return .stale(expected: id) }
        let text = j?["error_msg"]?.stringValue ?? j?["error"]?.stringValue ?? String(decoding: body.prefix(200), as: UTF8.self)
        return .refused("HTTP \(status): \(text)")
    }
}

extension PolymarketExecutor {
    /// Sends one heartbeat (nil: nothing to send, the switch lapses by itself once no order of
    /// ours is live, which is when the engine stops). A stale id is replaced by the one the venue
    /// names and sent once more; the id is kept across calls (one heartbeat at a time per key).
    public func armDeadman(timeoutMs: Int?) async -> VenueRejection? {
        guard timeoutMs != nil else {
            heartbeatId.withLock { $0 = "" }
            return nil
        }
        for _ in 0..<2 {
            if let r = rest.rateRefusal() { return r }
            let id = heartbeatId.withLock { $0 }
            switch await rest.send(signed("POST", "/v1/heartbeats", body: PolymarketHeartbeats.body(id: id)), timeout: .seconds(5)) {
            case .notSent(let why), .unknown(let why):
                return VenueRejection(code: .venueUnavailable, message: "heartbeat: \(why)", retryable: true)
            case .reply(let r):
                switch PolymarketHeartbeats.answer(status: r.status, body: r.body) {
                case .accepted(let next):
                    if let next { heartbeatId.withLock { $0 = next } }
                    return nil
                case .stale(let expected):
                    logger.notice("polymarket heartbeat id was stale: resuming the venue's chain")
                    heartbeatId.withLock { $0 = expected }
                case .refused(let why):
                    return r.status == 429 || r.status >= 500
                        ? VenueRejection(code: r.status == 429 ? .venueRateLimited : .venueUnavailable, message: "heartbeat: \(why)", retryable: true)
                        : VenueRejection(code: .venueRejected, message: "heartbeat: \(why)")
                }
            }
        }
        return VenueRejection(code: .venueRejected, message: "heartbeat: the venue refused the id it named as expected")
    }
}
