import NetraCore

/// Data the normalizer applies besides Unicode: slang expansions and the word list that tells
/// real double letters from elongations. Built by NetraRules from `Lexicons/normalization/`;
/// immutable and shared by every worker.
public struct NormalizerConfiguration: Sendable {
    /// Informal → formal token replacements (both already in normalized form).
    public let slang: SlangTable
    /// Words with real double letters ("maaf", "saat"), for squeezing elongations.
    public let dictionary: Set<[UInt8]>
    /// A fingerprint of the data, part of the lexicon version.
    public let fingerprint: UInt64

    /// No slang, no word list.
    public static let plain = NormalizerConfiguration(slang: [:], words: [], protected: [])

    /// Election words slang expansion never touches, whatever the list says (lists fold
    /// "aamiin" into "amin" and expand political slurs and election words).
    public static let alwaysProtected: Set<String> = [
        "amin", "aamiin", "amiin", "aamin", "amien", "coblos", "nyoblos", "mencoblos", "pilih", "memilih", "golput",
        "pilpres", "pilkada", "pileg", "pemilu", "kampanye", "capres", "cawapres", "cagub", "cabup", "cawalkot", "paslon",
        "nomor", "no", "nmr", "urut", "relawan", "timses", "tkn", "tpn", "kpu", "bawaslu", "kpps", "tps", "asn", "pns",
        "netral", "dukung", "menang", "gas", "kampret", "cebong", "kadrun", "termul", "hoax", "hoaks", "parpol",
    ]

    /// - Parameters:
    ///   - slang: informal → formal pairs as written in the list; each side is normalized with
    ///     the plain normalizer. Pairs with digits, a protected word on either side, a key of one
    ///     character, or a chain into another key are left out.
    ///   - words: the word list (one word each).
    ///   - protected: further tokens never rewritten (candidate names, numbers of the lexicon).
    public init(slang: [String: String], words: [String], protected: Set<String>) {
        let plain = Normalizer(configuration: NormalizerConfiguration(table: SlangTable(entries: [:]), dictionary: [], fingerprint: 0))
        let guarded = Self.alwaysProtected.union(protected)
        var entries: [[UInt8]: [UInt8]] = [:]
        // In key order, first pair wins when two keys normalize alike ("Bgt", "bgt"): the table,
        // and so every result and the lexicon version, must not depend on hashing order.
        for (key, value) in slang.sorted(by: { $0.key < $1.key }) {
            let k = plain.normalizeTerm(key), v = plain.normalizeTerm(value)
            if entries[k] != nil { continue }
            guard k.count >= 2, !v.isEmpty, k != v, k.count <= SlangTable.maxKeyLength,
                  !k.contains(0x20), !k.contains(where: { $0 >= 0x30 && $0 <= 0x39 || $0 >= 0x80 || $0 == 0x23 }),
                  !v.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) else { continue }
            let keyText = String(decoding: k, as: UTF8.self), valueText = String(decoding: v, as: UTF8.self)
            if guarded.contains(keyText) { continue }
            if valueText.split(separator: " ").contains(where: { guarded.contains(String($0)) }) { continue }
            let words = valueText.split(separator: " ")
            // Long phrases, and one-letter words that could join neighbouring letters, stay out.
            if words.count > 4 || words.contains(where: { $0.count == 1 }) { continue }
            entries[k] = v
        }
        // No chains: a replacement containing another key would change on a second pass.
        let keys = Set(entries.keys)
        entries = entries.filter { _, v in !v.split(separator: 0x20).contains { keys.contains(Array($0)) } }
        var hash = FNV1a64()
        for k in entries.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) { hash.add(k); hash.add(entries[k]!) }
        var dictionary: Set<[UInt8]> = []
        for w in words {
            let n = plain.normalizeTerm(w)
            if !n.isEmpty && !n.contains(0x20) { dictionary.insert(n) }
        }
        for w in dictionary.sorted(by: { $0.lexicographicallyPrecedes($1) }) { hash.add(w) }
        self.init(table: SlangTable(entries: entries), dictionary: dictionary, fingerprint: hash.value)
    }

    init(table: SlangTable, dictionary: Set<[UInt8]>, fingerprint: UInt64) {
        self.slang = table
        self.dictionary = dictionary
        self.fingerprint = fingerprint
    }
}

/// An open-addressing table from short tokens (at most 16 bytes) to replacement bytes, behind
/// a 65,536-bit Bloom filter, so the per-token lookup of a word that is not slang costs a
/// multiplication and one bit test, and no allocation.
public struct SlangTable: Sendable, ExpressibleByDictionaryLiteral {
    public static let maxKeyLength = 16
    private var bloom = [UInt64](repeating: 0, count: 1024)
    /// One bit per (length, first letter, last letter) of the keys: most words fail this test
    /// after three loads, before any hashing.
    private var shapes = [UInt64](repeating: 0, count: (17 * 26 * 26 + 63) / 64)
    private var slots: [Int32]
    private var keys0: [UInt64] = []
    private var keys1: [UInt64] = []
    private var lengths: [Int] = []
    private var values: [[UInt8]] = []
    /// Every replacement, one after another (`replacementStarts[e]..<replacementStarts[e + 1]`),
    /// for the fast path, which copies them without touching the arrays of `values`.
    private(set) var replacementBytes: [UInt8] = []
    private(set) var replacementStarts: [Int32] = [0]
    private let mask: Int

