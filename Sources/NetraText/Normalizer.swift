import CICU
import NetraCore
import CNetraBytes

/// Text in the one canonical form the matcher sees, with a map back to the original.
///
/// Tokens are separated by exactly one space (0x20) and nothing else is a separator. Every
/// normalized byte maps back to the range of Unicode scalars of the original text it came from,
/// so evidence spans point at what the person wrote.
///
/// A value, like an array: copies share their storage until one of them is written, and the
/// normalizer hands its finished buffers over to the value it normalizes into instead of
/// copying them. (`@unchecked Sendable`: the storage is only written while uniquely referenced.)
public struct NormalizedText: @unchecked Sendable {
    /// The four parts of a normalized text, owned by one value (or shared by its copies). The
    /// offset map is run-length coded: `segments` ascend by `normalizedStart`, each describing
    /// the bytes up to the next one (see `MapSegment`).
    /// (No runtime exclusivity checks: a storage is written only by the value that holds it
    /// uniquely, and a class's `var` would otherwise pay a check on every access.)
    final class Storage {
        @exclusivity(unchecked) var bytes = Buffer<UInt8>(capacity: 16)
        @exclusivity(unchecked) var segments = Buffer<MapSegment>(capacity: 4)
        @exclusivity(unchecked) var tokenStarts = Buffer<Int32>(capacity: 4)
        @exclusivity(unchecked) var sentenceStarts = Buffer<Int32>(capacity: 2)

        init() {}

        init(copying other: Storage) {
            bytes.append(other.bytes.pointer, count: other.bytes.count)
            segments.append(other.segments.pointer, count: other.segments.count)
            tokenStarts.append(other.tokenStarts.pointer, count: other.tokenStarts.count)
            sentenceStarts.append(other.sentenceStarts.pointer, count: other.sentenceStarts.count)
        }

        deinit {
            bytes.free()
            segments.free()
            tokenStarts.free()
            sentenceStarts.free()
        }
    }

    var storage = Storage()

    public init() {}

    /// The storage, unshared first (copied when another value shares it), for writing.
    mutating func writableStorage() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(copying: storage) }
        return storage
    }

    /// The storage, unshared (a new, empty one when another value shares it), for replacing
    /// all of it.
    mutating func replaceableStorage() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage() }
        return storage
    }

    /// The normalized UTF-8 bytes.
    public var bytes: [UInt8] { Array(storage.bytes.view) }
    /// The number of normalized bytes.
    public var byteCount: Int { storage.bytes.count }
    /// Byte offsets where tokens begin, ascending.
    public var tokenStarts: [Int32] { Array(storage.tokenStarts.view) }
    /// Indices (into `tokenStarts`) of the tokens that begin a sentence, ascending; the first
    /// token always begins one.
    public internal(set) var sentenceStarts: [Int32] {
        get { Array(storage.sentenceStarts.view) }
        set { Self.overwrite(&writableStorage().sentenceStarts, with: newValue) }
    }

    private static func overwrite<Element>(_ buffer: inout Buffer<Element>, with elements: [Element]) {
        buffer.count = 0
        elements.withUnsafeBufferPointer { if let base = $0.baseAddress { buffer.append(base, count: $0.count) } }
    }

    /// Calls `body` with the normalized bytes in place (no copy).
    public func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try withExtendedLifetime(storage) { try body(storage.bytes.view) }
    }

    /// `bytes`, `tokenStarts` and `sentenceStarts` in place (no copy, no closure for the hot
    /// loop to capture its state in); the pointers are valid while this value lives and is not
    /// written (normalized into again).
    public var unsafeViews: (bytes: UnsafeBufferPointer<UInt8>, tokens: UnsafeBufferPointer<Int32>, sentences: UnsafeBufferPointer<Int32>) {
        (storage.bytes.view, storage.tokenStarts.view, storage.sentenceStarts.view)
    }

    /// The offset map byte by byte: for normalized byte `i`, the original scalars
    /// `starts[i]..<ends[i]` it came from (the map's plain form, for tests and `compose`).
    public func sourceMap() -> (starts: [Int32], ends: [Int32]) {
        var starts = [Int32](repeating: 0, count: byteCount)
        var ends = [Int32](repeating: 0, count: byteCount)
        starts.withUnsafeMutableBufferPointer { s in
            ends.withUnsafeMutableBufferPointer { e in
                if let sp = s.baseAddress, let ep = e.baseAddress { writeSourceMap(starts: sp, ends: ep) }
            }
        }
        return (starts, ends)
    }

    /// `sourceMap()` written into `starts` and `ends` (room for `byteCount` each).
    func writeSourceMap(starts: UnsafeMutablePointer<Int32>, ends: UnsafeMutablePointer<Int32>) {
        withExtendedLifetime(storage) {
            let b = storage.bytes.view, segs = storage.segments.view
            guard let bytes = b.baseAddress, let segments = segs.baseAddress else { return }
            MapSegment.expand(segments, count: segs.count, bytes: bytes, upTo: b.count, starts: starts, ends: ends)
        }
    }

    /// The original scalars normalized byte `i` came from.
    public func sourceRange(ofByte i: Int) -> (start: Int32, end: Int32) {
        precondition(i >= 0 && i < byteCount, "byte \(i) is outside the normalized text")
        return withExtendedLifetime(storage) { storage.segments[segmentIndex(ofByte: i)].source(ofByte: i, storage.bytes[i]) }
    }

    /// The index of the segment that describes byte `i`.
    private func segmentIndex(ofByte i: Int) -> Int {
        let segs = storage.segments
        var lo = 0, hi = segs.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if Int(segs[mid].normalizedStart) <= i { lo = mid + 1 } else { hi = mid }
        }
        return max(0, lo - 1)
    }

    /// The normalized text as a String (for display and tests).
    public var string: String { withBytes { String(decoding: $0, as: UTF8.self) } }

    /// The number of tokens.
    public var tokenCount: Int { storage.tokenStarts.count }

    /// The index of the token that contains (or, for a separator, precedes) byte `offset`.
    public func tokenIndex(ofByte offset: Int) -> Int {
        withExtendedLifetime(storage) { Self.lastIndex(in: storage.tokenStarts.view, notAbove: Int32(offset)) }
    }

    /// The index of the sentence that contains token `token`.
    public func sentenceIndex(ofToken token: Int) -> Int {
        withExtendedLifetime(storage) { Self.lastIndex(in: storage.sentenceStarts.view, notAbove: Int32(token)) }
    }

    /// The tokens as strings with their original spans (for `netra explain`).
    public var tokens: [(text: String, span: Span)] {
        let starts = tokenStarts, bytes = bytes
        return starts.indices.map { i in
            let start = Int(starts[i])
            let end = i + 1 < starts.count ? Int(starts[i + 1]) - 1 : bytes.count
            return (String(decoding: bytes[start..<end], as: UTF8.self), originalSpan(of: start..<end))
        }
    }

    /// The index of the last element of `sorted` that is at most `value` (0 when none is).
    /// Branch-free (`netra_last_not_above`).
    static func lastIndex(in sorted: UnsafeBufferPointer<Int32>, notAbove value: Int32) -> Int {
        guard let p = sorted.baseAddress else { return 0 }
        return netra_last_not_above(p, sorted.count, value)
    }

    /// The original scalar span of normalized bytes `range` (non-empty): from the earliest
    /// source scalar to the latest.
    public func originalSpan(of range: Range<Int>) -> Span {
        precondition(range.lowerBound >= 0 && range.upperBound <= byteCount, "bytes \(range) are outside the normalized text")
        return withExtendedLifetime(storage) {
            let segs = storage.segments.view, bytes = storage.bytes.view
            var start = Int32.max, end: Int32 = 0
            var k = segmentIndex(ofByte: range.lowerBound)
            var i = range.lowerBound
            while i < range.upperBound {
                let to = min(range.upperBound, k + 1 < segs.count ? Int(segs[k + 1].normalizedStart) : bytes.count)
                // Within a segment the sources never decrease, so its first and last bytes bound it.
                let first = segs[k].source(ofByte: i, bytes[i]), last = segs[k].source(ofByte: to - 1, bytes[to - 1])
                start = min(start, first.start)
                end = max(end, last.end, first.end)
                i = to
                k += 1
            }
            return Span(start: Int(start), end: Int(end))
        }
    }
}

/// One run of the offset map: the normalized bytes from `normalizedStart` up to the next
/// segment all map to the original in one of two ways.
struct MapSegment: Sendable, Equatable {
    static let words: Int32 = -1

    var normalizedStart: Int32
    var originalStart: Int32
    /// `words` (runs of words and the single spaces between them): byte k came from scalar
    /// `originalStart + k` alone, but a space from nothing just before what follows it
    /// (`originalStart + k + 1`, an empty range). Otherwise (≥ 0): every byte came from
    /// `originalStart..<originalEnd` (a replacement, a folded scalar, a separator).
    var originalEnd: Int32

    /// Appends the fewest greedy segments that describe bytes `from..<to` of a byte-by-byte map.
    static func compress(bytes: UnsafePointer<UInt8>, starts: UnsafePointer<Int32>, ends: UnsafePointer<Int32>,
                         from: Int, to: Int, into segments: inout Buffer<MapSegment>) {
        var k = from
        while k < to {
            let s = starts[k], e = ends[k]
            // The origin a `words` run through byte k would have; byte j fits it when it maps as
            // such a run maps it.
            let origin = bytes[k] == 0x20 ? s &- 1 : s
            var j = k
            var x = origin
            while j < to {
                let space: Int32 = bytes[j] == 0x20 ? 1 : 0
                guard starts[j] == x &+ space && ends[j] == x &+ 1 else { break }
                j += 1
                x &+= 1
            }
            if j - k >= 2 {
                segments.append(MapSegment(normalizedStart: Int32(truncatingIfNeeded: k), originalStart: origin, originalEnd: words))
            } else {
                j = k + 1
                while j < to && starts[j] == s && ends[j] == e { j += 1 }
                segments.append(MapSegment(normalizedStart: Int32(truncatingIfNeeded: k), originalStart: s, originalEnd: e))
            }
            k = j
        }
    }

    /// The byte-by-byte map that `count` segments describe, for bytes up to `end`, written into
    /// `starts` and `ends`: `source(ofByte:_:)` for every byte, a segment at a time (the
    /// inverse of `compress`).
    static func expand(_ segments: UnsafePointer<MapSegment>, count: Int, bytes: UnsafePointer<UInt8>, upTo end: Int,
                       starts: UnsafeMutablePointer<Int32>, ends: UnsafeMutablePointer<Int32>) {
        for k in 0..<count {
            let segment = segments[k]
            let from = Int(segment.normalizedStart)
            let to = k + 1 < count ? Int(segments[k + 1].normalizedStart) : end
            guard from < to else { continue }
            if segment.originalEnd == words {
                var x = segment.originalStart
                for i in from..<to {
                    let space: Int32 = bytes[i] == 0x20 ? 1 : 0
                    starts[i] = x &+ space
                    ends[i] = x &+ 1
                    x &+= 1
                }
            } else {
                (starts + from).update(repeating: segment.originalStart, count: to - from)
                (ends + from).update(repeating: segment.originalEnd, count: to - from)
            }
        }
    }

    /// The segment moved by `bytes` normalized bytes and `scalars` original scalars (both may be
    /// negative): how the word memo stores a word's segments and puts them back.
    @inline(__always)
    func shifted(bytes: Int32, scalars: Int32) -> MapSegment {
        MapSegment(normalizedStart: normalizedStart &+ bytes, originalStart: originalStart &+ scalars,
                   originalEnd: originalEnd == Self.words ? Self.words : originalEnd &+ scalars)
    }

    @inline(__always)
    func source(ofByte i: Int, _ byte: UInt8) -> (start: Int32, end: Int32) {
        let k = Int32(truncatingIfNeeded: i) - normalizedStart
        switch originalEnd {
        case Self.words: return byte == 0x20 ? (originalStart + k + 1, originalStart + k + 1) : (originalStart + k, originalStart + k + 1)
        default: return (originalStart, originalEnd)
        }
    }
}

