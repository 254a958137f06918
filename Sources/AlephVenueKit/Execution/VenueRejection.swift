/// Stable codes for a venue's refusal, so an agent can act on it whatever the venue.
public enum VenueRejectionCode: String, Sendable, CaseIterable, Codable {
    /// The venue refused the order (filters, parameters, market closed…): see `venue_code`.
    case venueRejected = "venue_rejected"
    /// Not enough balance or margin at the venue.
    case insufficientBalance = "insufficient_balance"
    /// The venue's rate limit: retry after `retry_after_ms`.
    case venueRateLimited = "venue_rate_limited"
    /// The venue could not be reached or refused service before taking the order (nothing was placed).
    case venueUnavailable = "venue_unavailable"
    /// A post-only order would have taken liquidity.
    case postOnlyWouldCross = "post_only_would_cross"
    /// Our credentials or permissions were refused (key, signature, IP whitelist, clock).
    case venueAuth = "venue_auth"
}

/// A definite refusal by a venue: nothing was placed (or, for a cancel, nothing changed).
public struct VenueRejection: Sendable, Equatable, Error, CustomStringConvertible {
    /// The stable code.
    public var code: VenueRejectionCode
    /// The venue's own code (`-2010`, `51008`, `110007`…), as text.
    public var venueCode: String?
    /// The venue's message.
    public var message: String
    /// True when the same request may pass later unchanged.
    public var retryable: Bool
    /// For rate limits: when to retry (ms from now).
    public var retryAfterMs: Int?

    /// Creates a rejection.
    public init(code: VenueRejectionCode, venueCode: String? = nil, message: String, retryable: Bool = false, retryAfterMs: Int? = nil) {
        self.code = code
        self.venueCode = venueCode
        self.message = message
        self.retryable = retryable
        self.retryAfterMs = retryAfterMs
    }

    /// `code (venue code): message`.
    public var description: String { "\(code.rawValue)\(venueCode.map { " (\($0))" } ?? ""): \(message)" }
}
