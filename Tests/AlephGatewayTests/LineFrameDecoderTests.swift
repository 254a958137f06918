import NIOCore
import NIOEmbedded
import Testing
@testable import AlephGateway

@Suite struct LineFrameDecoderTests {
    func channel(max: Int) throws -> EmbeddedChannel {
        let ch = EmbeddedChannel()
        try ch.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder(maxLineBytes: max)))
        return ch
    }

    func frames(_ ch: EmbeddedChannel) throws -> [String] {
        var out: [String] = []
        while let f = try ch.readInbound(as: InboundFrame.self) {
            switch f {
            case .line(let b): out.append(String(buffer: b))
            case .tooLong(let limit): out.append("<too long \(limit)>")
            }
        }
        return out
    }

    @Test func splitsAcrossReads() throws {
        let ch = try channel(max: 100)
        try ch.writeInbound(ByteBuffer(string: "ab"))
        #expect(try frames(ch).isEmpty)
        try ch.writeInbound(ByteBuffer(string: "c\r\nde\n\nf"))
        #expect(try frames(ch) == ["abc", "de", ""])
        try ch.writeInbound(ByteBuffer(string: "g\n"))
        #expect(try frames(ch) == ["fg"])
        _ = try ch.finish()
    }

    @Test func oversizedLineIsReportedOnceAndSkipped() throws {
        let ch = try channel(max: 10)
        try ch.writeInbound(ByteBuffer(string: String(repeating: "x", count: 25)))
        #expect(try frames(ch) == ["<too long 10>"])
        try ch.writeInbound(ByteBuffer(string: String(repeating: "y", count: 1000)))
        #expect(try frames(ch).isEmpty)
        try ch.writeInbound(ByteBuffer(string: "zz\nok\n"))
        #expect(try frames(ch) == ["ok"])
        try ch.writeInbound(ByteBuffer(string: "0123456789\n01234567890\nfine\n"))
        #expect(try frames(ch) == ["0123456789", "<too long 10>", "fine"])
        _ = try ch.finish()
    }

    @Test func finalUnterminatedLineIsDeliveredAtEOF() throws {
        let ch = try channel(max: 100)
        try ch.writeInbound(ByteBuffer(string: "a\nlast"))
        #expect(try frames(ch) == ["a"])
        ch.pipeline.fireChannelInactive()
        #expect(try frames(ch) == ["last"])
    }
}
