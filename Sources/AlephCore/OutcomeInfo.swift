/// What a prediction-market outcome instrument is about (Polymarket): the question, which answer
/// this share pays out on, the venue's ids, and the market's state.
public struct OutcomeInfo: Sendable, Hashable {
    /// The market's question, as the venue words it.
    public var question: String
    /// The outcome this share pays 1 on (e.g. `Yes`).
    public var outcome: String
    /// The venue's market slug.
    public var marketSlug: String
    /// The market's condition id (`0x…`).
    public var conditionId: String
    /// The outcome token id (decimal string).
    public var tokenId: String
    /// When the market ends (ISO 8601 as the venue says), if known.
    public var endDate: String?
    /// `active`, `closed` or `not_accepting_orders`.
    public var status: String
    /// A multi-outcome (neg-risk) market: orders are signed for the neg-risk exchange.
    public var negRisk: Bool
    /// Smallest order size in shares.
    public var minSize: Fixed

    /// Creates the description.
    public init(question: String, outcome: String, marketSlug: String, conditionId: String, tokenId: String, endDate: String?,
                status: String, negRisk: Bool, minSize: Fixed) {
        self.question = question
        self.outcome = outcome
        self.marketSlug = marketSlug
        self.conditionId = conditionId
        self.tokenId = tokenId
        self.endDate = endDate
        self.status = status
        self.negRisk = negRisk
        self.minSize = minSize
    }
}
