import AlephCrypto

/// dYdX v4 CLOB messages (`dydxprotocol.clob`), hand-encoded in proto3: `OrderId`, `Order`,
/// `MsgPlaceOrder`, `MsgCancelOrder`. Field numbers and wire types from `order.proto`/`tx.proto`
/// (`client_id` and `good_til_block_time` are fixed32).
public enum DYDXMessages {
    /// `OrderId`.
    public struct OrderId: Sendable, Equatable {
        /// Subaccount owner (bech32 `dydx1…`).
        public var owner: String
        /// Subaccount number.
        public var number: UInt32
        /// Client id (unique among the subaccount's live orders).
        public var clientId: UInt32
        /// 0 short-term, 32 conditional, 64 long-term.
        public var orderFlags: UInt32
        /// The market's CLOB pair.
        public var clobPairId: UInt32

        /// Creates an order id.
        public init(owner: String, number: UInt32, clientId: UInt32, orderFlags: UInt32, clobPairId: UInt32) {
            self.owner = owner
            self.number = number
            self.clientId = clientId
            self.orderFlags = orderFlags
            self.clobPairId = clobPairId
        }

        /// Encoded.
        public var bytes: [UInt8] {
            var sub = ProtoWriter()
            sub.string(1, owner)
            sub.varint(2, UInt64(number))
            var w = ProtoWriter()
            w.message(1, sub.bytes)
            w.fixed32(2, clientId)
            w.varint(3, UInt64(orderFlags))
            w.varint(4, UInt64(clobPairId))
            return w.bytes
        }
    }

    /// How long an order or cancel lives.
    public enum GoodTil: Sendable, Equatable {
        /// Short-term: the last block it may execute in.
        case block(UInt32)
        /// Stateful: unix seconds.
        case time(UInt32)
    }

    /// `Order`.
    public struct Order: Sendable, Equatable {
        /// Its id.
        public var id: OrderId
        /// 1 buy, 2 sell.
        public var side: UInt32
        /// Size in base quantums.
        public var quantums: UInt64
        /// Price in subticks.
        public var subticks: UInt64
        /// Expiry.
        public var goodTil: GoodTil
        /// 0 resting, 1 IOC, 2 post-only.
        public var timeInForce: UInt32 = 0
        /// Reduce-only.
        public var reduceOnly = false
        /// Free bits shown by the Indexer.
        public var clientMetadata: UInt32 = 0
        /// 0 none, 1 stop-loss, 2 take-profit.
        public var conditionType: UInt32 = 0
        /// Trigger of a conditional order.
        public var conditionalOrderTriggerSubticks: UInt64 = 0

        /// Creates an order.
        public init(id: OrderId, side: UInt32, quantums: UInt64, subticks: UInt64, goodTil: GoodTil) {
            self.id = id
            self.side = side
            self.quantums = quantums
            self.subticks = subticks
            self.goodTil = goodTil
        }

        /// Encoded.
        public var bytes: [UInt8] {
            var w = ProtoWriter()
            w.message(1, id.bytes)
            w.varint(2, UInt64(side))
            w.varint(3, quantums)
            w.varint(4, subticks)
            switch goodTil {
            case .block(let b): w.varint(5, UInt64(b), always: true)
            case .time(let t): w.fixed32(6, t, always: true)
            }
            w.varint(7, UInt64(timeInForce))
            w.bool(8, reduceOnly)
            w.varint(9, UInt64(clientMetadata))
            w.varint(10, UInt64(conditionType))
            w.varint(11, conditionalOrderTriggerSubticks)
            return w.bytes
        }
    }

    /// `Any{MsgPlaceOrder{order}}`.
    public static func placeOrder(_ o: Order) -> [UInt8] {
        var w = ProtoWriter()
        w.message(1, o.bytes)
        return CosmosTx.any("/dydxprotocol.clob.MsgPlaceOrder", w.bytes)
    }

    /// `Any{MsgCancelOrder{order_id, good_til}}`.
    public static func cancelOrder(_ id: OrderId, goodTil: GoodTil) -> [UInt8] {
        var w = ProtoWriter()
        w.message(1, id.bytes)
        switch goodTil {
        case .block(let b): w.varint(2, UInt64(b), always: true)
        case .time(let t): w.fixed32(3, t, always: true)
        }
        return CosmosTx.any("/dydxprotocol.clob.MsgCancelOrder", w.bytes)
    }
}
