#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import NetraCore

/// Repairs the three kinds of encoding damage seen in real exports (DESIGN.md §4 step 1):
///
/// 1. Meta's "Download Your Information" JSON, which writes each UTF-8 *byte* as its own
///    `\u00XX` escape, so "😀" arrives as the four scalars U+00F0 U+009F U+0098 U+0080;
/// 2. UTF-8 decoded as Windows-1252 or Latin-1 and encoded again ("ðŸ˜€", "kitaÂ²"), once or
///    several times;
/// 3. literal escape text, `\xf0\x9f\x98\x80`, left by scrapers.
///
/// Only runs that decode to valid UTF-8 multi-byte sequences are replaced, so ordinary Latin-1
/// text ("café", "José") is left alone. The readers call this; NetraText owns it.
public enum MojibakeRepair {
    /// The repaired text (the input itself when nothing needed repair).
    public static func repair(_ text: String) -> String {
        // Escape text needs a backslash; a Latin-1 run needs a scalar U+00C2–U+00F4, whose
        // UTF-8 starts with 0xC3. Text with neither (ASCII, emoji, other scripts) is returned
        // after one byte scan.
        let (escapes, latin1) = text.utf8.withContiguousStorageIfAvailable(hints) ?? Array(text.utf8).withUnsafeBufferPointer(hints)
        guard escapes || latin1 else { return text }
        // Text damaged twice ("Ã°ÂŸÂ¤Â­") needs a second pass; three is the most seen.
        var current = escapes ? repairEscapes(text) : text
        for _ in 0..<3 {
            guard contains(current, 0xC3) else { break }
            guard let next = current.withUTF8({ repairLatin1Runs($0) }) else { break }
            current = next
        }
        return current
    }

    /// Whether `bytes` hold `\x` or `\X` (where a literal escape could begin), and whether
    /// they hold 0xC3 (where a Latin-1 run could begin): both in one look at the text.
    static func hints(_ bytes: UnsafeBufferPointer<UInt8>) -> (escapes: Bool, latin1: Bool) {
        guard let base = bytes.baseAddress else { return (false, false) }
        let latin1 = memchr(base, 0xC3, bytes.count) != nil
        var from = 0
        while from < bytes.count, let hit = memchr(base + from, 0x5C, bytes.count - from) {
            let i = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if i + 1 < bytes.count && (bytes[i + 1] == UInt8(ascii: "x") || bytes[i + 1] == UInt8(ascii: "X")) { return (true, latin1) }
            from = i + 1
        }
        return (false, latin1)
    }

