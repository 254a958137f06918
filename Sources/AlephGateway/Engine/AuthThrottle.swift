/// Counts wrong admin tokens per source address so guessing stays slow: a connection is closed
/// after `perConnection` failures, and a source with `perSource` failures inside `window` is
/// refused (without checking the token) until its oldest failure leaves the window.
struct AuthThrottle: Sendable {
    /// Wrong tokens a connection may send before it is closed.
    static let perConnection = 3
    /// Wrong tokens a source may send per window before it is locked out.
    static let perSource = 10
    /// The sliding window (ns).
    static let window: Int64 = 60_000_000_000
    /// Sources remembered at most (the oldest are forgotten first).
    static let maxSources = 10_000

    private var failures: [String: [Int64]] = [:]

    /// Records a failure; returns the source's failures inside the window.
    mutating func fail(source: String, now: Int64) -> Int {
        var list = failures[source, default: []].filter { now - $0 < AuthThrottle.window }
        list.append(now)
        if failures[source] == nil && failures.count >= AuthThrottle.maxSources {
            let stale = failures.filter { $0.value.allSatisfy { now - $0 >= AuthThrottle.window } }.map(\.key)
            for k in stale { failures[k] = nil }
            if failures.count >= AuthThrottle.maxSources, let oldest = failures.min(by: { ($0.value.last ?? 0) < ($1.value.last ?? 0) })?.key {
                failures[oldest] = nil
            }
        }
        failures[source] = list
        return list.count
    }

    /// Milliseconds until `source` may try again, or nil when it is not locked out.
    func lockedOut(source: String, now: Int64) -> Int? {
        guard let list = failures[source] else { return nil }
        let recent = list.filter { now - $0 < AuthThrottle.window }
        guard recent.count >= AuthThrottle.perSource, let first = recent.first else { return nil }
        return Int(max(1, (first + AuthThrottle.window - now) / 1_000_000))
    }
}
