import NetraCore

/// A whole-word multi-pattern matcher that reads the haystack a word at a time.
///
/// A whole-word match begins at the haystack's start or just after a boundary byte and ends at
/// its end or just before one, so it is a run of whole *words* (the bytes between boundary
/// bytes, possibly none) with the boundary bytes between them. The matcher splits every
/// pattern that way and knows each distinct word of the patterns by number. It reads the
/// haystack word by word: a word is found through one hash-table probe (its first sixteen
/// bytes packed into two integers, compared whole), and only a word that begins some pattern
/// leads further, through a trie whose edges are (boundary byte, next word). Most words of a
/// text begin no pattern, so the usual cost is finding the word's end and one probe into a
/// table that stays in the cache, instead of one automaton step per byte (`AhoCorasick`).
///
/// It reports exactly what `AhoCorasick` and `NaiveMatcher` report, in the same order. The
/// matcher is immutable and `Sendable`: compile once, share between threads.
public struct WordMatcher: Sendable {
    /// The patterns, as given.
    public let patterns: [[UInt8]]
    private let isBoundary: [Bool]          // 256 entries
    /// The boundary bytes (the same one twice when there is one), for finding them eight bytes
    /// at a time (`WordBytes`); nil when there are more than two (then bytes are looked up one
    /// by one).
    private let boundaryPair: (UInt8, UInt8)?

    /// The words by number, packed (their first sixteen bytes and length), and for words longer
    /// than sixteen bytes where the rest of each begins in `longTails`.
    private let words: [Packed]
    private let longTails: [UInt8]
    private let longTailStart: [Int32]
    /// Open addressing, in two parallel arrays: per slot sixteen bits of the word's hash (0:
    /// empty), and the word itself (`SlotRecord`: what a probe and the walk after it read, in
    /// one place). At most one slot in eight is used, so a probe for a word no pattern has
    /// (most of a text's words) nearly always ends at its first slot; at one in four the
    /// matcher ran 3 % slower on the pool's texts (`netra-bench matcher`, BENCHMARKS.md stop 21).
    private let wordTags: [UInt16]
    private let wordRecords: [SlotRecord]
    private let wordSlotShift: UInt64

    /// Per node: whether some pattern goes on past it, and the patterns that end there
    /// (`outputPatterns[outputStart ..< outputStart + outputCount]`, descending).
    private let hasChildren: [Bool]
    private let outputStart: [Int32]
    private let outputCount: [Int32]
    private let outputPatterns: [Int32]
    /// Edges past the first word, open addressing: key `edgeKey(node, boundary, word)` + 1 (0 empty)
    /// and the child node.
    private let edgeKeys: [UInt64]
    private let edgeChildren: [Int32]

    /// The number of distinct words in the patterns.
    public var wordCount: Int { words.count }
    /// The number of trie nodes (the root included).
    public var nodeCount: Int { hasChildren.count }
    /// Bytes of the tables a scan reads.
    public var tableBytes: Int {
        wordTags.count * 2 + wordRecords.count * MemoryLayout<SlotRecord>.stride + words.count * MemoryLayout<Packed>.stride + edgeKeys.count * 12
    }

    /// A word in its hash slot: its first eight bytes (zero past its end), its number, its
    /// length (up to 255; longer words say 255), whether it follows another word in some
    /// pattern, and the trie node of the patterns that begin with it (-1: none). Sixteen
    /// bytes, so a probe that finds a word of up to eight bytes (most are) reads one record
    /// instead of a slot, then the word's entry.
    struct SlotRecord: Sendable {
        var head: UInt64 = 0
        /// Bits 0–22: the word's number; bit 23: it continues a pattern; bits 24–31: its length.
        var packed: UInt32 = 0
        var firstNode: Int32 = -1

        static let maxNumber = 1 << 23

        init() {}

        init(head: UInt64, number: Int, length: Int, continues: Bool, firstNode: Int32) {
            self.head = head
            packed = UInt32(number) | (continues ? 1 << 23 : 0) | UInt32(min(length, 255)) << 24
            self.firstNode = firstNode
        }

