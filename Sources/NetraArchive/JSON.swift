import NetraCore
import NetraText

/// A JSON value built for one item of an export (a post, a comment …), never for a whole file.
///
/// Objects keep their members in document order; a duplicate key keeps every occurrence and
/// ``subscript(_:)`` returns the first.
public indirect enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// A number exactly as written (`1705295400`, `-7.0051`).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    /// The member named `key`, or nil (also for non-objects).
    public subscript(_ key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The member whose key equals `key` ignoring ASCII case (Instagram's `string_map_data` keys).
    public func member(caseInsensitive key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        let wanted = key.lowercased()
        return members.first { $0.key.lowercased() == wanted }?.value
    }

    /// The element at `index`, or nil (also for non-arrays).
    public subscript(_ index: Int) -> JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }

    public var string: String? { if case .string(let s) = self { return s } else { return nil } }
    public var array: [JSONValue] { if case .array(let a) = self { return a } else { return [] } }
    /// The elements of an array (none for other values); ``JSONItem``'s name for ``array``.
    public var elements: [JSONValue] { array }
    public var isObject: Bool { if case .object = self { return true } else { return false } }
    public var isArray: Bool { if case .array = self { return true } else { return false } }

    /// A whole number (as written, or in a string as X writes its numbers), if it fits in 64 bits.
    public var int64: Int64? {
        switch self {
        case .number(let n): return Int64(n) ?? Double(n).flatMap { $0.isFinite && abs($0) < 9e18 ? Int64($0) : nil }
        case .string(let s): return Int64(s)
        default: return nil
        }
    }

    /// The string, or nil when it is missing or empty.
    public var nonEmptyString: String? {
        guard let s = string, !s.isEmpty else { return nil }
        return s
    }
}

/// A syntax error or a limit hit while reading JSON, with the byte offset where it happened.
public struct JSONSyntaxError: Error, Sendable, CustomStringConvertible {
    public var offset: Int
    public var message: String
    public var description: String { "\(message) at byte \(offset)" }
}

/// What the walker does with the value at a path of object keys.
enum JSONWalkAction {
    /// Skip it without building it.
    case skip
    /// Look inside (members of an object, elements of an array).
    case descend
    /// Build each element of an array (or the object itself) and hand it over.
    case deliver
    /// An array: deliver its elements; an object: descend into its members.
    case deliverArrayOrDescend
}

/// One item handed over by ``JSONReader/walk(path:depth:wanted:deliver:)``.
enum ParsedItem {
    /// The fast form: a view of the item's tape (valid only during the `deliver` call).
    case node(JSONNode)
    /// The reference form: a tree of ``JSONValue`` (``JSONReader/reference``).
    case tree(JSONValue)
    /// An item with more than ``JSONReader/maxItemValues`` values: skipped without being built.
    case tooLarge
}

/// Thrown inside one item when it holds more than ``JSONReader/maxItemValues`` values.
struct ItemTooLarge: Error {}