    /// Whether the UTF-8 of `text` contains `byte`.
    static func contains(_ text: String, _ byte: UInt8) -> Bool {
        func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            guard let base = bytes.baseAddress else { return false }
            return memchr(base, Int32(byte), bytes.count) != nil
        }
        if let found = text.utf8.withContiguousStorageIfAvailable(scan) { return found }
        return text.utf8.contains(byte)
    }

    // MARK: Literal \xHH escapes

    static func repairEscapes(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.count >= 8, bytes.contains(UInt8(ascii: "\\")) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        var changed = false
        while i < bytes.count {
            // Collect a run of \xHH escapes.
            var run: [UInt8] = []
            var j = i
            while j + 3 < bytes.count, bytes[j] == UInt8(ascii: "\\"), bytes[j + 1] == UInt8(ascii: "x") || bytes[j + 1] == UInt8(ascii: "X"),
                  let hi = HexDigit.value(bytes[j + 2]), let lo = HexDigit.value(bytes[j + 3]) {
                run.append(hi << 4 | lo)
                j += 4
            }
            if run.count >= 2, run.contains(where: { $0 >= 0x80 }) {
                let (decoded, consumed) = decodeGreedy(run)
                // Keep escapes that did not decode as they were.
                if consumed.contains(true) {
                    changed = true
                    var k = 0
                    for piece in decoded {
                        switch piece {
                        case .scalar(let s, _): out += Array(String(s).utf8)
                        case .byte: out += Array(bytes[(i + 4 * k)..<(i + 4 * k + 4)])
                        }
                        k += piece.width
                    }
                    i = j
                    continue
                }
            }
            out.append(bytes[i])
            i += 1
        }
        return changed ? String(decoding: out, as: UTF8.self) : text
    }


    // MARK: Latin-1 and Windows-1252 runs

    /// Windows-1252's characters for bytes 0x80–0x9F (the rest of 0x80–0xFF is Latin-1).
    static let cp1252: [UInt32: UInt8] = [
        0x20AC: 0x80, 0x201A: 0x82, 0x0192: 0x83, 0x201E: 0x84, 0x2026: 0x85, 0x2020: 0x86, 0x2021: 0x87,
        0x02C6: 0x88, 0x2030: 0x89, 0x0160: 0x8A, 0x2039: 0x8B, 0x0152: 0x8C, 0x017D: 0x8E, 0x2018: 0x91,
        0x2019: 0x92, 0x201C: 0x93, 0x201D: 0x94, 0x2022: 0x95, 0x2013: 0x96, 0x2014: 0x97, 0x02DC: 0x98,
        0x2122: 0x99, 0x0161: 0x9A, 0x203A: 0x9B, 0x0153: 0x9C, 0x017E: 0x9E, 0x0178: 0x9F,
    ]

    /// The Latin-1 or Windows-1252 byte a non-ASCII scalar stands for, or nil (`cp1252` as a switch).
    @inline(__always)
    static func byteFor(_ value: UInt32) -> UInt8? {
        if value < 0x80 { return nil }
        if value <= 0xFF { return UInt8(value) }
        switch value {
        case 0x20AC: return 0x80
        case 0x201A: return 0x82
        case 0x0192: return 0x83
        case 0x201E: return 0x84
        case 0x2026: return 0x85
        case 0x2020: return 0x86
        case 0x2021: return 0x87
        case 0x02C6: return 0x88
        case 0x2030: return 0x89
        case 0x0160: return 0x8A
        case 0x2039: return 0x8B
        case 0x0152: return 0x8C
        case 0x017D: return 0x8E
        case 0x2018: return 0x91
        case 0x2019: return 0x92
        case 0x201C: return 0x93
        case 0x201D: return 0x94
        case 0x2022: return 0x95
        case 0x2013: return 0x96
        case 0x2014: return 0x97
        case 0x02DC: return 0x98
        case 0x2122: return 0x99
        case 0x0161: return 0x9A
        case 0x203A: return 0x9B
        case 0x0153: return 0x9C
        case 0x017E: return 0x9E
        case 0x0178: return 0x9F
        default: return nil
        }
    }

    /// The scalar at byte `i` of valid UTF-8 and its length in bytes.
    @inline(__always)
    private static func scalar(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> (value: UInt32, length: Int) {
        let b = bytes[i]
        if b < 0x80 { return (UInt32(b), 1) }
        if b < 0xE0 { return (UInt32(b & 0x1F) << 6 | UInt32(bytes[i + 1] & 0x3F), 2) }
        if b < 0xF0 { return (UInt32(b & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F), 3) }
        return (UInt32(b & 0x07) << 18 | UInt32(bytes[i + 1] & 0x3F) << 12 | UInt32(bytes[i + 2] & 0x3F) << 6 | UInt32(bytes[i + 3] & 0x3F), 4)
    }

    static func repairLatin1Runs(_ text: String) -> String {
        var text = text
        return text.withUTF8 { repairLatin1Runs($0) } ?? text
    }

    /// Runs of two or more Latin-1/Windows-1252 scalars whose bytes form UTF-8 sequences,
    /// decoded; nil when nothing changes. Works on the UTF-8 of valid text, copying untouched
    /// bytes as they are.
    static func repairLatin1Runs(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        // Most non-ASCII text has no run of two or more such scalars whose first could start a
        // UTF-8 sequence: find that out without building anything. Such a first scalar is
        // U+00C2–U+00F4 (bytes C3 82–C3 B4) and the next one is non-ASCII (a lead byte ≥ C2):
        // only there is the next scalar looked at.
        guard let base = bytes.baseAddress else { return nil }
        var candidate = false
        var from = 0
        while from + 2 < bytes.count, let hit = memchr(base + from, 0xC3, bytes.count - from - 2) {
            let i = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if bytes[i + 1] >= 0x82 && bytes[i + 1] <= 0xB4 && bytes[i + 2] >= 0xC2, byteFor(scalar(bytes, at: i + 2).value) != nil {
                candidate = true
                break
            }
            from = i + 1
        }
        guard candidate else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var changed = false
        var run: [UInt8] = []
        var runStarts: [Int] = []    // the byte offset of each scalar of the run, then its end
        var i = 0
        while i < bytes.count {
            // Scalars that map to no byte (ASCII among them) are copied as one stretch.
            var k = i
            while k < bytes.count {
                if bytes[k] < 0x80 { k += 1; continue }
                let (value, length) = scalar(bytes, at: k)
                if byteFor(value) != nil { break }
                k += length
            }
            if k > i {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<k]))
                i = k
                continue
            }
            run.removeAll(keepingCapacity: true)
            runStarts.removeAll(keepingCapacity: true)
            var j = i
            while j < bytes.count {
                let (v, l) = scalar(bytes, at: j)
                guard let b = byteFor(v) else { break }
                run.append(b)
                runStarts.append(j)
                j += l
            }
            runStarts.append(j)
            let (decoded, consumed) = decodeGreedy(run)
            if consumed.contains(true) {
                changed = true
                var k = 0
                for piece in decoded {
                    switch piece {
                    case .scalar(let s, _): out.append(contentsOf: String(s).utf8)
                    case .byte: out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStarts[k]..<runStarts[k + 1]]))
                    }
                    k += piece.width
                }
            } else {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<j]))
            }
            i = j
        }
        return changed ? String(decoding: out, as: UTF8.self) : nil
    }

    // MARK: Decoding

    enum Piece {
        case scalar(Unicode.Scalar, width: Int)
        case byte
        var width: Int {
            if case .scalar(_, let w) = self { return w }
            return 1
        }
    }

    /// Decodes valid multi-byte UTF-8 sequences in `bytes`; any other byte stays a `.byte`.
    /// `consumed` says, per piece, whether it is a decoded multi-byte sequence.
    static func decodeGreedy(_ bytes: [UInt8]) -> ([Piece], [Bool]) {
        var pieces: [Piece] = []
        var consumed: [Bool] = []
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            var length = 0
            var value: UInt32 = 0
            var minimum: UInt32 = 0
            if b >= 0xC2 && b <= 0xDF { length = 2; value = UInt32(b & 0x1F); minimum = 0x80 }
            else if b >= 0xE0 && b <= 0xEF { length = 3; value = UInt32(b & 0x0F); minimum = 0x800 }
            else if b >= 0xF0 && b <= 0xF4 { length = 4; value = UInt32(b & 0x07); minimum = 0x10000 }
            var ok = length > 0 && i + length <= bytes.count
            if ok {
                for k in 1..<length {
                    let c = bytes[i + k]
                    if c & 0xC0 != 0x80 { ok = false; break }
                    value = value << 6 | UInt32(c & 0x3F)
                }
            }
            if ok, value >= minimum, let scalar = Unicode.Scalar(value) {
                pieces.append(.scalar(scalar, width: length))
                consumed.append(true)
                i += length
            } else {
                pieces.append(.byte)
                consumed.append(false)
                i += 1
            }
        }
        return (pieces, consumed)
    }
}
