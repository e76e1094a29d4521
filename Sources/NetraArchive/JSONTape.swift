#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import NetraCore

/// What the export readers ask of one JSON item: the tree (``JSONValue``, the reference form) and
/// the tape view (``JSONNode``, the fast form) answer alike, so one converter serves both.
protocol JSONItem {
    associatedtype Elements: Sequence where Elements.Element == Self
    /// The member named `key` (the first, when a key repeats), or nil (also for non-objects).
    subscript(_ key: StaticString) -> Self? { get }
    /// The member whose key equals `key` ignoring case (Instagram's `string_map_data` keys).
    func member(caseInsensitive key: String) -> Self?
    /// The element at `index`, or nil (also for non-arrays).
    subscript(_ index: Int) -> Self? { get }
    /// The elements of an array; none for other values.
    var elements: Elements { get }
    var string: String? { get }
    /// The string, or nil when it is missing or empty.
    var nonEmptyString: String? { get }
    /// A whole number (as written, or in a string as X writes its numbers), if it fits in 64 bits.
    var int64: Int64? { get }
    /// A number written as plain digits without a leading zero (at most 18): exactly the text
    /// `String(int64!)` gives, without building it from the number.
    var canonicalDigits: String? { get }
    var isObject: Bool { get }
}

extension JSONValue: JSONItem {
    subscript(_ key: StaticString) -> JSONValue? { self[key.description] }

    var canonicalDigits: String? {
        guard case .number(let n) = self, Digits.isCanonical(n.utf8) else { return nil }
        return n
    }
}

enum Digits {
    /// One to 18 ASCII digits, the first not `0`.
    static func isCanonical<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        guard let first = bytes.first, first != UInt8(ascii: "0"), bytes.count <= 18 else { return false }
        return bytes.allSatisfy { $0 &- 0x30 < 10 }
    }
}

/// One value of an item's tape. Containers are followed by their content (an object's as key,
/// value, key, value …) and know where their content ends; strings and numbers are byte ranges
/// of the file, decoded only when asked for.
struct TapeEntry {
    enum Kind: UInt8 { case object, array, string, number, bool, null }
    static let hasEscape: UInt8 = 1
    static let hasHighByte: UInt8 = 2

    var kind: Kind
    /// Strings: ``hasEscape`` (a backslash inside), ``hasHighByte`` (a raw byte ≥ 0x80 inside);
    /// booleans: 1 for true.
    var flags: UInt8
    /// Strings: the first byte after the opening quote; numbers: their first byte; containers:
    /// their opening bracket.
    var start: UInt32
    /// Strings: the closing quote; numbers: the byte after them; containers: the index of the
    /// entry after their content (their next sibling).
    var end: UInt32
}

/// Eight bytes at a time.
enum SWAR {
    /// The high bits of those of the eight bytes of `w` (read little-endian) that may be a quote,
    /// a backslash, a control byte (< 0x20) or ≥ 0x80: none is missed, and the lowest one flagged
    /// is always one of them (a borrow can flag only bytes above a byte that really is one).
    @inline(__always) static func special(_ w: UInt64) -> UInt64 {
        WordBytes.equal(w, UInt8(ascii: "\"")) | WordBytes.equal(w, UInt8(ascii: "\\")) | WordBytes.below(w, 0x20) | (w & WordBytes.high)
    }

    /// Whether `c` is an ASCII hex digit.
    @inline(__always) static func isHex(_ c: UInt8) -> Bool {
        c &- 0x30 < 10 || (c | 0x20) &- 0x61 < 6
    }
}

/// The entries of one item's tape, kept from item to item (it grows to the largest item read,
/// at most two entries a value: ``JSONReader/maxItemValues`` bounds it).
final class TapeStorage {
    private(set) var entries: UnsafeMutablePointer<TapeEntry>
    private(set) var capacity: Int
    /// The builder's stack of open containers (their indexes in the tape).
    private(set) var open: UnsafeMutablePointer<Int32>
    private(set) var openCapacity: Int

    init(capacity: Int = 256) {
        self.capacity = capacity
        entries = .allocate(capacity: capacity)
        openCapacity = 64
        open = .allocate(capacity: openCapacity)
    }

    deinit {
        entries.deallocate()
        open.deallocate()
    }

    /// A stack of open containers twice as deep, keeping the first `count`.
    func growOpen(keeping count: Int) {
        let larger = openCapacity * 2
        let moved = UnsafeMutablePointer<Int32>.allocate(capacity: larger)
        moved.moveInitialize(from: open, count: count)
        open.deallocate()
        open = moved
        openCapacity = larger
    }

