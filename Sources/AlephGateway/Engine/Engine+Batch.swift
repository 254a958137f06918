import AlephCore
import AlephRPC
import AlephVenues

extension Engine {
    /// True when a JSON-RPC batch is all `place_signal` requests: its approved orders go to their
    /// venues together (one batch request where the venue has batch order entry).
    static func isSignalBatch(_ calls: [RPCCall]) -> Bool {
        calls.count > 1 && calls.allSatisfy { if case .request(let r) = $0 { return r.method == "place_signal" } else { return false } }
    }

    /// A batch of `place_signal`s: each is checked in order exactly as if sent alone (a later one
    /// sees the earlier ones' orders in its limits), the approved orders are made durable
    /// together, then each venue gets its orders — in batches of up to its `batchLimit`, one
    /// outcome per order — and each answer is what its own order came to. Answers keep the
    /// batch's order; notifications (no id) get none.
    func answerSignalBatch(_ calls: [RPCCall], session: Session) async -> [[UInt8]?] {
        var results: [Result<JSON, RPCError>?] = Array(repeating: nil, count: calls.count)
        var ready: [(index: Int, signal: ReadySignal)] = []
        var repeats: [Int] = []
        var placed: Set<String> = []
        let requests: [RPCRequest] = calls.map { if case .request(let r) = $0 { return r } else { fatalError("checked by isSignalBatch") } }
        for (i, req) in requests.enumerated() {
            if sessionStates[session.id]?.authenticated == false {
                results[i] = .failure(RPCError.app(.unauthorized, "this gateway requires authentication: send session.hello with the token first"))
                continue
            }
            do {
                switch try await prepareSignal(req.params, session: session, batch: placed) {
                case .answer(let a): results[i] = .success(a)
                case .inBatch: repeats.append(i)
                case .ready(let r):
                    ready.append((i, r))
                    placed.insert(r.req.intentId)
                }
            } catch {
                results[i] = .failure(error)
            }
        }
        do {
            try await makeDurable(ready.map(\.signal))
        } catch {
            for (i, _) in ready { results[i] = .failure(error) }
            ready = []
        }
        // Per venue, in the order the venues first appear; each venue's orders in batch order.
        var venues: [String] = []
        for (_, r) in ready where !venues.contains(r.inst.venue) { venues.append(r.inst.venue) }
        for venue in venues {
            let group = ready.filter { $0.signal.inst.venue == venue }
            let executor = executor(for: venue)
            let limit = max(1, executor.traits.batchLimit)
            var start = 0
            while start < group.count {
                let chunk = Array(group[start..<min(group.count, start + limit)])
                start += chunk.count
                let reqs = chunk.map(\.signal.request)
                let remote = chunk[0].signal.remote
                var outcomes: [SubmitOutcome]
                if reqs.count == 1 {
                    outcomes = [remote ? await suspendStep { await executor.submit(reqs[0]) } : await executor.submit(reqs[0])]
                } else {
                    outcomes = remote ? await suspendStep { await executor.submit(batch: reqs) } : await executor.submit(batch: reqs)
                }
                if outcomes.count != reqs.count {
                    logger.error("executor answered a batch with the wrong number of outcomes", metadata: ["venue": "\(venue)", "sent": "\(reqs.count)", "outcomes": "\(outcomes.count)"])
                    outcomes = reqs.indices.map { k in k < outcomes.count ? outcomes[k] : .uncertain("no outcome for this order in the venue's batch answer") }
                }
                for (k, (i, r)) in chunk.enumerated() {
                    results[i] = .success(settleSubmit(r.req, orderId: r.request.order.id, outcome: outcomes[k], params: r.params, session: session,
                                                       inst: r.inst, decidedOn: r.decidedOn))
                }
                for (_, r) in chunk { await cancelIfCalledOff(r.request.order.id) }
            }
        }
        for i in repeats {
            do { results[i] = .success(try await placeSignal(requests[i].params, session: session)) } catch { results[i] = .failure(error) }
        }
        return requests.enumerated().map { i, req in
            guard let id = req.id else { return nil }
            var out: [UInt8] = []
            switch results[i] {
            case .success(let j)?: RPCEnvelope.writeResult(id: id, result: j, into: &out)
            case .failure(let e)?: RPCEnvelope.writeError(id: id, error: e, into: &out)
            case nil: RPCEnvelope.writeError(id: id, error: RPCError.internalError("signal not answered"), into: &out)
            }
            return out
        }
    }
}