/// What the normalizer is normalizing: record text, or a lexicon term.
public enum NormalizationMode: Sendable {
    /// Record text: camel-case words and hashtags are kept whole and also followed by their
    /// parts (`#PrabowoGibran2024` → `#prabowogibran2024 prabowo gibran 2024`).
    case text
    /// A lexicon term: whole tokens only, so a term written in camel case still matches text
    /// written in lower case.
    case term
}

/// Normalizes record text and lexicon terms identically (DESIGN.md §4).
///
/// In order, for each token: ASCII bytes are case-folded by a byte loop that never calls ICU;
/// each distinct non-ASCII scalar is folded once by ICU (NFKC_Casefold, Latin-ASCII
/// transliteration, marks removed) and memoized; non-Latin letters inside a Latin word are
/// replaced by their confusable skeleton ("Аnies" with Cyrillic А → "anies"); digits used as
/// letters inside words are undone ("pr4bowo" → "prabowo", "O1" → "01", never "2024" or
/// "kawan2"); elongations are squeezed keeping real double letters ("menaaang" → "menang",
/// "maaaf" → "maaf"), and every spelling of the prayer "aamiin" becomes "aamiin", never the
/// AMIN ticket; slang is expanded ("yg" → "yang"); camel case and hashtags are split while the
/// whole word is kept. Runs of three or more single-letter tokens are joined ("p r a b o w o",
/// "A.M.I.N" → "prabowo", "amin"). Every symbol and emoji is a token of its own.
///
/// A `Normalizer` owns scratch buffers and a memo: give each worker its own; it is not
/// thread-safe.
public final class Normalizer {
    /// Changes whenever the normalized form of any text may change; part of the lexicon version.
    /// norm-3: a digit folded from a non-ASCII scalar ("²") starts a digit run for camel-case
    /// parts as an ASCII digit does; before, the run's start was left over from an earlier token,
    /// so the parts of such a word depended on the records screened before it. And "o" and a
    /// digit left by squeezing ("oooo0oooooo8" → "o8") become "08" at once, as a second pass
    /// would make them (a fuzzer find: the result was not a fixed point).
    /// norm-4: the text of an escaped line break or tab (a backslash and `n`, `r` or `t`, as
    /// in tweets that were escaped twice: "Mantap.\nPrabowo") separates words as the character
    /// itself does, and `\n` ends a sentence; before, "\nPrabowo" was one word, "nprabowo".
    public static let version = "norm-4"

    public let configuration: NormalizerConfiguration
    // The work happens in a struct so the hot loop pays no dynamic exclusivity checks, and the
    // struct is held through a pointer so calls pay none either (a class's stored `var`
    // accessed inout costs a runtime access check on every call).
    private let corePointer: UnsafeMutablePointer<NormalizerCore>
    private var core: NormalizerCore {
        _read { yield corePointer.pointee }
        _modify { yield &corePointer.pointee }
    }
    /// `normalizeTerm`'s result storage.
    private var termScratch = NormalizedText()

    public init(configuration: NormalizerConfiguration = .plain) {
        self.configuration = configuration
        corePointer = .allocate(capacity: 1)
        corePointer.initialize(to: NormalizerCore(configuration: configuration))
    }

    /// With `fastPath: false`, a normalizer that sends every word through the general path,
    /// every non-ASCII scalar through its folded pieces (not `QuickScalar`) and every token
    /// through every word rule: the slow, obvious oracle the fast path is tested against (it
    /// must give identical results).
    /// With `memo: false`, the fast path does not remember the general path's words
    /// (`TokenMemo`; for tests and measurements).
    public init(configuration: NormalizerConfiguration, fastPath: Bool, memo: Bool = true) {
        self.configuration = configuration
        corePointer = .allocate(capacity: 1)
        corePointer.initialize(to: NormalizerCore(configuration: configuration))
        core.fastPath = fastPath
        core.memoEnabled = memo
    }

    deinit {
        corePointer.pointee.free()
        corePointer.deinitialize(count: 1)
        corePointer.deallocate()
    }

    /// Words the fast path replayed from its memo so far (for tests).
    var memoHits: Int { core.memoHits }

    /// Whether the per-byte map buffers have room for as many bytes as the output buffer, which
    /// the byte loops assume (for tests).
    var mapBuffersHaveRoom: Bool { core.mapBuffersHaveRoom }

    /// Normalizes `text` into a new value.
    public func normalize(_ text: String, mode: NormalizationMode = .text) -> NormalizedText {
        var result = NormalizedText()
        normalize(text, into: &result, mode: mode)
        return result
    }

    /// The normalized bytes of a lexicon term.
    public func normalizeTerm(_ term: String) -> [UInt8] {
        // Lexicons normalize tens of thousands of terms at start-up: one result reused.
        normalize(term, into: &termScratch, mode: .term)
        return termScratch.bytes
    }

    /// Normalizes `text` into `result`, reusing its storage.
    public func normalize(_ text: String, into result: inout NormalizedText, mode: NormalizationMode = .text) {
        // One exclusivity check for the call; inside it `self` is inout and statically checked.
        core.normalize(text, into: &result, mode: mode)
        // Joining spaced letters makes new words ("a.a.m.i.n" → "aamin") that the word rules
        // have not seen: run again on the output and carry the map through, so the result is a
        // fixed point (normalizing it again changes nothing).
        var passes = 1
        while core.joinedLetters && passes < 3 {
            let first = result
            core.normalize(first.string, into: &result, mode: mode)
            Self.compose(&result, through: first)
            Self.carrySentences(&result, from: first)
            passes += 1
        }
    }

    /// The second pass sees no punctuation: its sentences are those of the first pass, found
    /// again by the original position where each began. (`result`'s map already points into
    /// the original: `compose` ran first.)
    static func carrySentences(_ result: inout NormalizedText, from first: NormalizedText) {
        var sentences: [Int32] = []
        withExtendedLifetime(first) {
            withExtendedLifetime(result) {
                let firstViews = first.unsafeViews, tokens = result.unsafeViews.tokens
                let firstSegments = first.storage.segments.view, segments = result.storage.segments.view
                let firstBytes = firstViews.bytes, bytes = result.unsafeViews.bytes
                // Token starts ascend in both texts, so one cursor per map finds their segments.
                var firstCursor = SegmentCursor(), cursor = SegmentCursor()
                var k = 0
                for t in firstViews.sentences where Int(t) < firstViews.tokens.count {
                    let position = firstCursor.sourceStart(ofByte: Int(firstViews.tokens[Int(t)]), segments: firstSegments, bytes: firstBytes)
                    while k < tokens.count && cursor.sourceStart(ofByte: Int(tokens[k]), segments: segments, bytes: bytes) < position { k += 1 }
                    if k < tokens.count, sentences.last != Int32(k) { sentences.append(Int32(k)) }
                }
                if sentences.first != 0 && !tokens.isEmpty { sentences.insert(0, at: 0) }
            }
        }
        result.sentenceStarts = sentences
    }

    /// Rewrites `result`'s map, which points into the scalars of `first.string`, to point into
    /// what `first` points into. (Byte by byte through scratch buffers: this runs only after
    /// spaced letters were joined, but on long texts, where array accesses per byte added up.)
    static func compose(_ result: inout NormalizedText, through first: NormalizedText) {
        let n = result.byteCount, m = first.byteCount
        // Per byte of `result`: its scalars in `first.string`, then in the original. Per byte of
        // `first`: its scalars in the original. Per scalar of `first.string`: its first byte
        // (plus the end).
        let scratch = UnsafeMutablePointer<Int32>.allocate(capacity: 2 * max(1, n) + 3 * max(1, m) + 1)
        defer { scratch.deallocate() }
        let starts = scratch, ends = scratch + max(1, n)
        let firstStarts = ends + max(1, n), firstEnds = firstStarts + max(1, m), byteOfScalar = firstEnds + max(1, m)
        result.writeSourceMap(starts: starts, ends: ends)
        first.writeSourceMap(starts: firstStarts, ends: firstEnds)
        var scalarCount = 0
        withExtendedLifetime(first) {
            let b = first.unsafeViews.bytes
            for i in 0..<m where b[i] & 0xC0 != 0x80 {
                byteOfScalar[scalarCount] = Int32(truncatingIfNeeded: i)
                scalarCount += 1
            }
        }
        byteOfScalar[scalarCount] = Int32(truncatingIfNeeded: m)
        if scalarCount > 0 {
            // Neighbouring bytes of a replacement share their source: its composition is reused.
            var lastS = -1, lastE = -1
            var newStart: Int32 = 0, newEnd: Int32 = 0
            for i in 0..<n {
                let s = min(Int(starts[i]), scalarCount), e = min(Int(ends[i]), scalarCount)
                if s != lastS || e != lastE {
                    newStart = firstStarts[Int(byteOfScalar[min(s, scalarCount - 1)])]
                    newEnd = newStart
                    if e > s {
                        for b in Int(byteOfScalar[s])..<Int(byteOfScalar[e]) { newEnd = max(newEnd, firstEnds[b]) }
                    }
                    lastS = s
                    lastE = e
                }
                starts[i] = newStart
                ends[i] = newEnd
            }
        }
        let target = result.writableStorage()
        target.segments.count = 0
        if n > 0 {
            MapSegment.compress(bytes: target.bytes.pointer, starts: starts, ends: ends, from: 0, to: n, into: &target.segments)
        }
    }
}

/// Finds the segments of ascending normalized bytes by walking forward (a binary search per
/// byte, as `NormalizedText.sourceRange(ofByte:)` does, costs more when every token is asked).
struct SegmentCursor {
    private var index = 0

    /// The first original scalar byte `i` came from; `i` must not be below the last byte asked.
    mutating func sourceStart(ofByte i: Int, segments: UnsafeBufferPointer<MapSegment>, bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        while index + 1 < segments.count && Int(segments[index + 1].normalizedStart) <= i { index += 1 }
        return segments[index].source(ofByte: i, bytes[i]).start
    }
}

/// The normalizer's state and rules (see `Normalizer`).
struct NormalizerCore {
    let configuration: NormalizerConfiguration

    // Output under construction.
    private var out = Buffer<UInt8>()
    private var starts = Buffer<Int32>()
    private var ends = Buffer<Int32>()
    /// Where the tokens begin: found from the spaces once the text is written (the tokens are
    /// the pieces between single spaces).
    private var tokenStarts = Buffer<Int32>()
    /// The tokens that begin a sentence: while the text is written, the byte offsets where they
    /// begin; token indices once `findTokenStarts` has run.
    private var sentenceStarts = Buffer<Int32>()
    // The offset map. `starts`/`ends` hold the source of each byte only for the bytes after
    // `committed` (the token the general path is building); everything before is described
    // by `segments`. The fast path writes a segment per word and never touches `starts`/`ends`.
    private var segments = Buffer<MapSegment>()
    private var committed = 0

    // The token being built.
    private var inToken = false
    private var tokenStart = 0                 // byte offset in `out`
    private var flags: TokenFlags = []
    private var lastLetter: UInt8 = 0          // for elongation runs
    private var runLength = 0
    private var camelSplits = Buffer<Int32>()  // token-relative offsets where a part begins
    // Scratch for the parts of a camel-case word: their bounds, and the word's bytes and sources
    // before the word rules changed it.
    private var partBoundsScratch = Buffer<Int32>()
    /// `joinSpacedLetters`'s scratch: the new index of every token.
    private var joinTokenMap = Buffer<Int32>()
    private var snapshotBytes = Buffer<UInt8>()
    private var snapshotStarts = Buffer<Int32>()
    private var snapshotEnds = Buffer<Int32>()
    private var digitRunStart = 0              // token-relative offset where the last digit run began
    private var partsEnabled = true            // false while the parts of a word are being added
    private var lastTokenLength = 0            // bytes of the token that ended last
    private var lastKeycapEnd: Int32 = -1      // the scalar just after the last keycap digit
    private var prevCase: UInt8 = 0            // 0 none, 1 lower, 2 upper, 3 digit, 4 letter of unknown case
    private var nonASCIIUnits: [(offset: Int, length: Int, skeleton: [UInt8])] = []
    /// `squeezeRuns`'s scratch: the indices kept when runs shrink to one letter or to two, and
    /// the words they make.
    private var squeezeOne: [Int] = [], squeezeTwo: [Int] = []
    private var squeezeOneWord: [UInt8] = [], squeezeTwoWord: [UInt8] = []

