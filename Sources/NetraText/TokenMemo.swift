/// What the general path did with a short ASCII word, remembered so the same word costs a
/// copy the next time: hashtags, camel-case words and letter-digit mixes ("#PrabowoGibran2024",
/// "pr4bowo", "menaaang") repeat within an export, and each costs thousands of instructions
/// through the word rules and their byte-by-byte map.
///
/// A word qualifies when its effect depends on nothing but its own bytes (and the mode and
/// whether it is a hashtag): it is ASCII letters and digits, optionally after a `#`, not the
/// first token of the text (so a space comes before it), and followed by an ASCII byte that
/// ends it (see `NormalizerCore.memoizedToken`). The memo stores the bytes it appended (the
/// space included), the map segments relative to its first byte and scalar, its token starts,
/// and the length of its last token. A word whose rules counted a single letter (for joining
/// spaced letters) is not stored: that effect depends on the words before it.
///
/// Direct-mapped: a slot holds the last word that hashed to it, so memory is fixed (about 1.7 MB)
/// and a miss costs one hash. The slow, obvious definition is the general path itself: the
/// tests and `netra-bench normalizer-compare` compare normalizers with and without the memo.
struct TokenMemo {
    static let slotBits = 12
    static let slotCount = 1 << slotBits
    static let maxKey = 32
    static let maxOutput = 128
    static let maxSegments = 16
    static let maxTokens = 16

    struct Entry: BitwiseCopyable {
        /// Key length in bytes; 0: empty slot.
        var keyLength: UInt8 = 0
        /// Bit 0: hashtag; bit 1: term mode.
        var tag: UInt8 = 0
        var outputLength: UInt8 = 0
        var segmentCount: UInt8 = 0
        var tokenCount: UInt8 = 0
        var lastTokenLength: Int32 = 0
    }

    private let entries: UnsafeMutablePointer<Entry>
    /// Keys, zero-padded to `maxKey` bytes (four words) per slot.
    private let keys: UnsafeMutablePointer<UInt64>
    private let outputs: UnsafeMutablePointer<UInt8>
    private let segments: UnsafeMutablePointer<MapSegment>
    private let tokens: UnsafeMutablePointer<Int32>
    /// The key being looked up, zero-padded.
    private let scratch: UnsafeMutablePointer<UInt64>

    init() {
        entries = .allocate(capacity: Self.slotCount)
        entries.initialize(repeating: Entry(), count: Self.slotCount)
        keys = .allocate(capacity: Self.slotCount * 4)
        outputs = .allocate(capacity: Self.slotCount * Self.maxOutput)
        segments = .allocate(capacity: Self.slotCount * Self.maxSegments)
        tokens = .allocate(capacity: Self.slotCount * Self.maxTokens)
        scratch = .allocate(capacity: 4)
    }

    func free() {
        entries.deallocate()
        keys.deallocate()
        outputs.deallocate()
        segments.deallocate()
        tokens.deallocate()
        scratch.deallocate()
    }

    /// A looked-up word: its slot, and whether the slot holds it.
    struct Probe {
        let slot: Int
        let found: Bool
    }

    /// Looks up the `length` bytes at `bytes` (1…`maxKey`) with `tag`.
    @inline(__always)
    func probe(_ bytes: UnsafePointer<UInt8>, length: Int, tag: UInt8) -> Probe {
        scratch.initialize(repeating: 0, count: 4)
        UnsafeMutableRawPointer(scratch).copyMemory(from: bytes, byteCount: length)
        let w0 = scratch[0], w1 = scratch[1], w2 = scratch[2], w3 = scratch[3]
        var h = UInt64(truncatingIfNeeded: length) | UInt64(tag) << 8
        h = (h ^ w0) &* 0x9E37_79B9_7F4A_7C15
        h = (h ^ (h >> 29) ^ w1) &* 0x9E37_79B9_7F4A_7C15
        if length > 16 {
            h = (h ^ (h >> 29) ^ w2) &* 0x9E37_79B9_7F4A_7C15
            h = (h ^ (h >> 29) ^ w3) &* 0x9E37_79B9_7F4A_7C15
        }
        let slot = Int(truncatingIfNeeded: h >> UInt64(64 - Self.slotBits))
        let entry = entries[slot]
        let key = keys + slot &* 4
        let found = Int(entry.keyLength) == length && entry.tag == tag
            && key[0] == w0 && key[1] == w1 && key[2] == w2 && key[3] == w3
        return Probe(slot: slot, found: found)
    }

    func entry(_ slot: Int) -> Entry { entries[slot] }
    func output(_ slot: Int) -> UnsafeMutablePointer<UInt8> { outputs + slot &* Self.maxOutput }
    func segments(_ slot: Int) -> UnsafeMutablePointer<MapSegment> { segments + slot &* Self.maxSegments }
    func tokens(_ slot: Int) -> UnsafeMutablePointer<Int32> { tokens + slot &* Self.maxTokens }

    /// Stores the word last probed into `slot` (the scratch still holds it), with its effect.
    func store(slot: Int, keyLength: Int, tag: UInt8, output: UnsafeBufferPointer<UInt8>,
               segments stored: UnsafeBufferPointer<MapSegment>, tokens storedTokens: UnsafeBufferPointer<Int32>,
               lastTokenLength: Int) {
        guard output.count <= Self.maxOutput, stored.count <= Self.maxSegments, storedTokens.count <= Self.maxTokens,
              let o = output.baseAddress, let s = stored.baseAddress, let t = storedTokens.baseAddress else { return }
        (keys + slot &* 4).update(from: scratch, count: 4)
        self.output(slot).update(from: o, count: output.count)
        self.segments(slot).update(from: s, count: stored.count)
        self.tokens(slot).update(from: t, count: storedTokens.count)
        entries[slot] = Entry(keyLength: UInt8(keyLength), tag: tag, outputLength: UInt8(output.count),
                              segmentCount: UInt8(stored.count), tokenCount: UInt8(storedTokens.count),
                              lastTokenLength: Int32(truncatingIfNeeded: lastTokenLength))
    }
}
