import AlephCore
import AlephNet
import AlephRPC
import Foundation
import Testing
@testable import AlephVenues

/// The live executors' signed requests, byte for byte against vectors made by the venues'
/// official SDKs (../shared/vectors/exec_*_vectors.json), and their answers parsed from the
/// specs' examples.
@Suite struct ExecRequestTests {
    static func vectors(_ file: String) -> [String: Any]? {
        guard let d = SharedData.file("../vectors/\(file)") else { return nil }
        return (try? JSONSerialization.jsonObject(with: d)) as? [String: Any]
    }

    static func query(_ q: String) -> [(String, String)] {
        q.split(separator: "&").map { kv in
            let p = kv.split(separator: "=", maxSplits: 1).map(String.init)
            return (p[0], (p.count > 1 ? p[1] : "").removingPercentEncoding ?? p[1])
        }
    }

    @Test func binanceRESTAndWebSocketSignatures() throws {
        guard let v = Self.vectors("exec_binance_vectors.json") else { return }
        var n = 0
        for r in v["rest"] as! [[String: Any]] where !((r["signature"] as? String) ?? "").isEmpty {
            let key = (r["apiKeyHeader"] as! [String: String])["X-MBX-APIKEY"]!
            let b = BinanceRequests(restURL: "https://x", credentials: VenueCredentials(apiKey: key, secret: r["secret"] as! String), recvWindowMs: 5000)
            let req = b.signed(r["method"] as! String, r["path"] as! String, Self.query(r["query_signed"] as! String))
            #expect(req.url == "https://x\(r["path"] as! String)?\(r["full_query_sent"] as! String)", "\(r["name"]!)")
            #expect(req.headers.first { $0.0 == "X-MBX-APIKEY" }?.1 == key)
            n += 1
        }
        for w in v["ws_api"] as! [[String: Any]] {
            let req = w["request"] as! [String: Any]
            var params = req["params"] as! [String: Any]
            let apiKey = params.removeValue(forKey: "apiKey") as! String
            let sig = params.removeValue(forKey: "signature") as! String
            let b = BinanceRequests(restURL: "https://x", credentials: VenueCredentials(apiKey: apiKey, secret: w["secret"] as! String), recvWindowMs: 5000)
            let frame = b.wsRequest(id: req["id"] as! String, method: req["method"] as! String, params: params.map { ($0.key, "\($0.value)") })
            let parsed = try JSONParser.parse(Array(frame.utf8))
            #expect(parsed["params"]?["signature"]?.stringValue == sig, "\(w["name"]!)")
            n += 1
        }
        #expect(n >= 8)
    }

