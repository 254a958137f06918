import AlephCore
import AlephRPC
import AlephRisk
import GRDB

extension Ledger {
    /// Reads everything a restart needs.
    public func load() throws(LedgerError) -> LedgerSnapshot {
        do {
            return try writer.read { db throws -> LedgerSnapshot in
                var s = LedgerSnapshot()
                // Columns by position (named lookups were 40% of a restart's time).
                let intents = try Row.fetchCursor(db, sql: """
                    SELECT intent_id, session, fingerprint, params, rationale, received_at, result, order_id FROM intents ORDER BY seq
                    """)
                while let row = try intents.next() {
                    let params = try LedgerReader.json(row[3], "intents.params")
                    let result = try LedgerReader.json(row[6], "intents.result")
                    s.intents.append(LedgerIntent(intentId: row[0], session: row[1], fingerprint: row[2], params: params,
                                                  rationale: row[4], receivedAt: row[5], result: result, orderId: row[7]))
                }
                let orders = try Row.fetchCursor(db, sql: "SELECT \(LedgerCodec.orderColumns) FROM orders ORDER BY seq")
                while let row = try orders.next() { s.orders.append(try LedgerCodec.order(row)) }
                let fills = try Row.fetchCursor(db, sql: "SELECT \(LedgerCodec.fillColumns) FROM fills ORDER BY seq")
                while let row = try fills.next() { s.fills.append(try LedgerCodec.fill(row)) }
                for row in try Row.fetchAll(db, sql: "SELECT * FROM positions") {
                    var p = Position(instrument: row["instrument"])
                    p.quantity = try LedgerCodec.decimal(row["quantity"], "positions.quantity")
                    p.averageEntry = try LedgerCodec.decimal(row["average_entry"], "positions.average_entry")
                    p.realizedPnL = try LedgerCodec.decimal(row["realized_pnl"], "positions.realized_pnl")
                    p.fees = try LedgerCodec.decimal(row["fees"], "positions.fees")
                    s.positions[p.instrument] = p
                }
                for row in try Row.fetchAll(db, sql: "SELECT * FROM balances") {
                    let key: String = row["currency"]
                    let parts = key.split(separator: ":", maxSplits: 1).map(String.init)
                    let venue = parts.count == 2 ? parts[0] : "sim", currency = parts.count == 2 ? parts[1] : key
                    s.balances[venue] = LedgerBalance(venue: venue, currency: currency, cash: try LedgerCodec.decimal(row["cash"], "balances.cash"),
                                                      startingCash: try LedgerCodec.decimal(row["starting_cash"], "balances.starting_cash"),
                                                      feesPaid: try LedgerCodec.decimal(row["fees_paid"], "balances.fees_paid"))
                }
                if let row = try Row.fetchOne(db, sql: "SELECT * FROM risk_state WHERE id = 1") {
                    s.risk = RiskSnapshot(state: try LedgerCodec.enumValue(row["state"], "risk_state.state"),
                                          peakEquity: try LedgerCodec.decimal(row["peak_equity"], "risk_state.peak_equity"),
                                          dayStartEquity: try LedgerCodec.decimal(row["day_start_equity"], "risk_state.day_start_equity"),
                                          day: row["day"])
                }
                for row in try Row.fetchAll(db, sql: "SELECT at, data FROM events WHERE kind = 'risk' ORDER BY seq DESC LIMIT 100").reversed() {
                    s.riskHistory.append(try LedgerCodec.riskEvent(at: row["at"], try LedgerReader.json(row["data"], "events.data")))
                }
                for row in try Row.fetchAll(db, sql: "SELECT at, data FROM events WHERE kind = 'risk_limits' ORDER BY seq") {
                    let data = try LedgerReader.json(row[1], "events.data")
                    guard case .object(let changes)? = data["changes"], let config = data["config"]?.stringValue else {
                        throw LedgerError("corrupt", "risk_limits event without changes/config")
                    }
                    s.riskLimitChanges.append(RiskLimitChange(instrument: data["instrument"]?.stringValue, changes: changes,
                                                              configFingerprint: config, at: row[0]))
                }
                for row in try Row.fetchAll(db, sql: "SELECT ref FROM events WHERE kind = 'risk_baseline'") {
                    if let v: String = row[0] { s.baselinedVenues.insert(v) }
                }
                for row in try Row.fetchAll(db, sql: "SELECT ref, at, data FROM events WHERE kind = 'funding' ORDER BY seq") {
                    let data = try LedgerReader.json(row[2], "events.data")
                    guard let id: String = row[0], let venue = data["venue"]?.stringValue, let inst = data["instrument"]?.stringValue,
                          let amount = data["amount"]?.stringValue.flatMap({ try? Fixed(parsing: $0) }) else {
                        throw LedgerError("corrupt", "funding event without ref, venue, instrument or amount")
                    }
                    s.fundings.append(LedgerFunding(id: id, venue: venue, instrument: inst, amount: amount, at: row[1]))
                }
                var latest: [String: JSON] = [:], order: [String] = []
                for row in try Row.fetchAll(db, sql: "SELECT ref, data FROM events WHERE kind = 'evm_tx' ORDER BY seq") {
                    guard let ref: String = row[0] else { continue }
                    if latest[ref] == nil { order.append(ref) }
                    latest[ref] = try LedgerReader.json(row[1], "events.data")
                }
                s.evmTxs = order.compactMap { latest[$0] }
                s.eventCount = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events") ?? 0
                return s
            }
        } catch let e as LedgerError {
            throw e
        } catch {
            throw LedgerError("read_failed", "\(error)")
        }
    }

    /// Writes the journal as JSON lines, oldest first: `{"seq","ts_us","kind","ref","data"}`.
    public func exportJournal(_ line: (String) -> Void) throws(LedgerError) {
        do {
            try writer.read { db in
                let cursor = try Row.fetchCursor(db, sql: "SELECT seq, at, kind, ref, data FROM events ORDER BY seq")
                while let row = try cursor.next() {
                    let data = try LedgerReader.json(row["data"], "events.data")
                    let at: Int64 = row["at"]
                    line(JSONWriter.string(.object([
                        JSONMember("seq", .int(row["seq"] as Int64)), JSONMember("ts_us", .int(at / 1000)), JSONMember("kind", .string(row["kind"])),
                        JSONMember("ref", (row["ref"] as String?).map(JSON.string) ?? .null), JSONMember("data", data),
                    ])))
                }
            }
        } catch let e as LedgerError {
            throw e
        } catch {
            throw LedgerError("read_failed", "\(error)")
        }
    }
}

/// Parses JSON columns, reporting a bad one as `corrupt`.
enum LedgerReader {
    static func json(_ text: String?, _ column: String) throws(LedgerError) -> JSON {
        guard let text else { throw LedgerError("corrupt", "missing JSON in \(column)") }
        do { return try JSONParser.parse(text) } catch { throw LedgerError("corrupt", "bad JSON in \(column): \(error)") }
    }
}