    /// Room for at least `needed` entries, keeping the first `count`.
    func grow(to needed: Int, keeping count: Int) {
        let larger = max(needed, capacity * 2)
        let moved = UnsafeMutablePointer<TapeEntry>.allocate(capacity: larger)
        moved.moveInitialize(from: entries, count: count)
        entries.deallocate()
        entries = moved
        capacity = larger
    }
}

extension JSONReader {
    /// Parses the value at the current position into ``tape``, validating it exactly as
    /// ``parseValue(depth:)`` does (same errors at the same offsets, same value count), without
    /// building strings.
    mutating func buildTape(depth: Int) throws {
        guard bytes.count < Int(UInt32.max) else { throw error("JSON file too large") }
        var builder = TapeBuilder(bytes: bytes.baseAddress!, count: bytes.count, position: position, maxDepth: maxDepth,
                                  maxItemValues: maxItemValues, itemValues: itemValues, storage: tape)
        defer {
            position = builder.p
            itemValues = builder.itemValues
        }
        try builder.build(depth: depth)
    }
}

/// Builds one item's tape (``JSONReader/buildTape(depth:)``): a plain value with mutating
/// methods writing through pointers, so the hot loop has no closures, no dynamic exclusivity
/// checks and no array bookkeeping.
struct TapeBuilder {
    let b: UnsafePointer<UInt8>
    let n: Int
    var p: Int
    let maxDepth: Int
    let maxItemValues: Int
    var itemValues: Int
    let storage: TapeStorage
    var tape: UnsafeMutablePointer<TapeEntry>
    var capacity: Int
    var count = 0
    /// Indexes (in the tape) of the containers open around the current value, `depth` of them
    /// (at most ``maxDepth``).
    var open: UnsafeMutablePointer<Int32>
    var openCapacity: Int
    var depth = 0

    init(bytes: UnsafePointer<UInt8>, count: Int, position: Int, maxDepth: Int, maxItemValues: Int, itemValues: Int,
         storage: TapeStorage) {
        b = bytes
        n = count
        p = position
        self.maxDepth = maxDepth
        self.maxItemValues = maxItemValues
        self.itemValues = itemValues
        self.storage = storage
        tape = storage.entries
        capacity = storage.capacity
        open = storage.open
        openCapacity = storage.openCapacity
    }

    @inline(__always) mutating func append(_ entry: TapeEntry) {
        if count == capacity {
            storage.grow(to: count + 1, keeping: count)
            tape = storage.entries
            capacity = storage.capacity
        }
        (tape + count).initialize(to: entry)
        count += 1
    }

    func fail(_ message: String) -> JSONSyntaxError { JSONSyntaxError(offset: p, message: message) }

    @inline(__always) mutating func skipBlanks() {
        while p < n {
            let c = b[p]
            if c == 0x20 {
                // Indentation: runs of spaces, eight at a time.
                while p + 8 <= n {
                    let x: UInt64 = UnsafeRawPointer(b + p).loadUnaligned(as: UInt64.self).littleEndian ^ 0x2020_2020_2020_2020
                    if x != 0 {
                        p += x.trailingZeroBitCount >> 3
                        break
                    }
                    p += 8
                }
                if p >= n || b[p] != 0x20 { continue }
                p += 1
            } else if c == 0x0A || c == 0x0D || c == 0x09 {
                p += 1
            } else {
                return
            }
        }
    }

    /// Validates the string whose opening quote is at p and appends its entry; p ends after it.
    @inline(__always) mutating func string() throws {
        p += 1
        let start = p
        var flags: UInt8 = 0
        while true {
            // Plain bytes eight at a time while none is a quote, backslash, control or ≥ 0x80.
            while p + 8 <= n {
                let special = SWAR.special(UnsafeRawPointer(b + p).loadUnaligned(as: UInt64.self).littleEndian)
                if special != 0 {
                    p += special.trailingZeroBitCount >> 3
                    break
                }
                p += 8
            }
            guard p < n else { throw fail("unterminated string") }
            let c = b[p]
            if c == UInt8(ascii: "\"") { break }
            if c >= 0x80 {
                flags |= TapeEntry.hasHighByte
                p += 1
                continue
            }
            if c < 0x20 { throw fail("control character in a string") }
            if c != UInt8(ascii: "\\") {
                p += 1
                continue
            }
            flags |= TapeEntry.hasEscape
            guard p + 1 < n else { throw fail("unterminated string") }
            let e = b[p + 1]
            p += 2
            if e == UInt8(ascii: "u") {
                guard p + 4 <= n else { throw fail("unexpected end in a \\u escape") }
                for k in 0..<4 where !SWAR.isHex(b[p + k]) { throw fail("invalid \\u escape") }
                p += 4
            } else if JSONEscape.simple(e) == nil {
                throw fail("invalid escape in a string")
            }
        }
        append(TapeEntry(kind: .string, flags: flags, start: UInt32(truncatingIfNeeded: start), end: UInt32(truncatingIfNeeded: p)))
        p += 1
    }

