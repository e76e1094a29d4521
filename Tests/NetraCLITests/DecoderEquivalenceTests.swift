import Foundation
import NetraCore
import Testing
@testable import Netra

/// Every field of a record, for comparing decodes.
func everyField(_ r: Record) -> String {
    [r.id ?? "nil", r.kind.rawValue, r.createdAt ?? "nil", r.date?.description ?? "nil", r.text, r.target?.author ?? "nil",
     r.target?.text ?? "nil", r.group ?? "nil", r.author ?? "nil", r.source.path, String(r.source.line)].joined(separator: "|")
}

/// A record decoding as text, for comparing the fast path with Foundation's.
func describe(_ result: Result<(Record, [RecordDecoder.Remark]), RecordDecoder.Failure>) -> String {
    switch result {
    case .failure(let f): return "failure \(f.reason)"
    case .success(let (r, remarks)): return everyField(r) + "|" + remarks.map(\.description).joined()
    }
}

func bothPaths(_ line: String) -> (fast: String, strict: String) {
    let bytes = Array(line.utf8)
    return bytes.withUnsafeBufferPointer { buffer in
        let source = SourceLocation(path: "t", line: 1)
        return (describe(RecordDecoder.decode(buffer, source: source)), describe(RecordDecoder.decodeStrictly(buffer, source: source)))
    }
}

let decoderCases: [(String, String)] = [
    ("plain", #"{"id":"a","text":"Ayo coblos 02"}"#),
    ("every escape", #"{"text":"q\"b\\s\/n\nt\tr\rb\bf\fé\u00e9😀\ud83d\ude00"}"#),
    ("lone high surrogate", #"{"text":"\ud800"}"#),
    ("lone low surrogate", #"{"text":"\udc00 x"}"#),
    ("escaped NUL", #"{"text":"a\u0000b"}"#),
    ("raw control character", "{\"text\":\"a\u{01}b\"}"),
    ("bad escape", #"{"text":"a\qb"}"#),
    ("numeric id", #"{"id":42,"text":"x"}"#),
    ("fractional id", #"{"id":4.5,"text":"x"}"#),
    ("boolean id", #"{"id":true,"text":"x"}"#),
    ("unix seconds", #"{"text":"x","created_at":1706745600}"#),
    ("huge number elsewhere", #"{"text":"x","n":1e400}"#),
    ("bad number", #"{"text":"x","n":01}"#),
    ("duplicate keys", #"{"text":"first","text":"second"}"#),
    ("unknown nested fields", #"{"text":"x","meta":{"a":[1,2,{"b":null}],"c":"d"},"tags":["x","y"]}"#),
    ("deep nesting elsewhere", "{\"text\":\"x\",\"deep\":" + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}"),
    ("too deep", "{\"text\":\"x\",\"deep\":" + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "}"),
    ("target object", #"{"kind":"comment","text":"Gas","target":{"author":"Relawan","text":"Ayo","extra":1}}"#),
    ("target string", #"{"kind":"comment","text":"Gas","target":"Ayo coblos"}"#),
    ("target with array", #"{"kind":"comment","text":"Gas","target":{"author":["x"]}}"#),
    ("group object", #"{"kind":"group","group":{"name":"Relawan X"}}"#),
    ("spaces everywhere", "  { \"text\" : \"x\" , \"kind\" : \"post\" }  "),
    ("trailing garbage", #"{"text":"x"} y"#),
    ("not an object", #"["text"]"#),
    ("missing text", #"{"id":"a"}"#),
    ("text not a string", #"{"text":5}"#),
    ("empty object", "{}"),
    ("unterminated", #"{"text":"x"#),
    ("unknown kind", #"{"text":"x","kind":"tweet"}"#),
    ("null fields", #"{"id":null,"text":"x","created_at":null,"target":null,"group":null}"#),
    ("escaped key", #"{"t\u0065xt":"coblos 02","\u0069d":"k"}"#),
    ("escaped unwanted key", #"{"text":"x","s\u006Furce":"y"}"#),
    ("escaped NUL in a key", #"{"te\u0000xt":"x","text":"y"}"#),
    ("raw control character in a key", "{\"te\u{01}xt\":\"x\",\"text\":\"y\"}"),
]

@Test("the fast JSON path decodes exactly like Foundation", arguments: decoderCases.map(\.0))
func decoderCase(_ name: String) {
    let line = decoderCases.first { $0.0 == name }!.1
    let (fast, strict) = bothPaths(line)
    #expect(fast == strict, "\(name): fast \(fast) strict \(strict)")
}

@Test("the fast JSON path equals Foundation on the examples and the shared pool")
func decoderOnRealLines() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    var lines: [String] = []
    let examples = root.appendingPathComponent("Corpus/examples")
    for file in try FileManager.default.contentsOfDirectory(atPath: examples.path) where file.hasSuffix(".jsonl") {
        lines += try String(contentsOf: examples.appendingPathComponent(file), encoding: .utf8).split(separator: "\n").map(String.init)
    }
    let pool = root.appendingPathComponent("../shared/corpora/pool.jsonl").standardized
    if let data = FileManager.default.contents(atPath: pool.path) {
        // Every 7th row of the pool: about 8,000 real lines with escapes, emoji and mojibake.
        for (i, line) in data.split(separator: 0x0A).enumerated() where i % 7 == 0 {
            lines.append(String(decoding: line, as: UTF8.self))
        }
    } else {
        print("note: \(pool.path) is not here; checking the examples only")
    }
    var differences: [String] = []
    for line in lines {
        let (fast, strict) = bothPaths(line)
        if fast != strict { differences.append(String(line.prefix(120))) }
    }
    #expect(lines.count >= 40)
    #expect(differences.isEmpty, "\(differences.count) lines differ, e.g. \(differences.prefix(3))")
}

@Test("a record decoded into the record of the line before is the record decoded afresh (the scanner reuses one)")
func decodingIntoAReusedRecord() {
    // Lines with and without every optional field, failures between them, in both orders.
    let lines = decoderCases.map(\.1) + [
        #"{"id":"full","kind":"comment","text":"a","created_at":"2024-02-01","target":{"author":"x","text":"y"},"group":"g","author":"me"}"#,
        #"{"text":"bare"}"#,
    ]
    var random = SplitMix64(seed: 18)
    for order in [lines, lines.reversed(), lines.shuffled(using: &random)] {
        var reused = Record(id: "stale", kind: .share, createdAt: "stale", text: "stale", target: RecordTarget(author: "stale", text: "stale"),
                            group: "stale", author: "stale", source: SourceLocation(path: "stale", line: 99))
        for (number, line) in order.enumerated() {
            Array(line.utf8).withUnsafeBufferPointer { bytes in
                let source = SourceLocation(path: "t", line: number + 1)
                var remarks: [RecordDecoder.Remark] = [], freshRemarks: [RecordDecoder.Remark] = []
                let fresh = try? RecordDecoder.decodeRecord(bytes, source: source, strictly: false, remarks: &freshRemarks)
                do {
                    try RecordDecoder.decodeRecord(bytes, source: source, strictly: false, remarks: &remarks, into: &reused)
                    #expect(fresh.map(everyField) == everyField(reused), "\(line)")
                    #expect(remarks.map(\.description) == freshRemarks.map(\.description), "\(line)")
                } catch {
                    #expect(fresh == nil, "\(line)")
                }
            }
        }
    }
}
