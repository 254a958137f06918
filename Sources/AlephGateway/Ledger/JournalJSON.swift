import AlephCore
import AlephRPC

/// Writes one compact JSON object straight into bytes, for journal rows: the commit path writes
/// several per signal, and building a `JSON` tree first only to print it cost more than the print.
struct JournalJSON {
    private(set) var bytes: [UInt8] = []
    private var first = true

    init() { bytes.reserveCapacity(384) }

    /// Starts a new object, reusing the buffer.
    mutating func begin() {
        bytes.removeAll(keepingCapacity: true)
        bytes.append(UInt8(ascii: "{"))
        first = true
    }

    /// Ends the object.
    mutating func end() { bytes.append(UInt8(ascii: "}")) }

    private mutating func key(_ k: StaticString) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: k.utf8Start, count: k.utf8CodeUnitCount))
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    private mutating func appendNull() { bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C]) }

    mutating func string(_ k: StaticString, _ v: String?) {
        key(k)
        if let v { JSONWriter.writeString(v, into: &bytes) } else { appendNull() }
    }

    /// A decimal, as a JSON string (exact).
    mutating func decimal(_ k: StaticString, _ v: Fixed?) {
        key(k)
        guard let v else { appendNull(); return }
        bytes.append(UInt8(ascii: "\""))
        v.writeDecimal(into: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func int(_ k: StaticString, _ v: Int) {
        key(k)
        Fixed.writeInteger(Int64(v), into: &bytes)
    }

    mutating func json(_ k: StaticString, _ v: JSON) {
        key(k)
        JSONWriter.write(v, into: &bytes)
    }

    /// Already-encoded JSON.
    mutating func raw(_ k: StaticString, _ encoded: [UInt8]) {
        key(k)
        bytes.append(contentsOf: encoded)
    }
}
