import AlephCore
import AlephCrypto
import AlephVenues
import AlephRPC
import ArgumentParser
import Foundation

/// `alephtx crypto …`: one-line outputs for checking signatures against other tools.
struct CryptoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crypto", abstract: "Keccak, addresses, EIP-712 and transaction signing (keys from env or file, never printed).",
        subcommands: [KeccakCmd.self, AddressCmd.self, HashTypedDataCmd.self, SignTypedDataCmd.self, SignTxCmd.self, HyperliquidSignCmd.self, PolymarketSignOrderCmd.self, HMACSignCmd.self,
                      HyperliquidWireCmd.self, OKXChecksumCmd.self, PolymarketAmountsCmd.self, ABIEncodeCmd.self, ABIDecodeCmd.self, DYDXSignCmd.self, DYDXAddressCmd.self])
}

/// Where the private key comes from.
struct KeyOptions: ParsableArguments {
    @Option(help: "Environment variable holding the hex private key.")
    var keyEnv: String?
    @Option(help: "File holding the hex private key.")
    var keyFile: String?

    func load() throws -> PrivateKey {
        switch (keyEnv, keyFile) {
        case (let env?, nil): return try fail { try PrivateKey.fromEnvironment(env) }
        case (nil, let file?): return try fail { try PrivateKey.fromFile(file) }
        default: throw CryptoCLIError("give exactly one of --key-env VAR or --key-file PATH")
        }
    }
}

/// A one-line error for the CLI (printed to stderr, exit 1).
struct CryptoCLIError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Runs `body`, turning crypto errors into one clear line.
func fail<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as CryptoError { throw CryptoCLIError(e.description) } catch let e as JSONParseError {
        throw CryptoCLIError("invalid JSON: \(e.description)")
    }
}

/// Reads FILE (or stdin for `-`) as JSON.
func readJSON(_ path: String) throws -> JSON {
    let data: Data
    if path == "-" { data = FileHandle.standardInput.readDataToEndOfFile() } else {
        guard let d = FileManager.default.contents(atPath: path) else { throw CryptoCLIError("cannot read \(path)") }
        data = d
    }
    return try fail { try JSONParser.parse([UInt8](data)) }
}

/// Prints one JSON line.
func printJSON(_ members: [(String, JSON)]) {
    print(JSONWriter.string(.object(members.map { JSONMember($0.0, $0.1) })))
}

/// Shared entry: errors become one stderr line and exit code 1.
protocol OneLineCommand: ParsableCommand { func execute() throws }
extension OneLineCommand {
    func run() throws {
        do { try execute() } catch let e as CryptoCLIError {
            FileHandle.standardError.write(Data("error: \(e.description)\n".utf8))
            throw ExitCode(1)
        }
    }
}

struct KeccakCmd: OneLineCommand {
    static let configuration = CommandConfiguration(commandName: "keccak256", abstract: "Keccak-256 of hex bytes or UTF-8 text.")
    @Option(help: "Input as 0x hex.") var hex: String?
    @Option(help: "Input as UTF-8 text.") var text: String?
    func execute() throws {
        switch (hex, text) {
        case (let h?, nil): print(Hex.encode(Keccak256.hash(try fail { try Hex.decode(h) })))
        case (nil, let t?): print(Hex.encode(Keccak256.hash(t)))
        default: throw CryptoCLIError("give exactly one of --hex or --text")
        }
    }
}

struct AddressCmd: OneLineCommand {
    static let configuration = CommandConfiguration(commandName: "address", abstract: "EIP-55 address of a private key.")
    @OptionGroup var key: KeyOptions
    func execute() throws {
        let k = try key.load()
        print(EthereumAddress.checksummed(try fail { try EthereumAddress.fromPrivateKey(k.bytes) }))
    }
}

struct HashTypedDataCmd: OneLineCommand {
    static let configuration = CommandConfiguration(commandName: "hash-typed-data", abstract: "EIP-712 digest of eth_signTypedData_v4 JSON.")
    @Argument(help: "JSON file, or - for stdin.") var file: String
    func execute() throws {
        let json = try readJSON(file)
        print(Hex.encode(try fail { try TypedData(json: json).digest() }))
    }
}

