import Foundation

/// A byte-level JSON reader for one record line that builds only the fields a record needs
/// (`id`, `kind`, `text`, `created_at`, `target`, `group`), validating the whole line as it goes.
///
/// It returns nil for anything unusual (deep nesting, odd numbers, a top level that is not an
/// object, any syntax error); the caller then uses the strict Foundation path, which reports the
/// problem. The fields it returns have Foundation's types, so `RecordDecoder.fields` judges them
/// exactly as on the strict path (tested on the shared pool).
enum FastJSONFields {
    static let wanted: Set<String> = ["id", "kind", "text", "created_at", "target", "group"]
    static let maxDepth = 64

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> [String: Any]? {
        var reader = Reader(bytes: bytes)
        reader.skipSpace()
        guard reader.peek == UInt8(ascii: "{") else { return nil }
        guard let object = reader.object(depth: 0, keep: { wanted.contains($0) }) else { return nil }
        reader.skipSpace()
        return reader.position == bytes.count ? object : nil
    }

    struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

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

        /// An object; `keep` says which keys to materialize (others are validated and skipped).
        mutating func object(depth: Int, keep: (String) -> Bool) -> [String: Any]? {
            guard depth < maxDepth, expect(UInt8(ascii: "{")) else { return nil }
            var result: [String: Any] = [:]
            skipSpace()
            if peek == UInt8(ascii: "}") { position += 1; return result }
            while true {
                skipSpace()
                guard let key = string() else { return nil }
                guard expect(UInt8(ascii: ":")) else { return nil }
                skipSpace()
                if keep(key) {
                    guard let v = value(depth: depth + 1) else { return nil }
                    result[key] = v
                } else {
                    guard skipValue(depth: depth + 1) else { return nil }
                }
                skipSpace()
                if peek == UInt8(ascii: ",") { position += 1; continue }
                if peek == UInt8(ascii: "}") { position += 1; return result }
                return nil
            }
        }

        /// A value with Foundation's types: String, NSNumber, NSNull, [String: Any] (objects
        /// keep their string, number and null members), or nil to give up.
        mutating func value(depth: Int) -> Any? {
            skipSpace()
            guard let b = peek else { return nil }
            switch b {
            case UInt8(ascii: "\""): return string()
            case UInt8(ascii: "{"): return object(depth: depth, keep: { _ in true })
            case UInt8(ascii: "["): return nil  // records never carry arrays in these fields: strict path
            case UInt8(ascii: "t"): return literal("true") ? NSNumber(value: true) : nil
            case UInt8(ascii: "f"): return literal("false") ? NSNumber(value: false) : nil
            case UInt8(ascii: "n"): return literal("null") ? NSNull() : nil
            default:
                guard let text = numberText() else { return nil }
                if let i = Int64(text) { return NSNumber(value: i) }
                if let d = Double(text), d.isFinite { return NSNumber(value: d) }
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
            while position < bytes.count {
                let b = bytes[position]
                if b == UInt8(ascii: "\"") { position += 1; return true }
                if b < 0x20 { return false }
                if b == UInt8(ascii: "\\") {
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
                    guard Self.simpleEscape(e) != nil else { return false }
                    position += 2
                    continue
                }
                position += 1
            }
            return false
        }

        static func simpleEscape(_ e: UInt8) -> UInt8? {
            switch e {
            case UInt8(ascii: "\""): return 0x22
            case UInt8(ascii: "\\"): return 0x5C
            case UInt8(ascii: "/"): return 0x2F
            case UInt8(ascii: "b"): return 0x08
            case UInt8(ascii: "f"): return 0x0C
            case UInt8(ascii: "n"): return 0x0A
            case UInt8(ascii: "r"): return 0x0D
            case UInt8(ascii: "t"): return 0x09
            default: return nil
            }
        }

        func hex4(at i: Int) -> UInt32? {
            guard i + 4 <= bytes.count else { return nil }
            var v: UInt32 = 0
            for k in 0..<4 {
                let b = bytes[i + k]
                let d: UInt32
                switch b {
                case 0x30...0x39: d = UInt32(b - 0x30)
                case 0x61...0x66: d = UInt32(b - 0x61 + 10)
                case 0x41...0x46: d = UInt32(b - 0x41 + 10)
                default: return nil
                }
                v = v << 4 | d
            }
            return v
        }

        /// A string with its escapes decoded; NUL and other control characters must be escaped.
        mutating func string() -> String? {
            let start = position
            guard skipString() else { return nil }
            let body = UnsafeBufferPointer(rebasing: bytes[(start + 1)..<(position - 1)])
            if !body.contains(UInt8(ascii: "\\")) {
                if body.contains(0) { return nil }
                return String(decoding: body, as: UTF8.self)
            }
            var out: [UInt8] = []
            out.reserveCapacity(body.count)
            var i = 0
            while i < body.count {
                let b = body[i]
                if b != UInt8(ascii: "\\") { out.append(b); i += 1; continue }
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
                    out.append(Self.simpleEscape(e)!)
                    i += 2
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}
