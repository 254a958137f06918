import AlephCore
import AlephNet
import AlephVenues
import Testing
@testable import AlephGateway

@Suite struct VenueConfigTests {
    @Test func venuesParseWithDefaultsAndOverrides() throws {
        let c = try GatewayConfig.load(toml: """
            [venues.binance]
            enabled = true
            symbols = ["BTCUSDT", "ETHUSDT"]
            ws_url = "ws://127.0.0.1:9999/"
            idle_timeout_ms = 1500

            [venues.bybit]
            enabled = false
            category = "spot"
            symbols = ["BTCUSDT"]
            """)
        let b = try #require(c.venues.first { $0.venue == "binance" })
        #expect(b.enabled && b.symbols == ["BTCUSDT", "ETHUSDT"] && b.wsURL == "ws://127.0.0.1:9999" && b.restURL == "https://api.binance.com" && b.idleTimeoutMs == 1500)
        let y = try #require(c.venues.first { $0.venue == "bybit" })
        #expect(!y.enabled && y.category == "spot" && y.wsURL == "wss://stream.bybit.com/v5/public/spot")
    }

    @Test func badVenueConfigsAreRefusedWithTheReason() {
        let cases: [(String, String)] = [
            ("[venues.kraken]\nenabled = true", "unknown venue"),
            ("[venues.okx]\nenabled = true", "lists no symbols"),
            ("[venues.okx]\nws_url = \"http://x.example\"", "must start with ws:// or wss://"),
            ("[venues.bybit]\ncategory = \"inverse\"", "spot"),
            ("[venues.binance]\nsymbols = [\"BTC USDT\"]", "not a venue symbol"),
            ("[venues.binance]\ncategory = \"spot\"", "unknown key"),
            ("[venues.okx]\nbackoff_min_ms = 5000\nbackoff_max_ms = 10", "below backoff_min_ms"),
            ("[venues.binance]\nenabled = true\nsymbols = [\"BTCUSDT\"]\nmode = \"live\"", "needs api_key_env or api_key_file"),
            ("[venues.binance]\nenabled = true\nsymbols = [\"BTCUSDT\"]\nmode = \"live\"\napi_key_env = \"K\"", "needs api_secret_env"),
            ("[venues.okx]\nenabled = true\nsymbols = [\"BTC-USDT\"]\nmode = \"live\"\napi_key_env = \"K\"\napi_secret_env = \"S\"", "passphrase_env"),
            ("[venues.binance]\nmode = \"live\"\napi_key_env = \"K\"\napi_secret_env = \"S\"", "needs enabled = true"),
            ("[venues.binance]\nmode = \"real\"", "\"paper\" or \"live\""),
            ("[venues.binance]\napi_key_env = \"abc def\"", "must name an environment variable"),
            ("[venues.bybit]\norphans = \"ignore\"", "\"adopt\" or \"cancel\""),
            ("[venues.binance]\npassphrase_env = \"P\"", "unknown key"),
            ("[valuation]\nusdt = \"1\"", "upper case"),
            ("[valuation]\nUSDT = \"0\"", "greater than 0"),
        ]
        for (toml, why) in cases {
            do {
                _ = try GatewayConfig.load(toml: toml)
                Issue.record("accepted: \(toml)")
            } catch {
                #expect(error.description.contains(why), "\(toml) → \(error.description)")
            }
        }
    }

    @Test func liveVenuesAndTestnetPresets() throws {
        let c = try GatewayConfig.load(toml: """
            [venues.binance]
            enabled = true
            mode = "live"
            testnet = true
            symbols = ["BTCUSDT"]
            api_key_env = "BINANCE_KEY"
            api_secret_file = "/run/secrets/binance"
            submit_timeout_ms = 2500
            orphans = "adopt"

            [venues.okx]
            enabled = true
            mode = "live"
            testnet = true
            symbols = ["BTC-USDT"]
            api_key_env = "K"
            api_secret_env = "S"
            passphrase_env = "P"
            ws_private_url = "ws://127.0.0.1:1/private"

            [valuation]
            FDUSD = "0.999"
            """)
        let b = try #require(c.venues.first { $0.venue == "binance" })
        #expect(b.mode == .live && b.testnet && b.restURL == "https://testnet.binance.vision" && b.wsPrivateURL == "wss://ws-api.testnet.binance.vision/ws-api/v3")
        #expect(b.apiKeyEnv == "BINANCE_KEY" && b.apiSecretFile == "/run/secrets/binance" && b.submitTimeoutMs == 2500 && b.orphans == .adopt)
        let o = try #require(c.venues.first { $0.venue == "okx" })
        // An explicit URL wins over the preset; the rest of the preset stays.
        #expect(o.wsPrivateURL == "ws://127.0.0.1:1/private" && o.wsURL == "wss://wspap.okx.com:8443/ws/v5/public" && o.passphraseEnv == "P")
        #expect(c.stableValues["FDUSD"] == Fixed("0.999") && c.stableValues["USDT"] == Fixed(1))
    }

    @Test func instrumentMetadataFromEachVenue() throws {
        let binance = #"{"symbols":[{"symbol":"BTCUSDT","baseAsset":"BTC","quoteAsset":"USDT","filters":[{"filterType":"PRICE_FILTER","tickSize":"0.01000000"},{"filterType":"LOT_SIZE","stepSize":"0.00001000"},{"filterType":"NOTIONAL","minNotional":"5.00000000"}]}]}"#
        let b = try InstrumentCatalog.parse(venue: "binance", category: "", symbols: ["BTCUSDT"], body: Array(binance.utf8))["BTCUSDT"]
        #expect(b?.id == "binance:BTC-USDT" && b?.tickSize == "0.01" && b?.lotSize == "0.00001" && b?.minNotional == "5")
        let okx = #"{"code":"0","data":[{"instId":"BTC-USDT-SWAP","instType":"SWAP","baseCcy":"","quoteCcy":"","tickSz":"0.1","lotSz":"0.01"}]}"#
        let o = try InstrumentCatalog.parse(venue: "okx", category: "linear", symbols: ["BTC-USDT-SWAP"], body: Array(okx.utf8))["BTC-USDT-SWAP"]
        #expect(o?.id == "okx:BTC-USDT-SWAP" && o?.kind == .perp && o?.base == "BTC" && o?.tickSize == "0.1")
        let bybit = #"{"retCode":0,"result":{"list":[{"symbol":"XRPUSDT","baseCoin":"XRP","quoteCoin":"USDT","priceFilter":{"tickSize":"0.0001"},"lotSizeFilter":{"qtyStep":"1","minNotionalValue":"5"}}]}}"#
        let y = try InstrumentCatalog.parse(venue: "bybit", category: "linear", symbols: ["XRPUSDT"], body: Array(bybit.utf8))["XRPUSDT"]
        #expect(y?.id == "bybit:XRP-USDT-PERP" && y?.lotSize == "1" && y?.minNotional == "5")
        #expect(throws: (any Error).self) { _ = try InstrumentCatalog.parse(venue: "bybit", category: "linear", symbols: ["DOGEUSDT"], body: Array(bybit.utf8)) }
        #expect(throws: (any Error).self) { _ = try InstrumentCatalog.parse(venue: "binance", category: "", symbols: ["BTCUSDT"], body: Array("<html>".utf8)) }
    }
}