struct SignTypedDataCmd: OneLineCommand {
    static let configuration = CommandConfiguration(commandName: "sign-typed-data", abstract: "Sign EIP-712 typed data: {digest, r, s, v, signature}.")
    @Argument(help: "JSON file, or - for stdin.") var file: String
    @OptionGroup var key: KeyOptions
    func execute() throws {
        let k = try key.load()
        let json = try readJSON(file)
        let digest = try fail { try TypedData(json: json).digest() }
        let sig = try fail { try Secp256k1.sign(digest: digest, key: k.bytes) }
        printJSON([("digest", .string(Hex.encode(digest))), ("r", .string(Hex.encode(sig.r))), ("s", .string(Hex.encode(sig.s))),
                   ("v", .int(27 + Int(sig.recoveryId))), ("signature", .string(Hex.encode(sig.ethereumBytes)))])
    }
}

struct SignTxCmd: OneLineCommand {
    static let configuration = CommandConfiguration(commandName: "sign-tx", abstract: "Sign a transaction (eth-account field names): {raw, hash}.")
    @Argument(help: "JSON file, or - for stdin.") var file: String
    @OptionGroup var key: KeyOptions
    func execute() throws {
        let k = try key.load()
        let json = try readJSON(file)
        let tx = try fail { try EthereumTransaction(json: json) }
        let signed = try fail { try tx.sign(key: k.bytes) }
        printJSON([("raw", .string(Hex.encode(signed.raw))), ("hash", .string(Hex.encode(signed.hash)))])
    }
}

struct HyperliquidSignCmd: OneLineCommand {
    static let configuration = CommandConfiguration(commandName: "hyperliquid-sign",
        abstract: "Sign a Hyperliquid action: FILE is {action, nonce, vault_address, expires_after, is_mainnet} (L1) or adds user_signed {primary_type, types} (user-signed); prints {r, s, v}.")
    @Argument(help: "JSON file, or - for stdin.") var file: String
    @OptionGroup var key: KeyOptions
    func execute() throws {
        let k = try key.load()
        let json = try readJSON(file)
        guard let action = json["action"], case .object = action else { throw CryptoCLIError("action: required object") }
        func u64(_ field: String) throws -> UInt64? {
            switch json[field] {
            case nil, .null?: return nil
            case .number(let n)?, .string(let n)?:
                guard let v = UInt64(n) else { throw CryptoCLIError("\(field): must be a non-negative integer") }
                return v
            default: throw CryptoCLIError("\(field): must be an integer")
            }
        }
        let vault: [UInt8]?
        switch json["vault_address"] {
        case nil, .null?: vault = nil
        case .string(let s)?: vault = try fail { try EthereumAddress.parse(s, field: "vault_address") }
        default: throw CryptoCLIError("vault_address: must be a 0x address or null")
        }
        let mainnet: Bool
        switch json["is_mainnet"] {
        case .bool(let b)?: mainnet = b
        case nil: mainnet = true
        default: throw CryptoCLIError("is_mainnet: must be true or false")
        }
        if let user = json["user_signed"], user != .null {
            // User-signed action: {"primary_type": "HyperliquidTransaction:UsdSend", "types": [{name, type}, …]}.
            guard let primary = user["primary_type"]?.stringValue, let list = user["types"]?.arrayValue else {
                throw CryptoCLIError("user_signed: needs primary_type and types")
            }
            let fields = try list.map { f -> TypedData.Field in
                guard let n = f["name"]?.stringValue, let t = f["type"]?.stringValue else { throw CryptoCLIError("user_signed.types: {name, type} entries") }
                return TypedData.Field(name: n, type: t)
            }
            let (signed, sig) = try fail { try Hyperliquid.signUserAction(action: action, fields: fields, primaryType: primary, mainnet: mainnet, key: k.bytes) }
            printJSON([("r", .string(Hex.encode(sig.r))), ("s", .string(Hex.encode(sig.s))), ("v", .int(27 + Int(sig.recoveryId))), ("action", signed)])
            return
        }
        guard let nonce = try u64("nonce") else { throw CryptoCLIError("nonce: required") }
        let sig = try fail { try Hyperliquid.signL1(action: action, nonce: nonce, vault: vault, expiresAfter: try u64("expires_after"), mainnet: mainnet, key: k.bytes) }
        printJSON([("r", .string(Hex.encode(sig.r))), ("s", .string(Hex.encode(sig.s))), ("v", .int(27 + Int(sig.recoveryId)))])
    }
}

