import AlephVenueKit

extension HyperliquidExecutor {
    /// `scheduleCancel`: the venue cancels every open order of the account at now + `timeoutMs`
    /// (at least 5 s ahead) unless moved again; nil clears the schedule.
    public func armDeadman(timeoutMs: Int?) async -> VenueRejection? {
        if let r = refusal(weight: 1) { return r }
        let action = HyperliquidActions.scheduleCancel(time: timeoutMs.map { rest.nowMs() + Int64($0) })
        switch await post(action) {
        case .notSent(let why), .unknown(let why):
            return VenueRejection(code: .venueUnavailable, message: "scheduleCancel: \(why)", retryable: true)
        case .reply(let r):
            guard r.status == 200 else {
                return httpRefusal(r) ?? VenueRejection(code: .venueUnavailable, message: "scheduleCancel: HTTP \(r.status)", retryable: true)
            }
            switch HyperliquidExecWire.answer(r.body) {
            case .ok?: return nil
            case .err(let text)?: return VenueRejection(code: .venueRejected, venueCode: "scheduleCancel", message: "Hyperliquid refused scheduleCancel: \(text)")
            case nil: return VenueRejection(code: .venueUnavailable, message: "scheduleCancel: unreadable answer", retryable: true)
            }
        }
    }
}
