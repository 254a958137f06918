import AlephBook
import AlephCore

/// What one inbound frame (or snapshot) asks of the feed runner.
public struct AdapterOutput: Sendable {
    /// Events for the engine.
    public var events: [MarketEvent] = []
    /// Symbols whose REST snapshot must be fetched (Binance).
    public var snapshotsNeeded: [String] = []
    /// Frames to send (resubscriptions).
    public var send: [String] = []
    /// Gaps or checksum failures detected.
    public var gaps = 0
    /// Resyncs started.
    public var resyncs = 0
    /// A problem worth reporting (venue error reply).
    public var problem: String?
    /// Set when the venue asks us to reconnect (e.g. Binance `serverShutdown`).
    public var reconnect: String?
    /// An empty output.
    public init() {}
}

/// One venue's wire protocol over one connection: URLs, subscriptions, heartbeat, and the pure
/// per-symbol book syncs. Paper, replay and live share these decoders and syncs.
public protocol VenueAdapter: Sendable {
    /// Venue name.
    var venue: String { get }
    /// Socket URL.
    var streamURL: String { get }
    /// Frames sent right after connecting.
    var subscribeFrames: [String] { get }
    /// The venue's text heartbeat, if it has one (Binance uses protocol pings the client answers).
    var heartbeatFrame: String? { get }
    /// True when every book is verified.
    var allSynced: Bool { get }
    /// After a disconnect: every book unverified until resynced; returns the events that say so.
    mutating func reset() -> [MarketEvent]
    /// Handles one text frame.
    mutating func onFrame(_ bytes: UnsafeRawBufferPointer, receiveTime: Int64) throws(WireError) -> AdapterOutput
    /// Handles a REST snapshot body for `symbol`.
    mutating func onSnapshot(symbol: String, _ bytes: UnsafeRawBufferPointer, receiveTime: Int64) throws(WireError) -> AdapterOutput
    /// The REST snapshot URL for a symbol, if the venue syncs from REST.
    func snapshotURL(symbol: String) -> String?
}

extension BookSyncResult {
    /// Folds a sync result into an output; `book` is the sync's book after it. Returns true
    /// when the book must be resynced.
    public func fold(into out: inout AdapterOutput, book: OrderBook) -> Bool {
        switch self {
        case .applied: out.events.append(.book(book)); return false
        case .buffered, .stale: return false
        case .snapshotTooOld: out.resyncs += 1; return false
        case .resync(let why):
            out.gaps += 1
            out.resyncs += 1
            out.problem = why
            out.events.append(.book(book))
            return true
        }
    }
}
