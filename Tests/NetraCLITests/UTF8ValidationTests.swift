import NetraCore
import Testing
@testable import Netra

/// The slow, obvious oracle for `RecordDecoder.firstInvalidUTF8`: the first invalid sequence
/// begins where the longest prefix the standard library accepts as UTF-8 ends.
func firstInvalidUTF8Oracle(_ bytes: [UInt8]) -> Int? {
    if String(validating: bytes, as: UTF8.self) != nil { return nil }
    var longest = 0
    for length in 0...bytes.count where String(validating: bytes[0..<length], as: UTF8.self) != nil { longest = length }
    return longest
}

func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
    bytes.withUnsafeBufferPointer { RecordDecoder.firstInvalidUTF8($0) }
}

/// `count` ASCII letters.
func asciiRun(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(ascii: "a") + UInt8($0 % 26) } }

let utf8ValidationCases: [(name: String, bytes: [UInt8], expected: Int?)] = [
    ("empty", [], nil),
    ("ASCII only, 100 bytes", asciiRun(100), nil),
    ("two-byte é", Array("café".utf8), nil),
    ("three-byte €", Array("harga €5".utf8), nil),
    ("four-byte emoji", Array("coblos ✌️😀".utf8), nil),
    ("lone continuation byte first", [0x80] + asciiRun(40), 0),
    ("bad byte at 15", asciiRun(15) + [0xFF] + asciiRun(40), 15),
    ("bad byte at 16", asciiRun(16) + [0xFF] + asciiRun(40), 16),
    ("bad byte at 31", asciiRun(31) + [0xFE] + asciiRun(40), 31),
    ("bad byte at 32", asciiRun(32) + [0xC0, 0x80], 32),
    ("bad byte at 33, in the scalar tail", asciiRun(33) + [0xFF], 33),
    ("bad byte at 63 after a valid emoji", asciiRun(20) + Array("😀".utf8) + asciiRun(39) + [0x80], 63),
    ("overlong two-byte NUL", asciiRun(3) + [0xC0, 0x80], 3),
    ("overlong three-byte", asciiRun(40) + [0xE0, 0x80, 0xAF], 40),
    ("UTF-16 surrogate encoded", asciiRun(5) + [0xED, 0xA0, 0x80], 5),
    ("above U+10FFFF", asciiRun(2) + [0xF4, 0x90, 0x80, 0x80], 2),
    ("truncated at the end", asciiRun(50) + [0xE2, 0x82], 50),
    ("lead byte then ASCII", asciiRun(17) + [0xE2, 0x41, 0x42], 17),
    ("valid non-ASCII then a bad byte", Array("é".utf8) + asciiRun(35) + [0xF8], 37),
]

@Test(arguments: utf8ValidationCases.indices)
func firstInvalidUTF8MatchesTheOracle(_ index: Int) {
    let c = utf8ValidationCases[index]
    #expect(firstInvalidUTF8(c.bytes) == c.expected, "\(c.name)")
    #expect(firstInvalidUTF8Oracle(c.bytes) == c.expected, "\(c.name) (oracle)")
}

@Test func firstInvalidUTF8MatchesTheOracleOnRandomBytes() {
    var generator = SplitMix64(seed: 0x5554_4638)
    // Mostly ASCII with scattered high bytes and valid sequences, lengths around the 16- and
    // 32-byte steps of the ASCII skip.
    let pieces: [[UInt8]] = [[0x61], [0x20], [0xC3, 0xA9], [0xE2, 0x9C, 0x8C], [0xF0, 0x9F, 0x98, 0x80], [0x80], [0xC3], [0xFF], [0xED, 0xA0, 0x80]]
    for _ in 0..<2_000 {
        var bytes: [UInt8] = []
        let length = Int(generator.next() % 80)
        while bytes.count < length {
            let r = generator.next() % 100
            bytes += r < 85 ? pieces[Int(r % 2)] : pieces[Int(r % UInt64(pieces.count))]
        }
        #expect(firstInvalidUTF8(bytes) == firstInvalidUTF8Oracle(bytes), "\(bytes)")
    }
}
