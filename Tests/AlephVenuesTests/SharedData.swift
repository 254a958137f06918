import Foundation

/// The recorded venue data in `../shared/data` beside the repository (present in CI; never committed).
enum SharedData {
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/data")

    /// The file's bytes, or nil (with a printed reason) when the shared data is absent.
    static func file(_ rel: String) -> Data? {
        let url = root.appendingPathComponent(rel)
        guard let d = try? Data(contentsOf: url) else {
            print("SKIPPED: \(url.path) not found (../shared/data is only guaranteed in CI)")
            return nil
        }
        return d
    }

    /// Lines of a text file.
    static func lines(_ rel: String) -> [String]? {
        file(rel).map { String(decoding: $0, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init).filter { !$0.isEmpty } }
    }
}

/// An independent reference book: Foundation JSON and Decimal, dictionaries keyed by price.
struct ReferenceBook {
    var bids: [Decimal: Decimal] = [:]
    var asks: [Decimal: Decimal] = [:]

    mutating func apply(_ levels: [[Any]], bid: Bool) {
        for l in levels {
            let p = Decimal(string: "\(l[0])")!, q = Decimal(string: "\(l[1])")!
            if bid { bids[p] = q == 0 ? nil : q } else { asks[p] = q == 0 ? nil : q }
        }
    }

    func top(_ n: Int) -> (bids: [(Decimal, Decimal)], asks: [(Decimal, Decimal)]) {
        (bids.sorted { $0.key > $1.key }.prefix(n).map { ($0.key, $0.value) }, asks.sorted { $0.key < $1.key }.prefix(n).map { ($0.key, $0.value) })
    }

    static func json(_ line: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
    }
}