    // Between tokens.
    private var pendingSentence = true
    private var singleLetterRun = 0            // consecutive single-letter tokens with joinable gaps
    private var needsJoinPass = false

    private var mode: NormalizationMode = .text
    private var memo = ScalarMemo()
    /// The fast path's classification of the text being normalized.
    private var maps = ByteClassMaps()

    private let hasSlang: Bool
    /// Whether ordinary words take `fastSpan` (false only for the oracle in tests).
    var fastPath = true
    /// Whether the fast path remembers what the general path did with short ASCII words
    /// (false in tests that compare with and without it).
    var memoEnabled = true
    private var tokenMemo = TokenMemo()
    /// Words replayed from `tokenMemo` (for tests).
    private(set) var memoHits = 0
    /// Single-letter tokens counted so far (a word whose rules count one is not memoized).
    private var singleLetterTokens = 0
    /// The slang table's Bloom filter, for the fast path.
    private let slangBloom: UnsafeMutablePointer<UInt64>
    /// The slang table's replacements one after another, and where each begins (plus the end).
    private let slangBytes: UnsafeMutablePointer<UInt8>
    private let slangStarts: UnsafeMutablePointer<Int32>
    /// `asciiClassTable`, read once: a global's every use in a function costs a lazy-initialization check.
    private let classTable = asciiClassTable

    /// Whether the last pass joined spaced single letters into a word.
    var joinedLetters: Bool { needsJoinPass }

    /// Whether `starts` and `ends` have room for as many bytes as `out` (the byte loops check
    /// `out`'s capacity only).
    var mapBuffersHaveRoom: Bool { starts.capacity >= out.capacity && ends.capacity >= out.capacity }

    init(configuration: NormalizerConfiguration) {
        self.configuration = configuration
        hasSlang = !configuration.slang.isEmpty
        let bloom = configuration.slang.bloomBits
        slangBloom = .allocate(capacity: bloom.count)
        slangBloom.initialize(from: bloom, count: bloom.count)
        let bytes = configuration.slang.replacementBytes, starts = configuration.slang.replacementStarts
        // 64 readable bytes past the last replacement, for `emitSlang`'s fixed-size copy.
        slangBytes = .allocate(capacity: bytes.count &+ 64)
        slangBytes.initialize(from: bytes, count: bytes.count)
        (slangBytes + bytes.count).initialize(repeating: 0, count: 64)
        slangStarts = .allocate(capacity: starts.count)
        slangStarts.initialize(from: starts, count: starts.count)
    }

    func free() {
        out.free()
        starts.free()
        ends.free()
        tokenStarts.free()
        sentenceStarts.free()
        segments.free()
        maps.free()
        camelSplits.free()
        partBoundsScratch.free()
        joinTokenMap.free()
        snapshotBytes.free()
        snapshotStarts.free()
        snapshotEnds.free()
        slangBloom.deallocate()
        slangBytes.deallocate()
        slangStarts.deallocate()
        tokenMemo.free()
    }

    mutating func normalize(_ text: String, into result: inout NormalizedText, mode: NormalizationMode) {
        self.mode = mode
        reset()
        // Native and small strings lend their UTF-8 as they are (a copy of the string to make
        // it contiguous first cost a retain and a release per text).
        if text.utf8.withContiguousStorageIfAvailable({ run($0) }) == nil {
            var contiguous = text
            contiguous.makeContiguousUTF8()
            contiguous.utf8.withContiguousStorageIfAvailable { run($0) }
        }
        endToken()
        findTokenStarts()
        if needsJoinPass {
            materializeMap()
            joinSpacedLetters()
            segments.count = 0
            MapSegment.compress(bytes: out.pointer, starts: starts.pointer, ends: ends.pointer, from: 0, to: out.count, into: &segments)
            committed = out.count
        }
        // The finished buffers go to `result`, whose old ones the next text is built in.
        let target = result.replaceableStorage()
        swap(&out, &target.bytes)
        swap(&segments, &target.segments)
        swap(&tokenStarts, &target.tokenStarts)
        swap(&sentenceStarts, &target.sentenceStarts)
        // The byte loops check `out`'s capacity only: `starts` and `ends` must have room for as
        // many bytes. The buffer handed back can be larger than they are: joining spaced letters
        // starts them afresh (a scan crashed on heap corruption before this).
        starts.reserve(out.capacity)
        ends.reserve(out.capacity)
    }

    private mutating func reset() {
        out.count = 0
        starts.count = 0
        ends.count = 0
        tokenStarts.count = 0
        sentenceStarts.count = 0
        segments.count = 0
        committed = 0
        inToken = false
        pendingSentence = true
        singleLetterRun = 0
        needsJoinPass = false
        lastKeycapEnd = -1
    }

    // MARK: The byte loop

    private mutating func run(_ input: UnsafeBufferPointer<UInt8>) {
        assert(mapBuffersHaveRoom, "the map buffers are smaller than the output buffer")
        let n = input.count
        out.reserve(n + 64)
        starts.reserve(n + 64)
        ends.reserve(n + 64)
        var i = 0
        var scalar: Int32 = 0
        let classes = classTable
        if fastPath { maps.build(input) }
        while i < n {
            if fastPath && !inToken {
                let consumed = fastSpan(input, from: i, scalar: scalar)
                i += consumed
                scalar += Int32(truncatingIfNeeded: consumed)
                if i >= n { break }
                if memoEnabled {
                    let memoized = memoizedToken(input, at: i, scalar: scalar)
                    if memoized > 0 {
                        i += memoized
                        scalar += Int32(truncatingIfNeeded: memoized)
                        continue
                    }
                }
            }
            let b = input[i]
            switch classes[Int(b)] {
            case .lower, .upper, .digit:
                if b < 0x40 {
                    let keycap = Self.keycapLength(input, after: i)
                    if keycap > 0 {
                        emitKeycapDigit(b, scalar, keycapBytes: keycap)
                        i += 1 + keycap
                        scalar += keycap == 6 ? 3 : 2
                        continue
                    }
                }
                let count = alphanumericRun(input, from: i, scalar: scalar, classes: classes)
                i += count
                scalar += Int32(count)
                continue
            case .hash:
                if i + 1 < n, hashOpensWord(input, at: i + 1) {
                    separator(b)
                    beginHashtag(scalar)
                } else {
                    separator(b)
                }
            case .joiner:
                // Punctuation between two digits stays: dates, times, money.
                if inToken, prevCase == 3, i + 1 < n, classes[Int(input[i + 1])] == .digit {
                    append(b, scalar, scalar + 1)
                    prevCase = 0
                } else {
                    separator(b)
                    // "K.H. Ma'ruf", "Dr. Budi", "No. 2": a period after a word of one or two
                    // letters is an abbreviation, not the end of a sentence.
                    if b == UInt8(ascii: "."), lastTokenLength > 2, Self.periodEndsSentence(input, after: i, classes: classes) { pendingSentence = true }
                }
            case .sentenceEnd:
                separator(b)
                pendingSentence = true
            case .newline:
                separator(b)
                pendingSentence = true
            case .separator:
                separator(b)
                let escaped = b == 0x5C && i + 1 < n ? Self.escapedSeparator(input[i + 1]) : 0
                if escaped != 0 {
                    // Escape text for a line break or tab: both bytes separate words.
                    if escaped == 0x0A { pendingSentence = true }
                    i += 2
                    scalar += 2
                    continue
                }
            case .nonASCII:
                guard let (value, length) = Self.decode(input, at: i) else {
                    i = n
                    continue
                }
                emitScalar(value, scalar)
                i += length
                scalar += 1
                continue
            }
            i += 1
            scalar += 1
        }
    }

    /// The fast path: ordinary words and the ASCII separators between them, from `i` on, written
    /// and mapped with no call per word. An ordinary word is ASCII letters only or digits only,
    /// with no camel case and no three equal letters in a row, not shaped like the prayer ("a…n"
    /// with a doubled letter), not followed by a non-ASCII byte, and (for digits) not continued
    /// by a joiner and a digit ("10:30"). Words are found and judged 64 bytes at a time from
    /// `ByteClassMaps` and written one by one; a slang word is replaced, and a one-letter word
    /// counted for joining spaced letters, as the general path would. Separators are handled as
    /// the general path handles them between tokens (sentence ends, the period after a word of
    /// three bytes or more); a single space between two words needs nothing but the space. The
    /// span stops before the first word that needs the general path, before a `#` that opens a
    /// hashtag, before the escape text of a line break or tab (`\n`), and before a non-ASCII
    /// byte; nothing of what stops it is consumed. Returns the
    /// bytes consumed (the span is ASCII, so also the scalars).
    @inline(__always)
    private mutating func fastSpan(_ input: UnsafeBufferPointer<UInt8>, from i: Int, scalar: Int32) -> Int {
        let n = input.count
        let p = input.baseAddress!
        // Room for the rest of the input plus the fixed 64-byte stores of `emitCopied` past it;
        // slang replacements can grow a word, so room is checked again after each one. Sentence
        // starts are stored before it is known whether they count. (Token starts are found
        // from the spaces when the text is finished.)
        if out.count &+ (n &- i) &+ Self.storeSlack > out.capacity { reserveOutput(out.count &+ (n &- i) &+ Self.storeSlack) }
        sentenceStarts.reserve(sentenceStarts.count &+ (n &- i) / 2 &+ 8)
        var o = out.pointer
        var w = out.count
        let folded = maps.folded.pointer
        // Input byte g (ASCII) is scalar g + delta.
        let delta = scalar &- Int32(truncatingIfNeeded: i)
        // The open `words` segment, if the last segment is one that ends at `w`: a letter at
        // normalized x came from scalar x + shift.
        var segmentOpen = false
        var shift: Int32 = 0
        // Kept in registers, written back before anything that reads them.
        var lastLength = lastTokenLength
        var letterRun = singleLetterRun
        var g = i
        span: while true {
            // Separators, up to the next word (most often one space, which needs nothing).
            if g &+ 1 < n && p[g] == 0x20 && maps.contains(.alnum, g &+ 1) {
                g &+= 1
            } else {
                lastTokenLength = lastLength
                g = separators(input, from: g)
            }
            if g >= n || p[g] >= 0x80 || p[g] == UInt8(ascii: "#") || p[g] == 0x5C { break span }
            // The words that start in the 64 bytes from g (a word start).
            let base = g
            let alnum = maps.bits(.alnum, at: base)
            var wordStarts = alnum & ~(alnum &<< 1)
            var wordEnds = alnum & ~(alnum &>> 1)
            // The last byte's word may go on past the window: it is left to the next window.
            if wordEnds >> 63 != 0 && base &+ 64 < n && maps.contains(.alnum, base &+ 64) {
                wordEnds &= ~(1 &<< 63)
                wordStarts &= ~(1 &<< UInt64(63 &- wordStarts.leadingZeroBitCount))
                if wordStarts == 0 {
                    // A word of 64 bytes or more: judged on its own.
                    if !longWordIsOrdinary(input, at: base) { break span }
                    if pendingSentence {
                        sentenceStarts.append(Int32(truncatingIfNeeded: w > 0 ? w &+ 1 : 0))
                        pendingSentence = false
                    }
                    let end = maps.endOfAlnum(from: base)
                    emitCopied(from: base, to: end, delta: delta, o: o, w: &w, segmentOpen: &segmentOpen, shift: &shift)
                    lastLength = end &- base
                    letterRun = 0
                    g = end
                    continue span
                }
            }
            // Single spaces between two words, which need nothing but the space.
            let simpleGaps = maps.bits(.space, at: base) & (alnum &<< 1) & (alnum &>> 1)
            // First judge the words (no output), then write them: runs of ordinary words with
            // one space between them by one copy, the others one by one.
            let judged = judgeWindow(base: base, starts: wordStarts, ends: wordEnds)
            let active = wordStarts & lowBits(judged.stop)
            // Words after other separators than one space (the first word's were handled above).
            let breaks = active & ~(simpleGaps &<< 1) & ~1
            let own = judged.marked & active
            let cuts = breaks | own
            var pending = active
            while pending != 0 {
                let s = pending.trailingZeroBitCount
                if (breaks &>> UInt64(s)) & 1 != 0 {
                    // Other separators before this word: handled as between tokens.
                    lastTokenLength = lastLength
                    let x = separators(input, from: g)
                    if x != base &+ s { g = x; break span }
                }
                // A sentence starts here, at the word written next, when separators said so
                // (stored always, counted then).
                sentenceStarts.pointer[sentenceStarts.count] = Int32(truncatingIfNeeded: w > 0 ? w &+ 1 : 0)
                sentenceStarts.count &+= pendingSentence ? 1 : 0
                pendingSentence = false
                if (own &>> UInt64(s)) & 1 != 0 {
                    // A word of one letter, or one the slang filter let through.
                    let e = (wordEnds & ~lowBits(s)).trailingZeroBitCount &+ 1
                    let length = e &- s
                    let k = base &+ e
                    let entry = length > 1 && length <= SlangTable.maxKeyLength
                        ? configuration.slang.lookupFiltered(packed: Self.packed(folded + (base &+ s), length: length)) : -1
                    if entry < 0 {
                        emitCopied(from: base &+ s, to: k, delta: delta, o: o, w: &w, segmentOpen: &segmentOpen, shift: &shift)
                        if length == 1 {
                            // Spaced single letters: remember runs, join them after the record.
                            letterRun &+= 1
                            if letterRun >= 3 { needsJoinPass = true }
                        } else {
                            letterRun = 0
                        }
                    } else {
                        emitSlang(entry, from: base &+ s, length: length, remaining: n &- k, delta: delta, o: &o, w: &w,
                                  segmentOpen: &segmentOpen, shift: &shift)
                        letterRun = 0
                    }
                    lastLength = length
                    g = k
                    pending &= pending &- 1
                    continue
                }
                // Ordinary words with one space between them, up to the next cut.
                let boundary = (pending & cuts & ~lowBits(s &+ 1)).trailingZeroBitCount
                let words = pending & lowBits(boundary)
                let lastStart = 63 &- words.leadingZeroBitCount
                let e = (wordEnds & ~lowBits(lastStart)).trailingZeroBitCount &+ 1
                emitCopied(from: base &+ s, to: base &+ e, delta: delta, o: o, w: &w, segmentOpen: &segmentOpen, shift: &shift)
                letterRun = 0
                lastLength = e &- lastStart
                g = base &+ e
                pending &= ~words
            }
            if judged.stop < 64 {
                // The word at the stop needs the general path; the separators before it are handled here.
                let s = judged.stop
                if s > 0 && (simpleGaps &>> UInt64(s &- 1)) & 1 == 0 {
                    lastTokenLength = lastLength
                    g = separators(input, from: g)
                } else {
                    g = base &+ s
                }
                break span
            }
        }
        lastTokenLength = lastLength
        singleLetterRun = letterRun
        out.count = w
        starts.count = w
        ends.count = w
        committed = w
        return g &- i
    }

