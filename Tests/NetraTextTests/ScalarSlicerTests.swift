import NetraCore
import Testing
@testable import NetraText

// `ScalarSlicer` cuts evidence out of a record's text; `String.scalarSubstring` is its slow,
// obvious definition. Every span of every text, with the slicer reused from text to text in
// the order given (as a screener reuses it), must give what the definition gives.

struct SlicerCase: CustomTestStringConvertible, Sendable {
    var name: String
    var text: String
    var testDescription: String { name }
}

let slicerCases: [SlicerCase] = [
    .init(name: "empty", text: ""),
    .init(name: "ASCII", text: "Pilih Prabowo-Gibran!"),
    .init(name: "non-ASCII first", text: "✌️ nomor dua"),
    .init(name: "non-ASCII last", text: "dukung paslon 02 🙏"),
    .init(name: "non-ASCII after a long ASCII run", text: String(repeating: "kampanye ", count: 9) + "é" + " selesai"),
    .init(name: "accents and CJK", text: "Anies Baswedan café 選挙 ok"),
    .init(name: "confusable Cyrillic", text: "Аnies menang"),
    .init(name: "four-byte scalars only", text: "😂😂😂"),
    .init(name: "ASCII again after non-ASCII", text: "coblos nomor 1"),
    .init(name: "the same text twice", text: "coblos nomor 1"),
]

@Test("ScalarSlicer cuts every span as String.scalarSubstring does, reused across texts")
func slicerMatchesDefinition() {
    var slicer = ScalarSlicer()
    var checked = 0
    for c in slicerCases {
        slicer.reset(c.text)
        let count = c.text.unicodeScalars.count
        // Spans past the end and reversed ones are clamped by both.
        for start in -1...(count + 1) {
            for end in (start - 1)...(count + 2) {
                let span = Span(start: start, end: end)
                #expect(slicer.substring(span) == c.text.scalarSubstring(span), "\(c.name): \(start)..<\(end)")
                checked += 1
            }
        }
    }
    #expect(checked > 1_000)
}
