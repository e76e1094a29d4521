import CICU
import NetraCore

/// Text in the one canonical form the matcher sees, with a map back to the original.
///
/// Tokens are separated by exactly one space (0x20) and nothing else is a separator: letters
/// are case-folded (NFKC_Casefold through ICU for non-ASCII), accents are removed, punctuation
/// becomes a token boundary, a `#` that opens a word is kept (so `#amin` and `amin` differ),
/// punctuation between two digits is kept (`14.02.2024`, `10.000`), and every symbol or emoji
/// is a token of its own (`✌️✌️` → `✌ ✌`). Every normalized byte maps back to the range of
/// Unicode scalars of the original text it came from.
public struct NormalizedText: Sendable {
    /// The normalized UTF-8 bytes.
    public internal(set) var bytes: [UInt8] = []
    /// For each normalized byte, the first original scalar offset it came from.
    public internal(set) var scalarStart: [Int32] = []
    /// For each normalized byte, the original scalar offset just past its source.
    public internal(set) var scalarEnd: [Int32] = []
    /// Byte offsets where tokens begin, ascending.
    public internal(set) var tokenStarts: [Int32] = []

    public init() {}

    /// The normalized text as a String (for display and tests).
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// The number of tokens.
    public var tokenCount: Int { tokenStarts.count }

    /// The index of the token that contains (or, for a separator, follows) byte `offset`.
    public func tokenIndex(ofByte offset: Int) -> Int {
        var lo = 0, hi = tokenStarts.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if Int(tokenStarts[mid]) <= offset { lo = mid + 1 } else { hi = mid }
        }
        return max(0, lo - 1)
    }

    /// The original scalar span of normalized bytes `range` (non-empty).
    public func originalSpan(of range: Range<Int>) -> Span {
        Span(start: Int(scalarStart[range.lowerBound]), end: Int(scalarEnd[range.upperBound - 1]))
    }

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        scalarStart.removeAll(keepingCapacity: true)
        scalarEnd.removeAll(keepingCapacity: true)
        tokenStarts.removeAll(keepingCapacity: true)
    }
}

/// Normalizes record text and lexicon terms identically (DESIGN.md §4, first cut).
///
/// ASCII is handled by a byte loop that never calls ICU; each non-ASCII scalar is folded by
/// ICU once and memoized, so ICU cost is paid per distinct code point, not per byte. A
/// `Normalizer` holds that memo: give each worker its own.
public struct Normalizer: Sendable {
    /// Changes whenever the normalized form of any text may change; part of the lexicon version.
    public static let version = "norm-1"

    private struct Piece: Sendable {
        var cls: Int32
        var utf8: [UInt8]
    }

    private var memo: [UInt32: [Piece]] = [:]
    private var out = NormalizedText()
    private var inToken = false

    public init() {}

    /// Normalizes `text` into a new value.
    public mutating func normalize(_ text: String) -> NormalizedText {
        var result = NormalizedText()
        normalize(text, into: &result)
        return result
    }

    /// Normalizes `text` into `result`, reusing its storage.
    public mutating func normalize(_ text: String, into result: inout NormalizedText) {
        var copy = text
        copy.makeContiguousUTF8()
        swap(&out, &result)
        out.reset()
        inToken = false
        copy.utf8.withContiguousStorageIfAvailable { run($0) }
        swap(&out, &result)
    }

    /// The normalized bytes of a lexicon term.
    public mutating func normalizeTerm(_ term: String) -> [UInt8] {
        normalize(term).bytes
    }

    private static func isASCIIAlnum(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A)
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    private mutating func separate() { inToken = false }

    private mutating func emitWordByte(_ b: UInt8, _ s: Int32, _ e: Int32) {
        if !inToken {
            if !out.bytes.isEmpty {
                out.bytes.append(0x20)
                out.scalarStart.append(s)
                out.scalarEnd.append(s)
            }
            out.tokenStarts.append(Int32(out.bytes.count))
            inToken = true
        }
        out.bytes.append(b)
        out.scalarStart.append(s)
        out.scalarEnd.append(e)
    }