    /// The words of the window at `base` (`starts`, `ends`: bits of their first and last bytes)
    /// judged: `stop` is the window offset of the first word the general path must take (64:
    /// none), `marked` the starts of the words before it that need a look of their own (one
    /// letter, or let through by the slang filter). Writes nothing.
    ///
    /// The general path takes a word that holds or follows a special byte (camel case, a letter
    /// next to a digit, an elongation; not one digit other than 0 ending a word of letters,
    /// "anak2", which the word rules leave as it is), one followed by a non-ASCII byte, a number a joiner
    /// and a digit continue ("10:30"), and one shaped like the prayer ("a…n" with a doubled
    /// letter). The first three are found for all the words at once from the maps (bits of the
    /// words' last bytes); only words with a doubled letter are looked at for the prayer, and
    /// only letter words of two bytes or more go through the slang filter one by one.
    @inline(__always)
    private mutating func judgeWindow(base: Int, starts wordStarts: UInt64, ends wordEnds: UInt64) -> (stop: Int, marked: UInt64) {
        let letters = maps.bits(.letter, at: base)
        let window = maps.folded.pointer + base
        // The bytes after each word's last byte (bit x: byte base + x + 1), and the one after that.
        let highNext = maps.bits(.high, at: base &+ 1)
        let joinerNext = maps.bits(.joiner, at: base &+ 1)
        let digitAfterNext = maps.bits(.alnum, at: base &+ 2) & ~maps.bits(.letter, at: base &+ 2)
        // Last bytes of the words that stop the fast path.
        var stops = (wordEnds & highNext) | (wordEnds & ~letters & joinerNext & digitAfterNext)
        // A word's first byte is marked only for the byte before it, which is not the word's:
        // the fast path starts a window right after a letter or digit only when the general
        // path took that byte as the end of an escaped separator ("\nKata": the mark of "nK").
        var special = maps.bits(.special, at: base) & ~(wordStarts & 1)
        // One digit other than 0 ending a word after two letters or more ("anak2", "orang2": a
        // reduplication) is a number no word rule changes, and slang keys have no digits: its
        // mark (a digit after a letter) is dropped. A digit at the window's end is no word end
        // here and keeps its mark.
        var trailing = special & wordEnds & ~letters & (letters &<< 2)
        while trailing != 0 {
            let q = trailing.trailingZeroBitCount
            if window[q] != UInt8(ascii: "0") { special &= ~(1 &<< UInt64(truncatingIfNeeded: q)) }
            trailing &= trailing &- 1
        }
        let firstSpecial = special.trailingZeroBitCount
        stops |= wordEnds & ~lowBits(firstSpecial)
        // Words with a doubled letter before the first stop: the prayer's shape stops there too.
        var equals = maps.bits(.equal, at: base) & lowBits(stops.trailingZeroBitCount)
        if equals != 0 {
            repeat {
                let q = equals.trailingZeroBitCount
                let last = (wordEnds & ~lowBits(q)).trailingZeroBitCount
                let first = 63 &- (wordStarts & lowBits(q &+ 1)).leadingZeroBitCount
                if window[first] == UInt8(ascii: "a") && window[last] == UInt8(ascii: "n") {
                    stops |= 1 &<< UInt64(truncatingIfNeeded: last)
                    break
                }
                equals &= ~lowBits(last &+ 1)
            } while equals != 0
        }
        let stopEnd = stops.trailingZeroBitCount
        let stop = stopEnd >= 64 ? 64 : 63 &- (wordStarts & lowBits(stopEnd &+ 1)).leadingZeroBitCount
        let active = wordStarts & lowBits(stop)
        // One-letter words: their first byte is their last.
        var marked = active & wordEnds & letters
        if hasSlang {
            let bloom = slangBloom
            var candidates = active & letters & ~wordEnds
            while candidates != 0 {
                let s = candidates.trailingZeroBitCount
                let length = (wordEnds &>> UInt64(truncatingIfNeeded: s)).trailingZeroBitCount &+ 1
                // (A word too long to be a key may be marked: the exact lookup leaves it out.)
                let f = SlangTable.filterIndex(Self.head(window + s, length: length))
                let bit = (bloom[f &>> 6] &>> UInt64(truncatingIfNeeded: f & 63)) & 1
                marked |= bit &<< UInt64(truncatingIfNeeded: s)
                candidates &= candidates &- 1
            }
        }
        return (stop, marked)
    }

    /// A folded word of 1…16 bytes packed as the slang table's keys are: eight bytes, eight
    /// more, zero past its end (the folded buffer has readable bytes after the text).
    @inline(__always)
    private static func packed(_ word: UnsafePointer<UInt8>, length: Int) -> (UInt64, UInt64, Int) {
        var tail: UInt64 = 0
        if length > 8 {
            let unused = UInt64(truncatingIfNeeded: 128 &- 8 &* length)
            tail = (UnsafeRawPointer(word + 8).loadUnaligned(as: UInt64.self) &<< unused) &>> unused
        }
        return (head(word, length: length), tail, length)
    }

    /// The first eight bytes of a word of `length` ≥ 1 bytes, zero past its end (one load: the
    /// folded buffer has readable bytes after the text); the slang table's first key word.
    @inline(__always)
    private static func head(_ word: UnsafePointer<UInt8>, length: Int) -> UInt64 {
        let unused = UInt64(truncatingIfNeeded: 64 &- 8 &* min(length, 8))
        return UnsafeRawPointer(word).loadUnaligned(as: UInt64.self) & (~0 &>> unused)
    }

    /// Writes slang entry `entry` for the word of `length` bytes at input `from` ("yg" →
    /// "yang"): every byte of the replacement came from the whole word.
    @inline(never)
    private mutating func emitSlang(_ entry: Int, from: Int, length: Int, remaining: Int, delta: Int32, o: inout UnsafeMutablePointer<UInt8>,
                                    w: inout Int, segmentOpen: inout Bool,
                                    shift: inout Int32) {
        let wordScalar = Int32(truncatingIfNeeded: from) &+ delta
        if w > 0 {
            // The space maps to nothing just before the word, as a `words` segment maps it.
            continueWords(at: w, shift: wordScalar &- Int32(truncatingIfNeeded: w) &- 1, segmentOpen: &segmentOpen, open: &shift)
            o[w] = 0x20
            w &+= 1
        }
        let first = Int(slangStarts[entry]), count = Int(slangStarts[entry &+ 1]) &- first
        if w &+ count &+ remaining &+ Self.storeSlack > out.capacity {
            out.count = w
            reserveOutput(w &+ count &+ remaining &+ Self.storeSlack)
            o = out.pointer
        }
        segments.append(MapSegment(normalizedStart: Int32(truncatingIfNeeded: w), originalStart: wordScalar, originalEnd: wordScalar &+ Int32(truncatingIfNeeded: length)))
        segmentOpen = false
        if count <= 64 {
            // A fixed-size copy (`storeSlack` past the output, 64 bytes past the replacements) instead
            // of a call to `memmove`.
            netra_copy64(o + w, slangBytes + first)
        } else {
            (o + w).update(from: slangBytes + first, count: count)
        }
        w &+= count
    }

    /// Makes the bytes from `w` on part of a `words` segment in which a letter at normalized x
    /// came from scalar x + `shift`: the open one (`segmentOpen`, shift `open`) when it maps
    /// that way, else a new one.
    @inline(__always)
    private mutating func continueWords(at w: Int, shift: Int32, segmentOpen: inout Bool, open: inout Int32) {
        if !segmentOpen || shift != open {
            segments.append(MapSegment(normalizedStart: Int32(truncatingIfNeeded: w), originalStart: Int32(truncatingIfNeeded: w) &+ shift, originalEnd: MapSegment.words))
            open = shift
            segmentOpen = true
        }
    }

    /// Writes an ordinary word `from..<to` of the input (ASCII) as a token: the space before it,
    /// its folded bytes and its map (a `words` segment, reused while the
    /// mapping goes on as it was).
    @inline(__always)
    private mutating func emitCopied(from: Int, to: Int, delta: Int32, o: UnsafeMutablePointer<UInt8>, w: inout Int,
                                     segmentOpen: inout Bool, shift: inout Int32) {
        let wordScalar = Int32(truncatingIfNeeded: from) &+ delta
        let hasSpace = w > 0
        let position = hasSpace ? w &+ 1 : w
        continueWords(at: w, shift: wordScalar &- Int32(truncatingIfNeeded: position), segmentOpen: &segmentOpen, open: &shift)
        if hasSpace { o[w] = 0x20 }
        let source = UnsafeRawPointer(maps.folded.pointer + from), target = UnsafeMutableRawPointer(o + position)
        let length = to &- from
        if length <= 64 {
            // Always 64 bytes (the folded text and the output have room past their ends): a
            // copy loop's exit, at a different count for every run, was mispredicted.
            netra_copy64(target, source)
        } else {
            var m = 0
            repeat {
                let eight: UInt64 = source.loadUnaligned(fromByteOffset: m, as: UInt64.self)
                target.storeBytes(of: eight, toByteOffset: m, as: UInt64.self)
                m &+= 8
            } while m < length
        }
        w = position &+ length
    }

    /// A word of 64 bytes or more at `g`: ordinary when it is letters only or digits only with
    /// nothing special, not followed by a non-ASCII byte or (digits) a joiner and a digit. Such a
    /// word is never slang, never one letter and never the prayer.
    private mutating func longWordIsOrdinary(_ input: UnsafeBufferPointer<UInt8>, at g: Int) -> Bool {
        let end = maps.endOfAlnum(from: g)
        if maps.any(.special, from: g, to: end) { return false }
        let n = input.count
        if end < n {
            if input[end] >= 0x80 { return false }
            if !maps.contains(.letter, g) && joinerThenDigit(input.baseAddress!, n: n, at: end) { return false }
        }
        return true
    }

