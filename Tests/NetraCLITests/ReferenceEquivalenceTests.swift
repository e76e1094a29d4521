import Foundation
import NetraCore
import NetraRules
import Testing
@testable import Netra

// Issue 5's equivalence: the fast paths (byte-level JSON reader, the normalizer's eight-byte
// word runs, the Aho-Corasick automaton) and the reference paths (Foundation's JSON parser,
// every word through the normalizer's general path, the naive matcher) give identical output,
// messages and counts. `netra scan --all --reference` runs the same check on any input.

/// Screens `lines` with one worker and returns what it printed, its messages and its counts.
private func screen(_ lines: [[UInt8]], _ compiled: CompiledLexicon, reference: Bool) -> (output: [UInt8], messages: [String], stats: String) {
    var storage: [UInt8] = []
    for line in lines { storage += line + [0x0A] }
    var options = ScanOptions()
    options.all = true
    let worker = ScanWorker(compiled, reference: reference)
    storage.withUnsafeBufferPointer { worker.processLines($0.baseAddress!, from: 0, to: $0.count, firstNumber: 1, path: "t", options: options, version: compiled.version) }
    return (worker.output, worker.messages, worker.statistics.json)
}

@Test("fast and reference paths give identical findings on the examples and a sample of the pool")
func fastEqualsReference() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let compiled = CompiledLexicon(try Lexicon.load(directory: root.appendingPathComponent("Lexicons").path))
    var lines: [[UInt8]] = []
    let examples = root.appendingPathComponent("Corpus/examples")
    for file in try FileManager.default.contentsOfDirectory(atPath: examples.path).sorted() where file.hasSuffix(".jsonl") {
        lines += try Data(contentsOf: examples.appendingPathComponent(file)).split(separator: 0x0A).map { Array($0) }
    }
    // Hand-made lines for the paths the fast reader leaves to Foundation or reports.
    lines += [#"{"text":"Ayo coblos 02 \u0041\u004D\u0049\u004E yg bgt"}"#, #"{"text": 5}"#, #"not json"#,
              #"{"kind":"comment","text":"Gas pak!","target":{"text":"Prabowo Gibran menang"}}"#].map { Array($0.utf8) }
    let pool = root.appendingPathComponent("../shared/corpora/pool.jsonl").standardized
    if let data = FileManager.default.contents(atPath: pool.path) {
        // Every 40th row: about 1,400 real posts with slang, emoji, escapes and mojibake.
        for (i, line) in data.split(separator: 0x0A).enumerated() where i % 40 == 0 { lines.append(Array(line)) }
    }
    let fast = screen(lines, compiled, reference: false)
    let reference = screen(lines, compiled, reference: true)
    #expect(lines.count > 60)
    #expect(fast.stats == reference.stats)
    #expect(fast.messages == reference.messages)
    #expect(fast.output == reference.output)
    // Not a vacuous comparison: something was flagged and something was printed for every line.
    #expect(String(decoding: fast.output, as: UTF8.self).contains("\"flagged\":true"))
}
