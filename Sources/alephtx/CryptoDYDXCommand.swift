import AlephCrypto
import AlephRPC
import AlephVenues
import ArgumentParser
import Foundation

/// A JSON field as an unsigned integer (a number or a decimal string).
func uintField(_ j: JSON, _ key: String, default def: UInt64? = nil, max: UInt64 = UInt64.max) throws -> UInt64 {
    guard let v = j[key], v != .null else {
        if let def { return def }
        throw CryptoCLIError("missing \(key)")
    }
    let text = v.numberText ?? v.stringValue ?? ""
    guard let n = UInt64(text), n <= max else { throw CryptoCLIError("\(key) must be a whole number from 0 to \(max), got \(JSONWriter.string(v))") }
    return n
}

struct DYDXSignCmd: OneLineCommand {
    static let configuration = CommandConfiguration(commandName: "dydx-sign", abstract: """
        Sign a dYdX v4 transaction: FILE is {"chain_id","account_number","sequence","memo","gas_limit","order":{…}} (or "cancel":{…}) \
        with the protobuf fields in snake_case (subaccount, client_id, order_flags, clob_pair_id, side, quantums, subticks, \
        good_til_block or good_til_block_time, time_in_force, reduce_only, client_metadata, condition_type, \
        conditional_order_trigger_subticks); prints {body_bytes, auth_info_bytes, sign_doc_bytes, signature, tx_raw, tx_hash} in hex. \
        A JSON array of such objects prints one line each.
        """)
    @Argument(help: "JSON file (`-`: stdin).") var file: String
    @OptionGroup var key: KeyOptions

    func execute() throws {
        let k = try key.load()
        let pub = CosmosTx.compressed(try fail { try Secp256k1.publicKey(of: k.bytes) })
        let owner = CosmosTx.address(hrp: "dydx", compressedPublicKey: pub)
        let input = try readJSON(file)
        let requests = input.arrayValue ?? [input]
        var out = ""
        for r in requests {
            do { out += JSONWriter.string(try sign(r, key: k.bytes, owner: owner)) } catch let e as CryptoCLIError {
                if input.arrayValue == nil { throw e }
                out += JSONWriter.string(.object([JSONMember("error", .string(e.description))]))
            }
            out += "\n"
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }

    func orderId(_ o: JSON, owner: String) throws -> DYDXMessages.OrderId {
        var own = owner, number: UInt64 = 0
        if case .object = o["subaccount"] ?? .null {
            own = o["subaccount"]?["owner"]?.stringValue ?? owner
            number = try uintField(o["subaccount"]!, "number", default: 0, max: 127)
        } else {
            number = try uintField(o, "subaccount", default: 0, max: 127)
        }
        guard Bech32.decode(own)?.hrp == "dydx" else { throw CryptoCLIError("subaccount owner '\(own)' is not a dydx1… address") }
        return DYDXMessages.OrderId(owner: own, number: UInt32(number), clientId: UInt32(try uintField(o, "client_id", max: UInt64(UInt32.max))),
                                    orderFlags: UInt32(try uintField(o, "order_flags", default: 0, max: UInt64(UInt32.max))),
                                    clobPairId: UInt32(try uintField(o, "clob_pair_id", default: 0, max: UInt64(UInt32.max))))
    }

    func goodTil(_ o: JSON) throws -> DYDXMessages.GoodTil {
        switch (o["good_til_block"], o["good_til_block_time"]) {
        case (.some, nil): return .block(UInt32(try uintField(o, "good_til_block", max: UInt64(UInt32.max))))
        case (nil, .some): return .time(UInt32(try uintField(o, "good_til_block_time", max: UInt64(UInt32.max))))
        default: throw CryptoCLIError("give exactly one of good_til_block or good_til_block_time")
        }
    }

    func sign(_ r: JSON, key: [UInt8], owner: String) throws -> JSON {
        guard let chain = r["chain_id"]?.stringValue, !chain.isEmpty else { throw CryptoCLIError("missing chain_id") }
        let message: [UInt8]
        if let o = r["order"] {
            let sideText = o["side"]?.stringValue?.uppercased()
            let side: UInt64 = sideText == "BUY" ? 1 : sideText == "SELL" ? 2 : try uintField(o, "side", max: 2)
            guard side == 1 || side == 2 else { throw CryptoCLIError("side must be 1 (BUY) or 2 (SELL)") }
            var order = DYDXMessages.Order(id: try orderId(o, owner: owner), side: UInt32(side), quantums: try uintField(o, "quantums"),
                                           subticks: try uintField(o, "subticks"), goodTil: try goodTil(o))
            order.timeInForce = UInt32(try uintField(o, "time_in_force", default: 0, max: 3))
            if let ro = o["reduce_only"] {
                guard let b = ro.boolValue else { throw CryptoCLIError("reduce_only must be true or false") }
                order.reduceOnly = b
            }
            order.clientMetadata = UInt32(try uintField(o, "client_metadata", default: 0, max: UInt64(UInt32.max)))
            order.conditionType = UInt32(try uintField(o, "condition_type", default: 0, max: 2))
            order.conditionalOrderTriggerSubticks = try uintField(o, "conditional_order_trigger_subticks", default: 0)
            message = DYDXMessages.placeOrder(order)
        } else if let c = r["cancel"] {
            message = DYDXMessages.cancelOrder(try orderId(c, owner: owner), goodTil: try goodTil(c))
        } else {
            throw CryptoCLIError("give an order or a cancel")
        }
        let s = try fail {
            try CosmosTx.sign(messages: [message], memo: r["memo"]?.stringValue ?? "", chainId: chain, accountNumber: try uintField(r, "account_number"),
                              sequence: try uintField(r, "sequence", default: 0), gasLimit: try uintField(r, "gas_limit", default: 1_000_000), key: key)
        }
        func h(_ b: [UInt8]) -> JSON { .string(Hex.encode(b, prefix: false)) }
        return .object([JSONMember("body_bytes", h(s.bodyBytes)), JSONMember("auth_info_bytes", h(s.authInfoBytes)),
                        JSONMember("sign_doc_bytes", h(s.signDocBytes)), JSONMember("signature", h(s.signature)),
                        JSONMember("tx_raw", h(s.txRaw)), JSONMember("tx_hash", .string(s.txHash))])
    }
}

struct DYDXAddressCmd: OneLineCommand {
    static let configuration = CommandConfiguration(commandName: "dydx-address", abstract: "The dydx1… address of a key (bech32 of RIPEMD160(SHA256(compressed public key))).")
    @OptionGroup var key: KeyOptions
    func execute() throws {
        let k = try key.load()
        print(CosmosTx.address(hrp: "dydx", compressedPublicKey: CosmosTx.compressed(try fail { try Secp256k1.publicKey(of: k.bytes) })))
    }
}
