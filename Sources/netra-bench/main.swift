// netra-bench: measurements that belong in BENCHMARKS.md, not in unit tests.
//
//   swift run -c release netra-bench normalizer [POOL.jsonl] [MEGABYTES]
//
// normalizer: the `text` fields of POOL (default ../shared/corpora/pool.jsonl) repeated until they
// total MEGABYTES (default 200), normalized on one thread with the bundled lexicon's normalizer
// configuration; then the same for the rows that contain non-ASCII text alone. Prints MB/s.
import Foundation
import NetraRules
import NetraText

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("netra-bench: \(message)\n".utf8))
    exit(2)
}

nonisolated func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func poolTexts(_ path: String) -> [String] {
    guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path) (the shared corpora are needed)") }
    var texts: [String] = []
    for line in data.split(separator: 0x0A) {
        if let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any], let text = object["text"] as? String {
            texts.append(text)
        }
    }
    return texts
}

/// Normalizes `texts` repeated to at least `bytes` bytes; returns (bytes, seconds).
nonisolated func measure(_ texts: [String], bytes target: Int, normalizer: Normalizer) -> (Int, Double) {
    let size = texts.reduce(0) { $0 + $1.utf8.count }
    guard size > 0 else { return (0, 0) }
    let rounds = max(1, (target + size - 1) / size)
    var result = NormalizedText()
    for text in texts { normalizer.normalize(text, into: &result) }  // warm the memo
    var checksum = 0
    let start = now()
    for _ in 0..<rounds {
        for text in texts {
            normalizer.normalize(text, into: &result)
            checksum &+= result.bytes.count
        }
    }
    let seconds = now() - start
    if checksum == 42 { print("") }
    return (rounds * size, seconds)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else { fail("usage: netra-bench normalizer [POOL.jsonl] [MEGABYTES]") }
switch command {
case "normalizer":
    let pool = arguments.count > 1 ? arguments[1] : root.appendingPathComponent("../shared/corpora/pool.jsonl").standardized.path
    let megabytes = arguments.count > 2 ? Int(arguments[2]) ?? 200 : 200
    let lexicon: Lexicon
    do { lexicon = try Lexicon.load(directory: root.appendingPathComponent("Lexicons").path) } catch { fail("\(error)") }
    let normalizer = Normalizer(configuration: lexicon.normalization)
    let texts = poolTexts(pool)
    let nonASCII = texts.filter { $0.utf8.contains { $0 >= 0x80 } }
    let all = measure(texts, bytes: megabytes * 1_000_000, normalizer: normalizer)
    let other = measure(nonASCII, bytes: megabytes * 1_000_000 / 4, normalizer: normalizer)
    print("normalizer \(Normalizer.version), ICU \(icuVersion), one thread")
    print(String(format: "all rows:       %d texts, %.1f MB in %.3f s = %.0f MB/s", texts.count, Double(all.0) / 1e6, all.1, Double(all.0) / 1e6 / all.1))
    print(String(format: "non-ASCII rows: %d texts, %.1f MB in %.3f s = %.0f MB/s", nonASCII.count, Double(other.0) / 1e6, other.1, Double(other.0) / 1e6 / other.1))
    if ProcessInfo.processInfo.environment["NETRA_BENCH_PLAIN"] != nil {
        let plain = measure(texts, bytes: megabytes * 1_000_000, normalizer: Normalizer())
        print(String(format: "all rows, no slang or word list: %.0f MB/s", Double(plain.0) / 1e6 / plain.1))
    }
case "mojibake":
    // How many `raw` fields of the pool MojibakeRepair turns into their repaired `text`.
    let pool = arguments.count > 1 ? arguments[1] : root.appendingPathComponent("../shared/corpora/pool.jsonl").standardized.path
    guard let data = FileManager.default.contents(atPath: pool) else { fail("cannot read \(pool)") }
    var total = 0, exact = 0, shown = 0, consistent = 0
    for line in data.split(separator: 0x0A) {
        guard let o = try? JSONSerialization.jsonObject(with: line) as? [String: Any], let raw = o["raw"] as? String,
              let text = o["text"] as? String else { continue }
        total += 1
        let repaired = MojibakeRepair.repair(raw)
        // The dataset's text is sometimes cut at another length than raw: compare the shorter prefix.
        let a = Array(repaired.unicodeScalars), b = Array(text.unicodeScalars)
        let n = min(a.count, b.count) - 8
        if repaired == text { exact += 1 }
        if n > 0 && a[0..<n] == b[0..<n] { consistent += 1 } else if shown < 5 {
            shown += 1
            print("raw:      \(raw.prefix(160).debugDescription)\nrepaired: \(repaired.prefix(160).debugDescription)\nexpected: \(text.prefix(160).debugDescription)\n")
        }
    }
    print("\(exact) of \(total) raw fields repaired to the dataset's text exactly; \(consistent) agree up to the shorter length")
case "normalizer-lines":
    // Each line of a plain text file is one text (for probing the normalizer on synthetic input).
    guard arguments.count > 1, let data = FileManager.default.contents(atPath: arguments[1]) else { fail("usage: netra-bench normalizer-lines FILE") }
    let texts = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    let result = measure(texts, bytes: 100_000_000, normalizer: Normalizer())
    print(String(format: "%.0f MB/s", Double(result.0) / 1e6 / result.1))
default:
    fail("unknown command '\(command)'")
}
