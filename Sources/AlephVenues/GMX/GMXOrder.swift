import AlephCrypto
import BigInt

/// GMX v2.2 `CreateOrderParams` and the `ExchangeRouter.multicall` that carries it (execution fee
/// and collateral to the OrderVault, then `createOrder`), as pure calldata builders.
public struct GMXOrder: Sendable, Equatable {
    /// GMX's order types.
    public enum OrderType: UInt8, Sendable {
        /// Swap at market.
        case marketSwap = 0
        /// Swap at a limit.
        case limitSwap = 1
        /// Open or add at market.
        case marketIncrease = 2
        /// Open or add at a limit.
        case limitIncrease = 3
        /// Reduce or close at market.
        case marketDecrease = 4
        /// Take profit.
        case limitDecrease = 5
        /// Stop loss.
        case stopLossDecrease = 6
        /// Keeper only.
        case liquidation = 7
        /// Open or add on a stop.
        case stopIncrease = 8

        /// Increases and swaps send collateral; decreases only the fee.
        public var isIncrease: Bool { self == .marketIncrease || self == .limitIncrease || self == .stopIncrease }
        /// Market orders (validFromTime must be 0; cancellable only after the request expiry).
        public var isMarket: Bool { self == .marketSwap || self == .marketIncrease || self == .marketDecrease }
    }

    /// `addresses.receiver`.
    public var receiver: [UInt8]
    /// `addresses.cancellationReceiver` (zero: the receiver).
    public var cancellationReceiver: [UInt8] = [UInt8](repeating: 0, count: 20)
    /// `addresses.callbackContract`.
    public var callbackContract: [UInt8] = [UInt8](repeating: 0, count: 20)
    /// `addresses.uiFeeReceiver`.
    public var uiFeeReceiver: [UInt8] = [UInt8](repeating: 0, count: 20)
    /// `addresses.market` (the GM market token).
    public var market: [UInt8]
    /// `addresses.initialCollateralToken`.
    public var initialCollateralToken: [UInt8]
    /// `addresses.swapPath`.
    public var swapPath: [[UInt8]] = []
    /// USD × 10^30.
    public var sizeDeltaUsd: BigUInt
    /// Collateral in token units (decreases: the amount withdrawn).
    public var initialCollateralDeltaAmount: BigUInt = 0
    /// Price units (USD per smallest index-token unit × 10^30); 0 for market orders.
    public var triggerPrice: BigUInt = 0
    /// Worst accepted price, price units.
    public var acceptablePrice: BigUInt
    /// Wei of the native token for the keeper.
    public var executionFee: BigUInt
    /// `numbers.callbackGasLimit`.
    public var callbackGasLimit: BigUInt = 0
    /// `numbers.minOutputAmount`.
    public var minOutputAmount: BigUInt = 0
    /// Unix seconds; 0 for market orders.
    public var validFromTime: BigUInt = 0
    /// The order type.
    public var orderType: OrderType
    /// `decreasePositionSwapType`.
    public var decreasePositionSwapType: UInt8 = 0
    /// Long or short.
    public var isLong: Bool
    /// Pay out native ETH rather than WETH.
    public var shouldUnwrapNativeToken: Bool = false
    /// Cancel with the position (limit/stop orders).
    public var autoCancel: Bool = false
    /// 32 bytes, zero for none.
    public var referralCode: [UInt8] = [UInt8](repeating: 0, count: 32)
    /// v2.2 `dataList`.
    public var dataList: [[UInt8]] = []

    /// Creates an order with the required fields (the rest default to zero/false/empty).
    public init(receiver: [UInt8], market: [UInt8], initialCollateralToken: [UInt8], sizeDeltaUsd: BigUInt, acceptablePrice: BigUInt,
                executionFee: BigUInt, orderType: OrderType, isLong: Bool) {
        self.receiver = receiver
        self.market = market
        self.initialCollateralToken = initialCollateralToken
        self.sizeDeltaUsd = sizeDeltaUsd
        self.acceptablePrice = acceptablePrice
        self.executionFee = executionFee
        self.orderType = orderType
        self.isLong = isLong
    }

    /// The v2.2 `createOrder` signature.
    public static let createOrderSignature =
        "createOrder(((address,address,address,address,address,address,address[]),(uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint256),uint8,uint8,bool,bool,bool,bytes32,bytes32[]))"

    /// The params tuple as an ABI value.
    public var params: ABIValue {
        .tuple([
            .tuple([.address(receiver), .address(cancellationReceiver), .address(callbackContract), .address(uiFeeReceiver), .address(market),
                    .address(initialCollateralToken), .array(swapPath.map { .address($0) })]),
            .tuple([sizeDeltaUsd, initialCollateralDeltaAmount, triggerPrice, acceptablePrice, executionFee, callbackGasLimit, minOutputAmount,
                    validFromTime].map { .uint($0) }),
            .uint(BigUInt(orderType.rawValue)), .uint(BigUInt(decreasePositionSwapType)), .bool(isLong), .bool(shouldUnwrapNativeToken),
            .bool(autoCancel), .fixedBytes(referralCode), .array(dataList.map { .fixedBytes($0) }),
        ])
    }

    /// `createOrder(params)` calldata.
    public func createOrderCalldata() throws(ABIError) -> [UInt8] { try ABI.call(GMXOrder.createOrderSignature, [params]) }

    /// `sendWnt(receiver, amount)` calldata.
    public static func sendWnt(_ receiver: [UInt8], _ amount: BigUInt) throws(ABIError) -> [UInt8] {
        try ABI.call("sendWnt(address,uint256)", [.address(receiver), .uint(amount)])
    }

    /// `sendTokens(token, receiver, amount)` calldata.
    public static func sendTokens(_ token: [UInt8], _ receiver: [UInt8], _ amount: BigUInt) throws(ABIError) -> [UInt8] {
        try ABI.call("sendTokens(address,address,uint256)", [.address(token), .address(receiver), .uint(amount)])
    }

    /// `multicall(calls)` calldata.
    public static func multicall(_ calls: [[UInt8]]) throws(ABIError) -> [UInt8] {
        try ABI.call("multicall(bytes[])", [.array(calls.map { .bytes($0) })])
    }

    /// `cancelOrder(key)` calldata.
    public static func cancelOrder(_ key: [UInt8]) throws(ABIError) -> [UInt8] { try ABI.call("cancelOrder(bytes32)", [.fixedBytes(key)]) }

    /// The whole order transaction: its `multicall` calldata and the native value it carries.
    /// `collateral`: for an increase, what is sent to the OrderVault — native (wrapped by
    /// `sendWnt` together with the fee) when `nativeCollateral`, else the ERC-20 `initialCollateralToken`
    /// through `sendTokens` (the Router must be approved for it).
    public func transaction(orderVault: [UInt8], collateral: BigUInt, nativeCollateral: Bool) throws(ABIError) -> (data: [UInt8], value: BigUInt) {
        var calls: [[UInt8]] = []
        var value = executionFee
        if orderType.isIncrease && nativeCollateral {
            value += collateral
            calls.append(try GMXOrder.sendWnt(orderVault, value))
        } else {
            calls.append(try GMXOrder.sendWnt(orderVault, executionFee))
            if orderType.isIncrease && collateral > 0 { calls.append(try GMXOrder.sendTokens(initialCollateralToken, orderVault, collateral)) }
        }
        calls.append(try createOrderCalldata())
        return (try GMXOrder.multicall(calls), value)
    }
}