    /// After '{' or ',' in an object: a key and its ':'.
    mutating func key() throws {
        skipBlanks()
        guard p < n && b[p] == UInt8(ascii: "\"") else { throw fail("expected a key in an object") }
        try string()
        skipBlanks()
        guard p < n && b[p] == UInt8(ascii: ":") else { throw fail("expected ':' after a key") }
        p += 1
    }

    mutating func literal(_ word: StaticString, _ kind: TapeEntry.Kind, _ flags: UInt8) throws {
        let count: Int = word.utf8CodeUnitCount
        guard p + count <= n else { throw fail("unexpected end of the JSON data") }
        let w = word.utf8Start
        for k in 0..<count where b[p + k] != w[k] { throw fail("invalid literal") }
        append(TapeEntry(kind: kind, flags: flags, start: UInt32(truncatingIfNeeded: p), end: UInt32(truncatingIfNeeded: p + count)))
        p += count
    }

    mutating func number() throws {
        let start = p
        scan: while p < n {
            switch b[p] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                 UInt8(ascii: "e"), UInt8(ascii: "E"):
                p += 1
            default:
                break scan
            }
        }
        guard p > start else { throw fail(p < n ? "unexpected character" : "unexpected end of the JSON data") }
        append(TapeEntry(kind: .number, flags: 0, start: UInt32(truncatingIfNeeded: start), end: UInt32(truncatingIfNeeded: p)))
    }

    @inline(__always) mutating func openContainer(_ kind: TapeEntry.Kind) {
        if depth == openCapacity {
            storage.growOpen(keeping: depth)
            open = storage.open
            openCapacity = storage.openCapacity
        }
        open[depth] = Int32(truncatingIfNeeded: count)
        depth += 1
        append(TapeEntry(kind: kind, flags: 0, start: UInt32(truncatingIfNeeded: p), end: 0))
        p += 1
    }

    @inline(__always) mutating func close() {
        depth -= 1
        tape[Int(open[depth])].end = UInt32(truncatingIfNeeded: count)
    }

    mutating func build(depth baseDepth: Int) throws {
        count = 0
        depth = 0
        while true {
            // A value, at depth baseDepth + the containers open around it.
            guard baseDepth + depth < maxDepth else { throw fail("JSON nested deeper than \(maxDepth) levels") }
            skipBlanks()
            guard p < n else { throw fail("unexpected end of the JSON data") }
            itemValues += 1
            if itemValues > maxItemValues { throw ItemTooLarge() }
            var opened = false
            switch b[p] {
            case UInt8(ascii: "{"):
                openContainer(.object)
                skipBlanks()
                if p < n && b[p] == UInt8(ascii: "}") {
                    p += 1
                    close()
                } else {
                    try key()
                    opened = true
                }
            case UInt8(ascii: "["):
                openContainer(.array)
                skipBlanks()
                if p < n && b[p] == UInt8(ascii: "]") {
                    p += 1
                    close()
                } else {
                    opened = true
                }
            case UInt8(ascii: "\""): try string()
            case UInt8(ascii: "t"): try literal("true", .bool, 1)
            case UInt8(ascii: "f"): try literal("false", .bool, 0)
            case UInt8(ascii: "n"): try literal("null", .null, 0)
            default: try number()
            }
            if opened { continue }
            // After a value: close containers, or go on after a separator.
            while true {
                guard depth > 0 else { return }
                let inObject = tape[Int(open[depth - 1])].kind == .object
                skipBlanks()
                guard p < n else { throw fail(inObject ? "unexpected end inside an object" : "unexpected end inside an array") }
                let next = b[p]
                p += 1
                if inObject {
                    if next == UInt8(ascii: "}") {
                        close()
                        continue
                    }
                    guard next == UInt8(ascii: ",") else { throw fail("expected ',' or '}' in an object") }
                    try key()
                } else {
                    if next == UInt8(ascii: "]") {
                        close()
                        continue
                    }
                    guard next == UInt8(ascii: ",") else { throw fail("expected ',' or ']' in an array") }
                }
                break
            }
        }
    }
}

