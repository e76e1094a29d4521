import CNetraBytes
import NetraCore

/// One bit per input byte, 64 bytes to a word, for the normalizer's fast path: where the ASCII
/// words and single spaces are, whether words are letters or digits, and which bytes make a word
/// need a word rule. Built once per text by `netra_classify` (CNetraBytes: AVX-512, AVX2 or SSE2,
/// whichever the processor has), so the fast path finds words and judges whole runs of them with a
/// few bit operations instead of looking at each byte again; the ASCII letters of the text are
/// lower-cased on the way (`folded`).
///
/// The slow, obvious definition of every map is `ByteClassMaps.oneByte` (tests compare them).
struct ByteClassMaps {
    /// The maps of one 64-byte block, in this order (`NETRA_MAP_*`).
    enum Map: Int {
        /// ASCII letters and digits.
        case alnum = 0
        /// ASCII letters.
        case letter = 1
        /// Bytes that make their word need the general path: an upper-case letter right after a
        /// lower-case one (camel case), a letter next to a digit either way, and the third of
        /// three equal letters in a row (an elongation).
        case special = 2
        /// A letter equal (case folded) to the letter just before it.
        case equal = 3
        /// The byte 0x20.
        case space = 4
        /// Bytes 0x80 and above (not ASCII).
        case high = 5
        /// The bytes that join two numbers into one token ("10:30", "14-02-2024"): , - . / :
        case joiner = 6
    }
    static let mapsPerBlock = Int(NETRA_MAPS_PER_BLOCK)

    private(set) var words = Buffer<UInt64>()
    /// The text with ASCII upper-case letters lower-cased, and at least 64 readable bytes after it.
    private(set) var folded = Buffer<UInt8>()
    private(set) var count = 0

    func free() {
        words.free()
        folded.free()
    }

    /// The classifiers this processor can run, slowest first (`NETRA_CLASSIFY_*`; for tests).
    static var classifierLevels: ClosedRange<Int32> { Int32(NETRA_CLASSIFY_BYTES)...netra_classify_best_level() }

    /// Classifies `input` (any bytes; bytes ≥ 0x80 are in the `high` map only), with the best classifier
    /// or, for tests, classifier `level` (`classifierLevels`).
    mutating func build(_ input: UnsafeBufferPointer<UInt8>, level: Int32? = nil) {
        let n = input.count
        count = n
        let blocks = (n + 63) >> 6
        // Two blocks more than needed, all zero: `bits(_:at:)` reads the word after the one
        // holding `i`, and `i` may be up to two bytes past the end.
        words.reserve((blocks + 2) * Self.mapsPerBlock)
        words.count = (blocks + 2) * Self.mapsPerBlock
        for k in 0..<(2 * Self.mapsPerBlock) { words[blocks * Self.mapsPerBlock + k] = 0 }
        folded.reserve(blocks * 64 + 64)
        folded.count = n
        guard n > 0, let p = input.baseAddress else { return }
        if let level {
            netra_classify_with(level, p, n, folded.pointer, words.pointer)
        } else {
            netra_classify(p, n, folded.pointer, words.pointer)
        }
    }

    /// The 64 bits of `map` for bytes `i..<i + 64` (`i` ≤ count + 2; bits past the end are 0).
    @inline(__always)
    func bits(_ map: Map, at i: Int) -> UInt64 {
        let at = (i >> 6) &* Self.mapsPerBlock &+ map.rawValue
        let off = UInt64(truncatingIfNeeded: i & 63)
        let low = words[at] &>> off
        return off == 0 ? low : low | words[at &+ Self.mapsPerBlock] &<< (64 &- off)
    }

    /// Whether byte `i` (< count) is in `map`.
    @inline(__always)
    func contains(_ map: Map, _ i: Int) -> Bool {
        (words[(i >> 6) &* Self.mapsPerBlock &+ map.rawValue] >> UInt64(i & 63)) & 1 != 0
    }

    /// The first index ≥ `j` that is not an ASCII letter or digit (`count` at the end).
    @inline(__always)
    func endOfAlnum(from j: Int) -> Int {
        var a = j
        while a < count {
            let off = a & 63
            let stops = ~words[(a >> 6) &* Self.mapsPerBlock] >> UInt64(off)
            if stops != 0 { return min(count, a &+ stops.trailingZeroBitCount) }
            a &+= 64 &- off
        }
        return count
    }

    /// Whether any byte of `j..<k` is in `map`.
    @inline(__always)
    func any(_ map: Map, from j: Int, to k: Int) -> Bool {
        var a = j
        while a < k {
            let off = a & 63
            let length = min(64 &- off, k &- a)
            let bits = words[(a >> 6) &* Self.mapsPerBlock &+ map.rawValue] >> UInt64(off)
            if length < 64 ? bits & ((1 &<< UInt64(length)) &- 1) != 0 : bits != 0 { return true }
            a &+= length
        }
        return false
    }

    /// The slow, obvious definition of each map, byte by byte (for tests).
    static func oneByte(_ input: [UInt8], _ map: Map) -> [Bool] {
        func isLetter(_ i: Int) -> Bool { i >= 0 && i < input.count && (input[i] | 0x20) >= 0x61 && (input[i] | 0x20) <= 0x7A }
        func isDigit(_ i: Int) -> Bool { i >= 0 && i < input.count && input[i] >= 0x30 && input[i] <= 0x39 }
        func isUpper(_ i: Int) -> Bool { isLetter(i) && input[i] < 0x61 }
        func isEqual(_ i: Int) -> Bool { isLetter(i) && isLetter(i - 1) && input[i] | 0x20 == input[i - 1] | 0x20 }
        return input.indices.map { i in
            switch map {
            case .alnum: return isLetter(i) || isDigit(i)
            case .letter: return isLetter(i)
            case .equal: return isEqual(i)
            case .space: return input[i] == 0x20
            case .high: return input[i] >= 0x80
            case .joiner: return [UInt8](",-./:".utf8).contains(input[i])
            case .special:
                let camel = isUpper(i) && isLetter(i - 1) && !isUpper(i - 1)
                let mixed = (isLetter(i) && isDigit(i - 1)) || (isDigit(i) && isLetter(i - 1))
                return camel || mixed || (isEqual(i) && isEqual(i - 1))
            }
        }
    }
}
