import NetraCore
import Testing
@testable import NetraText

// The offset map's run-length form: `MapSegment.compress` (byte-by-byte map to segments) and
// `MapSegment.expand` (segments back to bytes, a segment at a time) against the map they must
// describe and against `source(ofByte:_:)` asked byte by byte, the slow, obvious definition.

/// A byte-by-byte map with its bytes: what the normalizer holds before `compress`.
struct ByteMap {
    var bytes: [UInt8] = [], starts: [Int32] = [], ends: [Int32] = []

    /// Words one space apart, each letter from one scalar and each space from nothing just
    /// before the next word, as the fast path maps them.
    mutating func words(_ text: String, at scalar: Int32) {
        var x = scalar
        for b in text.utf8 {
            bytes.append(b)
            starts.append(b == 0x20 ? x + 1 : x)
            ends.append(x + 1)
            x += 1
        }
    }

    /// `count` bytes all from `start..<end` (a replacement, a folded scalar, a separator).
    mutating func replacement(_ text: String, from start: Int32, to end: Int32) {
        for b in text.utf8 {
            bytes.append(b)
            starts.append(start)
            ends.append(end)
        }
    }

    func segments() -> [MapSegment] {
        var buffer = Buffer<MapSegment>()
        defer { buffer.free() }
        MapSegment.compress(bytes: bytes, starts: starts, ends: ends, from: 0, to: bytes.count, into: &buffer)
        return Array(buffer.view)
    }

    /// The map `segments` describe, by `expand`.
    func expanded(_ segments: [MapSegment]) -> (starts: [Int32], ends: [Int32]) {
        var s = [Int32](repeating: -7, count: bytes.count), e = [Int32](repeating: -7, count: bytes.count)
        s.withUnsafeMutableBufferPointer { sp in
            e.withUnsafeMutableBufferPointer { ep in
                guard let starts = sp.baseAddress, let ends = ep.baseAddress else { return }
                MapSegment.expand(segments, count: segments.count, bytes: bytes, upTo: bytes.count, starts: starts, ends: ends)
            }
        }
        return (s, e)
    }

    /// The map `segments` describe, by `source(ofByte:_:)` for every byte.
    func byteByByte(_ segments: [MapSegment]) -> (starts: [Int32], ends: [Int32]) {
        var s: [Int32] = [], e: [Int32] = []
        for i in bytes.indices {
            let k = segments.lastIndex { Int($0.normalizedStart) <= i }!
            let source = segments[k].source(ofByte: i, bytes[i])
            s.append(source.start)
            e.append(source.end)
        }
        return (s, e)
    }
}

struct MapSegmentCase: CustomTestStringConvertible, Sendable {
    var name: String
    var segmentCount: Int
    var build: @Sendable (inout ByteMap) -> Void
    var testDescription: String { name }
}

private let mapSegmentCases: [MapSegmentCase] = [
    .init(name: "one run of words", segmentCount: 1) { $0.words("saya suka kamu", at: 0) },
    .init(name: "words after a dropped comma start a new run", segmentCount: 2) {
        $0.words("halo", at: 0)
        $0.words(" apa kabar", at: 5)
    },
    .init(name: "a slang replacement between words", segmentCount: 3) {
        $0.words("aku", at: 0)
        $0.replacement(" yang", from: 4, to: 6)
        $0.words(" bilang", at: 6)
    },
    .init(name: "a one-byte word is not a run", segmentCount: 2) {
        $0.words("a", at: 0)
        $0.replacement("salam dua jari", from: 2, to: 3)
    },
    .init(name: "an emoji name after an emoji name", segmentCount: 2) {
        $0.replacement("salam dua jari", from: 0, to: 1)
        $0.replacement(" tertawa", from: 1, to: 2)
    },
    .init(name: "empty", segmentCount: 0) { _ in },
]

@Test("map segments describe exactly the byte-by-byte map they were compressed from", arguments: mapSegmentCases)
func mapSegmentsRoundTrip(_ c: MapSegmentCase) {
    var map = ByteMap()
    c.build(&map)
    let segments = map.segments()
    #expect(segments.count == c.segmentCount)
    let expanded = map.expanded(segments), slow = map.byteByByte(segments)
    #expect(expanded.starts == map.starts && expanded.ends == map.ends)
    #expect(slow.starts == map.starts && slow.ends == map.ends)
}

@Test("map segments round-trip random maps of words, replacements and stray bytes")
func mapSegmentsRandom() {
    var random = SplitMix64(seed: 22)
    let words = ["a", "di", "yang", "prabowo", "kita", "menang"]
    for _ in 0..<500 {
        var map = ByteMap()
        var scalar: Int32 = 0
        for _ in 0..<Int.random(in: 1...12, using: &random) {
            switch Int.random(in: 0..<4, using: &random) {
            case 0, 1:
                let text = (0..<Int.random(in: 1...4, using: &random)).map { _ in words.randomElement(using: &random)! }.joined(separator: " ")
                let lead = map.bytes.isEmpty ? "" : " "
                map.words(lead + text, at: scalar - Int32(lead.utf8.count) + 1)
                scalar += Int32(text.utf8.count) + Int32.random(in: 1...3, using: &random)
            case 2:
                let width = Int32.random(in: 0...3, using: &random)
                map.replacement(words.randomElement(using: &random)!, from: scalar, to: scalar + width)
                scalar += width + 1
            default:
                // A byte mapped any way at all.
                let start = Int32.random(in: 0...scalar + 2, using: &random)
                map.bytes.append(Bool.random(using: &random) ? 0x20 : 0x61)
                map.starts.append(start)
                map.ends.append(start + Int32.random(in: 0...2, using: &random))
            }
        }
        let segments = map.segments()
        let expanded = map.expanded(segments), slow = map.byteByByte(segments)
        #expect(expanded.starts == map.starts && expanded.ends == map.ends)
        #expect(slow.starts == map.starts && slow.ends == map.ends)
        #expect(segments.count <= map.bytes.count)
    }
}
