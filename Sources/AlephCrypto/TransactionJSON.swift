import AlephRPC

extension EthereumTransaction {
    /// Reads a transaction in eth-account's field names: `type` (0/2, inferred from the fee
    /// fields when absent), `chainId`, `nonce`, `to`, `value`, `gas`, `gasPrice` or
    /// `maxFeePerGas`/`maxPriorityFeePerGas`, `data`, `accessList`. Numbers may be JSON numbers or
    /// decimal/hex strings.
    public init(json: JSON) throws(CryptoError) {
        guard case .object = json else { throw .invalidField(field: "transaction", reason: "must be a JSON object") }
        func num(_ key: String, required: Bool = true) throws(CryptoError) -> [UInt8]? {
            switch json[key] {
            case nil, .null?:
                if required { throw .invalidField(field: key, reason: "required") }
                return nil
            case .number(let n)?: return try BigEndian.parse(n, field: key)
            case .string(let s)?: return try BigEndian.parse(s, field: key)
            case let other?: throw .invalidField(field: key, reason: "must be a number or a decimal/hex string, got \(other.typeName)")
            }
        }
        let typeBytes = try num("type", required: false)
        let type = typeBytes.map { $0.last ?? 0 } ?? (json["maxFeePerGas"] != nil ? 2 : 0)
        guard let chainBytes = try num("chainId"), chainBytes.count <= 8 else { throw .invalidNumber(field: "chainId", reason: "must fit in 64 bits") }
        let chainId = chainBytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let to: [UInt8]?
        switch json["to"] {
        case nil, .null?, .string("")?, .string("0x")?: to = nil
        case .string(let s)?: to = try EthereumAddress.parse(s, field: "to")
        default: throw .invalidField(field: "to", reason: "must be a 0x address")
        }
        let data: [UInt8]
        switch json["data"] {
        case nil, .null?: data = []
        case .string(let s)?: data = try Hex.decode(s)
        default: throw .invalidField(field: "data", reason: "must be a 0x hex string")
        }
        let kind: Kind
        switch type {
        case 0:
            kind = .legacy(gasPrice: try num("gasPrice")!)
        case 2:
            var list: [AccessListEntry] = []
            for (i, e) in (json["accessList"]?.arrayValue ?? []).enumerated() {
                guard let a = e["address"]?.stringValue else { throw .invalidField(field: "accessList[\(i)].address", reason: "required") }
                var keys: [[UInt8]] = []
                for k in e["storageKeys"]?.arrayValue ?? [] {
                    guard let s = k.stringValue else { throw .invalidField(field: "accessList[\(i)].storageKeys", reason: "must be hex strings") }
                    keys.append(try Hex.decode(s, length: 32, field: "accessList[\(i)].storageKeys"))
                }
                list.append(AccessListEntry(address: try EthereumAddress.parse(a, field: "accessList[\(i)].address"), storageKeys: keys))
            }
            kind = .eip1559(maxPriorityFeePerGas: try num("maxPriorityFeePerGas")!, maxFeePerGas: try num("maxFeePerGas")!, accessList: list)
        default:
            throw .invalidField(field: "type", reason: "supported: 0 (legacy, EIP-155) and 2 (EIP-1559)")
        }
        self.init(kind: kind, chainId: chainId, nonce: try num("nonce")!, gas: try num("gas")!, to: to, value: try num("value", required: false) ?? [], data: data)
    }
}