    @Test func binanceOrderParamsFollowOurOrder() {
        var o = Order(id: "o-7", intentId: "i", instrument: "binance:BTC-USDT", side: .buy, type: .limit, timeInForce: .gtc, limitPrice: "60000.5",
                      quantity: "0.001", postOnly: false, reduceOnly: false, rationale: nil, createdAt: 0)
        o.clientOrderId = "axabcde7"
        #expect(BinanceRequests.orderParams(symbol: "BTCUSDT", order: o).map { "\($0.0)=\($0.1)" }
                == ["symbol=BTCUSDT", "side=BUY", "type=LIMIT", "timeInForce=GTC", "quantity=0.001", "price=60000.5", "newClientOrderId=axabcde7", "newOrderRespType=FULL"])
        o.postOnly = true
        #expect(BinanceRequests.orderParams(symbol: "BTCUSDT", order: o).contains { $0 == ("type", "LIMIT_MAKER") })
        #expect(!BinanceRequests.orderParams(symbol: "BTCUSDT", order: o).contains { $0.0 == "timeInForce" })
    }

    @Test func okxSignaturesAndTimestamps() {
        guard let v = Self.vectors("exec_okx_vectors.json") else { return }
        let creds = VenueCredentials(apiKey: v["apiKey"] as! String, secret: v["secret"] as! String, passphrase: v["passphrase"] as? String)
        #expect(OKXRequests.isoTimestamp(ms: 1_767_225_600_000) == "2026-01-01T00:00:00.000Z")
        #expect(OKXRequests.isoTimestamp(ms: 951_825_599_123) == "2000-02-29T11:59:59.123Z")
        var n = 0
        for r in v["rest"] as! [[String: Any]] {
            let ts = r["OK-ACCESS-TIMESTAMP"] as! String
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let ms = Int64((f.date(from: ts)!.timeIntervalSince1970 * 1000).rounded())
            let b = OKXRequests(restURL: "https://x", credentials: creds, demo: false, expireAfterMs: 5000)
            let req = b.signed(r["method"] as! String, r["requestPath"] as! String, body: r["body"] as! String, timestampMs: ms)
            let headers = Dictionary(req.headers, uniquingKeysWith: { a, _ in a })
            #expect(headers["OK-ACCESS-SIGN"] == r["OK-ACCESS-SIGN"] as? String, "\(r["name"]!)")
            #expect(headers["OK-ACCESS-TIMESTAMP"] == ts && headers["OK-ACCESS-PASSPHRASE"] == creds.passphrase)
            #expect(headers["x-simulated-trading"] == nil)
            n += 1
        }
        #expect(n >= 5)
        // Our placement body for the vector's spot limit order.
        var o = Order(id: "o-1", intentId: "i", instrument: "okx:BTC-USDT", side: .buy, type: .limit, timeInForce: .gtc, limitPrice: "60000",
                      quantity: "0.001", postOnly: false, reduceOnly: false, rationale: nil, createdAt: 0)
        o.clientOrderId = "ax20260101000001"
        #expect(OKXRequests.orderBody(instId: "BTC-USDT", order: o, spot: true)
                == #"{"instId":"BTC-USDT","tdMode":"cash","clOrdId":"ax20260101000001","side":"buy","ordType":"limit","px":"60000","sz":"0.001"}"#)
    }

    @Test func bybitSignatures() {
        guard let v = Self.vectors("exec_bybit_vectors.json") else { return }
        let creds = VenueCredentials(apiKey: v["apiKey"] as! String, secret: v["secret"] as! String)
        var n = 0
        for r in v["rest"] as! [[String: Any]] {
            let b = BybitRequests(restURL: "https://x", credentials: creds, recvWindowMs: Int(v["recvWindow"] as! String)!, category: "linear")
            let method = r["method"] as! String
            let req = b.signed(method, r["path"] as! String, query: r["query"] as? String ?? "", body: r["body"] as? String ?? "",
                               timestampMs: Int64(r["X-BAPI-TIMESTAMP"] as! String)!)
            let headers = Dictionary(req.headers, uniquingKeysWith: { a, _ in a })
            #expect(headers["X-BAPI-SIGN"] == r["X-BAPI-SIGN"] as? String, "\(r["name"]!)")
            n += 1
        }
        #expect(n >= 4)
        var o = Order(id: "o-1", intentId: "i", instrument: "bybit:BTC-USDT-PERP", side: .buy, type: .limit, timeInForce: .gtc, limitPrice: "60000.0",
                      quantity: "0.010", postOnly: false, reduceOnly: false, rationale: nil, createdAt: 0)
        o.clientOrderId = "ax-20260101-000001"
        #expect(BybitRequests(restURL: "", credentials: creds, recvWindowMs: 5000, category: "linear").orderBody(symbol: "BTCUSDT", order: o)
                == #"{"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.01","price":"60000","timeInForce":"GTC","positionIdx":0,"orderLinkId":"ax-20260101-000001"}"#)
    }

    @Test func answersParseFromTheSpecExamples() throws {
        let inst: Instrument = {
            var i = Instrument(venue: "binance", base: "BTC", quote: "USDT", kind: .spot, tickSize: "0.01", lotSize: "0.00001", minNotional: "5")
            i.symbol = "BTCUSDT"
            return i
        }()
        // Binance executionReport (a fill) from the execution dossier.
        let er = try JSONParser.parse(Array(#"{"e":"executionReport","E":1767225605001,"s":"BTCUSDT","c":"ax-20260101-000001","S":"BUY","o":"LIMIT","f":"GTC","q":"0.00100000","p":"60000.00000000","P":"0.00000000","F":"0.00000000","g":-1,"C":"","x":"TRADE","X":"FILLED","r":"NONE","i":28457123,"l":"0.00100000","z":"0.00100000","L":"60000.00000000","n":"0.00000100","N":"BTC","T":1767225605000,"t":4012345,"I":6100002,"w":false,"m":true,"M":true,"O":1767225600130,"Z":"60.00000000","Y":"60.00000000","Q":"0.00000000","W":1767225600130,"V":"EXPIRE_MAKER"}"#.utf8))
        let s = BinanceExecWire.executionReport(er, instrument: inst)!
        #expect(s.status == .filled && s.clientOrderId == "ax-20260101-000001" && s.venueOrderId == "28457123" && s.filledQuantity == "0.001")
        #expect(s.fills.count == 1 && s.fills[0].venueTradeId == "binance:BTCUSDT:4012345:28457123" && s.fills[0].liquidity == .maker)
        // The BTC commission is converted at the fill price: 0.000001 BTC × 60000 = 0.06 USDT.
        #expect(s.fills[0].fee == "0.06" && s.fills[0].feeAsset == "BTC" && s.fills[0].venueFee == "0.000001")
        // A cancel report names the original id in C.
        let cx = try JSONParser.parse(Array(#"{"e":"executionReport","s":"BTCUSDT","c":"cxl-9Zq1","C":"ax-1","x":"CANCELED","X":"CANCELED","i":1,"z":"0","T":1}"#.utf8))
        #expect(BinanceExecWire.executionReport(cx, instrument: inst)?.clientOrderId == "ax-1")
        // Error classes.
        #expect(BinanceExecWire.classify(status: 503, code: -1007, message: "", retryAfterMs: nil) == nil)
        #expect(BinanceExecWire.classify(status: 400, code: -2010, message: "Account has insufficient balance for requested action.", retryAfterMs: nil)?.code == .insufficientBalance)
        #expect(BinanceExecWire.classify(status: 429, code: -1003, message: "", retryAfterMs: 2000)?.retryAfterMs == 2000)
        #expect(BinanceExecWire.classify(status: 400, code: -2010, message: "Duplicate order sent.", retryAfterMs: nil) == nil)
        // OKX two levels: code 1 with an item sCode.
        #expect(OKXExecWire.classify(status: 200, code: "1", message: "", sCode: "51008", sMsg: "Insufficient")?.code == .insufficientBalance)
        #expect(OKXExecWire.classify(status: 400, code: "50004", message: "timeout", sCode: nil, sMsg: nil) == nil)
        #expect(OKXExecWire.classify(status: 200, code: "1", message: "", sCode: "51016", sMsg: "Client order ID already exists.") == nil)
        // Bybit retCodes.
        #expect(BybitExecWire.classify(status: 200, retCode: 10000, message: "Server Timeout", resetMs: nil) == nil)
        #expect(BybitExecWire.classify(status: 200, retCode: 110007, message: "ab not enough", resetMs: nil)?.code == .insufficientBalance)
        #expect(BybitExecWire.classify(status: 200, retCode: 10006, message: "Too many visits!", resetMs: 700)?.retryAfterMs == 700)
    }
}
