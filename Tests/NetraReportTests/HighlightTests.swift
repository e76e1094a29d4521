import NetraCore
import NetraReport
import Testing

/// The slow obvious oracle: mark every scalar covered by a span, then group runs of marked scalars.
enum OracleHighlighter {
    static func marks(_ spans: [Span], scalarCount: Int) -> [Bool] {
        var marked = [Bool](repeating: false, count: scalarCount)
        for span in spans {
            let lower = max(0, span.start), upper = min(scalarCount, span.end)
            if lower < upper { for i in lower..<upper { marked[i] = true } }
        }
        return marked
    }

    static func mergedSpans(_ spans: [Span], scalarCount: Int) -> [Span] {
        let marked = marks(spans, scalarCount: scalarCount)
        var out: [Span] = []
        var i = 0
        while i < marked.count {
            if marked[i] {
                var j = i
                while j < marked.count && marked[j] { j += 1 }
                out.append(Span(start: i, end: j))
                i = j
            } else {
                i += 1
            }
        }
        return out
    }

    static func highlightedHTML(_ text: String, spans: [Span]) -> String {
        let scalars = Array(text.unicodeScalars)
        let marked = marks(spans, scalarCount: scalars.count)
        var out = ""
        var open = false
        for (i, u) in scalars.enumerated() {
            if marked[i] != open { out += marked[i] ? "<mark>" : "</mark>"; open = marked[i] }
            out += HTMLText.escape(String(u))
        }
        if open { out += "</mark>" }
        return out
    }
}


@Suite struct HighlightTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var spans: [(Int, Int)]
        var html: String
        var testDescription: String { name }
        var coreSpans: [Span] { spans.map { Span(start: $0.0, end: $0.1) } }
    }

    static let cases: [Case] = [
        Case(name: "ascii", text: "Ayo coblos 02", spans: [(4, 10)], html: "Ayo <mark>coblos</mark> 02"),
        Case(name: "no spans", text: "Ayo coblos 02", spans: [], html: "Ayo coblos 02"),
        Case(name: "whole text", text: "coblos", spans: [(0, 6)], html: "<mark>coblos</mark>"),
        // ✌️ is two scalars (U+270C U+FE0F); the flag is two regional indicators.
        Case(name: "emoji with variation selector", text: "Gas pak! ✌️ 02 🇮🇩", spans: [(9, 11), (12, 14)],
             html: "Gas pak! <mark>✌️</mark> <mark>02</mark> 🇮🇩"),
        Case(name: "after astral emoji", text: "🇮🇩👍🏽 Prabowo", spans: [(5, 12)], html: "🇮🇩👍🏽 <mark>Prabowo</mark>"),
        Case(name: "skin tone emoji marked", text: "👍🏽 coblos", spans: [(0, 2)], html: "<mark>👍🏽</mark> coblos"),
        Case(name: "combining mark inside span", text: "Gibra\u{301}n menang", spans: [(0, 7)],
             html: "<mark>Gibra\u{301}n</mark> menang"),
        Case(name: "combining mark after span end", text: "Gibra\u{301}n", spans: [(0, 5)],
             html: "<mark>Gibra</mark>\u{301}n"),
        Case(name: "precomposed letter is one scalar", text: "Gibrán menang", spans: [(0, 6)], html: "<mark>Gibrán</mark> menang"),
        Case(name: "overlapping", text: "coblos nomor dua", spans: [(0, 6), (3, 12)], html: "<mark>coblos nomor</mark> dua"),
        Case(name: "nested", text: "coblos nomor dua", spans: [(0, 12), (2, 4)], html: "<mark>coblos nomor</mark> dua"),
        Case(name: "adjacent merge", text: "coblos nomor dua", spans: [(7, 12), (0, 7)], html: "<mark>coblos nomor</mark> dua"),
        Case(name: "duplicate", text: "coblos dua", spans: [(0, 6), (0, 6)], html: "<mark>coblos</mark> dua"),
        Case(name: "disjoint unsorted", text: "coblos nomor dua", spans: [(13, 16), (0, 6)],
             html: "<mark>coblos</mark> nomor <mark>dua</mark>"),
        Case(name: "end past text is clamped", text: "Ayo coblos", spans: [(4, 100)], html: "Ayo <mark>coblos</mark>"),
        Case(name: "start before text is clamped", text: "Ayo coblos", spans: [(-5, 3)], html: "<mark>Ayo</mark> coblos"),
        Case(name: "entirely past text", text: "Ayo coblos", spans: [(10, 100), (50, 60)], html: "Ayo coblos"),
        Case(name: "inverted", text: "Ayo coblos", spans: [(6, 4)], html: "Ayo coblos"),
        Case(name: "empty span", text: "Ayo coblos", spans: [(4, 4)], html: "Ayo coblos"),
        Case(name: "extreme offsets", text: "Ayo", spans: [(Int.min, Int.max)], html: "<mark>Ayo</mark>"),
        Case(name: "empty text", text: "", spans: [(0, 3), (-1, 1)], html: ""),
        Case(name: "escaped inside and around", text: "<b>coblos</b> & \"02\"", spans: [(3, 9), (14, 15)],
             html: "&lt;b&gt;<mark>coblos</mark>&lt;/b&gt; <mark>&amp;</mark> &quot;02&quot;"),
        Case(name: "span covering one special char", text: "<'>", spans: [(1, 2)], html: "&lt;<mark>&#39;</mark>&gt;"),
    ]

    @Test(arguments: cases)
    func highlights(_ c: Case) {
        #expect(EvidenceHighlighter.highlightedHTML(c.text, spans: c.coreSpans) == c.html)
        #expect(OracleHighlighter.highlightedHTML(c.text, spans: c.coreSpans) == c.html)
        let count = c.text.unicodeScalars.count
        #expect(EvidenceHighlighter.mergedSpans(c.coreSpans, scalarCount: count)
                == OracleHighlighter.mergedSpans(c.coreSpans, scalarCount: count))
    }

    static let alphabet: [String] = ["a", "b", " ", "0", "2", "<", "&", "\"", "'", "é", "e\u{301}", "✌️", "🇮🇩", "👍🏽", "\n", "ق"]

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func matchesOracleOnRandomSpans(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        for _ in 0..<250 {
            let length = Int.random(in: 0...14, using: &rng)
            let text = (0..<length).map { _ in Self.alphabet.randomElement(using: &rng)! }.joined()
            let count = text.unicodeScalars.count
            let spans = (0..<Int.random(in: 0...5, using: &rng)).map { _ in
                Span(start: Int.random(in: -3...(count + 3), using: &rng), end: Int.random(in: -3...(count + 3), using: &rng))
            }
            let merged = EvidenceHighlighter.mergedSpans(spans, scalarCount: count)
            #expect(merged == OracleHighlighter.mergedSpans(spans, scalarCount: count), "\(text.debugDescription) \(spans)")
            #expect(EvidenceHighlighter.highlightedHTML(text, spans: spans) == OracleHighlighter.highlightedHTML(text, spans: spans),
                    "\(text.debugDescription) \(spans)")
            // Merged spans never overlap or touch.
            for (a, b) in zip(merged, merged.dropFirst()) { #expect(a.end < b.start) }
        }
    }
}