    /// The separators from `g` on, handled as the general path handles them between tokens:
    /// sentence ends, and a period after a word of three bytes or more that ends a sentence.
    /// Returns the first byte that is not an ASCII separator, or a `#` that opens a hashtag or
    /// the backslash of an escaped line break or tab (both of which the general path takes), or
    /// the end.
    @inline(__always)
    private mutating func separators(_ input: UnsafeBufferPointer<UInt8>, from g: Int) -> Int {
        let n = input.count
        let classes = classTable
        var x = g
        while x < n {
            let c = input[x]
            let cls = classes[Int(c)]
            if cls.rawValue <= ASCIIClass.digit.rawValue { return x }
            switch cls {
            case .nonASCII:
                return x
            case .hash:
                if x &+ 1 < n && (input[x &+ 1] >= 0x80 || classes[Int(input[x &+ 1])].rawValue <= ASCIIClass.digit.rawValue) { return x }
            case .joiner:
                if c == UInt8(ascii: "."), lastTokenLength > 2, Self.periodEndsSentence(input, after: x, classes: classes) { pendingSentence = true }
            case .sentenceEnd, .newline:
                pendingSentence = true
            default:
                // The escape text of a line break or tab is the general path's.
                if c == 0x5C && x &+ 1 < n && Self.escapedSeparator(input[x &+ 1]) != 0 { return x }
            }
            x &+= 1
        }
        return x
    }

    /// What a backslash followed by `letter` stands for when it is the text of an escaped
    /// separator: a line break (`n`), a carriage return (`r`) or a tab (`t`); else 0.
    @inline(__always)
    static func escapedSeparator(_ letter: UInt8) -> UInt8 {
        switch letter {
        case UInt8(ascii: "n"): return 0x0A
        case UInt8(ascii: "r"): return 0x0D
        case UInt8(ascii: "t"): return 0x09
        default: return 0
        }
    }

    /// The word at `i` (where `fastSpan` stopped, outside a token) through `tokenMemo`: replayed
    /// when the memo holds it, else written by the general path and remembered. Returns the
    /// bytes consumed, or 0 when the word does not qualify (see `TokenMemo`) and the byte loop
    /// must take it.
    ///
    /// The general path would take such a word as this does: begin a token (after `#`, a
    /// hashtag), one `alphanumericRun`, and end it at the ASCII byte after it, which every
    /// case of the byte loop does before anything else (a joiner keeps a token open only
    /// between digits, which is excluded). So ending it here and leaving that byte to the
    /// loop changes nothing.
    private mutating func memoizedToken(_ input: UnsafeBufferPointer<UInt8>, at i: Int, scalar: Int32) -> Int {
        let n = input.count
        let p = input.baseAddress!
        let w0 = out.count
        guard w0 > 0, committed == w0 else { return 0 }
        let b = p[i]
        let hashtag = b == UInt8(ascii: "#")
        let s = hashtag ? i &+ 1 : i
        guard s < n, p[s] < 0x80, maps.contains(.alnum, s) else { return 0 }
        let k = maps.endOfAlnum(from: s)
        let length = k &- i
        guard length <= TokenMemo.maxKey else { return 0 }
        if k < n {
            let c = p[k]
            if c >= 0x80 { return 0 }
            // "10:30": a joiner between digits keeps the token open.
            if classTable[Int(p[k &- 1])] == .digit && joinerThenDigit(p, n: n, at: k) { return 0 }
        }
        let tag: UInt8 = (hashtag ? 1 : 0) | (mode == .term ? 2 : 0)
        let probe = tokenMemo.probe(p + i, length: length, tag: tag)
        if probe.found {
            let entry = tokenMemo.header(probe.slot)
            let outputLength = Int(entry.outputLength)
            let w = w0 &+ outputLength
            // The slot's whole output area, whatever the length: a copy of a different size
            // for every word went through memcpy's size branches.
            reserveOutput(w0 &+ TokenMemo.maxOutput)
            TokenMemo.copyOutput(from: tokenMemo.output(probe.slot), to: out.pointer + w0)
            out.count = w
            starts.count = w
            ends.count = w
            let segmentCount = Int(entry.segmentCount)
            segments.reserve(segments.count &+ segmentCount)
            let stored = tokenMemo.segments(probe.slot)
            let position = Int32(truncatingIfNeeded: w0)
            for x in 0..<segmentCount { segments.append(stored[x].shifted(bytes: position, scalars: scalar)) }
            if pendingSentence {
                // The word's token begins after its space.
                sentenceStarts.append(Int32(truncatingIfNeeded: w0 &+ 1))
                pendingSentence = false
            }
            lastTokenLength = Int(entry.lastTokenLength)
            singleLetterRun = 0
            committed = w
            memoHits &+= 1
            return length
        }
        // The general path, as the byte loop would take the word.
        let segments0 = segments.count, letters0 = singleLetterTokens
        if hashtag { beginHashtag(scalar) }
        let count = alphanumericRun(input, from: s, scalar: hashtag ? scalar &+ 1 : scalar, classes: classTable)
        endToken()
        if count == k &- s && singleLetterTokens == letters0 {
            // Relative to the word's first byte (its space) and scalar.
            let position = Int32(truncatingIfNeeded: w0)
            let segmentCount = segments.count &- segments0
            if segmentCount <= TokenMemo.maxSegments {
                withUnsafeTemporaryAllocation(of: MapSegment.self, capacity: segmentCount) { relative in
                    for x in 0..<segmentCount { relative[x] = segments[segments0 &+ x].shifted(bytes: 0 &- position, scalars: 0 &- scalar) }
                    tokenMemo.store(slot: probe.slot, keyLength: length, tag: tag,
                                    output: UnsafeBufferPointer(start: out.pointer + w0, count: out.count &- w0),
                                    segments: UnsafeBufferPointer(relative),
                                    lastTokenLength: lastTokenLength)
                }
            }
        }
        return hashtag ? count &+ 1 : count
    }

    /// Whether byte `k` (< n) is a joiner followed by a digit: after a number, what keeps its
    /// token open ("10:30", "14-02-2024").
    @inline(__always)
    private func joinerThenDigit(_ p: UnsafePointer<UInt8>, n: Int, at k: Int) -> Bool {
        k &+ 1 < n && classTable[Int(p[k])] == .joiner && classTable[Int(p[k &+ 1])] == .digit
    }

    /// Bytes of room the fast path keeps past the output it may write.
    static let storeSlack = 80

    private mutating func reserveOutput(_ needed: Int) {
        out.reserve(needed)
        starts.reserve(needed)
        ends.reserve(needed)
    }

    /// A run of ASCII letters and digits inside one token, case-folded, scanned for doubles,
    /// letter-digit mixes and camel case, copied and mapped in one loop. Returns its length.
    @inline(__always)
    private mutating func alphanumericRun(_ input: UnsafeBufferPointer<UInt8>, from i: Int, scalar: Int32,
                                          classes: UnsafePointer<ASCIIClass>) -> Int {
        if !inToken { beginToken(scalar) }
        var f = flags
        let hashtag = f.contains(.hashtag)
        var last = lastLetter, run = runLength
        var previous = prevCase
        let n = input.count
        let base = out.count
        // Room for the rest of the input, so the loop needs no capacity checks.
        if base + (n - i) > out.capacity {
            out.reserve(base + (n - i))
            starts.reserve(base + (n - i))
            ends.reserve(base + (n - i))
        }
        let o = out.pointer + base, st = starts.pointer + base, en = ends.pointer + base
        let source = input.baseAddress! + i
        var k = 0
        var position = scalar
        loop: while i + k < n {
            let raw = source[k]
            let offset = base + k - tokenStart
            switch classes[Int(raw)] {
            case .lower, .upper:
                let c = raw | 0x20
                if raw < 0x61 {
                    // Upper case: a camel-case boundary after a lower-case letter.
                    f.insert(.hasUpper)
                    if previous == 1 { camelSplits.append(Int32(truncatingIfNeeded: offset)) }
                    // "Jokowi3Periode": a capital after a digit in a mixed-case word starts a
                    // new word; in ALL CAPS ("PR4B0W0") it means nothing.
                    if previous == 3 && f.contains(.hasLower) {
                        camelSplits.append(Int32(truncatingIfNeeded: digitRunStart))
                        camelSplits.append(Int32(truncatingIfNeeded: offset))
                    }
                } else {
                    f.insert(.hasLower)
                }
                if previous == 3 {
                    f.insert(.digitAndLetter)
                    if hashtag {
                        // One digit between lower-case letters ("#pr4bowo") stands for a letter:
                        // no part boundary around it.
                        if raw >= 0x61 && offset - digitRunStart == 1 && digitRunStart > 0 && camelSplits.last == Int32(truncatingIfNeeded: digitRunStart)
                            && out[tokenStart + digitRunStart - 1] >= 0x61 {
                            camelSplits.removeLast()
                        } else {
                            camelSplits.append(Int32(truncatingIfNeeded: offset))
                        }
                    }
                }
                f.insert(.hasLetter)
                if f.contains(.hasDigit) { f.insert(.digitAndLetter) }
                if c == last {
                    run += 1
                    if run >= 2 { f.insert(run >= 3 ? [.doubled, .elongated] : .doubled) }
                } else {
                    last = c
                    run = 1
                }
                previous = raw < 0x61 ? 2 : 1
                o[k] = c
            case .digit:
                if i + k + 1 < n && source[k + 1] >= 0x80 && Self.keycapLength(input, after: i + k) > 0 { break loop }
                if previous != 3 { digitRunStart = offset }
                if previous == 1 || previous == 2 || previous == 4 {
                    f.insert(.digitAndLetter)
                    if hashtag { camelSplits.append(Int32(truncatingIfNeeded: offset)) }
                }
                f.insert(.hasDigit)
                last = 0
                run = 0
                previous = 3
                o[k] = raw
            default:
                break loop
            }
            st[k] = position
            position &+= 1
            en[k] = position
            k += 1
        }
        out.count += k
        starts.count += k
        ends.count += k
        flags = f
        lastLetter = last
        runLength = run
        prevCase = previous
        return k
    }

    @inline(__always)
    private mutating func append(_ b: UInt8, _ s: Int32, _ e: Int32) {
        out.append(b)
        starts.append(s)
        ends.append(e)
    }

    @inline(__always)
    private mutating func beginToken(_ s: Int32) {
        let position = out.count
        if position + 1 > out.capacity {
            out.reserve(position + 1)
            starts.reserve(position + 1)
            ends.reserve(position + 1)
        }
        var start = position
        if position > 0 {
            out.pointer[position] = 0x20
            starts.pointer[position] = s
            ends.pointer[position] = s
            start += 1
            out.count = start
            starts.count = start
            ends.count = start
        }
        if pendingSentence {
            sentenceStarts.append(Int32(truncatingIfNeeded: start))
            pendingSentence = false
        }
        tokenStart = start
        inToken = true
        flags = []
        lastLetter = 0
        runLength = 0
        prevCase = 0
        digitRunStart = 0
        camelSplits.count = 0
        if !nonASCIIUnits.isEmpty { nonASCIIUnits.removeAll(keepingCapacity: true) }
    }

    /// Begins a hashtag token with its `#` (the original scalar `s`).
    @inline(__always)
    private mutating func beginHashtag(_ s: Int32) {
        beginToken(s)
        flags.insert(.hashtag)
        append(UInt8(ascii: "#"), s, s &+ 1)
    }

    @inline(__always)
    /// A letter that a non-ASCII scalar folded to (fullwidth, styled, accented); its case is
    /// unknown, so it only ends a camel-case part after a digit in a hashtag.
    private mutating func emitLetter(_ lower: UInt8, _ s: Int32) {
        if !inToken { beginToken(s) }
        if prevCase == 3, flags.contains(.hashtag) { camelSplits.append(Int32(truncatingIfNeeded: out.count - tokenStart)) }
        if flags.contains(.hasDigit) { flags.insert(.digitAndLetter) }
        flags.insert(.hasLetter)
        if lower == lastLetter {
            runLength += 1
            if runLength >= 3 { flags.insert(.elongated) }
            if runLength >= 2 { flags.insert(.doubled) }
        } else {
            lastLetter = lower
            runLength = 1
        }
        prevCase = 1
        append(lower, s, s + 1)
    }

