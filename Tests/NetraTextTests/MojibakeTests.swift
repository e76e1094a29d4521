import Foundation
import NetraCore
import Testing
@testable import NetraText

struct MojibakeCase: CustomTestStringConvertible, Sendable {
    var name: String
    var damaged: String
    var repaired: String
    var testDescription: String { name }
}

let mojibakeCases: [MojibakeCase] = [
    .init(name: "Meta byte escapes: emoji", damaged: "Gas pak \u{00F0}\u{009F}\u{0098}\u{0080}", repaired: "Gas pak 😀"),
    .init(name: "Meta byte escapes: victory hand", damaged: "\u{00E2}\u{009C}\u{008C}\u{00EF}\u{00B8}\u{008F} 02", repaired: "✌️ 02"),
    .init(name: "Meta byte escapes: accented name", damaged: "Jos\u{00C3}\u{00A9}", repaired: "José"),
    .init(name: "Windows-1252 double encoding: emoji", damaged: "mantap ðŸ˜€", repaired: "mantap 😀"),
    .init(name: "Windows-1252 double encoding: quotes", damaged: "â€œCoblos 02â€\u{009D}", repaired: "“Coblos 02”"),
    .init(name: "Latin-1 double encoding: superscript two", damaged: "kitaÂ² juga", repaired: "kita² juga"),
    .init(name: "literal escapes: emoji", damaged: #"lucu \xf0\x9f\x98\x84\xf0\x9f\x98\x84"#, repaired: "lucu 😄😄"),
    .init(name: "literal escapes: upper-case hex", damaged: #"\xE2\x9C\x8C 02"#, repaired: "✌ 02"),
    .init(name: "literal escapes: truncated sequence kept", damaged: #"haha \xf0\x9f\x98"#, repaired: #"haha \xf0\x9f\x98"#),
    .init(name: "literal escapes: valid then truncated", damaged: #"\xf0\x9f\xa4\xa3\xf0\x9f"#, repaired: #"🤣\xf0\x9f"#),
    .init(name: "literal escape of ASCII bytes is left alone", damaged: #"path\x41\x42"#, repaired: #"path\x41\x42"#),
    .init(name: "ordinary Latin-1 text is left alone", damaged: "café José à la carte", repaired: "café José à la carte"),
    .init(name: "a lone Latin-1 letter is left alone", damaged: "Ã", repaired: "Ã"),
    .init(name: "correct UTF-8 is left alone", damaged: "Salam dua jari ✌️ 😀", repaired: "Salam dua jari ✌️ 😀"),
    .init(name: "plain ASCII is returned unchanged", damaged: "Ayo coblos 02", repaired: "Ayo coblos 02"),
    .init(name: "backslash without escapes", damaged: #"C:\Users\x"#, repaired: #"C:\Users\x"#),
]

@Test("mojibake repair", arguments: mojibakeCases)
func mojibake(_ c: MojibakeCase) {
    #expect(MojibakeRepair.repair(c.damaged) == c.repaired)
}

@Test("repair is idempotent on every case", arguments: mojibakeCases)
func mojibakeIdempotent(_ c: MojibakeCase) {
    let once = MojibakeRepair.repair(c.damaged)
    #expect(MojibakeRepair.repair(once) == once)
}

/// Real damaged rows: ../shared/corpora/pool.jsonl keeps the damaged `raw` beside the repaired
/// `text`. Rows whose dataset text still has escapes (its own decoder gave up on a truncated
/// run) are left out; rows cut at another length are compared on their common prefix.
@Test("real mojibake from the shared pool is repaired like the dataset's own text")
func poolMojibake() throws {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("../shared/corpora/pool.jsonl").standardized.path
    guard let data = FileManager.default.contents(atPath: path) else {
        print("skipped: \(path) is not here")
        return
    }
    var compared = 0, agreed = 0
    var failures: [String] = []
    for line in data.split(separator: 0x0A) {
        guard let o = try JSONSerialization.jsonObject(with: line) as? [String: Any], let raw = o["raw"] as? String,
              let text = o["text"] as? String, !text.contains(#"\x"#) else { continue }
        compared += 1
        // The dataset also turned no-break spaces into spaces; that is not encoding repair.
        func spaces(_ s: String) -> [Unicode.Scalar] { s.unicodeScalars.map { $0.value == 0xA0 ? " " : $0 } }
        let a = spaces(MojibakeRepair.repair(raw)), b = spaces(text)
        let n = min(a.count, b.count)
        if a[0..<n] == b[0..<n] { agreed += 1 } else if failures.count < 3 { failures.append(raw) }
    }
    #expect(compared > 1000)
    // 4,001 of 4,060 agree (2026-11-23); the rest lost bytes that Windows-1252 leaves undefined
    // (0x81, 0x8D, 0x8F, 0x90, 0x9D) and cannot be rebuilt by anyone.
    #expect(Double(agreed) >= 0.98 * Double(compared), "\(compared - agreed) rows differ, e.g. \(failures)")
}

// MARK: The byte-level Latin-1 runs against the scalar-level reference

/// Texts made of the pieces that matter to the rule: ASCII, Latin-1 letters that can and cannot
/// lead UTF-8, C1 controls, the Windows-1252 characters that stand for 0x80–0x9F, other scalars,
/// and whole damaged sequences.
func latin1Texts(count: Int, seed: UInt64) -> [String] {
    var random = SplitMix64(seed: seed)
    let pieces: [String] = ["a", " ", "02", "\u{C2}", "\u{C3}", "\u{E2}", "\u{F0}", "\u{F4}", "\u{F5}", "\u{C0}", "\u{80}", "\u{9F}",
                            "\u{A9}", "\u{BF}", "\u{FF}", "€", "‚", "ƒ", "„", "…", "†", "ˆ", "Š", "Œ", "Ž", "‘", "’", "“", "”", "•",
                            "–", "—", "˜", "™", "š", "œ", "ž", "Ÿ", "😀", "日", "\u{301}", "ðŸ˜€", "Ã©", "Â²", "â€œ", "Ã°ÂŸÂ¤Â­",
                            "\u{ED}\u{A0}\u{80}", "\u{F4}\u{90}\u{80}\u{80}", "\u{E0}\u{80}\u{80}", "\u{F0}\u{9F}\u{98}"]
    return (0..<count).map { _ in
        (0..<Int.random(in: 0...12, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
    }
}

@Test("Latin-1 runs: the byte-level repair equals the scalar-level reference on every case and 20,000 random texts")
func latin1RunsMatchReference() {
    for text in mojibakeCases.map(\.damaged) + latin1Texts(count: 20_000, seed: 42) {
        #expect(MojibakeRepair.repairLatin1Runs(text) == MojibakeRepair.repairLatin1RunsByScalars(text), "\(text.debugDescription)")
    }
}

@Test("Latin-1 runs: the byte-level repair equals the scalar-level reference on every text of the shared pool")
func latin1RunsMatchReferenceOnPool() throws {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("../shared/corpora/pool.jsonl").standardized.path
    guard let data = FileManager.default.contents(atPath: path) else {
        print("skipped: \(path) is not here")
        return
    }
    var compared = 0
    for line in data.split(separator: 0x0A) {
        guard let o = try JSONSerialization.jsonObject(with: line) as? [String: Any] else { continue }
        for key in ["text", "raw"] {
            guard let text = o[key] as? String else { continue }
            compared += 1
            #expect(MojibakeRepair.repairLatin1Runs(text) == MojibakeRepair.repairLatin1RunsByScalars(text), "\(text.debugDescription)")
        }
    }
    #expect(compared > 50_000)
}
