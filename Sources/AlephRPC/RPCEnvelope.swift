/// A request id: string or number (kept as literal text), or explicit null.
public enum RPCId: Sendable, Hashable {
    /// A numeric id, literal text.
    case number(String)
    /// A string id.
    case string(String)
    /// `"id": null` (allowed, discouraged by the spec).
    case null

    /// The id as JSON.
    public var json: JSON {
        switch self {
        case .number(let n): return .number(n)
        case .string(let s): return .string(s)
        case .null: return .null
        }
    }
}

/// A well-formed request or notification.
public struct RPCRequest: Sendable, Equatable {
    /// nil for a notification (no `id` member): it is never answered.
    public var id: RPCId?
    /// Method name.
    public var method: String
    /// `params`, if present (always an object or array).
    public var params: JSON?

    /// Creates a request.
    public init(id: RPCId?, method: String, params: JSON?) {
        self.id = id
        self.method = method
        self.params = params
    }

    /// True when no response may be sent.
    public var isNotification: Bool { id == nil }
}

/// One element of what arrived on a line: a request, or an error to answer with `id`.
public enum RPCCall: Sendable, Equatable {
    /// A valid request.
    case request(RPCRequest)
    /// Malformed; answer `error` with `id` (null when it could not be read).
    case invalid(id: RPCId, error: RPCError)
}

/// What one line decodes to.
public enum RPCMessage: Sendable, Equatable {
    /// A single call.
    case single(RPCCall)
    /// A non-empty batch.
    case batch([RPCCall])
    /// An error answered with id null (parse error, empty batch).
    case failure(RPCError)
}

/// Pure JSON-RPC 2.0 envelope decoding and response encoding.
public enum RPCEnvelope {
    /// Decodes one line (without its newline).
    public static func decode(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = 64) -> RPCMessage {
        let value: JSON
        do { value = try JSONParser.parse(bytes, maxDepth: maxDepth) } catch { return .failure(.parseError(error.description)) }
        return decode(value)
    }

    /// Decodes a parsed value.
    public static func decode(_ value: JSON) -> RPCMessage {
        if case .array(let items) = value {
            if items.isEmpty { return .failure(.invalidRequest("empty batch", code: "empty_batch")) }
            return .batch(items.map(call))
        }
        return .single(call(value))
    }

    /// Validates one request object.
    public static func call(_ value: JSON) -> RPCCall {
        guard case .object(let members) = value else {
            return .invalid(id: .null, error: .invalidRequest("a request must be a JSON object, got \(value.typeName)"))
        }
        var id: RPCId? = nil
        var idError: String? = nil
        var version: JSON? = nil
        var method: JSON? = nil
        var params: JSON? = nil
        var hasParams = false
        for m in members {
            switch m.key {
            case "jsonrpc": version = m.value
            case "method": method = m.value
            case "params": params = m.value; hasParams = true
            case "id":
                switch m.value {
                case .number(let n): id = .number(n)
                case .string(let s): id = .string(s)
                case .null: id = .null
                default: idError = "id must be a string, number or null, got \(m.value.typeName)"; id = nil
                }
            default: break
            }
        }
        let answerId = id ?? .null
        if let idError { return .invalid(id: .null, error: .invalidRequest(idError)) }
        guard version == .string("2.0") else {
            return .invalid(id: answerId, error: .invalidRequest("\"jsonrpc\" must be exactly \"2.0\""))
        }
        guard case .string(let name)? = method else {
            return .invalid(id: answerId, error: .invalidRequest(method == nil ? "missing \"method\"" : "\"method\" must be a string"))
        }
        if hasParams {
            switch params {
            case .object?, .array?: break
            default: return .invalid(id: answerId, error: .invalidRequest("\"params\" must be an object or an array"))
            }
        }
        return .request(RPCRequest(id: id, method: name, params: params))
    }

    /// Writes `{"jsonrpc":"2.0","id":…,"result":…}`.
    public static func writeResult(id: RPCId, result: JSON, into out: inout [UInt8]) {
        out.append(contentsOf: #"{"jsonrpc":"2.0","id":"#.utf8)
        JSONWriter.write(id.json, into: &out)
        out.append(contentsOf: #","result":"#.utf8)
        JSONWriter.write(result, into: &out)
        out.append(UInt8(ascii: "}"))
    }

    /// Writes `{"jsonrpc":"2.0","id":…,"error":{…}}`.
    public static func writeError(id: RPCId, error: RPCError, into out: inout [UInt8]) {
        out.append(contentsOf: #"{"jsonrpc":"2.0","id":"#.utf8)
        JSONWriter.write(id.json, into: &out)
        out.append(contentsOf: #","error":"#.utf8)
        JSONWriter.write(error.json, into: &out)
        out.append(UInt8(ascii: "}"))
    }

    /// Writes a notification `{"jsonrpc":"2.0","method":…,"params":…}`.
    public static func writeNotification(method: String, params: JSON, into out: inout [UInt8]) {
        out.append(contentsOf: #"{"jsonrpc":"2.0","method":"#.utf8)
        JSONWriter.writeString(method, into: &out)
        out.append(contentsOf: #","params":"#.utf8)
        JSONWriter.write(params, into: &out)
        out.append(UInt8(ascii: "}"))
    }
}
