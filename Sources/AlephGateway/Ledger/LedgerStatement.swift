import AlephCore
import GRDB
import GRDBSQLite

/// SQLite copies bound text at bind time (the buffers it came from may then go away).
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// One prepared statement of the writer connection, bound and stepped through the SQLite C API.
///
/// GRDB's `StatementArguments` box every value into an existential array and check the count on
/// each execution; on the commit path, where a signal writes about ten rows, that cost more than
/// SQLite itself. GRDB still owns the statement (it finalizes it) and the connection, transaction
/// rules and migrations; this type only binds parameters in order and steps.
final class LedgerStatement {
    private let statement: Statement
    private let handle: SQLiteStatement
    private let connection: SQLiteConnection?
    private var index: Int32 = 0
    /// Reused for decimals printed before binding.
    private var scratch: [UInt8] = []

    init(_ db: Database, _ sql: String) throws {
        statement = try db.makeStatement(sql: sql)
        handle = statement.sqliteStatement
        connection = db.sqliteConnection
        scratch.reserveCapacity(32)
    }

    private func next() -> Int32 {
        index += 1
        return index
    }

    /// Binds the next parameter to `s` as text.
    func text(_ s: String) {
        let i = next()
        var s = s
        s.withUTF8 { buf in
            if let base = buf.baseAddress {
                sqlite3_bind_text(handle, i, base, Int32(buf.count), transient)
            } else {
                sqlite3_bind_text(handle, i, "", 0, transient)
            }
        }
    }

    /// Binds the next parameter to `s`, or NULL.
    func text(_ s: String?) {
        if let s { text(s) } else { null() }
    }

    /// Binds the next parameter to UTF-8 `bytes` as text.
    func text(bytes: [UInt8]) {
        let i = next()
        bytes.withUnsafeBufferPointer { buf in
            if let base = buf.baseAddress {
                sqlite3_bind_text(handle, i, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(buf.count), transient)
            } else {
                sqlite3_bind_text(handle, i, "", 0, transient)
            }
        }
    }

    /// Binds the next parameter to the exact decimal text of `f`.
    func decimal(_ f: Fixed) {
        scratch.removeAll(keepingCapacity: true)
        f.writeDecimal(into: &scratch)
        text(bytes: scratch)
    }

    /// Binds the next parameter to the decimal text of `f`, or NULL.
    func decimal(_ f: Fixed?) {
        if let f { decimal(f) } else { null() }
    }

    /// Binds the next parameter to an integer.
    func int(_ v: Int64) { sqlite3_bind_int64(handle, next(), v) }

    /// Binds the next parameter to an integer, or NULL.
    func int(_ v: Int?) {
        if let v { int(Int64(v)) } else { null() }
    }

    /// Binds the next parameter to 0 or 1.
    func bool(_ v: Bool) { int(v ? 1 : 0) }

    /// Binds the next parameter to NULL.
    func null() { sqlite3_bind_null(handle, next()) }

    /// Runs the bound statement; returns the rows it changed. Every parameter must have been bound.
    @discardableResult
    func run() throws(LedgerError) -> Int {
        defer { index = 0 }
        let bound = index
        let expected = sqlite3_bind_parameter_count(handle)
        guard bound == expected else {
            sqlite3_reset(handle)
            throw LedgerError("write_failed", "statement bound \(bound) of \(expected) parameters: \(statement.sql)")
        }
        let rc = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard rc == SQLITE_DONE else {
            let message = connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "code \(rc)"
            throw LedgerError("write_failed", "\(message) (\(statement.sql.prefix(40))…)")
        }
        return connection.map { Int(sqlite3_changes($0)) } ?? 0
    }
}
