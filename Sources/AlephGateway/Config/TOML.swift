/// A TOML value (the subset AlephTX configs use: tables, dotted and quoted keys, strings,
/// integers, floats kept as text, booleans, arrays, inline tables).
public enum TOMLValue: Sendable, Equatable {
    /// A string.
    case string(String)
    /// An integer.
    case integer(Int64)
    /// A float, as its literal text (so decimals convert to fixed point exactly).
    case float(String)
    /// A boolean.
    case bool(Bool)
    /// An array.
    case array([TOMLValue])
    /// A table.
    case table([String: TOMLValue])

    /// Type name for errors.
    public var typeName: String {
        switch self {
        case .string: return "string"
        case .integer: return "integer"
        case .float: return "float"
        case .bool: return "boolean"
        case .array: return "array"
        case .table: return "table"
        }
    }
}

/// A TOML syntax error with its line.
public struct TOMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line.
    public var line: Int
    /// What is wrong.
    public var reason: String
    /// One-line description.
    public var description: String { "line \(line): \(reason)" }
}

/// Parses TOML text into a root table.
public struct TOMLParser {
    private var chars: [Character]
    private var i = 0
    private var line = 1

    /// Parses a whole document.
    public static func parse(_ text: String) throws(TOMLError) -> [String: TOMLValue] {
        var p = TOMLParser(chars: Array(text))
        return try p.document()
    }

    private init(chars: [Character]) { self.chars = chars }

    private func fail(_ reason: String) -> TOMLError { TOMLError(line: line, reason: reason) }
    private var atEnd: Bool { i >= chars.count }
    private var peek: Character? { i < chars.count ? chars[i] : nil }

    private mutating func skipSpaces() { while let c = peek, c == " " || c == "\t" { i += 1 } }
    private mutating func skipComment() { if peek == "#" { while let c = peek, c != "\n" { i += 1 } } }
    private mutating func endOfLine() throws(TOMLError) {
        skipSpaces(); skipComment()
        if atEnd { return }
        if peek == "\r" { i += 1 }
        guard peek == "\n" else { throw fail("expected end of line, found '\(peek!)'") }
        i += 1; line += 1
    }
    private mutating func skipBlank() {
        while true {
            skipSpaces(); skipComment()
            if peek == "\r" { i += 1 }
            if peek == "\n" { i += 1; line += 1; continue }
            return
        }
    }

    private mutating func document() throws(TOMLError) -> [String: TOMLValue] {
        var root: [String: TOMLValue] = [:]
        var current: [String] = []
        var definedTables: Set<[String]> = []
        while true {
            skipBlank()
            if atEnd { return root }
            if peek == "[" {
                i += 1
                if peek == "[" { throw fail("arrays of tables ([[...]]) are not supported") }
                skipSpaces()
                let path = try key()
                skipSpaces()
                guard peek == "]" else { throw fail("expected ']' after table name") }
                i += 1
                if definedTables.contains(path) { throw fail("table [\(path.joined(separator: "."))] defined twice") }
                definedTables.insert(path)
                try Self.ensureTable(&root, path, line: line)
                current = path
                try endOfLine()
                continue
            }
            let k = try key()
            skipSpaces()
            guard peek == "=" else { throw fail("expected '=' after key") }
            i += 1
            skipSpaces()
            let v = try value()
            try Self.insert(&root, current + k, v, line: line)
            try endOfLine()
        }
    }

    private static func ensureTable(_ t: inout [String: TOMLValue], _ path: [String], line: Int) throws(TOMLError) {
        guard let first = path.first else { return }
        var sub: [String: TOMLValue]
        switch t[first] {
        case nil: sub = [:]
        case .table(let x)?: sub = x
        default: throw TOMLError(line: line, reason: "'\(first)' is already a value, not a table")
        }
        try ensureTable(&sub, Array(path.dropFirst()), line: line)
        t[first] = .table(sub)
    }

