import Foundation
import NetraCore
import Testing
@testable import NetraText

struct NormalizationCase: CustomTestStringConvertible, Sendable {
    var name: String
    var input: String
    var normalized: String
    var testDescription: String { name }
}

let normalizationCases: [NormalizationCase] = [
    .init(name: "ASCII case folding", input: "PRABOWO Gibran", normalized: "prabowo gibran"),
    .init(name: "punctuation becomes one space", input: "Prabowo-Gibran!!!  ok", normalized: "prabowo gibran ok"),
    .init(name: "leading and trailing separators dropped", input: "  ...halo...  ", normalized: "halo"),
    .init(name: "hashtag kept whole and split", input: "#PrabowoGibran2024", normalized: "#prabowogibran2024 prabowo gibran 2024"),
    .init(name: "a lone # is a separator", input: "nomor # 2", normalized: "nomor 2"),
    .init(name: "# inside a word starts a new token", input: "abc#def", normalized: "abc #def"),
    .init(name: "dotted abbreviation splits", input: "no.2", normalized: "no 2"),
    .init(name: "date keeps its punctuation", input: "14-02-2024", normalized: "14-02-2024"),
    .init(name: "money keeps thousands separator", input: "Rp50.000", normalized: "rp50.000"),
    .init(name: "time keeps its colon", input: "jam 10:30 WITA", normalized: "jam 10:30 wita"),
    .init(name: "apostrophe splits", input: "Ma'ruf Amin", normalized: "ma ruf amin"),
    .init(name: "digits stay", input: "coblos 02", normalized: "coblos 02"),
    .init(name: "aamiin is not amin", input: "Aamiin ya Allah", normalized: "aamiin ya allah"),
    .init(name: "fullwidth letters fold to ASCII", input: "ＰＩＬＩＨ", normalized: "pilih"),
    .init(name: "mathematical bold folds to ASCII", input: "𝐆𝐀𝐍𝐉𝐀𝐑", normalized: "ganjar"),
    .init(name: "accents removed (precomposed)", input: "Café Pérez", normalized: "cafe perez"),
    .init(name: "accents removed (combining)", input: "Cafe\u{301}", normalized: "cafe"),
    .init(name: "emoji is a token of its own", input: "gas✌️✌️", normalized: "gas ✌ ✌"),
    .init(name: "emoji skin tone dropped", input: "👍🏽 mantap", normalized: "👍 mantap"),
    .init(name: "zero-width joiner dropped", input: "a\u{200D}b", normalized: "ab"),
    .init(name: "non-breaking space separates", input: "cak\u{00A0}imin", normalized: "cak imin"),
    .init(name: "newlines and tabs separate", input: "satu\n\tdua\r\ntiga", normalized: "satu dua tiga"),
    .init(name: "German sharp s case folds", input: "STRAẞE", normalized: "strasse"),
    .init(name: "Greek letters stay words", input: "ΑΒΓ", normalized: "αβγ"),
    .init(name: "keycap digit becomes the digit", input: "2️⃣", normalized: "2"),
    .init(name: "empty input", input: "", normalized: ""),
    .init(name: "only punctuation", input: "!!! ,,, ...", normalized: ""),
    .init(name: "ligature expands", input: "ﬁnal", normalized: "final"),
    .init(name: "circled digit folds", input: "①", normalized: "1"),
]

@Test("table of named normalization cases", arguments: normalizationCases)
func normalizationTable(_ c: NormalizationCase) {
    var normalizer = Normalizer()
    let result = normalizer.normalize(c.input)
    #expect(result.string == c.normalized)
    let map = result.sourceMap()
    for i in result.bytes.indices {
        #expect(result.originalSpan(of: i..<(i + 1)) == Span(start: Int(map.starts[i]), end: Int(map.ends[i])))
    }
}

