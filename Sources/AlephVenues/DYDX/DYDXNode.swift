import AlephCore
import AlephCrypto
import AlephNet
import AlephRPC
import AlephVenueKit
import Foundation

/// A dYdX full node's REST (gRPC-gateway) face: the latest block height, the account's number and
/// sequence, and `POST /cosmos/tx/v1beta1/txs` with `BROADCAST_MODE_SYNC`.
public struct DYDXNode: Sendable {
    /// Base URL (`http://host:1317`).
    public let url: String
    let rest: VenueREST

    /// Creates the client over the executor's shared REST part.
    public init(url: String, rest: VenueREST) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.rest = rest
    }

    func getJSON(_ path: String) async throws -> JSON {
        let body = try await rest.get(HTTPRequestSpec(method: "GET", url: url + path, headers: [], body: nil),
                                      describe: { "node \(path): HTTP \($0.status) \(String(decoding: $0.body.prefix(200), as: UTF8.self))" })
        do { return try JSONParser.parse(body) } catch { throw HTTPFailure(description: "node \(path) answered non-JSON: \(error)") }
    }

    /// The latest block's height.
    public func height() async throws -> Int64 {
        let j = try await getJSON("/cosmos/base/tendermint/v1beta1/blocks/latest")
        guard let h = DYDXExecWire.int(j["block"]?["header"]?["height"] ?? j["sdk_block"]?["header"]?["height"]), h > 0 else {
            throw HTTPFailure(description: "node blocks/latest: no block.header.height")
        }
        return h
    }

    /// The account's number and (committed) sequence.
    public func account(_ address: String) async throws -> (number: UInt64, sequence: UInt64) {
        let j = try await getJSON("/cosmos/auth/v1beta1/accounts/\(address)")
        var a = j["account"]
        // Vesting and module accounts wrap a base account.
        if a?["account_number"] == nil { a = a?["base_account"] ?? a?["base_vesting_account"]?["base_account"] }
        guard let n = DYDXExecWire.int(a?["account_number"]), n >= 0 else {
            throw HTTPFailure(description: "node accounts/\(address): no account_number (an account exists once it has received funds)")
        }
        return (UInt64(n), UInt64(max(0, DYDXExecWire.int(a?["sequence"]) ?? 0)))
    }

    /// Broadcasts signed `TxRaw` bytes and waits for CheckTx.
    public nonisolated(nonsending) func broadcast(_ txRaw: [UInt8], timeoutMs: Int) async -> HTTPOutcome {
        let body = #"{"tx_bytes":"\#(Data(txRaw).base64EncodedString())","mode":"BROADCAST_MODE_SYNC"}"#
        return await rest.send(HTTPRequestSpec(method: "POST", url: url + "/cosmos/tx/v1beta1/txs", headers: [("Content-Type", "application/json")],
                                               body: Array(body.utf8)), timeout: .milliseconds(timeoutMs))
    }
}
