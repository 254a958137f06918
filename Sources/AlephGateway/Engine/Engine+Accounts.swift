import AlephCore
import AlephRPC
import AlephVenueKit

extension Engine {
    /// Absolute balances from a venue (`complete`: the whole account, replacing what was known).
    func applyBalances(_ list: [VenueBalance], complete: Bool, venue: String, at now: Int64) {
        var m = complete ? [:] : venueBalances[venue] ?? [:]
        for b in list { m[b.asset] = b }
        venueBalances[venue] = m
    }

    /// Current derivatives positions from a venue.
    func applyVenuePositions(_ list: [VenuePosition], venue: String) {
        var m = venuePositions[venue] ?? [:]
        for p in list { m[p.instrument] = p }
        venuePositions[venue] = m
    }

    /// A venue account snapshot (start, reconnect, refresh).
    public func applyAccount(_ a: VenueAccountSnapshot, venue: String) {
        applyBalances(a.balances, complete: true, venue: venue, at: time.nowNanos())
        venuePositions[venue] = Dictionary(a.positions.map { ($0.instrument, $0) }, uniquingKeysWith: { _, b in b })
    }
}