@Test("normalization is idempotent on every table case", arguments: normalizationCases)
func idempotent(_ c: NormalizationCase) {
    var normalizer = Normalizer()
    let once = normalizer.normalize(c.input).string
    #expect(normalizer.normalize(once).string == once)
}

struct SpanCase: CustomTestStringConvertible, Sendable {
    var name: String
    var input: String
    /// A normalized substring to find, and the original text its span must cover.
    var normalizedPart: String
    var original: String
    var testDescription: String { name }
}

let spanCases: [SpanCase] = [
    .init(name: "ASCII word", input: "Ayo COBLOS 02", normalizedPart: "coblos", original: "COBLOS"),
    .init(name: "phrase across punctuation", input: "Prabowo-Gibran menang", normalizedPart: "prabowo gibran", original: "Prabowo-Gibran"),
    .init(name: "after an emoji", input: "✌️✌️ Gas pak", normalizedPart: "gas", original: "Gas"),
    .init(name: "emoji with variation selector", input: "salam ✌️", normalizedPart: "✌", original: "✌"),
    .init(name: "styled letters", input: "pilih 𝐆𝐀𝐍𝐉𝐀𝐑!", normalizedPart: "ganjar", original: "𝐆𝐀𝐍𝐉𝐀𝐑"),
    .init(name: "accented letter", input: "José dukung", normalizedPart: "jose", original: "José"),
    .init(name: "hashtag", input: "ok #AMIN ok", normalizedPart: "#amin", original: "#AMIN"),
]

@Test("evidence spans point at the original text", arguments: spanCases)
func spans(_ c: SpanCase) throws {
    var normalizer = Normalizer()
    let result = normalizer.normalize(c.input)
    let needle = Array(c.normalizedPart.utf8)
    let bytes = result.bytes
    let start = try #require((0...(bytes.count - needle.count)).first { Array(bytes[$0..<($0 + needle.count)]) == needle })
    let span = result.originalSpan(of: start..<(start + needle.count))
    #expect(c.input.scalarSubstring(span) == c.original)
}

@Test("tokens are numbered from the byte offsets")
func tokenIndices() {
    var normalizer = Normalizer()
    let result = normalizer.normalize("Ayo, coblos   nomor 2!")
    #expect(result.string == "ayo coblos nomor 2")
    #expect(result.tokenCount == 4)
    #expect(result.tokenIndex(ofByte: 0) == 0)
    #expect(result.tokenIndex(ofByte: 4) == 1)
    #expect(result.tokenIndex(ofByte: 3) == 0, "a separator belongs to the token before it")
    #expect(result.tokenIndex(ofByte: 17) == 3)
}

@Test("random scalars: no crash, spans inside the original, idempotent")
func randomScalars() {
    var state: UInt64 = 42
    func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state >> 11
    }
    var normalizer = Normalizer()
    for _ in 0..<500 {
        var text = ""
        for _ in 0..<Int(next() % 40) {
            let pick = next() % 4
            let value: UInt32 = pick == 0 ? UInt32(next() % 128) : pick == 1 ? UInt32(0xA0 + next() % 0x2000)
                : pick == 2 ? UInt32(0x1F300 + next() % 0x700) : UInt32(next() % 0x10FFFF)
            if let s = Unicode.Scalar(value) { text.unicodeScalars.append(s) }
        }
        let result = normalizer.normalize(text)
        let count = text.unicodeScalars.count
        let map = result.sourceMap()
        for i in result.bytes.indices {
            #expect(map.starts[i] >= 0 && map.starts[i] <= map.ends[i] && Int(map.ends[i]) <= count)
        }
        #expect(result.bytes.first != 0x20 && result.bytes.last != 0x20)
        #expect(!result.string.contains("  "))
        let again = normalizer.normalize(result.string).string
        #expect(again == result.string, "not idempotent for \(text.unicodeScalars.map { String($0.value, radix: 16) })")
    }
}

