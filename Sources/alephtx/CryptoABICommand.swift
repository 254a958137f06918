import AlephCrypto
import AlephRPC
import ArgumentParser
import Foundation

/// ABI types from a JSON array of eth-abi type strings.
func abiTypes(_ text: String) throws -> [ABIType] {
    let json = try fail { try JSONParser.parse(Array(text.utf8)) }
    return try abiTypes(json)
}

func abiTypes(_ json: JSON) throws -> [ABIType] {
    guard let list = json.arrayValue else { throw CryptoCLIError("--types must be a JSON array of type strings, e.g. [\"uint256\",\"(address,bytes)[]\"]") }
    var out: [ABIType] = []
    for t in list {
        guard let s = t.stringValue else { throw CryptoCLIError("--types must hold strings") }
        do { out.append(try ABIType.parse(s)) } catch { throw CryptoCLIError(error.description) }
    }
    return out
}

/// Encodes one argument list given as JSON.
func abiEncode(types: [ABIType], values: JSON) throws -> [UInt8] {
    guard let items = values.arrayValue else { throw CryptoCLIError("--values must be a JSON array with one value per type") }
    guard items.count == types.count else { throw CryptoCLIError("\(types.count) types but \(items.count) values") }
    do {
        var vs: [ABIValue] = []
        for (k, (t, v)) in zip(types, items).enumerated() { vs.append(try ABIJSON.value(v, t, path: "values[\(k)]")) }
        return try ABI.encode(types, vs)
    } catch { throw CryptoCLIError(error.description) }
}

/// Runs `line` on every line of FILE (`-`: stdin), printing one line of output per input line.
func eachLine(_ path: String, _ line: (JSON) throws -> String) throws {
    let data: Data
    if path == "-" { data = FileHandle.standardInput.readDataToEndOfFile() } else {
        guard let d = FileManager.default.contents(atPath: path) else { throw CryptoCLIError("cannot read \(path)") }
        data = d
    }
    var out = ""
    for raw in data.split(separator: UInt8(ascii: "\n")) where !raw.isEmpty {
        do { out += try line(try fail { try JSONParser.parse(Array(raw)) }) } catch let e as CryptoCLIError {
            out += JSONWriter.string(.object([JSONMember("error", .string(e.description))]))
        }
        out += "\n"
    }
    FileHandle.standardOutput.write(Data(out.utf8))
}

struct ABIEncodeCmd: OneLineCommand {
    static let configuration = CommandConfiguration(commandName: "abi-encode", abstract: """
        ABI-encode values: --types '["uint256","(address,bytes)[]"]' --values '[1, [["0x…","0x…"]]]' prints 0x…; integers as JSON numbers \
        or decimal strings, bytes and addresses as hex. --function 'name(types)' prefixes the selector. --batch FILE: one \
        {"types","values"} per line, one result per line.
        """)
    @Option(help: "JSON array of types as eth-abi writes them.") var types: String?
    @Option(help: "JSON array of values.") var values: String?
    @Option(help: "A function signature: its parameter types are the types, and its selector comes first.") var function: String?
    @Option(help: "JSON lines of {\"types\",\"values\"} (`-`: stdin).") var batch: String?

    func execute() throws {
        if let batch {
            try eachLine(batch) { j in
                guard let t = j["types"], let v = j["values"] else { throw CryptoCLIError("each line needs types and values") }
                return Hex.encode(try abiEncode(types: try abiTypes(t), values: v))
            }
            return
        }
        guard let values else { throw CryptoCLIError("give --values (and --types or --function)") }
        let vals = try fail { try JSONParser.parse(Array(values.utf8)) }
        switch (types, function) {
        case (let t?, nil): print(Hex.encode(try abiEncode(types: try abiTypes(t), values: vals)))
        case (nil, let f?):
            let parsed: (name: String, types: [ABIType])
            do { parsed = try ABIType.parseSignature(f) } catch { throw CryptoCLIError(error.description) }
            let canonical = parsed.name + ABIType.tuple(parsed.types).description
            print(Hex.encode(ABI.selector(canonical) + (try abiEncode(types: parsed.types, values: vals))))
        default: throw CryptoCLIError("give exactly one of --types or --function")
        }
    }
}

struct ABIDecodeCmd: OneLineCommand {
    static let configuration = CommandConfiguration(commandName: "abi-decode", abstract: """
        ABI-decode: --types '["uint256","string"]' 0x… prints the values as a JSON array (integers as numbers, addresses EIP-55, \
        bytes as hex). --revert decodes revert data instead (Error(string), Panic(uint256), or --errors signatures). --batch FILE: one \
        {"types","data"} per line.
        """)
    @Option(help: "JSON array of types as eth-abi writes them.") var types: String?
    @Flag(help: "HEX is revert data: prints {\"kind\",\"reason\",…}.") var revert = false
    @Option(parsing: .upToNextOption, help: "Custom error signatures to recognise with --revert.") var errors: [String] = []
    @Option(help: "JSON lines of {\"types\",\"data\"} (`-`: stdin).") var batch: String?
    @Argument(help: "The encoded data, 0x hex.") var hex: String?

    func decode(_ types: [ABIType], _ hex: String) throws -> String {
        let data = try fail { try Hex.decode(hex) }
        do { return JSONWriter.string(.array(try ABI.decode(types, data).map(ABIJSON.json))) } catch { throw CryptoCLIError(error.description) }
    }

    func execute() throws {
        if let batch {
            try eachLine(batch) { j in
                guard let t = j["types"], let d = j["data"]?.stringValue else { throw CryptoCLIError("each line needs types and data") }
                return try decode(try abiTypes(t), d)
            }
            return
        }
        guard let hex else { throw CryptoCLIError("give the encoded data (0x…)") }
        if revert {
            let r = ABIRevert.decode(try fail { try Hex.decode(hex) }, errors: errors)
            var m: [(String, JSON)] = [("reason", .string(r.description))]
            switch r {
            case .empty: m.insert(("kind", .string("empty")), at: 0)
            case .error(let s): m.insert(("kind", .string("error")), at: 0); m.append(("message", .string(s)))
            case .panic(let c): m.insert(("kind", .string("panic")), at: 0); m.append(("code", .number(String(c))))
            case .custom(let sig, let values): m.insert(("kind", .string("custom")), at: 0); m.append(("signature", .string(sig))); m.append(("values", .array(values.map(ABIJSON.json))))
            case .unknown(let sel, _): m.insert(("kind", .string("unknown")), at: 0); m.append(("selector", .string(Hex.encode(sel))))
            }
            printJSON(m)
            return
        }
        guard let types else { throw CryptoCLIError("give --types (or --revert)") }
        print(try decode(try abiTypes(types), hex))
    }
}
