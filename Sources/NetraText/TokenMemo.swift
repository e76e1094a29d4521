import CNetraBytes
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Gives back memory from `calloc` (a name the memo's own `free()` does not hide).
private func releaseZeroed(_ pointer: UnsafeMutableRawPointer) { free(pointer) }

/// What the general path did with a short ASCII word, remembered so the same word costs a
/// copy the next time: hashtags, camel-case words and letter-digit mixes ("#PrabowoGibran2024",
/// "pr4bowo", "menaaang") repeat within an export, and each costs thousands of instructions
/// through the word rules and their byte-by-byte map.
///
/// A word qualifies when its effect depends on nothing but its own bytes (and the mode and
/// whether it is a hashtag): it is ASCII letters and digits, optionally after a `#`, not the
/// first token of the text (so a space comes before it), and followed by an ASCII byte that
/// ends it (see `NormalizerCore.memoizedToken`). The memo stores the bytes it appended (the
/// space included), the map segments relative to its first byte and scalar, and the length of
/// its last token (its tokens are found from its spaces with the rest of the text's). A word
/// whose rules counted a single letter (for joining spaced letters) is not stored: that effect
/// depends on the words before it.
///
/// Direct-mapped: a slot holds the last word that hashed to it. Each slot is 256 contiguous
/// bytes (key and header in the first cache line, then the output and the segments), so a hit
/// touches three or four cache lines and the whole memo (512 KB) stays in the core's L2 cache;
/// a layout of five separate arrays (1.7 MB) saved instructions but no time. The slow, obvious
/// definition is the general path itself: the tests and `netra-bench normalizer-compare`
/// compare normalizers with and without the memo.
struct TokenMemo {
    static let slotBits = 11
    static let slotCount = 1 << slotBits
    static let maxKey = 32
    static let maxOutput = 80
    static let maxSegments = 8

    // Slot layout (bytes): key 0..<32 (zero-padded), header 32..<48, unused 48..<80,
    // output 80..<160, segments 160..<256.
    static let stride = 256
    private static let headerOffset = 32, outputOffset = 80, segmentsOffset = 160

    struct Header: BitwiseCopyable {
        /// Key length in bytes; 0: empty slot.
        var keyLength: UInt8 = 0
        /// Bit 0: hashtag; bit 1: term mode.
        var tag: UInt8 = 0
        var outputLength: UInt8 = 0
        var segmentCount: UInt8 = 0
        var lastTokenLength: Int32 = 0
    }

    private let slots: UnsafeMutableRawPointer
    /// The key being looked up, zero-padded.
    private let scratch: UnsafeMutablePointer<UInt64>

    init() {
        // Zeroed pages from the system (an all-zero header is an empty slot), so memory is
        // touched only as slots fill: a worker that sees few such words stays small.
        guard let zeroed = calloc(Self.slotCount, Self.stride) else { fatalError("TokenMemo: out of memory") }
        slots = zeroed
        scratch = .allocate(capacity: 4)
    }

    func free() {
        releaseZeroed(slots)
        scratch.deallocate()
    }

    /// A looked-up word: its slot, and whether the slot holds it.
    struct Probe {
        let slot: Int
        let found: Bool
    }

    @inline(__always)
    private func base(_ slot: Int) -> UnsafeMutableRawPointer { slots + slot &* Self.stride }

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
        let p = base(slot)
        let header = header(slot)
        let key = p.assumingMemoryBound(to: UInt64.self)
        let found = Int(header.keyLength) == length && header.tag == tag
            && key[0] == w0 && key[1] == w1 && key[2] == w2 && key[3] == w3
        return Probe(slot: slot, found: found)
    }

    @inline(__always)
    func header(_ slot: Int) -> Header { base(slot).load(fromByteOffset: Self.headerOffset, as: Header.self) }
    @inline(__always)
    func output(_ slot: Int) -> UnsafePointer<UInt8> {
        UnsafePointer((base(slot) + Self.outputOffset).assumingMemoryBound(to: UInt8.self))
    }
    @inline(__always)
    func segments(_ slot: Int) -> UnsafePointer<MapSegment> {
        UnsafePointer((base(slot) + Self.segmentsOffset).assumingMemoryBound(to: MapSegment.self))
    }

    /// Copies a slot's whole output area (`maxOutput` bytes) to `target`, which must have room.
    @inline(__always)
    static func copyOutput(from source: UnsafePointer<UInt8>, to target: UnsafeMutablePointer<UInt8>) {
        netra_copy64(target, source)
        let tail = UnsafeRawPointer(source + 64), end = UnsafeMutableRawPointer(target + 64)
        end.storeBytes(of: tail.loadUnaligned(as: UInt64.self), as: UInt64.self)
        end.storeBytes(of: tail.loadUnaligned(fromByteOffset: 8, as: UInt64.self), toByteOffset: 8, as: UInt64.self)
    }

    /// Stores the word last probed into `slot` (the scratch still holds it), with its effect;
    /// an effect too large for a slot is not stored.
    func store(slot: Int, keyLength: Int, tag: UInt8, output: UnsafeBufferPointer<UInt8>,
               segments stored: UnsafeBufferPointer<MapSegment>, lastTokenLength: Int) {
        guard output.count <= Self.maxOutput, stored.count <= Self.maxSegments,
              let o = output.baseAddress, let s = stored.baseAddress else { return }
        let p = base(slot)
        p.copyMemory(from: scratch, byteCount: Self.maxKey)
        (p + Self.outputOffset).copyMemory(from: o, byteCount: output.count)
        (p + Self.segmentsOffset).copyMemory(from: s, byteCount: stored.count * MemoryLayout<MapSegment>.stride)
        p.storeBytes(of: Header(keyLength: UInt8(keyLength), tag: tag, outputLength: UInt8(output.count),
                                segmentCount: UInt8(stored.count),
                                lastTokenLength: Int32(truncatingIfNeeded: lastTokenLength)),
                     toByteOffset: Self.headerOffset, as: Header.self)
    }
}
