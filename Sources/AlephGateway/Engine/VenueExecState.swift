import AlephVenueKit

/// Where an execution venue stands, for routing and `get_health`.
public enum VenueExecPhase: String, Sendable, CaseIterable {
    /// After a start: orders the ledger holds as live are being checked with the venue; no new orders yet.
    case reconciling
    /// Trading.
    case live
    /// Trading, but the private stream is down or lookups fail: fills may arrive late (caught up on reconnect).
    case degraded
}

/// One execution venue's state and counters.
struct VenueExecState: Sendable {
    /// Venue name.
    var venue: String
    /// Paper or live.
    var mode: ExecutionMode
    /// Phase.
    var state: VenueExecPhase
    /// The private stream is subscribed.
    var streamUp = false
    /// Last problem seen.
    var lastError: String?
    /// When the last reconciliation finished (ns), 0 never.
    var reconciledAt: Int64 = 0
    /// Orders adopted from the venue (ours, missing from the ledger).
    var adopted = 0
    /// Orphans cancelled at the venue.
    var orphansCancelled = 0
    /// Uncertain orders resolved.
    var resolved = 0
    /// Private-stream reconnects.
    var streamReconnects = 0
    /// Fills booked from catch-ups (missed by the stream).
    var caughtUpFills = 0
    /// Rate-limit usage as the venue reports it.
    var rateLimit = RateLimitUsage()
    /// Latest fill time seen (ns), the catch-up start.
    var lastFillAt: Int64 = 0

    init(venue: String, mode: ExecutionMode, state: VenueExecPhase) {
        self.venue = venue
        self.mode = mode
        self.state = state
    }
}
