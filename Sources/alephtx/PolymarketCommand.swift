import AlephCrypto
import AlephRPC
import AlephVenues
import ArgumentParser
import Foundation

/// `alephtx polymarket …`.
struct PolymarketCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "polymarket", abstract: "Polymarket account set-up.",
                                                    subcommands: [PolymarketAPIKeyCmd.self])
}

/// `alephtx polymarket api-key`: L2 credentials from the wallet key (L1 auth). The secret and
/// passphrase are never printed: with `--write-dir` they go to files (mode 0600) the config names.
struct PolymarketAPIKeyCmd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "api-key", abstract: """
        Create (or, if the venue refuses, derive) the CLOB API credentials of a wallet. Prints the key's address and where the \
        credentials went; the secret and passphrase are only ever written to files (--write-dir), never printed.
        """)

    @OptionGroup var key: KeyOptions
    @Option(help: "CLOB base URL.") var restURL = "https://clob.polymarket.com"
    @Option(help: "137 (Polygon) or 80002 (Amoy).") var chainId = 137
    @Option(help: "The L1 nonce the credentials belong to.") var nonce = 0
    @Flag(help: "Only derive the credentials already created for this wallet and nonce.") var deriveOnly = false
    @Option(help: "Write api_key, api_secret and api_passphrase (mode 0600) into this directory (created 0700).") var writeDir: String?

    func run() async throws {
        do {
            let k = try key.load()
            let signer = try LocalSigner(key: k)
            let address = EthereumAddress.checksummed(signer.address)
            let (creds, created) = try await PolymarketAuth.createOrDerive(restURL: restURL, signer: signer, address: address, nonce: nonce, chainId: chainId,
                                                                            nowSeconds: Int64(Date().timeIntervalSince1970), deriveOnly: deriveOnly)
            var members: [(String, JSON)] = [("address", .string(address)), ("created", .bool(created)),
                                             ("api_key_prefix", .string(String(creds.apiKey.prefix(8)) + "…"))]
            if let dir = writeDir {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                for (name, value) in [("api_key", creds.apiKey), ("api_secret", creds.secret), ("api_passphrase", creds.passphrase)] {
                    let path = (dir as NSString).appendingPathComponent(name)
                    FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
                    guard let h = FileHandle(forWritingAtPath: path) else { throw CryptoCLIError("cannot write \(path)") }
                    h.write(Data(value.utf8))
                    try h.close()
                }
                members.append(("written_to", .string(dir)))
                members.append(("config", .string("[venues.polymarket] api_key_file = \"\(dir)/api_key\", api_secret_file = \"\(dir)/api_secret\", api_passphrase_file = \"\(dir)/api_passphrase\"")))
            } else {
                members.append(("written_to", .null))
                members.append(("config", .string("not written: run again with --write-dir DIR to store the secret and passphrase (0600 files) for api_key_file, api_secret_file and api_passphrase_file")))
            }
            printJSON(members)
        } catch let e as CryptoCLIError {
            FileHandle.standardError.write(Data("error: \(e.description)\n".utf8))
            throw ExitCode(1)
        } catch let e as PolymarketAuth.Failure {
            FileHandle.standardError.write(Data("error: \(e.description)\n".utf8))
            throw ExitCode(1)
        }
    }
}