    private static func insert(_ t: inout [String: TOMLValue], _ path: [String], _ v: TOMLValue, line: Int) throws(TOMLError) {
        guard let first = path.first else { return }
        if path.count == 1 {
            if t[first] != nil { throw TOMLError(line: line, reason: "key '\(first)' defined twice") }
            t[first] = v
            return
        }
        var sub: [String: TOMLValue]
        switch t[first] {
        case nil: sub = [:]
        case .table(let x)?: sub = x
        default: throw TOMLError(line: line, reason: "'\(first)' is already a value, not a table")
        }
        try insert(&sub, Array(path.dropFirst()), v, line: line)
        t[first] = .table(sub)
    }

    private mutating func key() throws(TOMLError) -> [String] {
        var parts: [String] = []
        while true {
            skipSpaces()
            if peek == "\"" { parts.append(try basicString()) } else if peek == "'" { parts.append(try literalString()) } else {
                var s = ""
                while let c = peek, c.isLetter || c.isNumber || c == "_" || c == "-" { s.append(c); i += 1 }
                if s.isEmpty { throw fail("expected a key") }
                parts.append(s)
            }
            skipSpaces()
            if peek == "." { i += 1; continue }
            return parts
        }
    }

    private mutating func value() throws(TOMLError) -> TOMLValue {
        guard let c = peek else { throw fail("expected a value") }
        switch c {
        case "\"": return .string(try basicString())
        case "'": return .string(try literalString())
        case "[": return try array()
        case "{": return try inlineTable()
        case "t", "f":
            var w = ""
            while let d = peek, d.isLetter { w.append(d); i += 1 }
            if w == "true" { return .bool(true) }
            if w == "false" { return .bool(false) }
            throw fail("invalid value '\(w)'")
        default:
            var w = ""
            while let d = peek, d.isNumber || d == "-" || d == "+" || d == "." || d == "_" || d == "e" || d == "E" { w.append(d); i += 1 }
            let clean = w.filter { $0 != "_" }
            if let n = Int64(clean) { return .integer(n) }
            if !clean.isEmpty, Double(clean) != nil { return .float(clean) }
            throw fail("invalid value '\(w.isEmpty ? String(c) : w)'")
        }
    }

    private mutating func array() throws(TOMLError) -> TOMLValue {
        i += 1
        var items: [TOMLValue] = []
        while true {
            skipBlank()
            if peek == "]" { i += 1; return .array(items) }
            items.append(try value())
            skipBlank()
            if peek == "," { i += 1; continue }
            if peek == "]" { i += 1; return .array(items) }
            throw fail("expected ',' or ']' in array")
        }
    }

    private mutating func inlineTable() throws(TOMLError) -> TOMLValue {
        i += 1
        var t: [String: TOMLValue] = [:]
        skipSpaces()
        if peek == "}" { i += 1; return .table(t) }
        while true {
            skipSpaces()
            let k = try key()
            guard peek == "=" else { throw fail("expected '=' in inline table") }
            i += 1
            skipSpaces()
            try Self.insert(&t, k, try value(), line: line)
            skipSpaces()
            if peek == "," { i += 1; continue }
            if peek == "}" { i += 1; return .table(t) }
            throw fail("expected ',' or '}' in inline table")
        }
    }

    private mutating func basicString() throws(TOMLError) -> String {
        i += 1
        var s = ""
        while let c = peek {
            i += 1
            if c == "\"" { return s }
            if c == "\n" { throw fail("newline in string") }
            if c == "\\" {
                guard let e = peek else { break }
                i += 1
                switch e {
                case "n": s.append("\n")
                case "t": s.append("\t")
                case "r": s.append("\r")
                case "\\": s.append("\\")
                case "\"": s.append("\"")
                case "u", "U":
                    let len = e == "u" ? 4 : 8
                    guard i + len <= chars.count, let v = UInt32(String(chars[i..<(i + len)]), radix: 16), let u = Unicode.Scalar(v) else {
                        throw fail("invalid unicode escape")
                    }
                    s.unicodeScalars.append(u)
                    i += len
                default: throw fail("invalid escape '\\\(e)'")
                }
                continue
            }
            s.append(c)
        }
        throw fail("unterminated string")
    }

    private mutating func literalString() throws(TOMLError) -> String {
        i += 1
        var s = ""
        while let c = peek {
            i += 1
            if c == "'" { return s }
            if c == "\n" { throw fail("newline in string") }
            s.append(c)
        }
        throw fail("unterminated string")
    }
}
