// netra-bench: measurements that belong in BENCHMARKS.md, not in unit tests.
//
//   swift run -c release netra-bench normalizer [POOL.jsonl] [MEGABYTES]
//   swift run -c release netra-bench scan [POOL.jsonl] [MEGABYTES]     (NETRA_BENCH_RUNS=N: best and median of N rounds;
//                                                                      NETRA_BENCH_SLOPE=K: throughput as the slope up to K× the corpus)
//   swift run -c release netra-bench batch [POOL.jsonl] [FILES] [ROUNDS]
//
// normalizer: the `text` fields of POOL (default ../shared/corpora/pool.jsonl) repeated until they
// total MEGABYTES (default 200), normalized on one thread with the bundled lexicon's normalizer
// configuration; then the same for the rows that contain non-ASCII text alone. Prints MB/s.
import Foundation
import NetraCore
import NetraMatch
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

/// CPU seconds of the calling thread: on this shared 2-vCPU machine other jobs stretch wall
/// time but not (much) this, so both are printed.
nonisolated func threadCPU() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
/// The lexicon folder: NETRA_LEXICONS, or the project's own.
let lexiconDirectory = ProcessInfo.processInfo.environment["NETRA_LEXICONS"] ?? root.appendingPathComponent("Lexicons").path

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

/// Normalizes `texts` repeated to at least `bytes` bytes; returns (bytes, wall seconds, thread CPU seconds).
nonisolated func measure(_ texts: [String], bytes target: Int, normalizer: Normalizer) -> (Int, Double, Double) {
    let size = texts.reduce(0) { $0 + $1.utf8.count }
    guard size > 0 else { return (0, 0, 0) }
    let rounds = max(1, (target + size - 1) / size)
    var result = NormalizedText()
    for text in texts { normalizer.normalize(text, into: &result) }  // warm the memo
    var checksum = 0
    let start = now(), startCPU = threadCPU()
    for _ in 0..<rounds {
        for text in texts {
            normalizer.normalize(text, into: &result)
            checksum &+= result.byteCount
        }
    }
    let seconds = now() - start, cpu = threadCPU() - startCPU
    if checksum == 42 { print("") }
    return (rounds * size, seconds, cpu)
}