    @inline(__always)
    private mutating func emitDigit(_ b: UInt8, _ s: Int32) {
        if !inToken { beginToken(s) }
        // As in `alphanumericRun`: where this run of digits began ("betul²Amanah").
        if prevCase != 3 { digitRunStart = out.count - tokenStart }
        if prevCase == 1 || prevCase == 2 || prevCase == 4 {
            flags.insert(.digitAndLetter)
            if flags.contains(.hashtag) { camelSplits.append(Int32(truncatingIfNeeded: out.count - tokenStart)) }
        }
        flags.insert(.hasDigit)
        lastLetter = 0
        runLength = 0
        prevCase = 3
        append(b, s, s + 1)
    }

    @inline(__always)
    private mutating func separator(_ b: UInt8) {
        if inToken { endToken() }
    }

    /// The bytes of a keycap after the digit at `i`: U+20E3 (3 bytes) or U+FE0F U+20E3 (6), or 0.
    @inline(__always)
    private static func keycapLength(_ input: UnsafeBufferPointer<UInt8>, after i: Int) -> Int {
        let n = input.count
        func keycap(_ j: Int) -> Bool { j + 2 < n && input[j] == 0xE2 && input[j + 1] == 0x83 && input[j + 2] == 0xA3 }
        if keycap(i + 1) { return 3 }
        if i + 3 < n && input[i + 1] == 0xEF && input[i + 2] == 0xB8 && input[i + 3] == 0x8F && keycap(i + 4) { return 6 }
        return 0
    }

    /// "pilih2️⃣" → "pilih 2": a keycap digit is a token of its own, and keycaps in a row make
    /// one number ("0️⃣2️⃣" → "02").
    private mutating func emitKeycapDigit(_ b: UInt8, _ s: Int32, keycapBytes: Int) {
        if lastKeycapEnd == s, out.count > 0, !inToken {
            // The previous keycap number is still the last token written: reopen it.
            inToken = true
            tokenStart = lastTokenStart()
            uncommit(from: max(0, tokenStart - 1))
            flags = [.hasDigit]
        } else {
            if inToken { endToken() }
            beginToken(s)
            flags.insert(.hasDigit)
        }
        append(b, s, s + 1)
        prevCase = 3
        endToken()
        lastKeycapEnd = s + (keycapBytes == 6 ? 3 : 2)
    }

    /// A period ends a sentence when what follows (after spaces) is an upper-case letter, a line
    /// break, or the end: "no. 2" does not end one, "menang. Ayo" does.
    /// (`classes` is `classTable`: the global's every use costs a lazy-initialization check.)
    private static func periodEndsSentence(_ input: UnsafeBufferPointer<UInt8>, after i: Int, classes: UnsafePointer<ASCIIClass>) -> Bool {
        var j = i + 1
        while j < input.count && (input[j] == 0x20 || input[j] == 0x09) { j += 1 }
        if j >= input.count { return true }
        let c = classes[Int(input[j])]
        return j > i + 1 && (c == .upper || c == .newline) || c == .newline
    }

    /// A `#` is kept only when what follows folds to a word character.
    private mutating func hashOpensWord(_ input: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        let b = input[i]
        if b < 0x80 { return classTable[Int(b)] == .lower || classTable[Int(b)] == .upper || classTable[Int(b)] == .digit }
        guard let (value, _) = Self.decode(input, at: i) else { return false }
        let index = foldedIndex(value)
        return memo.values[index].pieces.first?.isWord == true
    }

    /// Decodes the non-ASCII scalar at `i` (the input is valid UTF-8: it came from a String).
    @inline(__always)
    private static func decode(_ input: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt32, Int)? {
        let b = input[i]
        var value: UInt32
        let length: Int
        if b >= 0xF0 { value = UInt32(b & 0x07); length = 4 }
        else if b >= 0xE0 { value = UInt32(b & 0x0F); length = 3 }
        else { value = UInt32(b & 0x1F); length = 2 }
        if i + length > input.count { return nil }
        for k in 1..<length { value = (value << 6) | UInt32(input[i + k] & 0x3F) }
        return (value, length)
    }

    /// The memo index of `value` folded (folded by ICU and remembered the first time).
    private mutating func foldedIndex(_ value: UInt32) -> Int {
        if let index = memo.index(of: value) { return index }
        memo.insert(FoldedScalar(value), for: value)
        return memo.values.count - 1
    }

    private mutating func emitScalar(_ value: UInt32, _ s: Int32) {
        let index = foldedIndex(value)
        // The common shapes from their packed form, without copying the memo's arrays.
        let quick = fastPath ? memo.quick(index) : QuickScalar(bits: 0)
        switch quick.shape {
        case .symbol:
            separator(0)
            beginToken(s)
            for k in 0..<quick.count { append(quick.byte(k), s, s &+ 1) }
            endToken()
            return
        case .separator:
            separator(0)
            if quick.endsSentence { pendingSentence = true }
            return
        case .ignorable:
            return
        case .asciiWord:
            if !inToken { beginToken(s) }
            for k in 0..<quick.count { emitFoldedASCII(quick.byte(k), s) }
            return
        case .general:
            break
        }
        let f = memo.values[index]
        for piece in f.pieces {
            if piece.isWord {
                if !inToken { beginToken(s) }
                let offset = out.count - tokenStart
                for byte in piece.utf8 {
                    if byte < 0x80 {
                        emitFoldedASCII(byte, s)
                    } else {
                        append(byte, s, s + 1)
                        flags.insert(.nonASCII)
                        prevCase = 0
                        lastLetter = 0
                        runLength = 0
                    }
                }
                if let skeleton = piece.confusable {
                    flags.insert(.confusable)
                    nonASCIIUnits.append((offset, out.count - tokenStart - offset, skeleton))
                }
            } else if piece.isSymbol {
                separator(0)
                beginToken(s)
                for byte in piece.utf8 { append(byte, s, s + 1) }
                endToken()
            } else if piece.isSeparator {
                separator(0)
                if f.endsSentence { pendingSentence = true }
            }
            // Ignorable pieces (marks, modifiers, format characters) are dropped.
        }
    }

    /// A lower-case ASCII letter or a digit that a non-ASCII scalar folded to (fullwidth, styled
    /// letters, accents): an ordinary letter or digit, but of unknown case, so it never starts or
    /// ends a camel-case part.
    @inline(__always)
    private mutating func emitFoldedASCII(_ byte: UInt8, _ s: Int32) {
        if byte >= 0x30 && byte <= 0x39 {
            emitDigit(byte, s)
        } else {
            emitLetter(byte, s)
            prevCase = 4  // a letter of unknown case
        }
    }

    // MARK: Token rules

    private mutating func endToken() {
        guard inToken else { return }
        endTokenRules()
        commit()
    }

    /// Describes the bytes written since the last commit by map segments.
    @inline(__always)
    private mutating func commit() {
        if committed < out.count {
            MapSegment.compress(bytes: out.pointer, starts: starts.pointer, ends: ends.pointer, from: committed, to: out.count, into: &segments)
        }
        committed = out.count
    }

    /// Takes back the segments of the bytes from `position` on, so a finished token can grow
    /// again. `position` is where a commit began (a general-path token's first byte or its
    /// space), so no segment straddles it and `starts`/`ends` still hold those bytes' sources.
    private mutating func uncommit(from position: Int) {
        while segments.count > 0 && Int(segments[segments.count - 1].normalizedStart) >= position { segments.removeLast() }
        committed = min(committed, position)
    }

    /// Writes the sources of every byte into `starts`/`ends` (before a pass that needs them all).
    private mutating func materializeMap() {
        MapSegment.expand(segments.pointer, count: segments.count, bytes: out.pointer, upTo: committed, starts: starts.pointer, ends: ends.pointer)
    }

    private mutating func endTokenRules() {
        inToken = false
        lastTokenLength = out.count - tokenStart
        // Fast exit: a plain lower-case word of two letters or more that slang cannot touch.
        if flags.subtracting(.hasLower) == .hasLetter && !hasSlang && out.count - tokenStart > 1 {
            singleLetterRun = 0
            return
        }
        // Fast exit: a token without ASCII letters or digits that is not a hashtag (an emoji, a
        // symbol, a word of other scripts). Every rule below needs a letter, a digit or the
        // `#` (slang keys begin and end with a letter), so none applies.
        if fastPath && flags.isDisjoint(with: [.hasLetter, .hasDigit, .hashtag]) {
            singleLetterRun = 0
            return
        }
        var length = out.count - tokenStart
        let body = flags.contains(.hashtag) ? 1 : 0
        if length == body {
            // A lone '#' (its word was dropped): not a token.
            out.count = tokenStart
            starts.count = tokenStart
            ends.count = tokenStart
            if tokenStart > 0 { out.count -= 1; starts.count -= 1; ends.count -= 1 }
            if sentenceStarts.last == Int32(truncatingIfNeeded: tokenStart) { sentenceStarts.removeLast(); pendingSentence = true }
            return
        }
        if flags.contains(.confusable) && (flags.contains(.hasLetter)) { replaceConfusables() }
        // Camel-case parts are cut from the word as written, before digits or elongations change it.
        let parts = partsEnabled && mode == .text && partBounds(body)
        if parts {
            let count = out.count - tokenStart
            snapshotBytes.reserve(count)
            snapshotStarts.reserve(count)
            snapshotEnds.reserve(count)
            snapshotBytes.pointer.update(from: out.pointer + tokenStart, count: count)
            snapshotStarts.pointer.update(from: starts.pointer + tokenStart, count: count)
            snapshotEnds.pointer.update(from: ends.pointer + tokenStart, count: count)
        }
        // Squeeze first ("oooo8" → "o8" → "08", as a second pass would see it), undo digits,
        // then squeeze what the digits revealed ("ga4as" → "gaaas" → "gas").
        if flags.contains(.doubled) { squeezeElongation(body) }
        if flags.contains(.digitAndLetter) || (out.count - tokenStart - body == 2 && flags.contains(.hasDigit)) {
            flags.remove([.doubled, .elongated])
            undoDigitSpelling(body)
            if flags.contains(.doubled) && !flags.contains(.rewritten) {
                squeezeElongation(body)
                // Squeezing can leave "o" and a digit ("oooo0oooooo8" → "ooo8" → "o8"), which a
                // second pass reads as "08": apply that rule now, so the result is a fixed point.
                let first = tokenStart + body
                if out.count - first == 2 && out[first] == UInt8(ascii: "o") && out[first + 1] >= 0x31 && out[first + 1] <= 0x39 {
                    undoDigitSpelling(body)
                }
            }
        }
        length = out.count - tokenStart
        if body == 0 && hasSlang && length <= SlangTable.maxKeyLength && !flags.contains(.hasDigit)
            && !flags.contains(.rewritten) {
            expandSlang(body)
        }
        // Spaced single letters: remember runs, join them after the record.
        if out.count - tokenStart == 1 && flags.contains(.hasLetter) && !flags.contains(.hashtag) {
            singleLetterRun += 1
            singleLetterTokens &+= 1
            if singleLetterRun >= 3 { needsJoinPass = true }
        } else {
            singleLetterRun = 0
        }
        if parts { appendParts() }
    }

    /// Where the parts of a camel-case word or a mixed-case hashtag begin and end (offsets into
    /// the token), in `partBoundsScratch`; false when the word has no parts to add.
    private mutating func partBounds(_ body: Int) -> Bool {
        let length = out.count - tokenStart
        guard camelSplits.count > 0, flags.contains(.hasUpper), !flags.contains(.resized),
              flags.contains(.hashtag) || flags.contains(.hasLower) else { return false }
        // Only plain letters and digits split cleanly ("7/1Wih" keeps its slash only between digits).
        for i in (tokenStart + body)..<out.count {
            let c = out[i]
            if !((c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39)) { return false }
        }
        // The splits in ascending order (insertion sort: a word has a few).
        let splits = camelSplits.pointer
        for k in 1..<max(1, camelSplits.count) {
            let x = splits[k]
            var j = k - 1
            while j >= 0 && splits[j] > x {
                splits[j + 1] = splits[j]
                j -= 1
            }
            splits[j + 1] = x
        }
        partBoundsScratch.count = 0
        partBoundsScratch.append(Int32(body))
        for k in 0..<camelSplits.count {
            let split = splits[k]
            if split > body && split < length && split != partBoundsScratch[partBoundsScratch.count - 1] { partBoundsScratch.append(split) }
        }
        partBoundsScratch.append(Int32(length))
        let bounds = partBoundsScratch
        guard bounds.count > 2 || body == 1 else { return false }
        // A one-letter part ("iPhone" → "i") could join neighbouring single letters when the
        // output is normalized again; such words keep only their whole form.
        for k in 0..<(bounds.count - 1) where bounds[k + 1] - bounds[k] == 1 {
            let c = out[tokenStart + Int(bounds[k])]
            if c >= 0x61 && c <= 0x7A { return false }
        }
        return true
    }

