/// Where a feed is in its life.
public enum FeedState: String, Sendable, CaseIterable {
    /// Opening the socket.
    case connecting
    /// Connected; waiting for books to be synced (snapshot, chain) after a (re)connect or a gap.
    case syncing
    /// Connected with every book verified.
    case live
    /// Disconnected; waiting before the next attempt.
    case backoff
    /// Stopped (shutdown or disabled).
    case stopped
}

/// Per-feed health, served by `get_health` and the `feeds` channel.
public struct FeedHealth: Sendable, Equatable {
    /// Venue name.
    public var venue: String
    /// State.
    public var state: FeedState = .connecting
    /// Receive time of the last frame (ns), 0 before the first.
    public var lastMessageAt: Int64 = 0
    /// Connections opened after the first.
    public var reconnects = 0
    /// Book resyncs (snapshot refetch or resubscribe).
    public var resyncs = 0
    /// Sequence gaps and checksum failures detected.
    public var gaps = 0
    /// REST snapshot requests that failed.
    public var snapshotFailures = 0
    /// Frames that failed to decode.
    public var badFrames = 0
    /// The last problem, for operators.
    public var lastError: String?
    /// Venue-native symbols this feed carries.
    public var symbols: [String]

    /// A fresh record.
    public init(venue: String, symbols: [String]) {
        self.venue = venue
        self.symbols = symbols
    }
}