@Test("a 1 MB line normalizes")
func longLine() {
    var normalizer = Normalizer()
    let text = String(repeating: "Prabowo ✌️ gas ", count: 70_000)
    let result = normalizer.normalize(text)
    #expect(result.tokenCount == 210_000)
}

/// Every input the fuzzer ever crashed on (Fuzz/corpus/normalizer) stays fixed: spans inside the
/// original and idempotence, with the fuzzer's own configuration.
@Test("fuzz corpus regressions")
func fuzzCorpus() throws {
    let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/corpus/normalizer")
    let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
    #expect(!files.isEmpty)
    let normalizer = Normalizer(configuration: NormalizerConfiguration(
        slang: ["yg": "yang", "dgn": "dengan", "gk": "enggak", "otw": "on the way"],
        words: ["maaf", "saat", "taat", "menang"], protected: ["anies"]))
    for file in files {
        let data = try Data(contentsOf: dir.appendingPathComponent(file))
        let text = MojibakeRepair.repair(String(decoding: data, as: UTF8.self))
        for mode in [NormalizationMode.text, .term] {
            let once = normalizer.normalize(text, mode: mode)
            #expect(normalizer.normalize(once.string, mode: mode).string == once.string, "\(file) is not idempotent")
            #expect(once.sourceMap().ends.allSatisfy { Int($0) <= text.unicodeScalars.count }, "\(file): span outside")
        }
    }
}

// MARK: Value semantics

/// Everything a normalization produces, as plain arrays.
private func parts(_ r: NormalizedText) -> [[Int32]] {
    let map = r.sourceMap()
    return [r.bytes.map { Int32($0) }, map.starts, map.ends, r.tokenStarts, r.sentenceStarts]
}

@Test("a normalized text is a value: copies keep their content when another is normalized into or written")
func normalizedTextIsAValue() {
    let normalizer = Normalizer()
    var result = NormalizedText()
    normalizer.normalize("Satu dua. Tiga #EmpatLima", into: &result)
    let expected = parts(normalizer.normalize("Satu dua. Tiga #EmpatLima"))
    let copy = result
    // The normalizer hands its buffers to `result`; the copy shares the old ones and keeps them.
    normalizer.normalize("p r a b o w o menang 😀", into: &result)
    #expect(parts(copy) == expected)
    #expect(parts(result) == parts(normalizer.normalize("p r a b o w o menang 😀")))
    // Normalizing into a value nothing else holds reuses its storage, many times over.
    var reused = NormalizedText()
    for text in ["satu", "", "dua tiga empat lima enam tujuh delapan", "a.a.m.i.n", "x"] {
        normalizer.normalize(text, into: &reused)
        #expect(parts(reused) == parts(normalizer.normalize(text)), "\(text)")
    }
    // Writing one copy's sentences leaves the other as it was.
    var written = copy
    written.sentenceStarts = [0]
    #expect(parts(copy) == expected)
    #expect(written.sentenceStarts == [0] && written.bytes == copy.bytes)
}

@Test("buffers handed back by a normalized text never leave the map buffers smaller than the output buffer")
func handedBackBuffersKeepTheMapRoomy() {
    // A long text leaves a large output buffer in `result`; spaced letters make the normalizer
    // start its buffers afresh (small); normalizing into `result` again hands the large one
    // back. Then a long general-path word writes past small map buffers unless they grew too.
    let normalizer = Normalizer()
    var result = NormalizedText()
    let long = String(repeating: "kata biasa ", count: 900)
    let longCamel = String(repeating: "satu dua ", count: 120) + String(repeating: "PrabowoGibran", count: 40)
    for text in [long, "p r a b o w o", long, "a b c d", longCamel, "x y z", longCamel] {
        normalizer.normalize(text, into: &result)
        #expect(normalizer.mapBuffersHaveRoom, "after \(text.prefix(20))")
        #expect(result.string == normalizer.normalize(text).string)
    }
}