    public var isEmpty: Bool { values.isEmpty }
    /// The Bloom filter over the keys: bit `filterIndex` of each packed key.
    var bloomBits: [UInt64] { bloom }
    public var count: Int { values.count }

    public init(dictionaryLiteral elements: ([UInt8], [UInt8])...) {
        self.init(entries: Dictionary(uniqueKeysWithValues: elements))
    }

    init(entries: [[UInt8]: [UInt8]]) {
        var size = 16
        while size < entries.count * 2 { size *= 2 }
        mask = size - 1
        slots = [Int32](repeating: -1, count: size)
        for (k, v) in entries.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            let packed = k.withUnsafeBufferPointer { Self.pack($0) }
            if let shape = Self.shape(k.count, k.first!, k.last!) { shapes[shape >> 6] |= 1 << UInt64(shape & 63) }
            let f = Self.filterIndex(packed.0)
            bloom[f >> 6] |= 1 << UInt64(f & 63)
            let h = Self.hash(packed)
            var i = (h >> 16) & mask
            while slots[i] >= 0 { i = (i + 1) & mask }
            slots[i] = Int32(values.count)
            keys0.append(packed.0)
            keys1.append(packed.1)
            lengths.append(packed.2)
            values.append(v)
            replacementBytes.append(contentsOf: v)
            replacementStarts.append(Int32(replacementBytes.count))
        }
    }

    @inline(__always)
    static func shape(_ length: Int, _ first: UInt8, _ last: UInt8) -> Int? {
        guard length <= 16, first &- 0x61 < 26, last &- 0x61 < 26 else { return nil }
        return (length * 26 + Int(first - 0x61)) * 26 + Int(last - 0x61)
    }

    @inline(__always)
    static func pack(_ bytes: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64, Int) {
        var a: UInt64 = 0, b: UInt64 = 0
        let n = bytes.count
        for i in 0..<min(n, 8) { a |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        if n > 8 { for i in 8..<n { b |= UInt64(bytes[i]) << (8 * UInt64(i - 8)) } }
        return (a, b, n)
    }

    /// The Bloom filter's bit for a key whose first eight bytes (zero past its end) are `head`,
    /// one multiplication: a word of eight bytes or fewer has no zero byte, so `head` tells it
    /// apart; keys of nine bytes or more that share their first eight share a bit, and the exact
    /// lookup tells them apart.
    @inline(__always)
    static func filterIndex(_ head: UInt64) -> Int {
        Int(truncatingIfNeeded: (head &* 0xC2B2_AE3D_27D4_EB4F) >> 48)
    }

    @inline(__always)
    static func hash(_ key: (UInt64, UInt64, Int)) -> Int {
        let h = (key.0 &* 0x9E37_79B9_7F4A_7C15) ^ (key.1 &* 0xC2B2_AE3D_27D4_EB4F) ^ (UInt64(key.2) &* 0x1656_67B1_9E37_79F9)
        return Int(truncatingIfNeeded: (h ^ (h >> 31)) & 0x7FFF_FFFF_FFFF_FFFF)
    }

    /// The entry for `token`, or -1.
    @inline(__always)
    public func lookup(_ token: UnsafeBufferPointer<UInt8>) -> Int {
        if token.count > Self.maxKeyLength || token.isEmpty { return -1 }
        return lookup(packed: Self.pack(token))
    }

    /// The entry for a token given packed (its first eight bytes, the next eight, its length;
    /// unused bytes zero), or -1.
    @inline(__always)
    func lookup(packed: (UInt64, UInt64, Int)) -> Int {
        let length = packed.2
        if values.isEmpty || length > Self.maxKeyLength || length == 0 { return -1 }
        let last = length <= 8 ? UInt8(truncatingIfNeeded: packed.0 >> UInt64(8 * (length - 1)))
            : UInt8(truncatingIfNeeded: packed.1 >> UInt64(8 * (length - 9)))
        guard let shape = Self.shape(length, UInt8(truncatingIfNeeded: packed.0), last),
              shapes[shape >> 6] & (1 << UInt64(shape & 63)) != 0 else { return -1 }
        let f = Self.filterIndex(packed.0)
        if bloom[f >> 6] & (1 << UInt64(f & 63)) == 0 { return -1 }
        return lookupFiltered(packed: packed)
    }

    /// `lookup(packed:)` for a key of 1…16 bytes that already passed the Bloom filter.
    @inline(__always)
    func lookupFiltered(packed: (UInt64, UInt64, Int)) -> Int {
        let h = Self.hash(packed)
        var i = (h >> 16) & mask
        while true {
            let slot = Int(slots[i])
            if slot < 0 { return -1 }
            if keys0[slot] == packed.0 && keys1[slot] == packed.1 && lengths[slot] == packed.2 { return slot }
            i = (i + 1) & mask
        }
    }

    /// The replacement bytes of entry `entry` (from `lookup`).
    public func replacement(_ entry: Int) -> [UInt8] { values[entry] }
}
