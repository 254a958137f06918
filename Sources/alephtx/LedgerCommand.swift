import AlephGateway
import ArgumentParser
import Foundation

/// `alephtx ledger …`: tools over the ledger file.
struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ledger", abstract: "Inspect the ledger.", subcommands: [LedgerExport.self])
}

/// `alephtx ledger export --format jsonl`: the event journal, oldest first, one JSON object per line.
struct LedgerExport: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Write the event journal for audit (JSON lines, oldest first).")

    @Option(help: "Output format (jsonl).")
    var format = "jsonl"

    @Option(help: "Ledger file (default: <data-dir>/ledger.sqlite).")
    var path: String?

    @Option(help: "Data directory (default: env ALEPHTX_DATA_DIR, else ~/.alephtx).")
    var dataDir: String?

    func run() throws {
        guard format == "jsonl" else { throw ValidationError("unknown format '\(format)'; only jsonl is supported") }
        let dir = dataDir ?? ProcessInfo.processInfo.environment["ALEPHTX_DATA_DIR"] ?? (NSHomeDirectory() as NSString).appendingPathComponent(".alephtx")
        let file = path ?? (dir as NSString).appendingPathComponent("ledger.sqlite")
        guard FileManager.default.fileExists(atPath: file) else { throw ValidationError("no ledger at \(file)") }
        let ledger: Ledger
        do { ledger = try Ledger(path: file) } catch { throw ValidationError(error.description) }
        var out = FileHandleOutput()
        do { try ledger.exportJournal { out.write($0) } } catch { throw ValidationError(error.description) }
        out.flush()
    }
}

/// Buffered stdout.
struct FileHandleOutput {
    private var buffer: [UInt8] = []
    mutating func write(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count > 1 << 16 { flush() }
    }
    mutating func flush() {
        buffer.withUnsafeBytes { p in
            var off = 0
            while off < p.count {
                let n = Foundation.write(1, p.baseAddress! + off, p.count - off)
                if n <= 0 { break }
                off += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