        @inline(__always) var number: Int { Int(packed & 0x7F_FFFF) }
        @inline(__always) var continues: Bool { packed & (1 << 23) != 0 }
        /// The length, or 255 for a word of 255 bytes or more.
        @inline(__always) var shortLength: Int { Int(packed >> 24) }
    }

    /// A word's first sixteen bytes, zero past its end, and its length.
    struct Packed: Sendable, Equatable {
        var head: UInt64
        var tail: UInt64
        var length: Int

        /// One multiplication (a probe waits for it): the slot is taken from the top bits and
        /// the tag from bits 32–47, which every byte of the word reaches.
        var hash: UInt64 {
            (head ^ (tail &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(truncatingIfNeeded: length)) &* 0xC2B2_AE3D_27D4_EB4F
        }
    }

    /// Compiles `patterns`. Empty patterns are ignored (they can never be a whole word).
    /// - Parameter boundaryBytes: bytes that separate words.
    public init(patterns: [[UInt8]], boundaryBytes: Set<UInt8> = [0x20]) {
        self.patterns = patterns
        var boundary = [Bool](repeating: false, count: 256)
        for b in boundaryBytes { boundary[Int(b)] = true }
        isBoundary = boundary
        let sorted = boundaryBytes.sorted()
        boundaryPair = sorted.count <= 2 && !sorted.isEmpty ? (sorted[0], sorted.last!) : nil

        // Each pattern as its words and the boundary bytes between them.
        var numbers: [[UInt8]: Int32] = [:]
        var wordBytes: [[UInt8]] = []
        func number(_ word: [UInt8]) -> Int32 {
            if let n = numbers[word] { return n }
            numbers[word] = Int32(wordBytes.count)
            wordBytes.append(word)
            return Int32(wordBytes.count - 1)
        }
        var first: [Int32: Int32] = [:]
        var edges: [UInt64: Int32] = [:]
        var own: [[Int32]] = [[]]            // node 0: the root, never an output
        var children: [Bool] = [false]
        func newNode() -> Int32 {
            own.append([])
            children.append(false)
            return Int32(own.count - 1)
        }
        for (index, p) in patterns.enumerated() where !p.isEmpty {
            var word: [UInt8] = []
            var node: Int32 = -1
            var separator: UInt8 = 0
            func step() {
                let w = number(word)
                if node < 0 {
                    if let n = first[w] { node = n } else { node = newNode(); first[w] = node }
                } else {
                    children[Int(node)] = true
                    let key = Self.edgeKey(node: node, boundary: separator, word: w)
                    if let n = edges[key] { node = n } else { let n = newNode(); edges[key] = n; node = n }
                }
                word = []
            }
            for b in p {
                if boundary[Int(b)] {
                    step()
                    separator = b
                } else {
                    word.append(b)
                }
            }
            step()
            own[Int(node)].append(Int32(index))
        }

        var following = Set<Int32>()
        for key in edges.keys { following.insert(Int32(truncatingIfNeeded: key & 0xFFFF_FFFF)) }
        words = wordBytes.map(Self.pack)
        var tails: [UInt8] = [], tailStart: [Int32] = []
        for w in wordBytes {
            tailStart.append(Int32(tails.count))
            if w.count > 16 { tails += w[16...] }
        }
        longTails = tails
        longTailStart = tailStart
        var capacity = 64
        while capacity < wordBytes.count * 8 { capacity *= 2 }
        precondition(wordBytes.count < SlotRecord.maxNumber, "too many distinct pattern words")
        var tags = [UInt16](repeating: 0, count: capacity), records = [SlotRecord](repeating: SlotRecord(), count: capacity)
        let shift = UInt64(64 - capacity.trailingZeroBitCount)
        for (n, w) in wordBytes.enumerated() {
            let h = Self.fullHash(w)
            var slot = Int(h &>> shift)
            while tags[slot] != 0 { slot = (slot + 1) & (capacity - 1) }
            tags[slot] = Self.tag(h)
            records[slot] = SlotRecord(head: words[n].head, number: n, length: w.count, continues: following.contains(Int32(n)),
                                       firstNode: first[Int32(n)] ?? -1)
        }
        wordTags = tags
        wordRecords = records
        wordSlotShift = shift
        hasChildren = children
        var start: [Int32] = [], counts: [Int32] = [], flat: [Int32] = []
        for list in own {
            start.append(Int32(flat.count))
            counts.append(Int32(list.count))
            flat += list.reversed()
        }
        outputStart = start
        outputCount = counts
        outputPatterns = flat
        var edgeCapacity = 16
        while edgeCapacity < edges.count * 4 { edgeCapacity *= 2 }
        var keys = [UInt64](repeating: 0, count: edgeCapacity), targets = [Int32](repeating: -1, count: edgeCapacity)
        for (key, child) in edges {
            var slot = Int(Self.mix(key) & UInt64(edgeCapacity - 1))
            while keys[slot] != 0 { slot = (slot + 1) & (edgeCapacity - 1) }
            keys[slot] = key &+ 1
            targets[slot] = child
        }
        edgeKeys = keys
        edgeChildren = targets
    }