/// A byte-level JSON reader over one export file held in memory (bounded by the entry budget).
///
/// It never builds the whole document: ``walk(path:depth:wanted:deliver:)`` descends along the
/// paths a reader asks for and hands over only the items it delivers, one at a time. An item is
/// parsed into a flat tape (``JSONNode``, JSONTape.swift): every value is validated, but strings
/// stay byte ranges of the file until a reader asks for one. Strings are then decoded from UTF-8
/// (invalid bytes become U+FFFD) and, for Meta exports, Meta's `\u00XX` bytes are decoded in the
/// same pass (FORMATS.md §0.1) — keys included. With ``reference`` each item is built as a tree of
/// ``JSONValue`` instead, the slower form the fast one is tested against; both give the same
/// items, errors and error offsets. Nesting is capped at ``maxDepth`` and the values of one item at
/// ``maxItemValues``; nothing recurses deeper than that.
struct JSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var position: Int
    let repairMojibake: Bool
    let maxDepth: Int
    /// Build each item as a ``JSONValue`` tree (the reference form) rather than a tape.
    let reference: Bool
    /// Values (keys not counted) in one delivered item; a larger item is skipped (``ParsedItem/tooLarge``).
    /// Bounds the tape (12 bytes a value) however a hostile file is shaped.
    let maxItemValues: Int
    /// Values of the item being built.
    var itemValues = 0
    private var scratch: [UInt8] = []
    /// The tape of the current item (reused from item to item).
    let tape = TapeStorage()

    init(bytes: UnsafeBufferPointer<UInt8>, start: Int = 0, repairMojibake: Bool, maxDepth: Int = 200,
         reference: Bool = false, maxItemValues: Int = 1 << 18) {
        self.bytes = bytes
        self.position = start
        self.repairMojibake = repairMojibake
        self.maxDepth = maxDepth
        self.reference = reference
        self.maxItemValues = maxItemValues
        // A UTF-8 byte-order mark is accepted, as Foundation does.
        if start == 0, bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
    }

    func error(_ message: String) -> JSONSyntaxError { JSONSyntaxError(offset: position, message: message) }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// The next non-blank byte, or nil at the end.
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return position < bytes.count ? bytes[position] : nil
    }

    /// Fails unless only blanks (and, for X's files, a `;`) are left.
    mutating func expectEnd() throws {
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: ";") { position += 1; skipWhitespace() }
        guard position == bytes.count else { throw error("unexpected data after the JSON value") }
    }

    // MARK: Walking

    /// Walks the value at the current position; `path` holds the object keys from the root.
    mutating func walk(path: inout [String], depth: Int = 0, wanted: ([String]) -> JSONWalkAction,
                       deliver: ([String], Int, ParsedItem) throws -> Void) throws {
        guard depth < maxDepth else { throw error("JSON nested deeper than \(maxDepth) levels") }
        guard let first = peek() else { throw error("unexpected end of the JSON data") }
        var action = wanted(path)
        if action == .deliverArrayOrDescend { action = first == UInt8(ascii: "[") ? .deliver : .descend }
        switch action {
        case .deliverArrayOrDescend:
            break
        case .skip:
            try skipValue(depth: depth)
        case .deliver:
            if first == UInt8(ascii: "[") {
                position += 1
                var index = 0
                if peek() == UInt8(ascii: "]") { position += 1; return }
                while true {
                    index += 1
                    try parseItem(depth: depth + 1) { try deliver(path, index, $0) }
                    guard let next = peek() else { throw error("unexpected end inside an array") }
                    position += 1
                    if next == UInt8(ascii: "]") { return }
                    guard next == UInt8(ascii: ",") else { throw error("expected ',' or ']' in an array") }
                }
            } else if first == UInt8(ascii: "{") {
                try parseItem(depth: depth) { try deliver(path, 1, $0) }
            } else {
                // null (TikTok's empty lists) or a scalar: nothing to deliver.
                try skipValue(depth: depth)
            }
        case .descend:
            if first == UInt8(ascii: "{") {
                position += 1
                if peek() == UInt8(ascii: "}") { position += 1; return }
                while true {
                    guard peek() == UInt8(ascii: "\"") else { throw error("expected a key in an object") }
                    let key = try parseString()
                    guard peek() == UInt8(ascii: ":") else { throw error("expected ':' after a key") }
                    position += 1
                    path.append(key)
                    try walk(path: &path, depth: depth + 1, wanted: wanted, deliver: deliver)
                    path.removeLast()
                    guard let next = peek() else { throw error("unexpected end inside an object") }
                    position += 1
                    if next == UInt8(ascii: "}") { return }
                    guard next == UInt8(ascii: ",") else { throw error("expected ',' or '}' in an object") }
                }
            } else if first == UInt8(ascii: "[") {
                position += 1
                if peek() == UInt8(ascii: "]") { position += 1; return }
                while true {
                    try walk(path: &path, depth: depth + 1, wanted: wanted, deliver: deliver)
                    guard let next = peek() else { throw error("unexpected end inside an array") }
                    position += 1
                    if next == UInt8(ascii: "]") { return }
                    guard next == UInt8(ascii: ",") else { throw error("expected ',' or ']' in an array") }
                }
            } else {
                try skipValue(depth: depth)
            }
        }
    }

    /// Parses one item (a tape, or a tree with ``reference``) and hands it to `body`. An item with
    /// more than ``maxItemValues`` values is skipped from its start and handed over as
    /// ``ParsedItem/tooLarge``.
    mutating func parseItem(depth: Int, _ body: (ParsedItem) throws -> Void) throws {
        let start = position
        itemValues = 0
        do {
            if reference {
                let value = try parseValue(depth: depth)
                try body(.tree(value))
            } else {
                try buildTape(depth: depth)
                try body(.node(JSONNode(tape: tape.entries, bytes: bytes.baseAddress!, index: 0, meta: repairMojibake)))
            }
        } catch is ItemTooLarge {
            position = start
            try skipValue(depth: depth)
            try body(.tooLarge)
        }
    }

    // MARK: Building values

    mutating func parseValue(depth: Int) throws -> JSONValue {
        guard depth < maxDepth else { throw error("JSON nested deeper than \(maxDepth) levels") }
        guard let first = peek() else { throw error("unexpected end of the JSON data") }
        itemValues += 1
        if itemValues > maxItemValues { throw ItemTooLarge() }
        switch first {
        case UInt8(ascii: "{"):
            position += 1
            var members: [(key: String, value: JSONValue)] = []
            if peek() == UInt8(ascii: "}") { position += 1; return .object(members) }
            while true {
                guard peek() == UInt8(ascii: "\"") else { throw error("expected a key in an object") }
                let key = try parseString()
                guard peek() == UInt8(ascii: ":") else { throw error("expected ':' after a key") }
                position += 1
                members.append((key, try parseValue(depth: depth + 1)))
                guard let next = peek() else { throw error("unexpected end inside an object") }
                position += 1
                if next == UInt8(ascii: "}") { return .object(members) }
                guard next == UInt8(ascii: ",") else { throw error("expected ',' or '}' in an object") }
            }
        case UInt8(ascii: "["):
            position += 1
            var items: [JSONValue] = []
            if peek() == UInt8(ascii: "]") { position += 1; return .array(items) }
            while true {
                items.append(try parseValue(depth: depth + 1))
                guard let next = peek() else { throw error("unexpected end inside an array") }
                position += 1
                if next == UInt8(ascii: "]") { return .array(items) }
                guard next == UInt8(ascii: ",") else { throw error("expected ',' or ']' in an array") }
            }
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default:
            return .number(try parseNumber())
        }
    }

    /// Skips one value without building it.
    mutating func skipValue(depth: Int) throws {
        guard depth < maxDepth else { throw error("JSON nested deeper than \(maxDepth) levels") }
        guard let first = peek() else { throw error("unexpected end of the JSON data") }
        switch first {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = first == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            position += 1
            if peek() == close { position += 1; return }
            while true {
                if close == UInt8(ascii: "}") {
                    guard peek() == UInt8(ascii: "\"") else { throw error("expected a key in an object") }
                    try skipString()
                    guard peek() == UInt8(ascii: ":") else { throw error("expected ':' after a key") }
                    position += 1
                }
                try skipValue(depth: depth + 1)
                guard let next = peek() else { throw error("unexpected end of the JSON data") }
                position += 1
                if next == close { return }
                guard next == UInt8(ascii: ",") else { throw error("expected ',' between values") }
            }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try parseNumber()
        }
    }

    private mutating func literal(_ word: String) throws {
        let count = word.utf8.count
        guard position + count <= bytes.count else { throw error("unexpected end of the JSON data") }
        var k = 0
        for b in word.utf8 {
            if bytes[position + k] != b { throw error("invalid literal") }
            k += 1
        }
        position += count
    }

    private mutating func parseNumber() throws -> String {
        let start = position
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                 UInt8(ascii: "e"), UInt8(ascii: "E"):
                position += 1
            default:
                guard position > start else { throw error("unexpected character") }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            }
        }
        guard position > start else { throw error("unexpected end of the JSON data") }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
    }

    private mutating func skipString() throws {
        position += 1
        while position < bytes.count {
            let b = bytes[position]
            if b == UInt8(ascii: "\"") { position += 1; return }
            position += b == UInt8(ascii: "\\") ? 2 : 1
        }
        throw error("unterminated string")
    }

    /// Decodes a string literal (the position is on its opening quote).
    ///
    /// For Meta exports a string whose escapes are all `\u0000`–`\u00FF` and whose other bytes are
    /// ASCII is Meta's mojibake: each escape is one UTF-8 byte. Those bytes are decoded as UTF-8
    /// (FORMATS.md §0.1); if they are not valid UTF-8 the string is decoded as written.
    mutating func parseString() throws -> String {
        if repairMojibake {
            let start = position
            if let repaired = try parseMetaString() { return repaired }
            position = start
        }
        return try parsePlainString()
    }

    /// Meta's byte-per-escape strings, or nil when the string is not one (position is then undefined).
    private mutating func parseMetaString() throws -> String? {
        position += 1
        scratch.removeAll(keepingCapacity: true)
        var sawByteEscape = false
        while position < bytes.count {
            let b = bytes[position]
            if b == UInt8(ascii: "\"") {
                position += 1
                guard sawByteEscape, Self.isValidUTF8(scratch) else {
                    return sawByteEscape ? nil : String(decoding: scratch, as: UTF8.self)
                }
                return String(decoding: scratch, as: UTF8.self)
            }
            if b >= 0x80 { return nil }
            if b < 0x20 { throw error("control character in a string") }
            if b != UInt8(ascii: "\\") {
                // Copy the run of plain ASCII up to the next quote, escape or special byte at once.
                var end = position + 1
                while end < bytes.count {
                    let c = bytes[end]
                    if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") || c < 0x20 || c >= 0x80 { break }
                    end += 1
                }
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[position..<end]))
                position = end
                continue
            }
            guard position + 1 < bytes.count else { break }
            let e = bytes[position + 1]
            position += 2
            switch e {
            case UInt8(ascii: "u"):
                let value = try hex4()
                guard value <= 0xFF else { return nil }
                if value >= 0x80 { sawByteEscape = true }
                scratch.append(UInt8(value))
            default:
                guard let plain = JSONEscape.simple(e) else { throw error("invalid escape in a string") }
                scratch.append(plain)
            }
        }
        throw error("unterminated string")
    }

    /// True when `bytes` is well-formed UTF-8 (no overlongs, surrogates or values above U+10FFFF).
    static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { isValidUTF8($0) }
    }

    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            // ASCII eight bytes at a time.
            while i + 8 <= n, UnsafeRawPointer(bytes.baseAddress! + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
            }
            guard i < n else { break }
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            let length: Int
            var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
            switch b {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: return false
            }
            guard i + length <= n, bytes[i + 1] >= lower, bytes[i + 1] <= upper else { return false }
            for k in 2..<max(2, length) where bytes[i + k] < 0x80 || bytes[i + k] > 0xBF { return false }
            i += length
        }
        return true
    }

    private mutating func parsePlainString() throws -> String {
        position += 1
        let start = position
        // Fast path: no escapes.
        while position < bytes.count {
            let b = bytes[position]
            if b == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                position += 1
                return finish(s)
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw error("control character in a string") }
            position += 1
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            let b = bytes[position]
            if b == UInt8(ascii: "\"") {
                position += 1
                return finish(String(decoding: scratch, as: UTF8.self))
            }
            if b < 0x20 { throw error("control character in a string") }
            if b != UInt8(ascii: "\\") { scratch.append(b); position += 1; continue }
            guard position + 1 < bytes.count else { break }
            let e = bytes[position + 1]
            position += 2
            switch e {
            case UInt8(ascii: "u"):
                var value = try hex4()
                if (0xD800..<0xDC00).contains(value) {
                    // A high surrogate needs its low half; a lone one becomes U+FFFD.
                    if position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                        let save = position
                        position += 2
                        let low = try hex4()
                        if (0xDC00..<0xE000).contains(low) {
                            value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            position = save
                            value = 0xFFFD
                        }
                    } else {
                        value = 0xFFFD
                    }
                } else if (0xDC00..<0xE000).contains(value) {
                    value = 0xFFFD
                }
                appendUTF8(Unicode.Scalar(value) ?? "\u{FFFD}")
            default:
                guard let plain = JSONEscape.simple(e) else { throw error("invalid escape in a string") }
                scratch.append(plain)
            }
        }
        throw error("unterminated string")
    }

    private mutating func hex4() throws -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("unexpected end in a \\u escape") }
        var v: UInt32 = 0
        for k in 0..<4 {
            guard let digit = HexDigit.value(bytes[position + k]) else { throw error("invalid \\u escape") }
            v = v << 4 | UInt32(digit)
        }
        position += 4
        return v
    }

    private mutating func appendUTF8(_ scalar: Unicode.Scalar) {
        scratch.append(contentsOf: UTF8.encode(scalar)!)
    }

    private func finish(_ s: String) -> String { s }
}