/// A value of an item's tape: a position in it, with the file's bytes. Plain pointers, no
/// reference counting; valid only while the reader hands the item over.
struct JSONNode: JSONItem {
    let tape: UnsafePointer<TapeEntry>
    let bytes: UnsafePointer<UInt8>
    let index: Int
    /// Decode Meta's `\u00XX` byte escapes (FORMATS.md §0.1).
    let meta: Bool

    private var entry: TapeEntry { tape[index] }
    private func node(_ i: Int) -> JSONNode { JSONNode(tape: tape, bytes: bytes, index: i, meta: meta) }
    /// The entry after the value at `i` (and after its content).
    fileprivate func next(_ i: Int) -> Int {
        let e = tape[i]
        return e.kind == .object || e.kind == .array ? Int(e.end) : i + 1
    }

    var isObject: Bool { entry.kind == .object }

    subscript(_ key: StaticString) -> JSONNode? {
        let e = entry
        guard e.kind == .object else { return nil }
        let end = Int(e.end)
        guard key.hasPointerRepresentation else {
            // A one-scalar literal is not stored as UTF-8: compared as strings.
            var i = index + 1
            while i < end {
                if node(i).string == key.description { return node(i + 1) }
                i = next(i + 1)
            }
            return nil
        }
        let count = key.utf8CodeUnitCount
        let wanted = key.utf8Start
        var i = index + 1
        while i < end {
            let k = tape[i]
            if k.flags == 0 {
                // ASCII on the file's side: the same bytes are the same string. Otherwise the
                // strings differ unless `key` is beyond ASCII and canonically equivalent to this
                // key (Swift's string equality: "\u{212A}" == "K"), decided as the tree decides.
                if Int(k.end &- k.start) == count && Self.equal(bytes + Int(k.start), wanted, count) { return node(i + 1) }
                if !key.isASCII && node(i).string == key.description { return node(i + 1) }
            } else if node(i).string == key.description {
                // Escapes or bytes beyond ASCII: decoded and compared as the tree compares keys.
                return node(i + 1)
            }
            i = next(i + 1)
        }
        return nil
    }

    /// Whether `count` bytes at `a` and `b` are equal (short keys: no call).
    @inline(__always) private static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        var k = 0
        while k < count {
            if a[k] != b[k] { return false }
            k += 1
        }
        return true
    }

    func member(caseInsensitive key: String) -> JSONNode? {
        let e = entry
        guard e.kind == .object else { return nil }
        let wanted = key.lowercased()
        var i = index + 1
        let end = Int(e.end)
        while i < end {
            if node(i).string?.lowercased() == wanted { return node(i + 1) }
            i = next(i + 1)
        }
        return nil
    }

    subscript(_ position: Int) -> JSONNode? {
        let e = entry
        guard e.kind == .array, position >= 0 else { return nil }
        var i = index + 1
        let end = Int(e.end)
        var k = 0
        while i < end {
            if k == position { return node(i) }
            k += 1
            i = next(i)
        }
        return nil
    }

    struct Elements: Sequence, IteratorProtocol {
        let base: JSONNode
        var i: Int
        let end: Int
        mutating func next() -> JSONNode? {
            guard i < end else { return nil }
            let n = base.node(i)
            i = base.next(i)
            return n
        }
    }

    var elements: Elements {
        let e = entry
        guard e.kind == .array else { return Elements(base: self, i: 0, end: 0) }
        return Elements(base: self, i: index + 1, end: Int(e.end))
    }

    var string: String? {
        let e = entry
        guard e.kind == .string else { return nil }
        return JSONStrings.decode(bytes + Int(e.start), count: Int(e.end &- e.start), flags: e.flags, meta: meta)
    }

    var nonEmptyString: String? {
        let e = entry
        guard e.kind == .string, e.end > e.start else { return nil }
        return string
    }

    var canonicalDigits: String? {
        let e = entry
        guard e.kind == .number else { return nil }
        let digits = UnsafeBufferPointer(start: bytes + Int(e.start), count: Int(e.end &- e.start))
        guard Digits.isCanonical(digits) else { return nil }
        return String(decoding: digits, as: UTF8.self)
    }

    var int64: Int64? {
        let e = entry
        switch e.kind {
        case .number:
            let start = bytes + Int(e.start)
            let count = Int(e.end &- e.start)
            // Digits only (the common case) are computed here; anything else as the tree does.
            if count > 0 && count <= 18 {
                var v: Int64 = 0
                var k = 0
                while k < count {
                    let d = start[k] &- 0x30
                    if d > 9 { break }
                    v = v &* 10 &+ Int64(d)
                    k += 1
                }
                if k == count { return v }
            }
            return JSONValue.number(String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)).int64
        case .string:
            return string.flatMap { Int64($0) }
        default:
            return nil
        }
    }
}

