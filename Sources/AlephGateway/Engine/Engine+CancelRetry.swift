import AlephCore
import AlephRPC
import AlephVenueKit

/// A cancel, once asked for, is kept until the venue confirms the order ended: it is durable on
/// the order (`cancelRequested`), sent as soon as an order still being placed is answered, and
/// sent again when the venue still shows the order live — after a lost answer, or a restart that
/// came between the request and the send.
extension Engine {
    /// Marks an order still being placed to be cancelled as soon as its venue answers (durably:
    /// a restart in between cancels it once reconciliation finds it live).
    func requestCancelWhenPlaced(_ id: String, reason: String) {
        guard var o = orders[id], o.status == .pendingSubmit, o.cancelRequested == nil else { return }
        o.cancelRequested = reason
        orders[id] = o
        if executor(for: o.venue).traits.remote {
            cancelsWanted.insert(id)
            pendingRecords.append(.order(o, session: orderSessions[id]))
        }
        publishAccount(.orders, instrument: o.instrument, Presenter.order(o, instrument: instruments[o.instrument]))
    }

    /// Sends the cancel asked for while the order was being placed, now that its venue answered
    /// (an uncertain order is cancelled by its client id; a final one needs nothing).
    func cancelIfCalledOff(_ id: String) async {
        guard let o = orders[id], let reason = o.cancelRequested, !o.status.isTerminal,
              o.status != .pendingSubmit, o.status != .pendingCancel else { return }
        logger.notice("cancelling an order called off while it was being placed", metadata: ["order": "\(id)", "status": "\(o.status.rawValue)"])
        do {
            try await cancel(id, reason: reason)
        } catch {
            logger.warning("the cancel of an order called off while being placed failed", metadata: ["order": "\(id)", "error": "\(error.message)"])
        }
    }

    /// Notes that the venue still shows a cancelling order live (a lookup, a reconciliation).
    func noteLiveWhileCancelling(_ id: String, venueStatus: OrderStatus?) {
        guard orders[id]?.status == .pendingCancel, cancelsWanted.contains(id),
              venueStatus == .open || venueStatus == .partiallyFilled else { return }
        cancelSeenLive.insert(id)
    }

    /// Orders at `venue` whose asked-for cancel must be sent (again), oldest first: live at the
    /// venue with no cancel sent since they were placed or restored, or cancelling and found
    /// still live `retryAfterNs` after the last send. Ended orders leave the watch list here.
    public func cancelsDue(venue: String, retryAfterNs: Int64) -> [String] {
        guard !cancelsWanted.isEmpty else { return [] }
        let now = time.nowNanos()
        var due: [String] = []
        for id in cancelsWanted {
            guard let o = orders[id], !o.status.isTerminal, o.cancelRequested != nil else {
                cancelsWanted.remove(id)
                cancelSentAt[id] = nil
                cancelSeenLive.remove(id)
                continue
            }
            guard o.venue == venue else { continue }
            let quiet = cancelSentAt[id].map { now - $0 >= retryAfterNs } ?? true
            guard quiet else { continue }
            switch o.status {
            case .open, .partiallyFilled: due.append(id)
            case .pendingCancel where cancelSeenLive.contains(id): due.append(id)
            default: break
            }
        }
        return due.sorted { Engine.number($0, prefix: "o-") < Engine.number($1, prefix: "o-") }
    }

    /// Sends an asked-for cancel again (see `cancelsDue`).
    public func retryCancel(_ id: String) async {
        let outer = deferred
        deferred = []
        defer {
            finishStep()
            deferred = outer
        }
        guard let o = orders[id], let reason = o.cancelRequested, !o.status.isTerminal, o.status != .pendingSubmit else { return }
        cancelSeenLive.remove(id)
        logger.notice("sending a cancel the venue has not confirmed again", metadata: ["order": "\(id)", "venue": "\(o.venue)", "status": "\(o.status.rawValue)"])
        do {
            try await cancel(id, reason: reason)
        } catch {
            logger.warning("the repeated cancel failed", metadata: ["order": "\(id)", "error": "\(error.message)"])
        }
    }
}
