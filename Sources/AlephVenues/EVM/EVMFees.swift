import BigInt

/// EIP-1559 fees from `eth_feeHistory`: the next block's base fee and the median tip of recent
/// blocks (floored by the node's suggestion), fee cap = 2 × base + tip, never above the configured cap.
public enum EVMFees {
    /// Fees for a new transaction; throws `.refused` when even the next block's base fee is above the cap.
    public static func choose(nextBaseFee: BigUInt, rewards: [BigUInt], suggestedTip: BigUInt, capWei: BigUInt) throws(EVMError) -> (maxFee: BigUInt, tip: BigUInt) {
        let sorted = rewards.sorted()
        let median = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
        var tip = max(median, suggestedTip)
        guard nextBaseFee <= capWei else {
            throw .refused("the next block's base fee \(nextBaseFee) wei is above max_fee_gwei (\(capWei / 1_000_000_000) gwei): not sent")
        }
        var maxFee = nextBaseFee * 2 + tip
        if maxFee > capWei { maxFee = capWei }
        if tip > maxFee - nextBaseFee { tip = maxFee - nextBaseFee }
        return (maxFee, tip)
    }

    /// Fees for a replacement: both fields at least 12.5 % above the pending version (geth needs
    /// 10 %), or the current choice if that is higher; nil when the bump would pass the cap.
    public static func bump(maxFee: BigUInt, tip: BigUInt, current: (maxFee: BigUInt, tip: BigUInt), capWei: BigUInt) -> (maxFee: BigUInt, tip: BigUInt)? {
        let f = max(maxFee * 1125 / 1000 + 1, current.maxFee)
        let t = max(tip * 1125 / 1000 + 1, current.tip)
        guard f <= capWei else { return nil }
        return (f, min(t, f))
    }
}