/// Decoding a validated JSON string's bytes (those between its quotes).
enum JSONStrings {
    /// The string, decoded as ``JSONReader/parseString()`` decodes it: for Meta exports (`meta`) a
    /// string whose escapes are all `\u0000`–`\u00FF` and whose other bytes are ASCII is Meta's
    /// mojibake, its escapes UTF-8 bytes (decoded as written when those bytes are not UTF-8).
    static func decode(_ s: UnsafePointer<UInt8>, count: Int, flags: UInt8, meta: Bool) -> String {
        if flags & TapeEntry.hasEscape == 0 {
            return String(decoding: UnsafeBufferPointer(start: s, count: count), as: UTF8.self)
        }
        // Every escape decodes to fewer bytes than it is written with, so `count` bytes are
        // enough; invalid UTF-8 among the raw bytes is repaired (U+FFFD) by String itself.
        return String(unsafeUninitializedCapacity: count) { out in
            let o = out.baseAddress!
            if meta && flags & TapeEntry.hasHighByte == 0, let length = metaBytes(s, count: count, into: o) { return length }
            return plain(s, count: count, into: o)
        }
    }

    /// Meta's byte escapes, or nil when the string is not one (an escape above U+00FF, or escaped
    /// bytes that are not UTF-8).
    private static func metaBytes(_ s: UnsafePointer<UInt8>, count: Int, into o: UnsafeMutablePointer<UInt8>) -> Int? {
        var i = 0, w = 0
        var sawByteEscape = false
        while i < count {
            // The run up to the next escape, copied at once.
            let run = plainRun(s, from: i, count: count)
            if run > 0 {
                (o + w).update(from: s + i, count: run)
                w += run
                i += run
                if i == count { break }
            }
            let e = s[i + 1]
            if e == UInt8(ascii: "u") {
                let v = hex4(s + i + 2)
                guard v <= 0xFF else { return nil }
                if v >= 0x80 { sawByteEscape = true }
                o[w] = UInt8(truncatingIfNeeded: v)
                i += 6
            } else {
                o[w] = JSONEscape.simple(e)!
                i += 2
            }
            w += 1
        }
        if sawByteEscape && !JSONReader.isValidUTF8(UnsafeBufferPointer(start: o, count: w)) { return nil }
        return w
    }

    /// Standard JSON decoding; a lone surrogate becomes U+FFFD.
    private static func plain(_ s: UnsafePointer<UInt8>, count: Int, into o: UnsafeMutablePointer<UInt8>) -> Int {
        var i = 0, w = 0
        while i < count {
            let run = plainRun(s, from: i, count: count)
            if run > 0 {
                (o + w).update(from: s + i, count: run)
                w += run
                i += run
                if i == count { break }
            }
            let e = s[i + 1]
            i += 2
            guard e == UInt8(ascii: "u") else {
                o[w] = JSONEscape.simple(e)!
                w += 1
                continue
            }
            var value = hex4(s + i)
            i += 4
            if value >= 0xD800 && value < 0xDC00 {
                // A high surrogate needs its low half; a lone one becomes U+FFFD.
                value = 0xFFFD
                if i + 1 < count && s[i] == UInt8(ascii: "\\") && s[i + 1] == UInt8(ascii: "u") {
                    let low = hex4(s + i + 2)
                    if low >= 0xDC00 && low < 0xE000 {
                        value = 0x10000 + ((hex4(s + i - 4) - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                }
            } else if value >= 0xDC00 && value < 0xE000 {
                value = 0xFFFD
            }
            let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
            for byte in UTF8.encode(scalar)! {
                o[w] = byte
                w += 1
            }
        }
        return w
    }

    /// The number of bytes from `from` before the next backslash (or the end).
    @inline(__always) private static func plainRun(_ s: UnsafePointer<UInt8>, from: Int, count: Int) -> Int {
        guard let hit = memchr(s + from, 0x5C, count - from) else { return count - from }
        return UnsafeRawPointer(s + from).distance(to: UnsafeRawPointer(hit))
    }

    /// Four hex digits, already validated.
    private static func hex4(_ p: UnsafePointer<UInt8>) -> UInt32 {
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = p[k]
            v = v << 4 | UInt32(c <= UInt8(ascii: "9") ? c &- 0x30 : (c | 0x20) &- 0x57)
        }
        return v
    }
}