/// Runs `arguments` under /usr/bin/time: wall seconds, CPU seconds (user + system), peak RSS in KB.
func timed(_ arguments: [String]) -> (seconds: Double, cpu: Double, peakKB: Int) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
    process.arguments = ["-f", "%e %U %S %M"] + arguments
    process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
    let err = Pipe()
    process.standardError = err
    try? process.run()
    let output = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    let parts = (output.split(separator: "\n").last.map(String.init) ?? "").split(separator: " ").map { Double($0) ?? -1 }
    guard parts.count == 4 else { fail("could not time \(arguments): \(output)") }
    return (parts[0], parts[1] + parts[2], Int(parts[3]))
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else { fail("usage: netra-bench normalizer [POOL.jsonl] [MEGABYTES]") }
switch command {
case "normalizer":
    let pool = arguments.count > 1 ? arguments[1] : root.appendingPathComponent("../shared/corpora/pool.jsonl").standardized.path
    let megabytes = arguments.count > 2 ? Int(arguments[2]) ?? 200 : 200
    let lexicon: Lexicon
    do { lexicon = try Lexicon.load(directory: lexiconDirectory) } catch { fail("\(error)") }
    let normalizer = Normalizer(configuration: lexicon.normalization, fastPath: true,
                                memo: ProcessInfo.processInfo.environment["NETRA_BENCH_NO_MEMO"] == nil)
    let texts = poolTexts(pool)
    let nonASCII = texts.filter { $0.utf8.contains { $0 >= 0x80 } }
    let all = measure(texts, bytes: megabytes * 1_000_000, normalizer: normalizer)
    let other = measure(nonASCII, bytes: megabytes * 1_000_000 / 4, normalizer: normalizer)
    print("normalizer \(Normalizer.version), ICU \(icuVersion), one thread")
    print(String(format: "all rows:       %d texts, %.1f MB in %.3f s = %.0f MB/s (thread CPU %.3f s = %.0f MB/s)", texts.count,
                 Double(all.0) / 1e6, all.1, Double(all.0) / 1e6 / all.1, all.2, Double(all.0) / 1e6 / all.2))
    print(String(format: "non-ASCII rows: %d texts, %.1f MB in %.3f s = %.0f MB/s (thread CPU %.3f s = %.0f MB/s)", nonASCII.count,
                 Double(other.0) / 1e6, other.1, Double(other.0) / 1e6 / other.1, other.2, Double(other.0) / 1e6 / other.2))
    if ProcessInfo.processInfo.environment["NETRA_BENCH_PLAIN"] != nil {
        let plain = measure(texts, bytes: megabytes * 1_000_000, normalizer: Normalizer())
        print(String(format: "all rows, no slang or word list: %.0f MB/s", Double(plain.0) / 1e6 / plain.1))
    }
case "scan":
    // End to end, side by side in one run: netra on one thread, netra on all cores, and
    // ripgrep with the 2,000 fixed terms, each on a one-line input (start-up) and on a corpus of
    // pool rows shuffled with a fixed seed and repeated to MEGABYTES (default 200).
    let pool = arguments.count > 1 ? arguments[1] : root.appendingPathComponent("../shared/corpora/pool.jsonl").standardized.path
    let megabytes = arguments.count > 2 ? Int(arguments[2]) ?? 200 : 200
    let terms = root.appendingPathComponent("../shared/bench/terms-2000.txt").standardized.path
    // NETRA_BENCH_NETRA: another build to measure (an older commit's, for a before-and-after).
    let netra = ProcessInfo.processInfo.environment["NETRA_BENCH_NETRA"] ?? root.appendingPathComponent(".build/release/netra").path
    guard FileManager.default.isExecutableFile(atPath: netra) else { fail("build netra first: swift build -c release") }
    // Without ripgrep every rg run would time a failed exec (0.00 s) and every ratio would be nonsense.
    let ripgrep = "/usr/bin/rg"
    guard FileManager.default.isExecutableFile(atPath: ripgrep) else { fail("ripgrep is needed for the comparison: apt-get install ripgrep") }
    guard let data = FileManager.default.contents(atPath: pool) else { fail("cannot read \(pool)") }
    var lines = data.split(separator: 0x0A).map { Data($0) }
    var rng = SplitMix64(seed: 2026)
    lines.shuffle(using: &rng)
    let corpus = FileManager.default.temporaryDirectory.appendingPathComponent("netra-bench-corpus.jsonl").path
    let one = FileManager.default.temporaryDirectory.appendingPathComponent("netra-bench-one.jsonl").path
    FileManager.default.createFile(atPath: corpus, contents: nil)
    guard let handle = FileHandle(forWritingAtPath: corpus) else { fail("cannot write \(corpus)") }
    var written = 0
    var round = 0
    while written < megabytes * 1_000_000 {
        var chunk = Data()
        for line in lines {
            chunk += line
            chunk.append(0x0A)
        }
        handle.write(chunk)
        written += chunk.count
        round += 1
    }
    try? handle.close()
    try? Data(lines[0] + Data([0x0A])).write(to: URL(fileURLWithPath: one))
    let runs: [(String, [String])] = [
        ("netra --threads 1", [netra, "scan", "--threads", "1"]),
        ("netra (all cores)", [netra, "scan"]),
        ("rg -c -F -i -f terms-2000", [ripgrep, "-c", "-F", "-i", "-f", terms]),
    ]
    print("corpus: \(written / 1_000_000) MB (\(round) rounds of \(lines.count) pool rows, seed 2026)")
    // Runs of one binary vary by ±20 % on a shared VM: with NETRA_BENCH_RUNS=N the three
    // commands run N times in turn (so each round sees one machine load) and the best and the
    // median run of each are reported.
    let runsWanted = max(1, Int(ProcessInfo.processInfo.environment["NETRA_BENCH_RUNS"] ?? "1") ?? 1)
    var startups: [Double] = [], rates: [[Double]] = Array(repeating: [], count: runs.count), peaks: [Int] = Array(repeating: 0, count: runs.count)
    for (_, command) in runs { startups.append(timed(command + [one]).seconds) }
    for _ in 0..<runsWanted {
        for (k, (_, command)) in runs.enumerated() {
            let full = timed(command + [corpus])
            rates[k].append(Double(written) / 1e6 / max(0.001, full.seconds - startups[k]))
            peaks[k] = max(peaks[k], full.peakKB)
        }
    }
    func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
    for (k, (name, _)) in runs.enumerated() {
        print(String(format: "%-28@ start-up %.3f s   marginal %.0f MB/s best, %.0f MB/s median of %d   peak RSS %d MB",
                     name as NSString, startups[k], rates[k].max()!, median(rates[k]), runsWanted, peaks[k] / 1024))
    }
    let best = rates.map { $0.max()! }, middle = rates.map(median)
    print(String(format: "ratios (best runs): netra 1 thread / rg = %.2f; netra all cores / rg = %.2f; all cores / 1 thread = %.2f",
                 best[0] / best[2], best[1] / best[2], best[1] / best[0]))
    if runsWanted > 1 {
        print(String(format: "ratios (median runs): netra 1 thread / rg = %.2f; netra all cores / rg = %.2f; all cores / 1 thread = %.2f",
                     middle[0] / middle[2], middle[1] / middle[2], middle[1] / middle[0]))
        let perRound = (0..<runsWanted).map { rates[0][$0] / rates[2][$0] }.sorted()
        print(String(format: "netra 1 thread / rg per round: %@", perRound.map { String(format: "%.2f", $0) }.joined(separator: ", ")))
    }
    // NETRA_BENCH_SLOPE=K: each command once more on the corpus repeated K times (default 5), and
    // throughput as the slope between the two sizes. ripgrep's lazy DFA builds its states while it
    // reads the first texts (about 3 s for these terms), which the one-line start-up does not
    // include; the slope leaves that out for every command alike (BENCHMARKS.md, stop 19).
    if let slopeSetting = ProcessInfo.processInfo.environment["NETRA_BENCH_SLOPE"] {
        let copies = max(2, Int(slopeSetting) ?? 5)
        let large = FileManager.default.temporaryDirectory.appendingPathComponent("netra-bench-corpus-large.jsonl").path
        guard let whole = FileManager.default.contents(atPath: corpus) else { fail("cannot read \(corpus)") }
        guard FileManager.default.createFile(atPath: large, contents: nil), let largeHandle = FileHandle(forWritingAtPath: large) else {
            fail("cannot write \(large)")
        }
        for _ in 0..<copies { largeHandle.write(whole) }
        try? largeHandle.close()
        let extraMB = Double(whole.count * (copies - 1)) / 1e6
        var slopes: [Double] = []
        for (k, (name, command)) in runs.enumerated() {
            // The corpus again, then the large file, one after the other (one machine load for both).
            let small = timed(command + [corpus]).seconds, big = timed(command + [large])
            let slope = extraMB / max(0.001, big.seconds - small)
            slopes.append(slope)
            peaks[k] = max(peaks[k], big.peakKB)
            print(String(format: "%-28@ %.2f s on %.0f MB, %.2f s on %.0f MB: %.0f MB/s by the slope   peak RSS %d MB",
                         name as NSString, small, Double(whole.count) / 1e6, big.seconds, Double(whole.count * copies) / 1e6, slope,
                         big.peakKB / 1024))
        }
        print(String(format: "ratios by the slope: netra 1 thread / rg = %.2f; netra all cores / rg = %.2f; all cores / 1 thread = %.2f",
                     slopes[0] / slopes[2], slopes[1] / slopes[2], slopes[1] / slopes[0]))
        try? FileManager.default.removeItem(atPath: large)
    }
    try? FileManager.default.removeItem(atPath: corpus)
case "batch":
    // issue 7: `netra batch` against `netra scan` on the same inputs, side by side in one run. The
    // inbox holds FILES (default 4) JSON-lines files, each the pool rows shuffled with its own seed
    // (so each file is a new input); `netra scan` (all cores) reads the same files. Each is timed
    // ROUNDS times (default 3; a fresh store each time) and the fastest run counts.
    let pool = arguments.count > 1 ? arguments[1] : root.appendingPathComponent("../shared/corpora/pool.jsonl").standardized.path
    let files = arguments.count > 2 ? Int(arguments[2]) ?? 4 : 4
    let rounds = arguments.count > 3 ? Int(arguments[3]) ?? 3 : 3
    let netra = root.appendingPathComponent(".build/release/netra").path
    guard FileManager.default.isExecutableFile(atPath: netra) else { fail("build netra first: swift build -c release") }
    guard let data = FileManager.default.contents(atPath: pool) else { fail("cannot read \(pool)") }
    let lines = data.split(separator: 0x0A).map { Data($0) }
    let work = FileManager.default.temporaryDirectory.appendingPathComponent("netra-bench-batch-\(getpid())").path
    let inbox = work + "/inbox"
    try? FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
    var inputs: [String] = []
    var bytes = 0
    for index in 0..<files {
        var shuffled = lines
        var rng = SplitMix64(seed: 7000 + UInt64(index))
        shuffled.shuffle(using: &rng)
        var chunk = Data()
        for line in shuffled {
            chunk += line
            chunk.append(0x0A)
        }
        let path = String(format: "%@/part-%02d.jsonl", inbox, index)
        try? chunk.write(to: URL(fileURLWithPath: path))
        inputs.append(path)
        bytes += chunk.count
    }
    print("inbox: \(files) files, \(bytes / 1_000_000) MB, \(files * lines.count) records; fastest of \(rounds)")
    var best: [String: (seconds: Double, cpu: Double, peakKB: Int)] = [:]
    // Each round runs the two back to back, so a round's ratio is taken under one machine load.
    var ratios: [Double] = []
    for index in 0..<rounds {
        var round: [String: Double] = [:]
        // Alternate which goes first, so neither always runs on a machine the other just warmed.
        for name in index % 2 == 0 ? ["scan", "batch"] : ["batch", "scan"] {
            let store = work + "/store.sqlite"
            for suffix in ["", "-wal", "-shm", ".key", ".lock"] { try? FileManager.default.removeItem(atPath: store + suffix) }
            let command = name == "scan" ? [netra, "scan"] + inputs : [netra, "batch", "--inbox", inbox, "--store", store]
            let result = timed(command)
            round[name] = result.seconds
            if best[name] == nil || result.seconds < best[name]!.seconds { best[name] = result }
        }
        ratios.append(round["scan"]! / round["batch"]!)
    }
    ratios.sort()
    for name in ["scan", "batch"] {
        let r = best[name]!
        print(String(format: "netra %-6@ %.2f s   %.0f MB/s   CPU %.2f s   peak RSS %d MB", name as NSString, r.seconds,
                     Double(bytes) / 1e6 / r.seconds, r.cpu, r.peakKB / 1024))
    }
    print(String(format: "batch throughput / scan throughput: fastest runs %.2f; per round median %.2f (min %.2f, max %.2f); target >= 0.80",
                 best["scan"]!.seconds / best["batch"]!.seconds, ratios[ratios.count / 2], ratios.first!, ratios.last!))
    try? FileManager.default.removeItem(atPath: work)
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
case "matcher":
    // The term matchers alone on the normalized `text` fields of POOL, repeated to MEGABYTES
    // (default 100) of normalized text: the bundled lexicon's patterns, AhoCorasick against
    // WordMatcher, with their sizes; exits 1 when they disagree on any text.
    let pool = arguments.count > 1 ? arguments[1] : root.appendingPathComponent("../shared/corpora/pool.jsonl").standardized.path
    let megabytes = arguments.count > 2 ? Int(arguments[2]) ?? 100 : 100
    let lexicon: Lexicon
    do { lexicon = try Lexicon.load(directory: lexiconDirectory) } catch { fail("\(error)") }
    let compiled = CompiledLexicon(lexicon)
    let normalizer = Normalizer(configuration: lexicon.normalization)
    let texts = poolTexts(pool).map { normalizer.normalize($0).bytes }
    let boundaries: Set<UInt8> = [0x20, 0x23]
    let automaton = AhoCorasick(patterns: compiled.patterns, boundaryBytes: boundaries)
    let words = WordMatcher(patterns: compiled.patterns, boundaryBytes: boundaries)
    print("\(compiled.patterns.count) patterns; AhoCorasick \(automaton.stateCount) states, WordMatcher \(words.wordCount) words, \(words.nodeCount) nodes, \(words.tableBytes / 1024) KB")
    // How the pool's words meet the patterns' words: what decides WordMatcher's work.
    var vocabulary = Set<[UInt8]>(), starters = Set<[UInt8]>(), phraseStarters = Set<[UInt8]>()
    for p in compiled.patterns {
        let parts = p.split(omittingEmptySubsequences: false) { boundaries.contains($0) }.map { Array($0) }
        vocabulary.formUnion(parts)
        starters.insert(parts[0])
        if parts.count > 1 { phraseStarters.insert(parts[0]) }
    }
    var wordTotal = 0, inVocabulary = 0, beginPattern = 0, beginPhrase = 0
    for text in texts {
        for part in text.split(omittingEmptySubsequences: false, whereSeparator: { boundaries.contains($0) }) {
            let word = Array(part)
            wordTotal += 1
            if vocabulary.contains(word) { inVocabulary += 1 }
            if starters.contains(word) { beginPattern += 1 }
            if phraseStarters.contains(word) { beginPhrase += 1 }
        }
    }
    print("pool words: \(wordTotal); a pattern word \(inVocabulary), first word of a pattern \(beginPattern), of a phrase \(beginPhrase)")
    var disagreements = 0
    for text in texts where automaton.find(in: text) != words.find(in: text) { disagreements += 1 }
    let size = texts.reduce(0) { $0 + $1.count }
    let rounds = max(1, (megabytes * 1_000_000 + size - 1) / max(1, size))
    for (name, find) in [("AhoCorasick", { (text: UnsafeBufferPointer<UInt8>, matches: inout [Match]) in automaton.find(in: text, kind: .allOverlapping, into: &matches) }),
                         ("WordMatcher", { (text: UnsafeBufferPointer<UInt8>, matches: inout [Match]) in words.find(in: text, kind: .allOverlapping, into: &matches) })] {
        var matches: [Match] = []
        var found = 0
        let start = now()
        for _ in 0..<rounds {
            for text in texts {
                matches.removeAll(keepingCapacity: true)
                text.withUnsafeBufferPointer { find($0, &matches) }
                found &+= matches.count
            }
        }
        let seconds = now() - start
        print(String(format: "%-13@ %.1f MB in %.3f s = %.0f MB/s (%d matches)", name as NSString, Double(rounds * size) / 1e6, seconds,
                     Double(rounds * size) / 1e6 / seconds, found))
    }
    print("\(disagreements) of \(texts.count) texts matched differently")
    if disagreements > 0 { exit(1) }
case "normalizer-lines":
    // Each line of a plain text file is one text (for probing the normalizer on synthetic input).
    guard arguments.count > 1, let data = FileManager.default.contents(atPath: arguments[1]) else { fail("usage: netra-bench normalizer-lines FILE") }
    let texts = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    let result = measure(texts, bytes: 100_000_000, normalizer: Normalizer())
    print(String(format: "%.0f MB/s", Double(result.0) / 1e6 / result.1))
case "normalizer-compare":
    // The fast path against the general path (the oracle) on every text of POOL, with the
    // bundled lexicon's configuration, in text and term mode; prints the first differences.
    guard arguments.count > 1 else { fail("usage: netra-bench normalizer-compare POOL.jsonl") }
    let lexicon: Lexicon
    do { lexicon = try Lexicon.load(directory: lexiconDirectory) } catch { fail("\(error)") }
    let fast = Normalizer(configuration: lexicon.normalization), slow = Normalizer(configuration: lexicon.normalization, fastPath: false)
    var differences = 0, compared = 0
    for (index, text) in poolTexts(arguments[1]).enumerated() {
        for mode in [NormalizationMode.text, .term] {
            let a = fast.normalize(text, mode: mode), b = slow.normalize(text, mode: mode)
            compared += 1
            let (am, bm) = (a.sourceMap(), b.sourceMap())
            guard a.bytes != b.bytes || am.starts != bm.starts || am.ends != bm.ends || a.tokenStarts != b.tokenStarts
                || a.sentenceStarts != b.sentenceStarts else { continue }
            differences += 1
            if differences <= 5 {
                print("text \(index + 1) (\(mode)): \(text.debugDescription)")
                print("  fast:    \(a.string.debugDescription) tokens \(a.tokenStarts) sentences \(a.sentenceStarts)")
                print("  general: \(b.string.debugDescription) tokens \(b.tokenStarts) sentences \(b.sentenceStarts)")
                if a.bytes == b.bytes {
                    for i in a.bytes.indices where am.starts[i] != bm.starts[i] || am.ends[i] != bm.ends[i] {
                        print("  byte \(i) '\(UnicodeScalar(a.bytes[i]))': fast \(am.starts[i])..<\(am.ends[i]), general \(bm.starts[i])..<\(bm.ends[i])")
                        break
                    }
                }
            }
        }
    }
    print("\(differences) of \(compared) normalizations differ")
    if differences > 0 { exit(1) }
case "normalizer-dump":
    // One line per pool text: a fingerprint of the normalized bytes, the offset map, tokens and
    // sentences, in text and term mode. Two builds give identical files iff they agree.
    guard arguments.count > 2 else { fail("usage: netra-bench normalizer-dump POOL.jsonl OUT") }
    let lexicon: Lexicon
    do { lexicon = try Lexicon.load(directory: lexiconDirectory) } catch { fail("\(error)") }
    let normalizer = Normalizer(configuration: lexicon.normalization)
    var lines: [String] = []
    for text in poolTexts(arguments[1]) {
        var fingerprint = FNV1a64()
        for mode in [NormalizationMode.text, .term] {
            let result = normalizer.normalize(text, mode: mode)
            let map = result.sourceMap()
            fingerprint.add(result.bytes)
            fingerprint.add(map.starts.flatMap { withUnsafeBytes(of: $0) { Array($0) } })
            fingerprint.add(map.ends.flatMap { withUnsafeBytes(of: $0) { Array($0) } })
            fingerprint.add(result.tokenStarts.flatMap { withUnsafeBytes(of: $0) { Array($0) } })
            fingerprint.add(result.sentenceStarts.flatMap { withUnsafeBytes(of: $0) { Array($0) } })
            if ProcessInfo.processInfo.environment["NETRA_DUMP_VERBOSE"] != nil {
                print(mode, result.string.debugDescription, result.tokenStarts, result.sentenceStarts)
                print(result.bytes.indices.map { "\(UnicodeScalar(result.bytes[$0]))\(map.starts[$0])-\(map.ends[$0])" }.joined(separator: " "))
            }
        }
        lines.append(fingerprint.hex)
    }
    FileManager.default.createFile(atPath: arguments[2], contents: Data((lines.joined(separator: "\n") + "\n").utf8))
default:
    fail("unknown command '\(command)'")
}

