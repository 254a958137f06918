/// When the private stream last changed each of one venue's balances and positions, on a
/// per-venue counter. An account snapshot read over REST takes the counter before the read and
/// keeps any value streamed after it: a slow answer never overwrites a newer streamed value.
struct AccountMarks: Sendable {
    /// The counter: bumped by every streamed balance or position update.
    private(set) var seq: Int64 = 0
    private var balances: [String: Int64] = [:]
    private var positions: [String: Int64] = [:]

    /// Notes streamed balances of these assets.
    mutating func touchBalances(_ assets: some Sequence<String>) {
        seq += 1
        for a in assets { balances[a] = seq }
    }

    /// Notes streamed positions of these instruments.
    mutating func touchPositions(_ instruments: some Sequence<String>) {
        seq += 1
        for i in instruments { positions[i] = seq }
    }

    /// True when the stream changed the asset's balance after `mark` was taken.
    func balanceNewer(_ asset: String, than mark: Int64) -> Bool { (balances[asset] ?? 0) > mark }

    /// True when the stream changed the instrument's position after `mark` was taken.
    func positionNewer(_ instrument: String, than mark: Int64) -> Bool { (positions[instrument] ?? 0) > mark }
}
