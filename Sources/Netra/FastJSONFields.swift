import CNetraBytes
import Foundation
import NetraCore

/// A JSON value of one of a record's fields, keeping the distinctions `RecordDecoder` judges.
enum JSONField {
    case string(String)
    /// A number as Foundation gives it (integers that fit Int64 as such, others as Double).
    case number(NSNumber)
    case boolean
    case null
    case object([String: JSONField])
    case array

    /// The same value from Foundation's `JSONSerialization` (the strict path).
    init(foundation value: Any) {
        switch value {
        case let s as String: self = .string(s)
        case let n as NSNumber: self = RecordDecoder.isBoolean(n) ? .boolean : .number(n)
        case is NSNull: self = .null
        case let o as [String: Any]: self = .object(o.mapValues { JSONField(foundation: $0) })
        default: self = .array
        }
    }

    var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}

/// The fields a record is made of (absent: nil), from either parser.
struct RecordFields {
    var id, kind, text, createdAt, target, group, author: JSONField?

    /// The fields by name: a switch, not key paths (a key path set costs a runtime call, a
    /// key path object and reference counting for every field of every record).
    enum Field { case id, kind, text, createdAt, target, group, author }

    init() {}

    mutating func set(_ field: Field, _ value: JSONField) {
        switch field {
        case .id: id = value
        case .kind: kind = value
        case .text: text = value
        case .createdAt: createdAt = value
        case .target: target = value
        case .group: group = value
        case .author: author = value
        }
    }

    init(foundation object: [String: Any]) {
        id = object["id"].map { JSONField(foundation: $0) }
        kind = object["kind"].map { JSONField(foundation: $0) }
        text = object["text"].map { JSONField(foundation: $0) }
        createdAt = object["created_at"].map { JSONField(foundation: $0) }
        target = object["target"].map { JSONField(foundation: $0) }
        group = object["group"].map { JSONField(foundation: $0) }
        author = object["author"].map { JSONField(foundation: $0) }
    }
}

/// A byte-level JSON reader for one record line that builds only the fields a record needs
/// (`id`, `kind`, `text`, `created_at`, `target`, `group`, `author`), validating the whole line as it goes.
///
/// It returns nil for anything unusual (deep nesting, odd numbers, a top level that is not an
/// object, any syntax error); the caller then uses the strict Foundation path, which reports the
/// problem. The fields it returns are what Foundation's would convert to, so
/// `RecordDecoder.fields` judges them exactly as on the strict path (tested on the shared pool).
enum FastJSONFields {
    static let maxDepth = 64

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> RecordFields? {
        var fields = RecordFields()
        return parse(bytes, into: &fields) ? fields : nil
    }