    /// The sixteen bits of a word's hash its slot keeps (never 0, which marks an empty slot).
    @inline(__always)
    static func tag(_ hash: UInt64) -> UInt16 { UInt16(truncatingIfNeeded: hash &>> 32) | 1 }

    static func edgeKey(node: Int32, boundary: UInt8, word: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: node)) << 40 | UInt64(boundary) << 32 | UInt64(UInt32(bitPattern: word))
    }

    static func mix(_ key: UInt64) -> UInt64 {
        var h = key &* 0x9E37_79B9_7F4A_7C15
        h ^= h &>> 31
        return h
    }

    static func pack(_ word: [UInt8]) -> Packed {
        var head: UInt64 = 0, tail: UInt64 = 0
        for (i, b) in word.prefix(16).enumerated() {
            if i < 8 { head |= UInt64(b) << UInt64(8 * i) } else { tail |= UInt64(b) << UInt64(8 * (i - 8)) }
        }
        return Packed(head: head, tail: tail, length: word.count)
    }

    /// The hash of a whole word: `Packed.hash`, with the bytes past the sixteenth folded in.
    static func fullHash(_ word: [UInt8]) -> UInt64 {
        var h = pack(word).hash
        var i = 16
        while i < word.count {
            h = (h ^ UInt64(word[i])) &* 0x0000_0100_0000_01B3
            i += 1
        }
        return h
    }

    /// The slot of the word `from..<to` of `h`, or -1 when no pattern has it.
    @inline(__always)
    private func wordSlot(_ h: UnsafePointer<UInt8>, n: Int, from: Int, to: Int,
                          tags: UnsafePointer<UInt16>, records: UnsafePointer<SlotRecord>, entries: UnsafePointer<Packed>) -> Int {
        let length = to &- from
        var key = Packed(head: 0, tail: 0, length: length)
        if from &+ 16 <= n {
            let raw = UnsafeRawPointer(h + from)
            let head = raw.loadUnaligned(as: UInt64.self), tail = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            if length >= 16 {
                key.head = head
                key.tail = tail
            } else if length > 8 {
                key.head = head
                key.tail = tail & ((1 &<< UInt64(truncatingIfNeeded: 8 &* (length &- 8))) &- 1)
            } else {
                key.head = length == 8 ? head : head & ((1 &<< UInt64(truncatingIfNeeded: 8 &* length)) &- 1)
            }
        } else {
            // Near the end of the haystack: byte by byte, never past it.
            var x = 0
            while x < min(length, 16) {
                let b = UInt64(h[from &+ x])
                if x < 8 { key.head |= b &<< UInt64(truncatingIfNeeded: 8 &* x) } else { key.tail |= b &<< UInt64(truncatingIfNeeded: 8 &* (x &- 8)) }
                x &+= 1
            }
        }
        var hash = key.hash
        if length > 16 {
            var x = 16
            while x < length {
                hash = (hash ^ UInt64(h[from &+ x])) &* 0x0000_0100_0000_01B3
                x &+= 1
            }
        }
        return probe(key, hash: hash, h, from: from, tags: tags, records: records, entries: entries)
    }

    /// The slot of the word with `key` and `hash` (at `from` in `h`, for the bytes of a long
    /// word past its sixteenth), or -1.
    @inline(__always)
    private func probe(_ key: Packed, hash: UInt64, _ h: UnsafePointer<UInt8>, from: Int,
                       tags: UnsafePointer<UInt16>, records: UnsafePointer<SlotRecord>, entries: UnsafePointer<Packed>) -> Int {
        let length = key.length
        let mask = wordTags.count &- 1
        var slot = Int(truncatingIfNeeded: hash &>> wordSlotShift)
        let tag = Self.tag(hash)
        while true {
            let stored = tags[slot]
            if stored == 0 { return -1 }
            if stored == tag && records[slot].head == key.head && records[slot].shortLength == min(length, 255) {
                // Eight bytes or fewer: the record holds all of the word. Longer: its entry has the rest.
                if length <= 8 { return slot }
                let number = records[slot].number
                if entries[number] == key && (length <= 16 || longTailMatches(number, h + (from &+ 16), length &- 16)) { return slot }
            }
            slot = (slot &+ 1) & mask
        }
    }

    /// The word that begins at `s`: where it ends (the next boundary byte, or `n`) and its
    /// slot (-1 when no pattern has it).
    @inline(__always)
    private func word(_ h: UnsafePointer<UInt8>, n: Int, at s: Int, pair: (UInt8, UInt8)?, table: UnsafePointer<Bool>,
                      tags: UnsafePointer<UInt16>, records: UnsafePointer<SlotRecord>, entries: UnsafePointer<Packed>) -> (end: Int, slot: Int) {
        var searchFrom = s
        if let (a, b) = pair, s &+ 8 <= n {
            let v = UnsafeRawPointer(h + s).loadUnaligned(as: UInt64.self)
            let bits = WordBytes.equal(v, a) | WordBytes.equal(v, b)
            if bits != 0 {
                // A word of fewer than eight bytes (most are): its end and its key from one load.
                let length = bits.trailingZeroBitCount &>> 3
                let key = Packed(head: v & ((1 &<< UInt64(truncatingIfNeeded: 8 &* length)) &- 1), tail: 0, length: length)
                return (s &+ length, probe(key, hash: key.hash, h, from: s, tags: tags, records: records, entries: entries))
            }
            searchFrom = s &+ 8  // no boundary in these eight bytes
        }
        let e = nextBoundary(h, n: n, from: searchFrom, table: table)
        return (e, wordSlot(h, n: n, from: s, to: e, tags: tags, records: records, entries: entries))
    }

    private func longTailMatches(_ number: Int, _ bytes: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        let start = Int(longTailStart[number])
        for x in 0..<count where longTails[start + x] != bytes[x] { return false }
        return true
    }

    /// The first boundary byte at or after `from`, or `n`.
    @inline(__always)
    private func nextBoundary(_ h: UnsafePointer<UInt8>, n: Int, from: Int, table: UnsafePointer<Bool>) -> Int {
        var x = from
        if let (a, b) = boundaryPair {
            // Eight bytes at a time (the lowest flagged byte is a real boundary byte).
            while x &+ 8 <= n {
                let v = UnsafeRawPointer(h + x).loadUnaligned(as: UInt64.self)
                let bits = WordBytes.equal(v, a) | WordBytes.equal(v, b)
                if bits != 0 { return x &+ bits.trailingZeroBitCount &>> 3 }
                x &+= 8
            }
        }
        while x < n && !table[Int(h[x])] { x &+= 1 }
        return x
    }

    /// The child of `node` through boundary byte `boundary` and word `word`, or -1.
    @inline(__always)
    private func child(_ node: Int32, _ boundary: UInt8, _ word: Int) -> Int32 {
        let key = Self.edgeKey(node: node, boundary: boundary, word: Int32(truncatingIfNeeded: word)) &+ 1
        let mask = edgeKeys.count &- 1
        var slot = Int(truncatingIfNeeded: Self.mix(key &- 1)) & mask
        while true {
            let stored = edgeKeys[slot]
            if stored == key { return edgeChildren[slot] }
            if stored == 0 { return -1 }
            slot = (slot &+ 1) & mask
        }
    }

    /// Appends the whole-word matches in `haystack` to `matches`, ordered by start, then longer
    /// first, then lower pattern index (`Match`'s order).
    public func find(in haystack: UnsafeBufferPointer<UInt8>, kind: MatchKind, into matches: inout [Match]) {
        let base = matches.count
        let n = haystack.count
        guard n > 0, let h = haystack.baseAddress else { return }
        wordTags.withUnsafeBufferPointer { tagBuffer in
            wordRecords.withUnsafeBufferPointer { recordBuffer in
                words.withUnsafeBufferPointer { entryBuffer in
                    isBoundary.withUnsafeBufferPointer { boundaryBuffer in
                      outputCount.withUnsafeBufferPointer { countBuffer in
                        hasChildren.withUnsafeBufferPointer { childrenBuffer in
                        let tags = tagBuffer.baseAddress!, records = recordBuffer.baseAddress!, entries = entryBuffer.baseAddress!
                        let table = boundaryBuffer.baseAddress!
                        let outputs = countBuffer.baseAddress!, parents = childrenBuffer.baseAddress!
                        // The word after a word that begins a phrase is looked up for the walk, and
                        // kept for when it is the next word start.
                        var keptStart = -1, keptEnd = 0, keptWord = -1
                        let pair = boundaryPair
                        var s = 0
                        while s < n {
                            let e: Int, slot: Int
                            if s == keptStart {
                                e = keptEnd
                                slot = keptWord
                            } else {
                                (e, slot) = word(h, n: n, at: s, pair: pair, table: table, tags: tags, records: records, entries: entries)
                            }
                            let start = s
                            s = e &+ 1
                            guard slot >= 0 else { continue }
                            var node = records[slot].firstNode
                            guard node >= 0 else { continue }
                            // The patterns that begin with this word: shortest first, reversed after.
                            let first = matches.count
                            var end = e
                            while true {
                                if outputs[Int(node)] > 0 { record(node: Int(node), start: start, end: end, into: &matches) }
                                guard end < n && parents[Int(node)] else { break }
                                let next = end &+ 1
                                let (nextEnd, wordSlot) = word(h, n: n, at: next, pair: pair, table: table, tags: tags, records: records, entries: entries)
                                if end == e {
                                    keptStart = next
                                    keptEnd = nextEnd
                                    keptWord = wordSlot
                                }
                                guard wordSlot >= 0 && records[wordSlot].continues else { break }
                                node = child(node, h[end], records[wordSlot].number)
                                guard node >= 0 else { break }
                                end = nextEnd
                            }
                            if matches.count &- first > 1 { Self.reverse(&matches, from: first) }
                        }
                        }
                      }
                    }
                }
            }
        }
        if kind == .leftmostLongest { AhoCorasick.keepLeftmostLongest(&matches, from: base) }
    }

    /// Appends the patterns that end at `node`, in descending index order (a walk's matches
    /// are reversed afterwards, which makes them ascending).
    @inline(never)
    private func record(node: Int, start: Int, end: Int, into matches: inout [Match]) {
        let first = Int(outputStart[node])
        let last = first &+ Int(outputCount[node])
        outputPatterns.withUnsafeBufferPointer { patterns in
            var x = first
            repeat {
                matches.append(Match(pattern: patterns[x], start: Int32(truncatingIfNeeded: start), end: Int32(truncatingIfNeeded: end)))
                x &+= 1
            } while x < last
        }
    }

    @inline(never)
    private static func reverse(_ matches: inout [Match], from first: Int) {
        matches.withUnsafeMutableBufferPointer { all in
            var lo = first, hi = all.count - 1
            while lo < hi {
                all.swapAt(lo, hi)
                lo += 1
                hi -= 1
            }
        }
    }

    /// Convenience: the matches in `haystack` as a new array.
    public func find(in haystack: [UInt8], kind: MatchKind = .allOverlapping) -> [Match] {
        var result: [Match] = []
        haystack.withUnsafeBufferPointer { find(in: $0, kind: kind, into: &result) }
        return result
    }
}
