import NIOCore

/// One framed inbound item.
public enum InboundFrame: Sendable, Equatable {
    /// A complete line without its `\n` (and without a trailing `\r`).
    case line(ByteBuffer)
    /// A line longer than the cap was discarded; `bytes` is how much was seen before giving up.
    case tooLong(limit: Int)
}

/// Splits a byte stream into newline-terminated lines with a hard cap.
///
/// A line over `maxLineBytes` is reported once as `.tooLong` and the rest of it is skipped
/// as it arrives, so memory never holds more than the cap plus one read.
public struct LineFrameDecoder: ByteToMessageDecoder {
    /// Output type.
    public typealias InboundOut = InboundFrame
    private let maxLineBytes: Int
    private var discarding = false
    private var scanned = 0

    /// Creates a decoder with a cap in bytes.
    public init(maxLineBytes: Int) { self.maxLineBytes = maxLineBytes }

    /// Emits the next line, if a complete one is buffered.
    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        let searchStart = view.startIndex + scanned
        if let nl = view[searchStart...].firstIndex(of: 0x0A) {
            let length = nl - view.startIndex
            scanned = 0
            if discarding {
                buffer.moveReaderIndex(forwardBy: length + 1)
                discarding = false
                return .continue
            }
            if length > maxLineBytes {
                buffer.moveReaderIndex(forwardBy: length + 1)
                context.fireChannelRead(wrapInboundOut(.tooLong(limit: maxLineBytes)))
                return .continue
            }
            var line = buffer.readSlice(length: length)!
            buffer.moveReaderIndex(forwardBy: 1)
            if line.readableBytes > 0, line.getInteger(at: line.writerIndex - 1, as: UInt8.self) == 0x0D {
                line = line.getSlice(at: line.readerIndex, length: line.readableBytes - 1)!
            }
            context.fireChannelRead(wrapInboundOut(.line(line)))
            return .continue
        }
        if discarding {
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            scanned = 0
            return .needMoreData
        }
        if buffer.readableBytes > maxLineBytes {
            discarding = true
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            scanned = 0
            context.fireChannelRead(wrapInboundOut(.tooLong(limit: maxLineBytes)))
            return .needMoreData
        }
        scanned = buffer.readableBytes
        return .needMoreData
    }

    /// At end of input a final unterminated line is still delivered.
    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        if !discarding, buffer.readableBytes > 0 {
            let line = buffer.readSlice(length: buffer.readableBytes)!
            scanned = 0
            context.fireChannelRead(wrapInboundOut(.line(line)))
        }
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        return .needMoreData
    }
}
