import AlephCore
import AlephRPC

/// A pre-trade rejection: a *result* telling the agent exactly what to change.
struct Rejection: Sendable {
    var code: String
    var message: String
    var limit: String?
    var value: String?
    var maxAllowedQuantity: String?
    var corrected: [JSONMember] = []
    var retryable: Bool

    var json: JSON {
        var b = JSONObjectBuilder()
        b.add("code", code)
        b.add("message", message)
        b.add("limit", limit.map(JSON.string) ?? .null)
        b.add("value", value.map(JSON.string) ?? .null)
        b.add("max_allowed_quantity", maxAllowedQuantity.map(JSON.string) ?? .null)
        if !corrected.isEmpty { b.add("corrected", .object(corrected)) }
        b.add("retryable", retryable)
        return b.json
    }
}