    /// Non-Latin letters inside a word that also has Latin letters become their skeletons.
    private mutating func replaceConfusables() {
        var hasLatin = false
        for i in tokenStart..<out.count where out[i] >= 0x61 && out[i] <= 0x7A { hasLatin = true; break }
        guard hasLatin else { return }
        // Rebuild the token tail from the first replaced unit.
        for unit in nonASCIIUnits.reversed() {
            let at = tokenStart + unit.offset
            let s = starts[at], e = ends[at]
            replace(at: at, length: unit.length, with: unit.skeleton, start: s, end: e)
        }
        flags.insert(.hasLetter)
        // New Latin letters can make doubles or elongations ("AaАn" → "aaan") and letter-digit
        // mixes ("а1а" → "a1a", then "aia").
        recomputeDoubles(tokenStart + (flags.contains(.hashtag) ? 1 : 0))
        var digits = false
        for i in tokenStart..<out.count where out[i] >= 0x30 && out[i] <= 0x39 { digits = true; break }
        if digits { flags.insert([.hasDigit, .digitAndLetter]) }
    }

    /// "pr4bowo" → "prabowo", "m3tal" → "metal", "O1" → "01"; numbers, dates and "kawan2" stay.
    private mutating func undoDigitSpelling(_ body: Int) {
        let first = tokenStart + body, end = out.count
        let length = end - first
        if length == 2 && out[first] == UInt8(ascii: "o") && out[first + 1] >= 0x31 && out[first + 1] <= 0x39 {
            out[first] = UInt8(ascii: "0")
            flags.insert(.resized)  // the letter/digit split of "#O2" no longer exists
            return
        }
        if isVerbatim(first) { return }
        var letters = 0
        for i in first..<end where out[i] >= 0x61 && out[i] <= 0x7A { letters += 1 }
        guard letters >= 2 else { return }
        func isLetter(_ i: Int) -> Bool { i >= first && i < end && out[i] >= 0x61 && out[i] <= 0x7A }
        var changed = false
        for i in first..<end {
            let d = out[i]
            guard d >= 0x30 && d <= 0x39, let letter = digitAsLetter[Int(d - 0x30)] else { continue }
            let between = isLetter(i - 1) && isLetter(i + 1)
            // At the end of a word only "0" stands for a letter ("prabow0"); "paslon1",
            // "nomor3" and "pilih1" keep their numbers.
            let atEnd = d == 0x30 && i == end - 1 && i - first >= 3 && isLetter(i - 1) && isLetter(i - 2) && isLetter(i - 3)
            if between || atEnd {
                out[i] = letter
                changed = true
            }
        }
        if changed {
            var stillDigit = false
            for i in first..<end where out[i] >= 0x30 && out[i] <= 0x39 { stillDigit = true }
            if !stillDigit { flags.remove(.hasDigit) }
            recomputeDoubles(first)
            flags.insert(.resized)  // camel-case parts were cut at digits that are now letters
        }
    }

    /// Words that look like evasions but are real terms ("p3k", "pppk"): no digit or
    /// elongation rule touches them.
    private mutating func isVerbatim(_ first: Int) -> Bool {
        let length = out.count - first
        guard length <= 8 else { return false }
        return verbatimWords.contains { word in
            word.count == length && word.indices.allSatisfy { out[first + $0] == word[$0] }
        }
    }

    private mutating func recomputeDoubles(_ first: Int) {
        var previous: UInt8 = 0
        var run = 0
        for i in first..<out.count {
            let c = out[i]
            if c == previous && c >= 0x61 && c <= 0x7A {
                run += 1
                flags.insert(run >= 3 ? [.doubled, .elongated] : .doubled)
            } else {
                run = 1
            }
            previous = c
        }
    }

    /// Runs of three or more equal letters shrink to one, or to two when only that is a word
    /// ("maaaaf" → "maaf"). Any elongated spelling of "amin" is the prayer "aamiin".
    private mutating func squeezeElongation(_ body: Int) {
        let first = tokenStart + body
        if out[first] == UInt8(ascii: "a") && out[out.count - 1] == UInt8(ascii: "n") && out.count - first <= 16,
           prayer(first) {
            return
        }
        guard flags.contains(.elongated), !isVerbatim(first) else { return }
        squeezeRuns(first)
    }

    /// Any spelling of "amin" with a repeated letter ("aamiin", "amiin", "aaamiiin") is the prayer.
    private mutating func prayer(_ first: Int) -> Bool {
        // The token with each run of an equal letter squeezed to one must read "amin".
        let amin: UInt32 = 0x6E69_6D61  // "amin", first letter in the low byte
        var matched = 0
        var previous: UInt8 = 0
        for i in first..<out.count {
            let c = out[i]
            if c == previous && c >= 0x61 && c <= 0x7A { continue }
            if matched == 4 || c != UInt8(truncatingIfNeeded: amin >> UInt32(8 * matched)) { return false }
            matched += 1
            previous = c
        }
        if matched == 4 && out.count - first > 4 {
            let s = starts[first], e = ends[out.count - 1]
            replace(at: first, length: out.count - first, with: Array("aamiin".utf8), start: s, end: e)
            flags.insert(.rewritten)
            return true
        }
        return false
    }

    private mutating func squeezeRuns(_ first: Int) {
        // Candidates: runs of 3+ to one letter, or to two (indices kept and their letters, in
        // scratch arrays that keep their storage from word to word).
        squeezeOne.removeAll(keepingCapacity: true)
        squeezeTwo.removeAll(keepingCapacity: true)
        squeezeOneWord.removeAll(keepingCapacity: true)
        squeezeTwoWord.removeAll(keepingCapacity: true)
        var i = first
        while i < out.count {
            var j = i + 1
            while j < out.count && out[j] == out[i] && out[i] >= 0x61 && out[i] <= 0x7A { j += 1 }
            let run = j - i
            if run >= 3 {
                squeezeOne.append(i)
                squeezeTwo.append(i); squeezeTwo.append(i + 1)
                squeezeOneWord.append(out[i])
                squeezeTwoWord.append(out[i]); squeezeTwoWord.append(out[i])
            } else {
                for k in i..<j {
                    squeezeOne.append(k); squeezeTwo.append(k)
                    squeezeOneWord.append(out[k]); squeezeTwoWord.append(out[k])
                }
            }
            i = j
        }
        let keepTwo = !configuration.dictionary.contains(squeezeOneWord) && configuration.dictionary.contains(squeezeTwoWord)
        keepOnly(keepTwo ? squeezeTwo : squeezeOne, from: first)
    }

    /// Keeps the bytes at `indices` (ascending, all ≥ first) and drops the rest of the token tail.
    private mutating func keepOnly(_ indices: [Int], from first: Int) {
        var write = first
        for index in indices {
            out[write] = out[index]
            starts[write] = starts[index]
            ends[write] = ends[index]
            write += 1
        }
        // The kept letter of a run stands for the whole run in the original.
        if let last = indices.last, write > first, last + 1 < out.count {
            ends[write - 1] = max(ends[write - 1], ends[out.count - 1])
        }
        out.count = write
        starts.count = write
        ends.count = write
        flags.insert(.resized)
    }

    private mutating func expandSlang(_ body: Int) {
        let first = tokenStart + body
        let entry = configuration.slang.lookup(out.view(from: first))
        if entry < 0 { return }
        let replacement = configuration.slang.replacement(entry)
        let s = starts[first], e = ends[out.count - 1]
        replace(at: first, length: out.count - first, with: replacement, start: s, end: e)
        flags.insert(.rewritten)
    }

    /// `#PrabowoGibran2024` → adds `prabowo gibran 2024` after the whole tag. Each part is a
    /// token of its own and goes through every word rule, as it would on a second pass.
    private mutating func appendParts() {
        partsEnabled = false
        defer { partsEnabled = true }
        for k in 0..<(partBoundsScratch.count - 1) {
            let from = Int(partBoundsScratch[k]), to = Int(partBoundsScratch[k + 1])
            guard to > from else { continue }
            beginToken(snapshotStarts[from])
            // The flags the byte loop would give the part's bytes, then the bytes and their
            // sources copied at once.
            var f = flags
            var previous: UInt8 = 0
            var run = 0
            let bytes = snapshotBytes.pointer
            for i in from..<to {
                let b = bytes[i]
                if b >= 0x61 && b <= 0x7A {
                    f.insert([.hasLetter, .hasLower])
                    if f.contains(.hasDigit) { f.insert(.digitAndLetter) }
                    if b == previous {
                        run += 1
                        f.insert(run >= 3 ? [.doubled, .elongated] : .doubled)
                    } else {
                        run = 1
                    }
                } else if b >= 0x30 && b <= 0x39 {
                    f.insert(.hasDigit)
                    if f.contains(.hasLetter) { f.insert(.digitAndLetter) }
                    run = 0
                } else {
                    f.insert(.nonASCII)
                    run = 0
                }
                previous = b
            }
            flags = f
            let count = to - from, at = out.count
            reserveOutput(at + count)
            (out.pointer + at).update(from: bytes + from, count: count)
            (starts.pointer + at).update(from: snapshotStarts.pointer + from, count: count)
            (ends.pointer + at).update(from: snapshotEnds.pointer + from, count: count)
            out.count = at + count
            starts.count = at + count
            ends.count = at + count
            endToken()
        }
    }

    /// Replaces `length` bytes at `at` (inside the current token tail) by `bytes`, all mapped to
    /// the original scalars `start..<end`.
    private mutating func replace(at: Int, length: Int, with bytes: [UInt8], start: Int32, end: Int32) {
        let tail = out.count - (at + length)
        let newCount = at + bytes.count + tail
        reserveOutput(newCount)
        // Move the tail in place (the ranges may overlap), then write the replacement.
        let from = at + length, to = at + bytes.count
        (out.pointer + to).update(from: out.pointer + from, count: tail)
        (starts.pointer + to).update(from: starts.pointer + from, count: tail)
        (ends.pointer + to).update(from: ends.pointer + from, count: tail)
        for (k, b) in bytes.enumerated() {
            out[at + k] = b
            starts[at + k] = start
            ends[at + k] = end
        }
        out.count = newCount
        starts.count = newCount
        ends.count = newCount
        if bytes.count != length { flags.insert(.resized) }
    }

    /// Where the last token written begins: after the last space (tokens are the pieces between
    /// single spaces).
    private func lastTokenStart() -> Int {
        var i = out.count
        while i > 0 && out[i - 1] != 0x20 { i -= 1 }
        return i
    }

    /// Fills `tokenStarts` from the spaces of the finished text, and turns the sentence starts
    /// from byte offsets into token indices.
    private mutating func findTokenStarts() {
        tokenStarts.reserve(out.count &+ 17)
        tokenStarts.count = netra_token_starts(out.pointer, out.count, tokenStarts.pointer)
        let tokens = tokenStarts.view, sentences = sentenceStarts.pointer
        for k in 0..<sentenceStarts.count {
            // Each offset is a token's start: the last token starting at or before it.
            let token = NormalizedText.lastIndex(in: tokens, notAbove: sentences[k])
            assert(token < tokens.count && tokens[token] == sentences[k], "sentence start \(sentences[k]) is no token start")
            sentences[k] = Int32(truncatingIfNeeded: token)
        }
    }

