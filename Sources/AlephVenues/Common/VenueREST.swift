import AlephCore
import AlephNet
import AlephVenueKit
import Synchronization

/// The REST side every live executor shares: one transport, the venue's rate gate, and the
/// offset between our clock and the venue's (signed requests carry venue time).
public final class VenueREST: Sendable {
    /// Venue name (for messages).
    public let venue: String
    let http: any HTTPSending
    /// Rate-limit state.
    public let gate = RateGate()
    let time: any TimeSource
    private let offset = Mutex<(ms: Int64, synced: Bool)>((0, false))
    /// Reads rate-limit headers of every answer (venue-specific).
    let onReply: @Sendable (HTTPReply, VenueREST) -> Void

    /// Creates the shared part.
    public init(venue: String, time: any TimeSource, transport: any HTTPSending = HTTPTransport(),
                onReply: @escaping @Sendable (HTTPReply, VenueREST) -> Void = { _, _ in }) {
        self.venue = venue
        self.http = transport
        self.time = time
        self.onReply = onReply
    }

    /// Our clock in ns.
    public func nowNanos() -> Int64 { time.nowNanos() }
    /// Venue time in ms.
    public func nowMs() -> Int64 { time.nowNanos() / 1_000_000 + offset.withLock { $0.ms } }
    /// The measured offset (ms).
    public var offsetMs: Int64 { offset.withLock { $0.ms } }
    /// True once the offset was measured.
    public var synced: Bool { offset.withLock { $0.synced } }

    /// Sets the offset from a server time read between `sentMs` and `backMs` (our clock).
    public func setServerTime(_ serverMs: Int64, sentMs: Int64, backMs: Int64) {
        offset.withLock { $0 = (serverMs - (sentMs + backMs) / 2, true) }
    }

    /// Sends one request, accounting its answer.
    public nonisolated(nonsending) func send(_ req: HTTPRequestSpec, timeout: Duration) async -> HTTPOutcome {
        let outcome = await http.send(req, timeout: timeout, maxBody: 32 << 20)
        if case .reply(let r) = outcome { onReply(r, self) }
        return outcome
    }

    /// The wait before anything may be sent, as a refusal, or nil when the gate is open.
    public func rateRefusal() -> VenueRejection? {
        guard let wait = gate.wait(now: time.nowNanos()) else { return nil }
        return VenueRejection(code: .venueRateLimited, message: "\(venue) rate limit: nothing is sent for \(wait) ms", retryable: true, retryAfterMs: wait)
    }

    /// A request that must answer 200; anything else throws (queries, not placements).
    public func get(_ req: HTTPRequestSpec, describe: @Sendable (HTTPReply) -> String = { "HTTP \($0.status)" }) async throws -> [UInt8] {
        if let r = rateRefusal() { throw HTTPFailure(description: r.message) }
        switch await send(req, timeout: .seconds(10)) {
        case .reply(let r) where r.status == 200: return r.body
        case .reply(let r): throw HTTPFailure(description: "\(venue): \(describe(r))")
        case .notSent(let why), .unknown(let why): throw HTTPFailure(description: "\(venue): \(why)")
        }
    }
}
