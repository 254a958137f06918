import AlephCore
import AlephNet
import AlephRPC
import AlephVenueKit

/// The Indexer's `v4_subaccounts` channel for our subaccount (order states and fills; the
/// `subscribed` reply carries the open orders) and `v4_block_height` (the chain's height, which
/// short-term orders live by). No login: the channel is public per address. Up once the
/// subaccount channel is acknowledged; its orders are translated by the executor, which knows
/// the height and the cancels it sent.
public struct DYDXPrivateStream: PrivateStreamProtocol {
    /// The Indexer socket URL.
    public let url: String
    /// `{"type":"ping"}` period.
    public let heartbeatMs: Int
    /// No frame for this long: reconnect.
    public let idleTimeoutMs: Int
    let channelId: String
    let observe: @Sendable (DYDXExecWire.IndexerOrder) -> VenueOrderState
    let owner: @Sendable (String) -> String?
    let onHeight: @Sendable (Int64) -> Void
    let onFills: @Sendable (String, [VenueFill]) -> Void

    /// Creates the stream for `address/subaccount`; `observe` turns an Indexer order into its
    /// state, `owner` names the client order id of an order UUID, `onHeight` takes block heights.
    public init(url: String, address: String, subaccount: Int, heartbeatMs: Int, idleTimeoutMs: Int,
                observe: @escaping @Sendable (DYDXExecWire.IndexerOrder) -> VenueOrderState, owner: @escaping @Sendable (String) -> String?,
                onHeight: @escaping @Sendable (Int64) -> Void, onFills: @escaping @Sendable (String, [VenueFill]) -> Void = { _, _ in }) {
        self.url = url
        self.heartbeatMs = heartbeatMs
        self.idleTimeoutMs = idleTimeoutMs
        channelId = "\(address)/\(subaccount)"
        self.observe = observe
        self.owner = owner
        self.onHeight = onHeight
        self.onFills = onFills
    }

    /// Subscribes the subaccount and the block height.
    public mutating func openingFrames(nowMs: Int64) -> [String] {
        [#"{"type":"subscribe","channel":"v4_subaccounts","id":\#(JSONWriter.string(.string(channelId)))}"#,
         #"{"type":"subscribe","channel":"v4_block_height"}"#]
    }

    /// JSON ping.
    public func heartbeatFrame(nowMs: Int64) -> String? { #"{"type":"ping"}"# }

    /// Translates one frame.
    public mutating func onFrame(_ text: String, nowMs: Int64) -> PrivateStreamOutput {
        var out = PrivateStreamOutput()
        guard let j = try? JSONParser.parse(Array(text.utf8)), let type = j["type"]?.stringValue else { return out }
        let channel = j["channel"]?.stringValue ?? ""
        switch type {
        case "error":
            let why = j["message"]?.stringValue ?? text
            out.reconnect = "dYdX Indexer error: \(why.prefix(200))"
        case "subscribed" where channel == "v4_subaccounts":
            out.ready = true
            translate(j["contents"], into: &out)
        case "subscribed" where channel == "v4_block_height", "channel_data" where channel == "v4_block_height":
            height(j["contents"])
        case "channel_batch_data" where channel == "v4_block_height":
            for c in j["contents"]?.arrayValue ?? [] { height(c) }
        case "channel_data" where channel == "v4_subaccounts":
            translate(j["contents"], into: &out)
        case "channel_batch_data" where channel == "v4_subaccounts":
            for c in j["contents"]?.arrayValue ?? [] { translate(c, into: &out) }
        default: break
        }
        return out
    }

    func height(_ c: JSON?) {
        if let h = DYDXExecWire.int(c?["blockHeight"] ?? c?["height"]), h > 0 { onHeight(h) }
    }

    /// Orders first in the events (they name the UUIDs fills refer to), then fills; the fills are
    /// handed to `onFills` before the orders' states are taken, so an order answer waiting for its
    /// end finds them with it.
    func translate(_ c: JSON?, into out: inout PrivateStreamOutput) {
        guard let c else { return }
        if let h = DYDXExecWire.int(c["blockHeight"]), h > 0 { onHeight(h) }
        let orders = (c["orders"]?.arrayValue ?? []).compactMap(DYDXExecWire.order)
        var local: [String: String] = [:]
        for o in orders { local[o.uuid] = o.clientOrderId }
        var fillEvents: [ExecutionEvent] = []
        for f in c["fills"]?.arrayValue ?? [] {
            guard let r = DYDXExecWire.fill(f) else { continue }
            let cid = local[r.orderUUID] ?? owner(r.orderUUID) ?? ""
            if !cid.isEmpty { onFills(cid, [r.fill]) }
            fillEvents.append(.order(VenueOrderState(clientOrderId: cid, venueOrderId: r.orderUUID, status: nil, fills: [r.fill], timestamp: r.fill.timestamp)))
        }
        for o in orders { out.events.append(.order(observe(o))) }
        out.events += fillEvents
    }
}