struct PolymarketSignOrderCmd: OneLineCommand {
    static let configuration = CommandConfiguration(commandName: "polymarket-sign-order", abstract: """
        Sign a Polymarket CLOB order; prints the POST /order body. FILE: {"version":1|2, "chain_id":137, "neg_risk":false, "exchange"?, \
        "order":{salt, tokenId, makerAmount, takerAmount, side, maker?, signer?, taker?, expiration?, nonce?, feeRateBps?, signatureType?, \
        timestamp?, metadata?, builder?}, "owner", "orderType", "postOnly"?, "deferExec"?}
        """)
    @Argument(help: "JSON file, or - for stdin.") var file: String
    @OptionGroup var key: KeyOptions
    func execute() throws {
        let k = try key.load()
        let json = try readJSON(file)
        guard let o = json["order"], case .object = o else { throw CryptoCLIError("order: required object") }
        func text(_ v: JSON?, _ field: String, default def: String? = nil) throws -> String {
            switch v {
            case .number(let n)?: return n
            case .string(let s)?: return s
            case nil, .null?:
                if let def { return def }
                throw CryptoCLIError("\(field): required")
            default: throw CryptoCLIError("\(field): must be a string or number")
            }
        }
        let version = Int(try text(json["version"], "version", default: "1")) ?? 0
        guard version == 1 || version == 2 else { throw CryptoCLIError("version: 1 or 2") }
        let chainId = UInt64(try text(json["chain_id"], "chain_id", default: "137")) ?? 137
        let negRisk = json["neg_risk"]?.boolValue ?? false
        let defaultExchange = version == 1 ? (negRisk ? Polymarket.Exchange.v1NegRisk : Polymarket.Exchange.v1)
                                           : (negRisk ? Polymarket.Exchange.v2NegRisk : Polymarket.Exchange.v2)
        let address = EthereumAddress.checksummed(try fail { try EthereumAddress.fromPrivateKey(k.bytes) })
        let signer = try text(o["signer"], "order.signer", default: address)
        guard signer.lowercased() == address.lowercased() else { throw CryptoCLIError("order.signer: does not match the key's address") }
        let side = try text(o["side"], "order.side").uppercased()
        guard side == "BUY" || side == "SELL" else { throw CryptoCLIError("order.side: BUY or SELL") }
        let zero32 = "0x" + String(repeating: "0", count: 64)
        let order = Polymarket.Order(
            version: version, chainId: chainId, exchange: try text(json["exchange"], "exchange", default: defaultExchange),
            salt: try text(o["salt"], "order.salt"), maker: try text(o["maker"], "order.maker", default: address), signer: signer,
            taker: try text(o["taker"], "order.taker", default: "0x0000000000000000000000000000000000000000"), tokenId: try text(o["tokenId"], "order.tokenId"),
            makerAmount: try text(o["makerAmount"], "order.makerAmount"), takerAmount: try text(o["takerAmount"], "order.takerAmount"),
            expiration: try text(o["expiration"], "order.expiration", default: "0"), nonce: try text(o["nonce"], "order.nonce", default: "0"),
            feeRateBps: try text(o["feeRateBps"], "order.feeRateBps", default: "0"), side: side,
            signatureType: Int(try text(o["signatureType"], "order.signatureType", default: "0")) ?? 0,
            timestamp: try text(o["timestamp"], "order.timestamp", default: "0"), metadata: try text(o["metadata"], "order.metadata", default: zero32),
            builder: try text(o["builder"], "order.builder", default: zero32))
        let (_, signature) = try fail { try Polymarket.sign(order, key: k.bytes) }
        print(order.postBody(signature: signature, owner: try text(json["owner"], "owner"), orderType: try text(json["orderType"], "orderType", default: "GTC"),
                             postOnly: json["postOnly"]?.boolValue ?? false, deferExec: json["deferExec"]?.boolValue ?? false))
    }
}

