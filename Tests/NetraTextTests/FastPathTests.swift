import Foundation
import NetraCore
import Testing
@testable import NetraText

// The fast path (`fastRun`, eight bytes at a time) against the general path word by word, and
// the SWAR byte classifiers against their one-byte definitions.

/// Everything a normalization produces, for comparing two normalizers.
private struct Outcome: Equatable {
    var bytes: [UInt8], starts: [Int32], ends: [Int32], tokens: [Int32], sentences: [Int32]
    init(_ r: NormalizedText) {
        let map = r.sourceMap()
        (bytes, starts, ends, tokens, sentences) = (r.bytes, map.starts, map.ends, r.tokenStarts, r.sentenceStarts)
    }
}

private let slangForTests = NormalizerConfiguration(
    slang: ["yg": "yang", "gk": "tidak", "bgt": "banget", "otw": "on the way", "sm": "sama", "tdk": "tidak", "dgn": "dengan",
            "abcdefghij": "panjang sekali", "kpn": "kapan"],
    words: ["maaf", "saat", "taat", "allah"], protected: [])

struct FastPathCase: CustomTestStringConvertible, Sendable {
    var name: String
    var input: String
    var testDescription: String { name }
}

let fastPathCases: [FastPathCase] = [
    .init(name: "plain words", input: "saya suka makan nasi goreng"),
    .init(name: "capitalized and all caps", input: "Saya SUKA Makan"),
    .init(name: "slang inside a run", input: "aku yg paling bgt sm kamu"),
    .init(name: "slang first and last", input: "yg ini bgt"),
    .init(name: "phrase slang adds tokens", input: "lagi otw ke kantor"),
    .init(name: "slang longer than eight bytes", input: "ini abcdefghij lho"),
    .init(name: "doubled letters kept", input: "maaf saat taat Allah"),
    .init(name: "three in a row go to the general path", input: "menaaang gasss"),
    .init(name: "prayer-shaped doubles go to the general path", input: "aamiin amiin"),
    .init(name: "camel case", input: "PrabowoGibran menang"),
    .init(name: "letter-digit mix", input: "pr4bowo 02 2024 o1"),
    .init(name: "dates and money", input: "14-02-2024 Rp50.000 jam 10:30"),
    .init(name: "punctuation between words", input: "halo, apa kabar? baik. Ayo!"),
    .init(name: "abbreviations", input: "K.H. Ma'ruf no. 2 Dr. Budi"),
    .init(name: "two spaces", input: "satu  dua   tiga"),
    .init(name: "tabs and newlines", input: "satu\tdua\nTiga"),
    .init(name: "one letter words", input: "a b c d e f"),
    .init(name: "spaced letters", input: "p r a b o w o menang"),
    .init(name: "hashtags", input: "#PrabowoGibran2024 #ayo coblos"),
    .init(name: "non-ASCII next to words", input: "gas✌️✌️ Café 𝐆𝐀𝐍𝐉𝐀𝐑 Аnies"),
    .init(name: "keycaps", input: "nomor 0️⃣2️⃣ pilih2️⃣"),
    .init(name: "words exactly eight bytes", input: "abcdefgh ijklmnop qrstuvwx"),
    .init(name: "words longer than sixteen bytes", input: "abcdefghijklmnopqrstu abcdefghijklmnopqrstuvwxyzabcdefgh"),
    .init(name: "double across eight bytes", input: "abcdefgghij xyz"),
    .init(name: "camel across eight bytes", input: "abcdefghIjk xyz"),
    .init(name: "text ending in the middle of eight bytes", input: "kata kata ab"),
    .init(name: "empty", input: ""),
    // The output outgrows the buffer in the middle of a run (a fuzzer find: the space before
    // the word being replaced was lost when the buffer grew).
    .init(name: "slang phrases that outgrow the buffer", input: String(repeating: "otw yg ", count: 120)),
]

