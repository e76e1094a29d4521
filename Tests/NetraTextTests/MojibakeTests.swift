import Foundation
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
