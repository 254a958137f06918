import AlephCore
import AlephNet
import AlephRPC
import AlephVenueKit

/// The spot user data stream over the WebSocket API: `userDataStream.subscribe.signature` (any
/// key type, signed like every WS-API request), then `{"subscriptionId","event"}` frames. There is
/// no replay: after every (re)subscribe the engine catches up by REST.
public struct BinanceUserStream: PrivateStreamProtocol {
    /// The WebSocket-API URL.
    public let url: String
    let requests: BinanceRequests
    let instruments: @Sendable (String) -> Instrument?
    let offsetMs: @Sendable () -> Int64
    /// Binance pings us; we send nothing.
    public let heartbeatMs = 0
    /// Binance pings every 20 s: a minute without frames is a dead socket.
    public let idleTimeoutMs: Int
    var requestNumber = 0

    /// Creates the stream protocol.
    public init(url: String, requests: BinanceRequests, idleTimeoutMs: Int, offsetMs: @escaping @Sendable () -> Int64,
                instruments: @escaping @Sendable (String) -> Instrument?) {
        self.url = url
        self.requests = requests
        self.idleTimeoutMs = idleTimeoutMs
        self.offsetMs = offsetMs
        self.instruments = instruments
    }

    /// Subscribes at once.
    public mutating func openingFrames(nowMs: Int64) -> [String] {
        requestNumber += 1
        return [requests.userDataSubscribe(id: "ax-uds-\(requestNumber)", timestampMs: nowMs + offsetMs())]
    }

    /// None.
    public func heartbeatFrame(nowMs: Int64) -> String? { nil }

    /// Translates one frame.
    public mutating func onFrame(_ text: String, nowMs: Int64) -> PrivateStreamOutput {
        var out = PrivateStreamOutput()
        guard let j = try? JSONParser.parse(Array(text.utf8)) else { return out }
        if let status = j["status"]?.intValue {
            if status == 200, j["result"]?["subscriptionId"] != nil { out.ready = true }
            else if status != 200 {
                let err = j["error"]
                out.reconnect = "user data stream refused: \(err?["code"]?.intValue.map(String.init) ?? String(status)) \(err?["msg"]?.stringValue ?? "")"
            }
            return out
        }
        guard let e = j["event"], let kind = e["e"]?.stringValue else { return out }
        switch kind {
        case "executionReport":
            if let sym = e["s"]?.stringValue, let inst = instruments(sym), let s = BinanceExecWire.executionReport(e, instrument: inst) {
                out.events.append(.order(s))
            }
        case "outboundAccountPosition":
            out.events.append(.balances(BinanceExecWire.accountPosition(e), complete: false))
        case "eventStreamTerminated":
            out.reconnect = "Binance ended the user data stream"
        case "serverShutdown":
            out.reconnect = "Binance server shutdown"
        default: break
        }
        return out
    }
}
