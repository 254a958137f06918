import Synchronization
import Testing
@testable import AlephGateway

@Suite struct OutboxTests {
    func text(_ b: [UInt8]?) -> String { String(decoding: b ?? [], as: UTF8.self) }

    @Test func keepsOrderAndConflatesBooks() async {
        let o = Outbox(onOverflow: { _ in })
        o.push(Array("r1".utf8))
        o.pushConflated(slot: 1, Array("book-a".utf8))
        o.push(Array("fill".utf8))
        o.pushConflated(slot: 1, Array("book-b".utf8))
        o.pushConflated(slot: 2, Array("other".utf8))
        #expect(o.conflatedCount == 1)
        #expect(text(await o.nextBatch()) == "r1\nbook-b\nfill\nother\n")
        o.pushConflated(slot: 1, Array("book-c".utf8))
        o.finish()
        #expect(text(await o.nextBatch()) == "book-c\n")
        #expect(await o.nextBatch() == nil)
        #expect(!o.push([1]))
    }

    @Test func overflowClosesWithReasonAndNeverGrows() async {
        let reasons = Mutex<[String]>([])
        let o = Outbox(maxQueued: 4, onOverflow: { r in reasons.withLock { $0.append(r) } })
        for k in 0..<10 { o.push(Array("m\(k)".utf8)) }
        #expect(o.queuedCount == 4)
        #expect(reasons.withLock { $0.count } == 1)
        #expect(o.closedReason?.contains("slow consumer") == true)
        #expect(await o.nextBatch() == nil)
        // Book updates still conflate instead of overflowing.
        let p = Outbox(maxQueued: 2, onOverflow: { _ in })
        for k in 0..<1000 { p.pushConflated(slot: 7, Array("b\(k)".utf8)) }
        let batch = await p.nextBatch()
        #expect(p.closedReason == nil && text(batch) == "b999\n")
    }

    @Test func readerWaitsForSpace() async {
        let o = Outbox(maxQueued: 100, readerHighWater: 2, onOverflow: { _ in })
        o.push([1]); o.push([2]); o.push([3])
        async let waited: Void = o.waitForSpace()
        _ = await o.nextBatch()
        await waited
        #expect(o.queuedCount == 0)
    }
}
