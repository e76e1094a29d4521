import Foundation
import NetraCore
@testable import NetraReport
import Testing

/// The eight-byte JSON string escaper against the byte-by-byte oracle, and both against
/// Foundation's parser.
struct EscapeCase: CustomTestStringConvertible, Sendable {
    var name: String
    var text: String
    var testDescription: String { name }
}

let escapeCases: [EscapeCase] = [
    .init(name: "empty", text: ""),
    .init(name: "short plain", text: "Gas"),
    .init(name: "eight plain bytes", text: "coblos02"),
    .init(name: "long plain", text: "Ayo coblos 02 Prabowo-Gibran tanggal 14 Februari nanti"),
    .init(name: "quote at every offset of a word", text: "\"abcdefgh\"ijklmnop\"q"),
    .init(name: "backslash", text: #"a\b\\c\\\d"#),
    .init(name: "controls", text: "baris\ndua\r\ntab\there\u{0}\u{1}\u{1F}"),
    .init(name: "DEL", text: "a\u{7F}b\u{7F}\u{7F}c"),
    .init(name: "bytes just around the escapes", text: "\u{20}!#[]^_`~\u{1F}"),
    .init(name: "non-ASCII left as UTF-8", text: "✌️ café “kutip” 日本 😀 Аnies"),
    .init(name: "escape after non-ASCII in one word", text: "ééééé\"ééé\\\u{7F}"),
    .init(name: "escape as the last byte", text: "abcdefghijklmno\n"),
]

func escaped(_ text: String, reference: Bool) -> [UInt8] {
    var out: [UInt8] = []
    var copy = text
    copy.withUTF8 {
        if reference { NDJSONPrinter.appendStringReference(bytes: $0, to: &out) } else { NDJSONPrinter.appendString(bytes: $0, to: &out) }
    }
    return out
}

@Test("JSON string escaping: the eight-byte path gives the oracle's bytes, and Foundation reads the text back", arguments: escapeCases)
func escapingAgrees(_ c: EscapeCase) throws {
    let fast = escaped(c.text, reference: false)
    #expect(fast == escaped(c.text, reference: true))
    let decoded = try JSONSerialization.jsonObject(with: Data(fast), options: .fragmentsAllowed) as? String
    #expect(decoded == c.text)
}

@Test("JSON string escaping on random bytes at every length and offset: the same as the oracle")
func escapingRandomBytes() {
    var random = SplitMix64(seed: 7)
    let alphabet: [UInt8] = [0x00, 0x09, 0x0A, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7E, 0x7F, 0x80, 0xC3, 0xA9, 0xFF, 0x61, 0x62]
    for length in 0..<80 {
        for _ in 0..<40 {
            let bytes = (0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
            var fast: [UInt8] = [], slow: [UInt8] = []
            bytes.withUnsafeBufferPointer {
                NDJSONPrinter.appendString(bytes: $0, to: &fast)
                NDJSONPrinter.appendStringReference(bytes: $0, to: &slow)
            }
            #expect(fast == slow, "\(bytes)")
        }
    }
}

/// A mask's promise (WordBytes): no byte that passes `test` is missed, and the lowest byte flagged
/// passes it.
func checkMask(_ mask: UInt64, of w: UInt64, _ test: (UInt8) -> Bool) -> Bool {
    let bytes = (0..<8).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) }
    for k in 0..<8 where test(bytes[k]) && mask & (0x80 << (8 * UInt64(k))) == 0 { return false }
    return mask == 0 || test(bytes[mask.trailingZeroBitCount >> 3])
}

@Test("eight-byte masks against their one-byte definitions (WordBytes, the NDJSON escape mask)")
func wordMasks() {
    var random = SplitMix64(seed: 11)
    let alphabet: [UInt8] = [0x00, 0x01, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7E, 0x7F, 0x80, 0x81, 0xA2, 0xDC, 0xFF]
    for _ in 0..<20_000 {
        var w: UInt64 = 0
        for k in 0..<8 { w |= UInt64(alphabet[Int(random.next() % UInt64(alphabet.count))]) << (8 * UInt64(k)) }
        for byte: UInt8 in [0x22, 0x5C, 0x7F, 0x00, 0xFF] {
            #expect(checkMask(WordBytes.equal(w, byte), of: w) { $0 == byte }, "equal \(byte) in \(String(w, radix: 16))")
        }
        #expect(checkMask(WordBytes.below(w, 0x20), of: w) { $0 < 0x20 }, "below 0x20 in \(String(w, radix: 16))")
        #expect(checkMask(NDJSONPrinter.escapeMask(w), of: w, NDJSONPrinter.needsEscape), "escape in \(String(w, radix: 16))")
    }
}