struct HMACSignCmd: OneLineCommand {
    static let configuration = CommandConfiguration(commandName: "hmac-sign", abstract: """
        Venue request signature. FILE: {"venue":"binance","payload"} | {"venue":"okx","timestamp","method","requestPath","body"} | \
        {"venue":"bybit","timestamp","api_key","recv_window","payload"} | {"venue":"polymarket","timestamp","method","requestPath","body"}.
        """)
    @Argument(help: "JSON file, or - for stdin.") var file: String
    @Option(help: "Environment variable holding the API secret.") var secretEnv: String?
    @Option(help: "File holding the API secret.") var secretFile: String?
    func execute() throws {
        let secret: String
        switch (secretEnv, secretFile) {
        case (let env?, nil): secret = try fail { try Secret.fromEnvironment(env) }
        case (nil, let path?): secret = try fail { try Secret.fromFile(path) }
        default: throw CryptoCLIError("give exactly one of --secret-env VAR or --secret-file PATH")
        }
        let json = try readJSON(file)
        func s(_ k: String, default def: String? = nil) throws -> String {
            if let v = json[k]?.stringValue { return v }
            if case .number(let n)? = json[k] { return n }
            if let def { return def }
            throw CryptoCLIError("\(k): required string")
        }
        switch try s("venue") {
        case "binance": print(RequestSigner.binance(HMACKey(secret: secret), payload: try s("payload")))
        case "okx": print(RequestSigner.okx(HMACKey(secret: secret), timestamp: try s("timestamp"), method: try s("method"), requestPath: try s("requestPath"), body: try s("body", default: "")))
        case "bybit": print(RequestSigner.bybit(HMACKey(secret: secret), timestamp: try s("timestamp"), apiKey: try s("api_key"), recvWindow: try s("recv_window"), payload: try s("payload")))
        case "okx-ws": print(RequestSigner.okxWebSocketLogin(HMACKey(secret: secret), timestampSeconds: try s("timestamp")))
        case "bybit-ws": print(RequestSigner.bybitWebSocketAuth(HMACKey(secret: secret), expires: try s("expires")))
        case "polymarket":
            let key = try fail { try RequestSigner.polymarketKey(secretBase64URL: secret) }
            print(RequestSigner.polymarketL2(key, timestamp: try s("timestamp"), method: try s("method"), requestPath: try s("requestPath"), body: json["body"]?.stringValue))
        case let other: throw CryptoCLIError("venue: '\(other)' is not one of binance, okx, okx-ws, bybit, bybit-ws, polymarket")
        }
    }
}

struct HyperliquidWireCmd: OneLineCommand {
    static let configuration = CommandConfiguration(commandName: "hyperliquid-wire", abstract: "A decimal as Hyperliquid's wire string (the SDK's float_to_wire rule).")
    @Argument(help: "A decimal, e.g. 0.0147 or 1.2e-05.") var value: String
    func execute() throws { print(try fail { try Hyperliquid.wire(value) }) }
}

struct OKXChecksumCmd: OneLineCommand {
    static let configuration = CommandConfiguration(commandName: "okx-checksum", abstract: "OKX book checksum of {bids, asks} as the venue sent them: {string, checksum}.")
    @Argument(help: "JSON file, or - for stdin.") var file: String
    func execute() throws {
        let json = try readJSON(file)
        func side(_ k: String) throws -> [(price: String, size: String)] {
            guard let list = json[k]?.arrayValue else { throw CryptoCLIError("\(k): required array of [price, size, …]") }
            return try list.map { l -> (price: String, size: String) in
                guard let a = l.arrayValue, a.count >= 2, let p = a[0].stringValue, let q = a[1].stringValue else { throw CryptoCLIError("\(k): levels are [\"price\", \"size\", …]") }
                return (p, q)
            }
        }
        let b = try side("bids"), a = try side("asks")
        printJSON([("string", .string(OKXChecksum.string(bids: b, asks: a))), ("checksum", .int(Int(OKXChecksum.compute(bids: b, asks: a))))])
    }
}

struct PolymarketAmountsCmd: OneLineCommand {
    static let configuration = CommandConfiguration(commandName: "polymarket-amounts",
        abstract: "makerAmount/takerAmount for a Polymarket order: limit (--size) or market (--amount).")
    @Option(help: "BUY or SELL.") var side: String
    @Option(help: "Price per share.") var price: String
    @Option(help: "Tick size (0.1, 0.01, 0.005, 0.0025, 0.001, 0.0001).") var tick: String
    @Option(help: "Limit order size in shares.") var size: String?
    @Option(help: "Market order amount (USDC for BUY, shares for SELL).") var amount: String?
    func execute() throws {
        let sideU = side.uppercased()
        guard sideU == "BUY" || sideU == "SELL" else { throw CryptoCLIError("--side: BUY or SELL") }
        func fx(_ t: String, _ name: String) throws -> Fixed {
            do { return try Fixed(parsing: t) } catch { throw CryptoCLIError("\(name): '\(t)' is \(error.description)") }
        }
        let px = try fx(price, "--price")
        let r: (maker: String, taker: String)
        switch (size, amount) {
        case (let sz?, nil): r = try fail { try Polymarket.Amounts.limit(side: sideU, size: try fx(sz, "--size"), price: px, tick: tick) }
        case (nil, let am?): r = try fail { try Polymarket.Amounts.market(side: sideU, amount: try fx(am, "--amount"), price: px, tick: tick) }
        default: throw CryptoCLIError("give exactly one of --size (limit) or --amount (market)")
        }
        printJSON([("makerAmount", .string(r.maker)), ("takerAmount", .string(r.taker)), ("side", .int(sideU == "BUY" ? 0 : 1))])
    }
}