    /// Joins runs of three or more single letters ("p r a b o w o", "A.M.I.N", "P-R-A"), whatever
    /// separates them, so the rule gives the same result on already normalized text. Works in
    /// place: the text only shrinks (the spaces inside a run go), so every byte and token start
    /// is written at or before where it is read.
    private mutating func joinSpacedLetters() {
        let tokenCount = tokenStarts.count
        let n = out.count
        let o = out.pointer, st = starts.pointer, en = ends.pointer, ts = tokenStarts.pointer
        joinTokenMap.reserve(tokenCount)
        let tokenMap = joinTokenMap.pointer  // old token -> new token
        @inline(__always) func tokenEnd(_ t: Int) -> Int { t + 1 < tokenCount ? Int(ts[t + 1]) - 1 : n }
        @inline(__always) func isSingleLetter(_ t: Int) -> Bool {
            let s = Int(ts[t])
            return tokenEnd(t) - s == 1 && o[s] >= 0x61 && o[s] <= 0x7A
        }
        var w = 0, newTokens = 0
        var t = 0
        while t < tokenCount {
            var u = t
            if isSingleLetter(t) {
                while u + 1 < tokenCount && isSingleLetter(u + 1) { u += 1 }
            }
            let last = u - t + 1 >= 3 ? u : t
            let first = Int(ts[t])
            if w > 0 {
                // The space before the token maps to nothing just before it (w < first).
                let s = st[first]
                o[w] = 0x20; st[w] = s; en[w] = s
                w += 1
            }
            let newStart = Int32(truncatingIfNeeded: w)
            for k in t...last {
                tokenMap[k] = Int32(truncatingIfNeeded: newTokens)
                let from = Int(ts[k]), count = tokenEnd(k) - from
                // Moving down (w ≤ from): an ascending copy never overwrites what it has still to read.
                for x in 0..<count {
                    o[w + x] = o[from + x]; st[w + x] = st[from + x]; en[w + x] = en[from + x]
                }
                w += count
            }
            // Token starts `t...last + 1` have been read; `newTokens` ≤ `t`.
            ts[newTokens] = newStart
            newTokens += 1
            t = last + 1
        }
        out.count = w
        starts.count = w
        ends.count = w
        tokenStarts.count = newTokens
        let sentences = sentenceStarts.pointer
        var kept = 0
        for k in 0..<sentenceStarts.count where Int(sentences[k]) < tokenCount {
            let mapped = tokenMap[Int(sentences[k])]
            if kept == 0 || sentences[kept - 1] != mapped {
                sentences[kept] = mapped
                kept += 1
            }
        }
        sentenceStarts.count = kept
    }
}

/// The `count` low bits set (0 ≤ count ≤ 64).
@inline(__always)
func lowBits(_ count: Int) -> UInt64 { count >= 64 ? ~0 : (1 &<< UInt64(truncatingIfNeeded: count)) &- 1 }

/// Token facts gathered while its bytes are written, so ordinary tokens skip every rule.
struct TokenFlags: OptionSet {
    let rawValue: UInt16
    static let hasLetter = TokenFlags(rawValue: 1 << 0)
    static let hasDigit = TokenFlags(rawValue: 1 << 1)
    static let digitAndLetter = TokenFlags(rawValue: 1 << 2)
    static let hasUpper = TokenFlags(rawValue: 1 << 3)
    static let doubled = TokenFlags(rawValue: 1 << 4)
    static let elongated = TokenFlags(rawValue: 1 << 5)
    static let hashtag = TokenFlags(rawValue: 1 << 6)
    /// Bytes outside ASCII: keeps the word off `endToken`'s fast exit.
    static let nonASCII = TokenFlags(rawValue: 1 << 7)
    static let confusable = TokenFlags(rawValue: 1 << 8)
    /// Replaced whole by slang or the prayer form: no further word rule applies.
    static let rewritten = TokenFlags(rawValue: 1 << 9)
    /// Bytes were added or removed (confusables, squeezing): camel-case offsets no longer hold.
    static let resized = TokenFlags(rawValue: 1 << 10)
    static let hasLower = TokenFlags(rawValue: 1 << 11)
}

/// Real terms that look like evasions: PPPK (government contract employees) and its short form.
private let verbatimWords: [[UInt8]] = ["pppk", "p3k", "www"].map { Array($0.utf8) }

private let digitAsLetter: [UInt8?] = [
    UInt8(ascii: "o"), UInt8(ascii: "i"), nil, UInt8(ascii: "e"), UInt8(ascii: "a"),
    UInt8(ascii: "s"), UInt8(ascii: "g"), UInt8(ascii: "t"), UInt8(ascii: "b"), UInt8(ascii: "g"),
]

enum ASCIIClass: UInt8 {
    case lower, upper, digit, hash, joiner, sentenceEnd, newline, separator, nonASCII
}

/// The same table as a pointer that lives as long as the process, so the hot loop does not go
/// through the global's lazy-initialization accessor for every byte.
nonisolated(unsafe) let asciiClassTable: UnsafePointer<ASCIIClass> = {  // immutable after initialization
    let p = UnsafeMutablePointer<ASCIIClass>.allocate(capacity: 256)
    p.initialize(from: asciiClass, count: 256)
    return UnsafePointer(p)
}()

/// The class of every byte for the ASCII loop.
let asciiClass: [ASCIIClass] = (0..<256).map { value -> ASCIIClass in
    let b = UInt8(value)
    switch b {
    case 0x61...0x7A: return .lower
    case 0x41...0x5A: return .upper
    case 0x30...0x39: return .digit
    case UInt8(ascii: "#"): return .hash
    case UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: "-"): return .joiner
    case UInt8(ascii: "!"), UInt8(ascii: "?"): return .sentenceEnd
    case 0x0A: return .newline
    case 0x80...0xFF: return .nonASCII
    default: return .separator
    }
}

/// Folded scalars by code point: pages of 256 slot indices, made when first needed, so a lookup
/// is two array reads instead of hashing (the memo is hit for every non-ASCII scalar).
struct ScalarMemo {
    private var pages = [[Int32]?](repeating: nil, count: 0x1100)
    private(set) var values: [FoldedScalar] = []

    /// Per memo index: the folded scalar's shape and bytes when it has one of the common
    /// shapes (`QuickScalar`).
    private var quickForms: [UInt64] = []

    @inline(__always)
    func quick(_ index: Int) -> QuickScalar { QuickScalar(bits: quickForms[index]) }

    @inline(__always)
    func index(of value: UInt32) -> Int? {
        let page = Int(value >> 8)
        guard page < pages.count, let slots = pages[page] else { return nil }
        let slot = slots[Int(value & 0xFF)]
        return slot > 0 ? Int(slot) - 1 : nil
    }

    /// Remembers `folded` for `value`; it is `values.last` afterwards. (A value past U+10FFFF,
    /// which valid UTF-8 never decodes to, is stored without an index entry.)
    mutating func insert(_ folded: FoldedScalar, for value: UInt32) {
        values.append(folded)
        quickForms.append(QuickScalar(folded).bits)
        let page = Int(value >> 8)
        guard page < pages.count else { return }
        if pages[page] == nil { pages[page] = [Int32](repeating: 0, count: 256) }
        pages[page]![Int(value & 0xFF)] = Int32(values.count)
    }
}

/// A folded scalar in one of the shapes most non-ASCII scalars have, packed in 64 bits so the
/// byte loop reads it without retaining the memo's arrays: the shape (bits 0–7), the number of
/// bytes (8–15) and up to four bytes (16–47).
struct QuickScalar {
    enum Shape: UInt8 {
        /// Anything else: read the `FoldedScalar` itself.
        case general
        /// One symbol piece (an emoji): a token of its own.
        case symbol
        /// Separator pieces only; `endsSentence` says whether it ends a sentence.
        case separator
        /// Nothing but ignorable pieces (marks, modifiers, format characters), or no piece.
        case ignorable
        /// Word pieces that are each one ASCII letter or digit, without a confusable skeleton
        /// (accents, fullwidth and styled letters).
        case asciiWord
    }

    let bits: UInt64

    init(bits: UInt64) { self.bits = bits }

    init(_ folded: FoldedScalar) {
        var shape = Shape.general
        var bytes: [UInt8] = []
        let pieces = folded.pieces
        if pieces.allSatisfy({ !$0.isWord && !$0.isSymbol && !$0.isSeparator }) {
            shape = .ignorable
        } else if pieces.count == 1, pieces[0].isSymbol, pieces[0].utf8.count <= 4 {
            shape = .symbol
            bytes = pieces[0].utf8
        } else if pieces.allSatisfy({ $0.isSeparator || (!$0.isWord && !$0.isSymbol) }) {
            shape = .separator
        } else if pieces.count <= 4, pieces.allSatisfy({ $0.isWord && $0.confusable == nil && $0.utf8.count == 1 && $0.utf8[0] < 0x80 }) {
            shape = .asciiWord
            bytes = pieces.map { $0.utf8[0] }
        }
        var packed = UInt64(shape.rawValue) | UInt64(bytes.count) << 8 | (folded.endsSentence ? 1 << 48 : 0)
        for (k, b) in bytes.enumerated() { packed |= UInt64(b) << UInt64(16 + 8 * k) }
        bits = packed
    }

    @inline(__always) var shape: Shape { Shape(rawValue: UInt8(truncatingIfNeeded: bits)) ?? .general }
    @inline(__always) var count: Int { Int(truncatingIfNeeded: (bits >> 8) & 0xFF) }
    @inline(__always) var endsSentence: Bool { bits & (1 << 48) != 0 }
    @inline(__always) func byte(_ k: Int) -> UInt8 { UInt8(truncatingIfNeeded: bits >> UInt64(truncatingIfNeeded: 16 + 8 * k)) }
}

/// One non-ASCII scalar after ICU, memoized.
struct FoldedScalar {
    struct Piece {
        var cls: Int32
        var utf8: [UInt8]
        var isWord: Bool { cls == Int32(CICU_CLASS_WORD) }
        var isSymbol: Bool { cls == Int32(CICU_CLASS_SYMBOL) }
        var isSeparator: Bool { cls == Int32(CICU_CLASS_SEPARATOR) }
        /// For a non-Latin letter: its confusable skeleton when that is plain ASCII letters.
        var confusable: [UInt8]?
    }
    var pieces: [Piece]
    /// Sentence-ending punctuation outside ASCII ("。", "…" is not one).
    var endsSentence: Bool

    init(_ value: UInt32) {
        let folded = Self.call(value, cicu_fold_scalar_ascii) ?? String(Unicode.Scalar(value) ?? " ")
        var pieces: [Piece] = []
        for scalar in folded.unicodeScalars {
            var cls = cicu_scalar_class(scalar.value)
            var utf8 = Array(String(scalar).utf8)
            if scalar.isASCII {
                let byte = UInt8(scalar.value)
                switch asciiClass[Int(byte)] {
                case .lower, .digit: cls = Int32(CICU_CLASS_WORD)
                case .upper: cls = Int32(CICU_CLASS_WORD); utf8 = [byte | 0x20]
                default: cls = Int32(CICU_CLASS_SEPARATOR)
                }
            }
            var confusable: [UInt8]?
            if !scalar.isASCII, cicu_is_non_latin_letter(scalar.value) != 0 {
                // The folded letter first (Cyrillic а → "a"); some capitals only have a Latin
                // look-alike in upper case (Cyrillic М, В, К → "M", "B", "K").
                var candidates = [scalar.value]
                if folded.unicodeScalars.count == 1 && value != scalar.value { candidates.append(value) }
                for candidate in candidates {
                    guard let skeleton = Self.call(candidate, cicu_skeleton_scalar) else { continue }
                    let bytes = Array(skeleton.lowercased().utf8)
                    if !bytes.isEmpty && bytes.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A }) {
                        confusable = bytes
                        break
                    }
                }
            }
            pieces.append(Piece(cls: cls, utf8: utf8, confusable: confusable))
        }
        self.pieces = pieces
        endsSentence = [0x3002, 0xFF01, 0xFF1F, 0x061F].contains(value)
    }

    private static func call(_ value: UInt32, _ f: (UInt32, UnsafeMutablePointer<CChar>?, Int32) -> Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: 128)
        var length = f(value, &buffer, Int32(buffer.count))
        if length > Int32(buffer.count) {
            buffer = [CChar](repeating: 0, count: Int(length))
            length = f(value, &buffer, length)
        }
        guard length >= 0 else { return nil }
        return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
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
