import AlephCore
import AlephRPC

/// Polymarket markets from Gamma metadata (`GET /markets/slug/{slug}`, `GET /markets?condition_ids=`)
/// as `outcome` instruments, one per outcome token: id `polymarket:<SLUG>-<OUTCOME>-USDC` in
/// capitals, the token id as the venue symbol, the market's tick size and neg-risk flag. Pure.
public enum PolymarketMarkets {
    /// Why a market cannot be listed.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        /// What is wrong.
        public var description: String
    }

    /// Size step: Polymarket sizes carry 2 decimals.
    public static let lotSize: Fixed = "0.01"

    /// The instruments of one Gamma market object.
    public static func instruments(market m: JSON) throws(Failure) -> [Instrument] {
        guard let slug = m["slug"]?.stringValue, !slug.isEmpty, let condition = m["conditionId"]?.stringValue,
              let question = m["question"]?.stringValue else {
            throw Failure(description: "polymarket market without slug, conditionId or question")
        }
        // clobTokenIds and outcomes are JSON-encoded strings: parse twice.
        let tokens = try nestedStrings(m["clobTokenIds"], "clobTokenIds")
        let outcomes = try nestedStrings(m["outcomes"], "outcomes")
        guard tokens.count == outcomes.count, !tokens.isEmpty else {
            throw Failure(description: "polymarket market \(slug): \(tokens.count) token ids for \(outcomes.count) outcomes")
        }
        guard let tick = decimal(m["orderPriceMinTickSize"]), tick.isPositive, tick < Fixed(1) else {
            throw Failure(description: "polymarket market \(slug): missing or bad orderPriceMinTickSize")
        }
        let minSize = decimal(m["orderMinSize"]) ?? Fixed(5)
        let negRisk = m["negRisk"]?.boolValue ?? false
        let closed = m["closed"]?.boolValue ?? false
        let accepting = m["acceptingOrders"]?.boolValue ?? true
        let status = closed ? "closed" : (accepting ? "active" : "not_accepting_orders")
        return zip(tokens, outcomes).map { token, outcome in
            var i = Instrument(venue: "polymarket", base: baseName(slug: slug, outcome: outcome, condition: condition), quote: "USDC", kind: .outcome,
                               tickSize: tick, lotSize: lotSize, minNotional: .zero,
                               description: "\(question) — \(outcome)")
            i.symbol = token
            i.outcome = OutcomeInfo(question: question, outcome: outcome, marketSlug: slug, conditionId: condition, tokenId: token,
                                    endDate: m["endDate"]?.stringValue, status: status, negRisk: negRisk, minSize: minSize)
            return i
        }
    }

    /// `<SLUG>-<OUTCOME>` in capitals, other characters as `_`; a slug too long for the 128-byte
    /// id keeps its start and gains 8 hex digits of the condition id.
    static func baseName(slug: String, outcome: String, condition: String) -> String {
        func clean(_ s: String) -> String {
            String(s.uppercased().map { c -> Character in
                (c.isASCII && (c.isLetter || c.isNumber)) || c == "-" || c == "." ? c : "_"
            })
        }
        var s = clean(slug).split(separator: "-", omittingEmptySubsequences: true).joined(separator: "-")
        let o = clean(outcome).replacingOccurrences(of: "-", with: "_")
        let room = 128 - "polymarket:".count - "-USDC".count - o.count - 1
        if s.count > room {
            let tag = String(condition.dropFirst(2).prefix(8)).uppercased()
            s = String(s.prefix(max(1, room - 9))) + "-" + tag
        }
        return s + "-" + (o.isEmpty ? "_" : o)
    }

    static func nestedStrings(_ v: JSON?, _ what: String) throws(Failure) -> [String] {
        if let a = v?.arrayValue { return a.compactMap(\.stringValue) }
        guard let text = v?.stringValue, let parsed = try? JSONParser.parse(text), let a = parsed.arrayValue else {
            throw Failure(description: "polymarket market: \(what) is not a JSON list")
        }
        return a.map { $0.stringValue ?? $0.numberText ?? "" }
    }

    static func decimal(_ v: JSON?) -> Fixed? {
        if let t = v?.numberText ?? v?.stringValue { return try? Fixed(parsing: t) }
        return nil
    }

    /// Gamma lookups for the configured markets: slugs by `/markets/slug/{slug}`, condition ids by
    /// `/markets?condition_ids=`.
    public static func urls(gamma: String, markets: [String]) -> [String] {
        markets.map { m in
            m.hasPrefix("0x") ? "\(gamma)/markets?condition_ids=\(m)" : "\(gamma)/markets/slug/\(m)"
        }
    }

    /// The market objects in a Gamma answer (an object, or a list of them).
    public static func markets(in body: JSON) -> [JSON] {
        if let a = body.arrayValue { return a }
        if body["slug"] != nil { return [body] }
        return body["data"]?.arrayValue ?? []
    }
}
