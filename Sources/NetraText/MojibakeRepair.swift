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
        let escapes = containsEscape(text)
        guard escapes || contains(text, 0xC3) else { return text }
        // Text damaged twice ("Ã°ÂŸÂ¤Â­") needs a second pass; three is the most seen.
        var current = escapes ? repairEscapes(text) : text
        for _ in 0..<3 {
            guard contains(current, 0xC3) else { break }
            let next = repairLatin1Runs(current)
            if next == current { break }
            current = next
        }
        return current
    }

    /// Whether `text` contains `\x` or `\X` (where a literal escape could begin).
    static func containsEscape(_ text: String) -> Bool {
        func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            // memchr finds each backslash (vectorized in libc); most texts have none.
            guard let base = bytes.baseAddress else { return false }
            var from = 0
            while from < bytes.count, let hit = memchr(base + from, 0x5C, bytes.count - from) {
                let i = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if i + 1 < bytes.count && (bytes[i + 1] == UInt8(ascii: "x") || bytes[i + 1] == UInt8(ascii: "X")) { return true }
                from = i + 1
            }
            return false
        }
        if let found = text.utf8.withContiguousStorageIfAvailable(scan) { return found }
        return Array(text.utf8).withUnsafeBufferPointer(scan)
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

    private static func byteFor(_ scalar: Unicode.Scalar) -> UInt8? {
        if scalar.value < 0x80 { return nil }
        if scalar.value <= 0xFF { return UInt8(scalar.value) }
        return cp1252[scalar.value]
    }

    static func repairLatin1Runs(_ text: String) -> String {
        // Most non-ASCII text has no run of two or more Latin-1/Windows-1252 scalars whose bytes
        // form UTF-8: find that out without building anything.
        var candidate = false
        var previousMappable = false
        for scalar in text.unicodeScalars {
            let mappable = byteFor(scalar).map { $0 >= 0x80 } ?? false
            if mappable && previousMappable { candidate = true; break }
            previousMappable = mappable && scalar.value >= 0xC2 && scalar.value <= 0xF4
        }
        guard candidate else { return text }
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        var changed = false
        while i < scalars.count {
            guard byteFor(scalars[i]) != nil else {
                out.append(scalars[i])
                i += 1
                continue
            }
            var j = i
            var run: [UInt8] = []
            while j < scalars.count, let b = byteFor(scalars[j]) { run.append(b); j += 1 }
            let (decoded, consumed) = decodeGreedy(run)
            if consumed.contains(true) {
                changed = true
                var k = i
                for piece in decoded {
                    switch piece {
                    case .scalar(let s, _): out.append(s)
                    case .byte: out.append(scalars[k])
                    }
                    k += piece.width
                }
            } else {
                out.append(contentsOf: scalars[i..<j])
            }
            i = j
        }
        return changed ? String(out) : text
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
