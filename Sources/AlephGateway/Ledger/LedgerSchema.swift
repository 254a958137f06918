import GRDB

/// The ledger's tables, as GRDB migrations. Money and quantities are exact decimal TEXT (the
/// gateway's fixed-point values printed in full); times are INTEGER nanoseconds since the epoch.
///
/// Every commit writes each B-tree page it touches to the WAL, so the layout keeps that count
/// low: orders and fills are keyed by their gateway number (`o-<seq>`, `f-<seq>`) as the rowid,
/// intents are a WITHOUT ROWID table, and the only secondary index is the venue trade id that
/// makes fills unique. The journal's `seq` is the rowid: deletes are forbidden, so it only grows.
enum LedgerSchema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE intents (
                    intent_id TEXT PRIMARY KEY NOT NULL,
                    session INTEGER NOT NULL,
                    fingerprint TEXT NOT NULL,
                    params TEXT NOT NULL,
                    rationale TEXT,
                    received_at INTEGER NOT NULL,
                    result TEXT NOT NULL,
                    order_id TEXT
                ) WITHOUT ROWID;
                CREATE TABLE orders (
                    seq INTEGER PRIMARY KEY,
                    order_id TEXT NOT NULL,
                    intent_id TEXT NOT NULL,
                    session INTEGER,
                    venue TEXT NOT NULL,
                    venue_order_id TEXT,
                    client_order_id TEXT,
                    instrument TEXT NOT NULL,
                    side TEXT NOT NULL,
                    type TEXT NOT NULL,
                    time_in_force TEXT NOT NULL,
                    limit_price TEXT,
                    quantity TEXT NOT NULL,
                    filled_quantity TEXT NOT NULL,
                    filled_notional TEXT NOT NULL,
                    fees TEXT NOT NULL,
                    state TEXT NOT NULL,
                    post_only INTEGER NOT NULL,
                    reduce_only INTEGER NOT NULL,
                    rationale TEXT,
                    reason TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                CREATE TABLE fills (
                    seq INTEGER PRIMARY KEY,
                    fill_id TEXT NOT NULL,
                    venue_trade_id TEXT NOT NULL UNIQUE,
                    order_id TEXT NOT NULL,
                    intent_id TEXT NOT NULL,
                    instrument TEXT NOT NULL,
                    side TEXT NOT NULL,
                    price TEXT NOT NULL,
                    quantity TEXT NOT NULL,
                    fee TEXT NOT NULL,
                    liquidity TEXT NOT NULL,
                    ts INTEGER NOT NULL
                );
                CREATE TABLE positions (
                    instrument TEXT PRIMARY KEY NOT NULL,
                    quantity TEXT NOT NULL,
                    average_entry TEXT NOT NULL,
                    realized_pnl TEXT NOT NULL,
                    fees TEXT NOT NULL
                );
                CREATE TABLE balances (
                    currency TEXT PRIMARY KEY NOT NULL,
                    cash TEXT NOT NULL,
                    starting_cash TEXT NOT NULL,
                    fees_paid TEXT NOT NULL
                );
                CREATE TABLE risk_state (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    state TEXT NOT NULL,
                    peak_equity TEXT NOT NULL,
                    day_start_equity TEXT NOT NULL,
                    day INTEGER NOT NULL
                );
                CREATE TABLE events (
                    seq INTEGER PRIMARY KEY,
                    at INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    ref TEXT,
                    data TEXT NOT NULL
                );
                CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
                    BEGIN SELECT RAISE(ABORT, 'the event journal is append-only'); END;
                CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
                    BEGIN SELECT RAISE(ABORT, 'the event journal is append-only'); END;
                """)
        }
        // Intents keyed by their text id put each ~1 KB row at a random place in the B-tree, so
        // every signal dirtied its own page. Rows now append in arrival order (`seq`) and only a
        // small unique index on the id takes the random inserts.
        m.registerMigration("v2-intents-append-order") { db in
            try db.execute(sql: """
                CREATE TABLE intents_v2 (
                    seq INTEGER PRIMARY KEY,
                    intent_id TEXT NOT NULL UNIQUE,
                    session INTEGER NOT NULL,
                    fingerprint TEXT NOT NULL,
                    params TEXT NOT NULL,
                    rationale TEXT,
                    received_at INTEGER NOT NULL,
                    result TEXT NOT NULL,
                    order_id TEXT
                );
                INSERT INTO intents_v2 (intent_id, session, fingerprint, params, rationale, received_at, result, order_id)
                    SELECT intent_id, session, fingerprint, params, rationale, received_at, result, order_id FROM intents ORDER BY received_at;
                DROP TABLE intents;
                ALTER TABLE intents_v2 RENAME TO intents;
                """)
        }
        // Facts about the ledger itself: the tag in every client order id it made (so two gateways
        // on one venue account never collide, and ours are told from others' at the venue).
        m.registerMigration("v3-meta") { db in
            try db.execute(sql: "CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID")
            // Whether an order went to a venue outside this process: after a restart only those
            // are reconciled with the venue (a paper order on the same venue's books is not).
            try db.execute(sql: "ALTER TABLE orders ADD COLUMN live INTEGER NOT NULL DEFAULT 0")
        }
        // Why a cancel was asked for: a cancel the gateway did not see confirmed (a crash, a lost
        // answer, an order still being placed) is sent again after a restart.
        m.registerMigration("v4-cancel-requested") { db in
            try db.execute(sql: "ALTER TABLE orders ADD COLUMN cancel_requested TEXT")
        }
        return m
    }
}