@Test("fast path and general path agree", arguments: fastPathCases)
func fastPathAgrees(_ c: FastPathCase) {
    for configuration in [NormalizerConfiguration.plain, slangForTests] {
        let fast = Normalizer(configuration: configuration), slow = Normalizer(configuration: configuration, fastPath: false)
        for mode in [NormalizationMode.text, .term] {
            #expect(Outcome(fast.normalize(c.input, mode: mode)) == Outcome(slow.normalize(c.input, mode: mode)))
        }
    }
}

@Test("fast path and general path agree on random ASCII-heavy text")
func fastPathAgreesOnRandomText() {
    var random = SplitMix64(seed: 20261123)
    let pieces = ["kata", "yg", "bgt", "Saya", "maaf", "aaa", "PrabowoGibran", "02", "2024", "o1", "a", "b", "otw", "abcdefghij",
                  " ", " ", " ", "  ", ", ", ". ", "\n", "#", "-", "✌️", "é", "x", "abcdefgh", "Rp50.000", "3️⃣"]
    let fast = Normalizer(configuration: slangForTests), slow = Normalizer(configuration: slangForTests, fastPath: false)
    for _ in 0..<2000 {
        var text = ""
        for _ in 0..<Int(random.next() % 30) { text += pieces[Int(random.next() % UInt64(pieces.count))] }
        #expect(Outcome(fast.normalize(text)) == Outcome(slow.normalize(text)), "\(text.debugDescription)")
    }
}

@Test("fast path and general path agree on the shared pool (skipped without ../shared)")
func fastPathAgreesOnPool() throws {
    let pool = URL(fileURLWithPath: #filePath).appendingPathComponent("../../../../shared/corpora/pool.jsonl").standardized
    guard let data = try? Data(contentsOf: pool) else { return }
    let fast = Normalizer(configuration: slangForTests), slow = Normalizer(configuration: slangForTests, fastPath: false)
    var checked = 0
    for (index, line) in data.split(separator: 0x0A).enumerated() where index % 5 == 0 {
        guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any], let text = object["text"] as? String else { continue }
        #expect(Outcome(fast.normalize(text)) == Outcome(slow.normalize(text)), "pool line \(index + 1)")
        checked += 1
    }
    #expect(checked > 10_000)
}

@Test("eight-byte classifiers match their one-byte definitions")
func wordBytesClassifiers() {
    var random = SplitMix64(seed: 7)
    func oneByte(_ x: UInt64, _ test: (UInt8) -> Bool) -> UInt64 {
        var mask: UInt64 = 0
        for k in 0..<8 where test(UInt8(truncatingIfNeeded: x >> UInt64(8 * k))) { mask |= 0x80 << UInt64(8 * k) }
        return mask
    }
    for round in 0..<20_000 {
        // Mostly ASCII letters and digits, with edges (0x40, 0x5B, 0x60, 0x7B, 0x2F, 0x3A) and high bytes.
        var x: UInt64 = 0
        for k in 0..<8 {
            let pick = random.next() % 4
            let byte: UInt64 = pick == 0 ? random.next() % 256 : pick == 1 ? [0x40, 0x5B, 0x60, 0x7B, 0x2F, 0x3A, 0x41, 0x5A, 0x61, 0x7A, 0x30, 0x39, 0x00, 0x80, 0xFF][Int(random.next() % 15)]
                : 0x41 + random.next() % 58
            x |= byte << UInt64(8 * k)
        }
        if round % 3 == 0 { x = x & ~(0xFF << UInt64(8 * Int(random.next() % 8))) }  // some zero bytes
        #expect(WordBytes.between(x, 0x61, 0x7A) == oneByte(x) { $0 >= 0x61 && $0 <= 0x7A })
        #expect(WordBytes.between(x, 0x30, 0x39) == oneByte(x) { $0 >= 0x30 && $0 <= 0x39 })
        #expect(WordBytes.between(x | WordBytes.ones &* 0x20, 0x61, 0x7A) == oneByte(x) { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) })
        #expect(WordBytes.zeroBytes(x) == oneByte(x) { $0 == 0 })
    }
}