    /// `parse` into `fields` (set afresh; when it returns false, `fields` means nothing): a
    /// record's fields built in place instead of returned, which copied them twice.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, into fields: inout RecordFields) -> Bool {
        fields = RecordFields()
        var reader = Reader(bytes: bytes)
        reader.skipSpace()
        guard reader.peek == UInt8(ascii: "{") else { return false }
        guard reader.topLevelObject(into: &fields) else { return false }
        reader.skipSpace()
        return reader.position == bytes.count
    }

    /// The wanted key spelled by the raw (unescaped) key bytes, or nil. Keys with escapes
    /// are compared after decoding by the caller.
    @inline(__always)
    static func wantedKey(_ key: UnsafeBufferPointer<UInt8>) -> RecordFields.Field? {
        func equals(_ name: StaticString) -> Bool {
            guard key.count == name.utf8CodeUnitCount else { return false }
            for k in 0..<key.count where key[k] != name.utf8Start[k] { return false }
            return true
        }
        switch key.count {
        case 2: return equals("id") ? .id : nil
        case 4: return equals("kind") ? .kind : equals("text") ? .text : nil
        case 5: return equals("group") ? .group : nil
        case 6: return equals("target") ? .target : equals("author") ? .author : nil
        case 10: return equals("created_at") ? .createdAt : nil
        default: return nil
        }
    }

    struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0
        /// Whether the string `skipString` last passed over had an escape.
        var stringHadEscape = false

        var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func skipSpace() {
            while position < bytes.count {
                let b = bytes[position]
                if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { position += 1 } else { break }
            }
        }

        mutating func expect(_ b: UInt8) -> Bool {
            skipSpace()
            guard peek == b else { return false }
            position += 1
            return true
        }

        /// The record object: only the wanted keys are materialized, found by their bytes
        /// (no String is made for any other key); other members are validated and skipped.
        mutating func topLevelObject(into result: inout RecordFields) -> Bool {
            guard expect(UInt8(ascii: "{")) else { return false }
            skipSpace()
            if peek == UInt8(ascii: "}") { position += 1; return true }
            while true {
                skipSpace()
                let keyStart = position
                guard skipString() else { return false }
                var key: RecordFields.Field?
                if stringHadEscape {
                    // An escaped key ("t\u0065xt" is "text"): decode it the slow way.
                    var again = Reader(bytes: bytes, position: keyStart)
                    guard let decoded = again.string() else { return false }
                    key = Array(decoded.utf8).withUnsafeBufferPointer { FastJSONFields.wantedKey($0) }
                } else {
                    // Raw bytes (`skipString` refused control characters, NUL among them).
                    key = wantedKey(UnsafeBufferPointer(rebasing: bytes[(keyStart + 1)..<(position - 1)]))
                }
                guard expect(UInt8(ascii: ":")) else { return false }
                skipSpace()
                if let key {
                    // A duplicate key: the last one wins, as in Foundation.
                    guard let v = value(depth: 1) else { return false }
                    result.set(key, v)
                } else {
                    guard skipValue(depth: 1) else { return false }
                }
                skipSpace()
                if peek == UInt8(ascii: ",") { position += 1; continue }
                if peek == UInt8(ascii: "}") { position += 1; return true }
                return false
            }
        }

        /// An object nested in a field (target, group), every member kept.
        mutating func object(depth: Int) -> [String: JSONField]? {
            guard depth < maxDepth, expect(UInt8(ascii: "{")) else { return nil }
            var result: [String: JSONField] = [:]
            skipSpace()
            if peek == UInt8(ascii: "}") { position += 1; return result }
            while true {
                skipSpace()
                guard let key = string() else { return nil }
                guard expect(UInt8(ascii: ":")) else { return nil }
                skipSpace()
                guard let v = value(depth: depth + 1) else { return nil }
                result[key] = v
                skipSpace()
                if peek == UInt8(ascii: ",") { position += 1; continue }
                if peek == UInt8(ascii: "}") { position += 1; return result }
                return nil
            }
        }

        /// A value as Foundation would give it, or nil to give up.
        mutating func value(depth: Int) -> JSONField? {
            skipSpace()
            guard let b = peek else { return nil }
            switch b {
            case UInt8(ascii: "\""): return string().map { .string($0) }
            case UInt8(ascii: "{"): return object(depth: depth).map { .object($0) }
            case UInt8(ascii: "["): return nil  // records never carry arrays in these fields: strict path
            case UInt8(ascii: "t"): return literal("true") ? .boolean : nil
            case UInt8(ascii: "f"): return literal("false") ? .boolean : nil
            case UInt8(ascii: "n"): return literal("null") ? .null : nil
            default:
                guard let text = numberText() else { return nil }
                if let i = Int64(text) { return .number(NSNumber(value: i)) }
                if let d = Double(text), d.isFinite { return .number(NSNumber(value: d)) }
                return nil
            }
        }

        mutating func skipValue(depth: Int) -> Bool {
            guard depth < maxDepth else { return false }
            skipSpace()
            guard let b = peek else { return false }
            switch b {
            case UInt8(ascii: "\""): return skipString()
            case UInt8(ascii: "{"):
                position += 1
                skipSpace()
                if peek == UInt8(ascii: "}") { position += 1; return true }
                while true {
                    skipSpace()
                    guard skipString(), expect(UInt8(ascii: ":")), skipValue(depth: depth + 1) else { return false }
                    skipSpace()
                    if peek == UInt8(ascii: ",") { position += 1; continue }
                    if peek == UInt8(ascii: "}") { position += 1; return true }
                    return false
                }
            case UInt8(ascii: "["):
                position += 1
                skipSpace()
                if peek == UInt8(ascii: "]") { position += 1; return true }
                while true {
                    guard skipValue(depth: depth + 1) else { return false }
                    skipSpace()
                    if peek == UInt8(ascii: ",") { position += 1; continue }
                    if peek == UInt8(ascii: "]") { position += 1; return true }
                    return false
                }
            case UInt8(ascii: "t"): return literal("true")
            case UInt8(ascii: "f"): return literal("false")
            case UInt8(ascii: "n"): return literal("null")
            default:
                guard let text = numberText() else { return false }
                // Foundation rejects numbers it cannot represent ("1e400"): so must we.
                if Int64(text) == nil, let d = Double(text), !d.isFinite { return false }
                return true
            }
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let n = word.utf8CodeUnitCount
            guard position + n <= bytes.count else { return false }
            for k in 0..<n where bytes[position + k] != word.utf8Start[k] { return false }
            position += n
            return true
        }

        /// RFC 8259 number syntax, returned as text.
        mutating func numberText() -> String? {
            let start = position
            func digit(_ b: UInt8?) -> Bool { b.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
            if peek == UInt8(ascii: "-") { position += 1 }
            guard digit(peek) else { return nil }
            if peek == UInt8(ascii: "0") { position += 1 } else { while digit(peek) { position += 1 } }
            if peek == UInt8(ascii: ".") {
                position += 1
                guard digit(peek) else { return nil }
                while digit(peek) { position += 1 }
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                position += 1
                if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { position += 1 }
                guard digit(peek) else { return nil }
                while digit(peek) { position += 1 }
            }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        }

        mutating func skipString() -> Bool {
            guard peek == UInt8(ascii: "\"") else { return false }
            position += 1
            stringHadEscape = false
            let base = bytes.baseAddress!
            while position < bytes.count {
                // Ordinary bytes (no quote, backslash or control character) skipped sixteen at a time.
                position = netra_json_string_stop(base, position, bytes.count)
                guard position < bytes.count else { break }
                let b = bytes[position]
                if b == UInt8(ascii: "\"") { position += 1; return true }
                if b < 0x20 { return false }
                if b == UInt8(ascii: "\\") {
                    stringHadEscape = true
                    guard position + 1 < bytes.count else { return false }
                    let e = bytes[position + 1]
                    if e == UInt8(ascii: "u") {
                        guard let unit = hex4(at: position + 2) else { return false }
                        // Lone surrogates are rejected, as Foundation does.
                        if unit >= 0xD800 && unit <= 0xDBFF {
                            guard position + 11 < bytes.count, bytes[position + 6] == UInt8(ascii: "\\"),
                                  bytes[position + 7] == UInt8(ascii: "u"), let low = hex4(at: position + 8),
                                  low >= 0xDC00 && low <= 0xDFFF else { return false }
                            position += 12
                        } else if unit >= 0xDC00 && unit <= 0xDFFF {
                            return false
                        } else {
                            position += 6
                        }
                        continue
                    }
                    guard JSONEscape.simple(e) != nil else { return false }
                    position += 2
                    continue
                }
                position += 1
            }
            return false
        }

        func hex4(at i: Int) -> UInt32? {
            guard i + 4 <= bytes.count else { return nil }
            var v: UInt32 = 0
            for k in 0..<4 {
                guard let d = HexDigit.value(bytes[i + k]) else { return nil }
                v = v << 4 | UInt32(d)
            }
            return v
        }

        /// A string with its escapes decoded; NUL and other control characters must be escaped.
        mutating func string() -> String? {
            let start = position
            guard skipString() else { return nil }
            let body = UnsafeBufferPointer(rebasing: bytes[(start + 1)..<(position - 1)])
            // Without an escape the body is the string (a raw control byte, NUL included, made
            // `skipString` fail).
            if !stringHadEscape { return String(decoding: body, as: UTF8.self) }
            var out: [UInt8] = []
            out.reserveCapacity(body.count)
            var i = 0
            while i < body.count {
                // Copy up to the next escape in one piece (found by memchr: text with escapes,
                // "\n" in most, was scanned byte by byte here).
                let rest = body.count - i
                let j = memchr(body.baseAddress! + i, 0x5C, rest).map { body.baseAddress!.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? body.count
                if j > i {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: body[i..<j]))
                    i = j
                    continue
                }
                let e = body[i + 1]
                if e == UInt8(ascii: "u") {
                    let reader = Reader(bytes: body)
                    var unit = reader.hex4(at: i + 2)!
                    i += 6
                    if unit >= 0xD800 && unit <= 0xDBFF {
                        let low = reader.hex4(at: i + 2)!
                        unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                    // Foundation rejects an escaped NUL in strings.
                    if unit == 0 { return nil }
                    out += Array(String(Unicode.Scalar(unit)!).utf8)
                } else {
                    out.append(JSONEscape.simple(e)!)
                    i += 2
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}
