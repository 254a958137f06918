import AlephRPC
import Foundation
import MCP

/// Conversions between the gateway's JSON and the MCP SDK's `Value`.
enum ValueCoding {
    /// A gateway JSON value as an MCP value (through its text: numbers keep their meaning).
    static func value(_ json: JSON) -> Value {
        var bytes: [UInt8] = []
        JSONWriter.write(json, into: &bytes)
        return (try? JSONDecoder().decode(Value.self, from: Data(bytes))) ?? .null
    }

    /// An MCP value as gateway JSON.
    static func json(_ value: Value) -> JSON {
        guard let data = try? JSONEncoder().encode(value), let json = try? JSONParser.parse(Array(data)) else { return .null }
        return json
    }

    /// The compact JSON text of a value.
    static func text(_ json: JSON) -> String {
        var bytes: [UInt8] = []
        JSONWriter.write(json, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
