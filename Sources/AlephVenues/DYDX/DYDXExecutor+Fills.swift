import AlephCore
import AlephVenueKit

/// The fills catch-up: every Indexer page since a point in time.
extension DYDXExecutor {
    /// Fills since `since` (ns), newest first from the Indexer, page after page: each next page
    /// asks for fills at or below the oldest height seen (that height comes again; its fills are
    /// dropped by id) — or, when a whole page sat at that one height, for the next `page` of it —
    /// until a page is short, reaches `since`, or brings nothing new.
    public func fills(since: Int64) async throws -> [VenueFillReport] {
        var out: [VenueFillReport] = []
        var seen: Set<String> = []
        var below: Int64?
        var pageNumber = 1
        for _ in 0..<DYDXExecutor.fillPagesMax {
            let j = try await indexer("/fills?\(subaccountQuery)&limit=\(DYDXExecutor.fillPage)" + (below.map { "&createdBeforeOrAtHeight=\($0)" } ?? "")
                                      + (pageNumber > 1 ? "&page=\(pageNumber)" : ""))
            let page = j["fills"]?.arrayValue ?? []
            var oldest: Int64?, newest: Int64?, reachedSince = false, fresh = 0
            for f in page {
                if let h = f["createdAtHeight"]?.stringValue.flatMap({ Int64($0) }) { oldest = min(oldest ?? h, h); newest = max(newest ?? h, h) }
                guard let r = DYDXExecWire.fill(f) else { continue }
                if r.fill.timestamp != 0 && r.fill.timestamp < since - 2_000_000_000 { reachedSince = true; continue }
                guard seen.insert(r.fill.venueTradeId).inserted, let inst = instrument(ticker: r.ticker) else { continue }
                fresh += 1
                var cid = owner(r.orderUUID)
                if cid == nil, let o = try? await indexer("/orders/\(r.orderUUID)"), let io = DYDXExecWire.order(o) {
                    _ = observe(io)
                    cid = io.clientOrderId
                }
                out.append(VenueFillReport(clientOrderId: cid, venueOrderId: r.orderUUID, instrument: inst.id, fill: r.fill))
            }
            guard page.count >= DYDXExecutor.fillPage, !reachedSince, let oldest else { break }
            if oldest == newest && oldest == below {
                pageNumber += 1                        // one height fills pages: read on through it
            } else {
                guard fresh > 0 else { break }
                below = oldest
                pageNumber = 1
            }
        }
        return out
    }

    /// Fills asked for per Indexer page (its maximum).
    static let fillPage = 1_000
    /// Pages read at most per catch-up.
    static let fillPagesMax = 50
}
