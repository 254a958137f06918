import AlephRPC

/// The curated MCP tool set: small enough for a model to choose well (17 tools), covering reading
/// markets, previewing and placing signals, cancelling, positions, balances, orders, fills, risk,
/// health and the dead-man's switch.
public enum MCPCatalog {
    /// Every tool, in the order hosts list them.
    public static let tools: [MCPToolSpec] = [
        read("list_instruments", "List instruments",
             "List tradable instruments with their venue, kind (spot, perp, outcome), tick and lot sizes and minimums. Instrument ids look like binance:BTC-USDT or hyperliquid:BTC-USD-PERP; every other tool takes them. Filter by venue or kind."),
        read("get_book", "Read an order book",
             "The order book of one instrument: bid and ask levels (price and size as decimal strings), mid, spread, and freshness (how old the data is and whether the feed is live). Check freshness before trading on it."),
        MCPToolSpec(name: "preview_signal", method: "place_signal", title: "Preview a trade",
                    description: "Check a trade without placing it: the same validation and risk checks as place_signal, with the expected status, price and fees. Nothing is sent to any venue and nothing is recorded.",
                    readOnly: true, destructive: false, idempotent: true, openWorld: false, fixed: [JSONMember("preview", .bool(true))]),
        MCPToolSpec(name: "place_signal", method: "place_signal", title: "Place a trade",
                    description: "Place a trading intent: buy or sell a quantity (or a notional) of an instrument, market or limit. intent_id is your idempotency key: retrying with the same intent_id (after a timeout, a crash) never trades twice, it returns the first outcome. Quantities and prices are decimal strings. The answer says filled, open, rejected (with a code and, when it helps, a corrected value) or uncertain (the gateway is confirming with the venue).",
                    readOnly: false, destructive: true, idempotent: true, openWorld: true),
        MCPToolSpec(name: "modify_order", method: "modify_order", title: "Change an open order",
                    description: "Change the limit price and/or quantity of an open order, by order_id or intent_id. Venues without in-place changes refuse; cancel and place a new intent instead.",
                    readOnly: false, destructive: true, idempotent: false, openWorld: true),
        MCPToolSpec(name: "cancel_order", method: "cancel_order", title: "Cancel an order",
                    description: "Cancel one open order by order_id or intent_id. The answer is the order as the venue left it: cancelled, filled (a fill won the race) or pending_cancel while the venue confirms.",
                    readOnly: false, destructive: true, idempotent: true, openWorld: true),
        MCPToolSpec(name: "cancel_all", method: "cancel_all", title: "Cancel all orders",
                    description: "Cancel every open order, or every open order of one instrument. Lists what was cancelled, what is still pending and what failed.",
                    readOnly: false, destructive: true, idempotent: true, openWorld: true),
        read("get_orders", "List orders", "Orders, newest first: status, filled quantity, average price, venue ids. Filter by instrument or status; page with cursor."),
        read("get_fills", "List fills", "Fills (executions), newest first: price, quantity, fee, liquidity. Filter by instrument or order; page with cursor."),
        read("get_positions", "Read positions", "Open positions per instrument with average entry, realized and unrealized PnL."),
        read("get_balances", "Read balances", "Cash and balances per venue account, equity, PnL and fees paid."),
        read("get_risk", "Read risk state", "Trading state (active, reducing, halted), risk limits with current usage and headroom, breaker history, and this session's dead-man's switch with which venues back it."),
        read("get_health", "Read gateway health", "Feed health per venue (live, stale, reconnecting), book freshness, ledger state and each venue's execution state."),
        MCPToolSpec(name: "halt", method: "halt", title: "Halt trading",
                    description: "Stop all trading at once (new orders are refused until an admin resumes); with cancel_all also cancels every open order. Use it when something is wrong.",
                    readOnly: false, destructive: true, idempotent: true, openWorld: true),
        MCPToolSpec(name: "resume", method: "resume", title: "Resume trading",
                    description: "Resume trading after a halt or a breaker trip (admin). Drawdown and daily-loss baselines restart from current equity.",
                    readOnly: false, destructive: false, idempotent: true, openWorld: false),
        MCPToolSpec(name: "set_risk_limits", method: "set_risk_limits", title: "Change risk limits",
                    description: "Change global risk limits, or one instrument's overrides (admin). Limits are decimal strings; null removes a limit.",
                    readOnly: false, destructive: true, idempotent: true, openWorld: false),
        MCPToolSpec(name: "set_deadman", method: "session.set_deadman", title: "Arm the dead-man's switch",
                    description: "Arm this session's dead-man's switch: if the gateway hears nothing from you for timeout_ms (any tool call or ping re-arms it), every open order you placed is cancelled on every venue. on_disconnect cancel (default) also fires it when you disconnect; keep leaves your orders. timeout_ms 0 disarms it.",
                    readOnly: false, destructive: false, idempotent: true, openWorld: false),
    ]

    static func read(_ method: String, _ title: String, _ description: String) -> MCPToolSpec {
        MCPToolSpec(name: method, method: method, title: title, description: description, readOnly: true, destructive: false, idempotent: true, openWorld: false)
    }

    /// A tool by name.
    public static func tool(named name: String) -> MCPToolSpec? { tools.first { $0.name == name } }
}