    private mutating func run(_ input: UnsafeBufferPointer<UInt8>) {
        let n = input.count
        var i = 0
        var scalar: Int32 = 0
        while i < n {
            let b = input[i]
            if b < 0x80 {
                let s = scalar, e = scalar + 1
                if b >= 0x41 && b <= 0x5A {
                    emitWordByte(b | 0x20, s, e)
                } else if Self.isASCIIAlnum(b) {
                    emitWordByte(b, s, e)
                } else if b == UInt8(ascii: "#"), i + 1 < n, hashOpensWord(input, at: i + 1) {
                    separate()
                    emitWordByte(b, s, e)
                } else if inToken, let last = out.bytes.last, Self.isDigit(last), i + 1 < n, Self.isDigit(input[i + 1]),
                          b == UInt8(ascii: ".") || b == UInt8(ascii: ",") || b == UInt8(ascii: ":")
                            || b == UInt8(ascii: "/") || b == UInt8(ascii: "-") {
                    emitWordByte(b, s, e)
                } else {
                    separate()
                }
                i += 1
                scalar += 1
                continue
            }
            guard let (value, len) = Self.decode(input, at: i) else { break }
            emitFolded(value, scalar)
            i += len
            scalar += 1
        }
    }

    /// Decodes the non-ASCII scalar at `i` (the input is valid UTF-8: it came from a String).
    private static func decode(_ input: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt32, Int)? {
        let b = input[i]
        var value: UInt32
        let len: Int
        if b >= 0xF0 { value = UInt32(b & 0x07); len = 4 }
        else if b >= 0xE0 { value = UInt32(b & 0x0F); len = 3 }
        else { value = UInt32(b & 0x1F); len = 2 }
        if i + len > input.count { return nil }
        for k in 1..<len { value = (value << 6) | UInt32(input[i + k] & 0x3F) }
        return (value, len)
    }

    /// A `#` is kept only when the scalar after it folds to a word character.
    private mutating func hashOpensWord(_ input: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        let b = input[i]
        if b < 0x80 { return Self.isASCIIAlnum(b) }
        guard let (value, _) = Self.decode(input, at: i) else { return false }
        return pieces(value).first?.cls == Int32(CICU_CLASS_WORD)
    }

    private mutating func pieces(_ value: UInt32) -> [Piece] {
        if let cached = memo[value] { return cached }
        let folded = Self.fold(value)
        memo[value] = folded
        return folded
    }

    private mutating func emitFolded(_ value: UInt32, _ s: Int32) {
        for piece in pieces(value) {
            switch piece.cls {
            case Int32(CICU_CLASS_WORD):
                for byte in piece.utf8 { emitWordByte(byte, s, s + 1) }
            case Int32(CICU_CLASS_SYMBOL):
                separate()
                for byte in piece.utf8 { emitWordByte(byte, s, s + 1) }
                separate()
            case Int32(CICU_CLASS_IGNORABLE):
                break
            default:
                separate()
            }
        }
    }

    /// ICU: NFKC_Casefold, remove combining marks, then split into classified scalars.
    private static func fold(_ value: UInt32) -> [Piece] {
        var buffer = [CChar](repeating: 0, count: 64)
        var len = cicu_fold_scalar(value, &buffer, Int32(buffer.count))
        if len > Int32(buffer.count) {
            buffer = [CChar](repeating: 0, count: Int(len))
            len = cicu_fold_scalar(value, &buffer, len)
        }
        guard len >= 0 else { return [Piece(cls: cicu_scalar_class(value), utf8: Array(String(Unicode.Scalar(value) ?? " ").utf8))] }
        let folded = String(decoding: buffer.prefix(Int(len)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var pieces: [Piece] = []
        for scalar in folded.unicodeScalars {
            var cls = cicu_scalar_class(scalar.value)
            var utf8 = Array(String(scalar).utf8)
            if scalar.isASCII {
                let byte = UInt8(scalar.value)
                if isASCIIAlnum(byte) {
                    cls = Int32(CICU_CLASS_WORD)
                    if byte >= 0x41 && byte <= 0x5A { utf8 = [byte | 0x20] }
                } else {
                    cls = Int32(CICU_CLASS_SEPARATOR)
                }
            }
            pieces.append(Piece(cls: cls, utf8: utf8))
        }
        return pieces
    }
}

/// The version of the system ICU library NetraText uses.
public var icuVersion: String { String(cString: cicu_icu_version()) }

extension String {
    /// The substring at Unicode-scalar offsets `span` (clamped to the string).
    public func scalarSubstring(_ span: Span) -> String {
        var scalars = String.UnicodeScalarView()
        var index = 0
        for scalar in unicodeScalars {
            if index >= span.end { break }
            if index >= span.start { scalars.append(scalar) }
            index += 1
        }
        return String(scalars)
    }
}
