import AlephCore
import AlephVenueKit
import Testing
@testable import AlephGateway

/// An account snapshot read over REST against values the private stream sent during the read.
@Suite struct AccountSnapshotTests {
    let layer = ExecutionLayerTests()

    func usdt(_ free: Fixed) -> VenueBalance { VenueBalance(asset: "USDT", free: free, locked: .zero) }
    func btc(_ q: Fixed) -> VenuePosition { VenuePosition(instrument: "sim:BTC-USD", quantity: q, entryPrice: nil, unrealizedPnL: nil) }

    @Test func aSnapshotReadBeforeAStreamedUpdateDoesNotOverwriteIt() async throws {
        let ext = ScriptedExecutor()
        let (e, _, _) = try await layer.setup(ext)
        let mark = await e.accountMark(venue: "ext")
        // While the read is in flight the stream reports a fill's wallet and position.
        await e.applyExecution(.balances([usdt(Fixed(90))], complete: false), venue: "ext")
        await e.applyExecution(.positions([btc(Fixed(1))]), venue: "ext")
        // The older answer arrives: the streamed values stay, the rest of the snapshot is taken.
        let stale = VenueAccountSnapshot(balances: [usdt(Fixed(100)), VenueBalance(asset: "BTC", free: Fixed(2), locked: .zero)],
                                         positions: [btc(.zero), VenuePosition(instrument: "sim:ETH-USD", quantity: Fixed(3), entryPrice: nil, unrealizedPnL: nil)])
        await e.applyAccount(stale, venue: "ext", readSince: mark)
        var bal = await e.venueBalances["ext"] ?? [:]
        var pos = await e.venuePositions["ext"] ?? [:]
        #expect(bal["USDT"]?.free == Fixed(90) && bal["BTC"]?.free == Fixed(2))
        #expect(pos["sim:BTC-USD"]?.quantity == Fixed(1) && pos["sim:ETH-USD"]?.quantity == Fixed(3))
        // A read started after the stream's update replaces it, dropping what it no longer lists.
        let fresh = await e.accountMark(venue: "ext")
        await e.applyAccount(VenueAccountSnapshot(balances: [usdt(Fixed(80))], positions: [btc(Fixed(2))]), venue: "ext", readSince: fresh)
        bal = await e.venueBalances["ext"] ?? [:]
        pos = await e.venuePositions["ext"] ?? [:]
        #expect(bal["USDT"]?.free == Fixed(80) && bal["BTC"] == nil)
        #expect(pos["sim:BTC-USD"]?.quantity == Fixed(2) && pos["sim:ETH-USD"] == nil)
    }
}
