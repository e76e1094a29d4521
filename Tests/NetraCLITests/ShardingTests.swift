import Foundation
import NetraCore
import Testing

// Issue 8: the properties sharding relies on (DESIGN.md §7), checked on the built binary.
//
// Equivalence is defined as follows. For contiguous shards cut at known lines (split -l) and
// scanned with `--source-path INPUT --line-offset K`, every output line, message and count is the
// single run's, so the shard outputs concatenated in shard order, or merged by `netra merge`
// (sorted by source path and line), are byte-identical to `netra scan INPUT`. For shards whose
// provenance is lost (any split of the records, Spark's RDD.pipe on standard input), each line's
// `source` is the shard's (`-`, its line in the shard) and everything else is the single run's:
// the outputs compare byte-identical by id after `source` is taken out.

// MARK: The sample

/// The sample: 4,000 rows of the pool (../shared/corpora/pool.jsonl) shuffled with seed 2026 as
/// netra-bench builds its corpus, each given a kind (post, comment, reply, share, message) from the
/// same generator; when ../shared is absent, the rows of Corpus/examples (73, all with ids).
struct ShardSample: Sendable {
    var lines: [Data]
    var fromPool: Bool
    var data: Data { lines.reduce(into: Data()) { $0 += $1; $0.append(0x0A) } }

    static let shared: ShardSample = {
        let pool = root.appendingPathComponent("../shared/corpora/pool.jsonl").standardized
        if let data = FileManager.default.contents(atPath: pool.path) {
            var lines = data.split(separator: 0x0A).map { Data($0) }
            var rng = SplitMix64(seed: 2026)
            lines.shuffle(using: &rng)
            let kinds = ["post", "comment", "reply", "share", "message"]
            let rows = lines.prefix(4000).map { line -> Data in
                let kind = kinds[Int(rng.next() % UInt64(kinds.count))]
                return Data("{\"kind\": \"\(kind)\", ".utf8) + line.dropFirst()
            }
            return ShardSample(lines: Array(rows), fromPool: true)
        }
        var lines: [Data] = []
        let dir = root.appendingPathComponent("Corpus/examples")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".jsonl") }.sorted()
        for file in files {
            lines += (FileManager.default.contents(atPath: dir.appendingPathComponent(file).path) ?? Data())
                .split(separator: 0x0A).map { Data($0) }
        }
        return ShardSample(lines: lines, fromPool: false)
    }()
}

/// The sample written to a file, and one `netra scan --all --stats` run over it.
struct SingleRun: Sendable {
    var path: String
    var status: Int32
    var stdout: Data
    var stats: String

    /// The folder of the sample file. Tests running in parallel share it, so none of them can
    /// remove it: it is removed when the test process exits.
    static let directory = FileManager.default.temporaryDirectory.appendingPathComponent("netra-sharding-\(UUID().uuidString)")

    static let shared: SingleRun? = {
        let dir = directory
        guard (try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)) != nil else { return nil }
        atexit { try? FileManager.default.removeItem(at: SingleRun.directory) }
        let path = dir.appendingPathComponent("sample.jsonl").path
        guard FileManager.default.createFile(atPath: path, contents: ShardSample.shared.data),
              let result = try? run(["scan", "--all", "--stats", "--format", "ndjson", path]) else { return nil }
        return SingleRun(path: path, status: result.status, stdout: result.stdout, stats: statsLine(result.stderr) ?? "")
    }()
}

/// The `netra: stats` line of a standard error, without its prefix.
func statsLine(_ stderr: String) -> String? {
    stderr.split(separator: "\n").first { $0.hasPrefix("netra: stats ") }.map { String($0.dropFirst("netra: stats ".count)) }
}

/// A stats line with `inputs` left out: merged shard counts equal the single run's except that
/// `inputs` counts the shards.
func withoutInputs(_ stats: String) -> String {
    stats.replacingOccurrences(of: #"^\{"inputs":[0-9]+,"#, with: "{", options: .regularExpression)
}

/// The NDJSON line without its `"source":{…},` member (the key order is fixed: id, source, kind…).
func withoutSource(_ line: Substring) -> String {
    guard let start = line.range(of: #","source":{"#), let end = line[start.upperBound...].range(of: "},") else { return String(line) }
    return String(line[..<start.lowerBound]) + "," + String(line[end.upperBound...])
}

/// The lines of `data` with `source` taken out, sorted (every line starts with its id).
func sortedBySourceless(_ data: Data) -> [String] {
    String(decoding: data, as: UTF8.self).split(separator: "\n").map(withoutSource).sorted()
}


// MARK: Any split equals the single run

struct ShardCase: CustomTestStringConvertible, Sendable {
    enum Split: Sendable {
        /// scripts/shard_scan.sh: split -l, xargs -P, --source-path/--line-offset, netra merge.
        case script
        /// Contiguous shards on standard input with --source-path/--line-offset, concatenated.
        case stdinWithOffsets
        /// Record i to shard i mod N, on standard input without provenance; merged with --sort id.
        case roundRobin
    }
    var name: String
    var shards: Int
    var split: Split
    var testDescription: String { name }
}

let shardCases: [ShardCase] = [
    .init(name: "1 shard, shard_scan.sh", shards: 1, split: .script),
    .init(name: "2 shards, shard_scan.sh", shards: 2, split: .script),
    .init(name: "7 shards, shard_scan.sh", shards: 7, split: .script),
    .init(name: "16 shards, shard_scan.sh", shards: 16, split: .script),
    .init(name: "7 contiguous shards on stdin with --line-offset, concatenated", shards: 7, split: .stdinWithOffsets),
    .init(name: "16 round-robin shards without provenance, merged by id", shards: 16, split: .roundRobin),
]

@Test("shards scanned separately and merged equal one run (byte-identical; by id without source when provenance is lost)",
      arguments: shardCases)
func shardsEqualSingleRun(_ c: ShardCase) throws {
    let sample = ShardSample.shared
    let single = try #require(SingleRun.shared, "the single run over the sample failed")
    #expect(single.status == 0, "the sample has flagged records")
    if sample.fromPool { #expect(sample.lines.count == 4000) } else { #expect(sample.lines.count >= 60) }
    #expect(String(decoding: single.stdout, as: UTF8.self).split(separator: "\n").count == sample.lines.count)
    let binary = try netraBinary().path
    switch c.split {
    case .script:
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("netra-shards-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try runTool("/bin/bash", ["scripts/shard_scan.sh", "-n", "\(c.shards)", "-j", "2", "--netra", binary,
                                               single.path, out.path, "--", "--all"])
        #expect(result.status == single.status, "\(result.stderr)")
        let shardFiles = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("shards").path)
        // split -l cuts ceil(lines / shards) lines per shard: exactly N shards for the pool sample.
        let per = (sample.lines.count + c.shards - 1) / c.shards
        let expected = (sample.lines.count + per - 1) / per
        if sample.fromPool { #expect(expected == c.shards) }
        #expect(shardFiles.filter { $0.hasSuffix(".out") }.count == expected, "split -l made \(expected) shards")
        let merged = try Data(contentsOf: out.appendingPathComponent("result.ndjson"))
        #expect(merged == single.stdout, "merged shards are byte-identical to the single run")
        let stats = try String(contentsOf: out.appendingPathComponent("stats"), encoding: .utf8)
        let summed = try #require(statsLine(stats))
        #expect(withoutInputs(summed) == withoutInputs(single.stats))
        #expect(summed.hasPrefix("{\"inputs\":\(expected),"))
    case .stdinWithOffsets:
        let per = (sample.lines.count + c.shards - 1) / c.shards
        var concatenated = Data()
        for k in 0..<c.shards {
            let lines = sample.lines.dropFirst(k * per).prefix(per)
            let result = try run(["scan", "--all", "--format", "ndjson", "--threads", "1",
                                  "--source-path", single.path, "--line-offset", "\(k * per)", "-"],
                                 stdin: lines.reduce(into: Data()) { $0 += $1; $0.append(0x0A) })
            #expect(result.status <= 1, "\(result.stderr)")
            concatenated += result.stdout
        }
        #expect(concatenated == single.stdout, "shards concatenated in order are byte-identical to the single run")
    case .roundRobin:
        var outputs: [String] = []
        var stats: [String] = []
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("netra-rr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for k in 0..<c.shards {
            let lines = sample.lines.enumerated().filter { $0.offset % c.shards == k }.map(\.element)
            let result = try run(["scan", "--all", "--stats", "--format", "ndjson", "--threads", "1"],
                                 stdin: lines.reduce(into: Data()) { $0 += $1; $0.append(0x0A) })
            #expect(result.status <= 1, "\(result.stderr)")
            let output = dir.appendingPathComponent("\(k).ndjson"), error = dir.appendingPathComponent("\(k).err")
            try result.stdout.write(to: output)
            try Data(result.stderr.utf8).write(to: error)
            outputs.append(output.path)
            stats += ["--stats", error.path]
        }
        let merged = try run(["merge", "--sort", "id"] + stats + outputs)
        #expect(merged.status == single.status, "\(merged.stderr)")
        #expect(withoutInputs(statsLine(merged.stderr) ?? "") == withoutInputs(single.stats))
        // By source the shards collide (every shard's lines are -:1, -:2, …): merge refuses.
        let bySource = try run(["merge"] + outputs)
        #expect(bySource.status == 2 && bySource.stderr.contains("shards overlap"), "\(bySource.stderr)")
        let mergedLines = String(decoding: merged.stdout, as: UTF8.self).split(separator: "\n")
        #expect(mergedLines.map(withoutSource) == sortedBySourceless(single.stdout),
                "merged by id, without source, byte-identical to the single run")
        #expect(mergedLines.allSatisfy { $0.contains(#""source":{"path":"-","#) })
    }
}

@Test("a shard that skips records makes shard_scan.sh exit 3 as the single run does, and the merge names it")
func failedShardIsDetected() throws {
    let binary = try netraBinary().path
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("netra-badshard-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    var lines = ShardSample.shared.lines.prefix(60).map { String(decoding: $0, as: UTF8.self) }
    lines.insert("{not json", at: 45)  // line 46: in the third shard of four (16 lines each)
    let input = dir.appendingPathComponent("in.jsonl").path
    try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: input))
    let single = try run(["scan", "--stats", "--format", "ndjson", input])
    #expect(single.status == 3)
    #expect(single.stderr.contains("\(input):46: record skipped"))
    let result = try runTool("/bin/bash", ["scripts/shard_scan.sh", "-n", "4", "--netra", binary, input, dir.appendingPathComponent("out").path])
    #expect(result.status == 3, "\(result.stderr)")
    #expect(result.stderr.contains("shard.0002 exited 3"), "\(result.stderr)")
    #expect(result.stderr.contains("shard.0002.err:2: the shard skipped 1 record(s)"), "merge names the shard's stats line: \(result.stderr)")
    let merged = try Data(contentsOf: dir.appendingPathComponent("out/result.ndjson"))
    #expect(merged == single.stdout)
    let stats = try String(contentsOf: dir.appendingPathComponent("out/stats"), encoding: .utf8)
    #expect(withoutInputs(statsLine(stats) ?? "") == withoutInputs(statsLine(single.stderr) ?? "x"))
    // The shard's message names the input file and its line, as the single run's does.
    let shardError = try String(contentsOf: dir.appendingPathComponent("out/shards/shard.0002.err"), encoding: .utf8)
    #expect(shardError.contains("netra: \(input):46: record skipped"), "\(shardError)")
}

// MARK: --lexicon-version

struct VersionCase: CustomTestStringConvertible, Sendable {
    var name: String
    var options: [String]
    var testDescription: String { name }
}

@Test("scan --lexicon-version prints the output's lexicon_version and exits 0", arguments: [
    VersionCase(name: "bundled lexicons, every contest", options: []),
    VersionCase(name: "one contest", options: ["--contest", "pilpres-2024"]),
    VersionCase(name: "two contests", options: ["--contest", "pilpres-2024", "--contest", "pilwalkot-makassar-2024"]),
    VersionCase(name: "explicit --lexicons", options: ["--lexicons", "Lexicons"]),
])
func lexiconVersionFlag(_ c: VersionCase) throws {
    let printed = try run(["scan", "--lexicon-version"] + c.options, stdin: Data("{\"text\":\"ignored\"}\n".utf8))
    #expect(printed.status == 0, "\(printed.stderr)")
    #expect(printed.stderr.isEmpty)
    let scanned = try run(["scan", "--all", "--format", "ndjson"] + c.options, stdin: Data("{\"id\":\"v\",\"text\":\"Selamat pagi\"}\n".utf8))
    let line = try #require(try decodeAll(scanned).first)
    #expect(String(decoding: printed.stdout, as: UTF8.self) == line.lexiconVersion + "\n")
}

@Test("the fingerprint tells lexicons apart; a bad lexicon is exit 2")
func lexiconVersionDiffers() throws {
    let all = try run(["scan", "--lexicon-version"])
    let one = try run(["scan", "--lexicon-version", "--contest", "pilpres-2024"])
    #expect(all.status == 0 && one.status == 0)
    #expect(all.stdout != one.stdout)
    let bad = try run(["scan", "--lexicon-version", "--lexicons", "/nonexistent"])
    #expect(bad.status == 2 && bad.stdout.isEmpty)
}

// MARK: --source-path and --line-offset

struct ProvenanceCase: CustomTestStringConvertible, Sendable {
    var name: String
    var options: [String]
    var stdin: String
    var status: Int32
    /// Expected (id, source path, source line) of each output line.
    var lines: [(String, String, Int)] = []
    var stderr: String? = nil
    var testDescription: String { name }
}

let provenanceCases: [ProvenanceCase] = [
    .init(name: "standard input is - from line 1", options: [], stdin: "{\"text\":\"a\"}\n{\"id\":\"x\",\"text\":\"b\"}\n",
          status: 1, lines: [("-:1", "-", 1), ("x", "-", 2)]),
    .init(name: "--source-path names standard input and records without id", options: ["--source-path", "big.jsonl"],
          stdin: "{\"text\":\"a\"}\n{\"id\":\"x\",\"text\":\"b\"}\n", status: 1, lines: [("big.jsonl:1", "big.jsonl", 1), ("x", "big.jsonl", 2)]),
    .init(name: "--line-offset adds to every line number", options: ["--source-path", "big.jsonl", "--line-offset", "40"],
          stdin: "{\"text\":\"a\"}\n\n{\"text\":\"b\"}\n", status: 1, lines: [("big.jsonl:41", "big.jsonl", 41), ("big.jsonl:43", "big.jsonl", 43)]),
    .init(name: "--line-offset alone keeps the path", options: ["--line-offset", "7"], stdin: "{\"text\":\"a\"}\n",
          status: 1, lines: [("-:8", "-", 8)]),
    .init(name: "messages name the source path and the shifted line", options: ["--source-path", "big.jsonl", "--line-offset", "1000"],
          stdin: "{\"text\":\"a\"}\n{oops\n", status: 3, lines: [("big.jsonl:1001", "big.jsonl", 1001)],
          stderr: "netra: big.jsonl:1002: record skipped"),
    .init(name: "a negative offset is refused", options: ["--line-offset=-1"], stdin: "", status: 2, stderr: "--line-offset must be 0 or more"),
    .init(name: "an empty name is refused", options: ["--source-path", ""], stdin: "", status: 2, stderr: "--source-path must not be empty"),
    .init(name: "two inputs are refused", options: ["--source-path", "x", "Corpus/examples/attack.jsonl", "Corpus/examples/neutral.jsonl"],
          stdin: "", status: 2, stderr: "name one input"),
    .init(name: "an export reader is refused", options: ["--source-path", "x", "--from", "csv", "Corpus/examples/attack.jsonl"],
          stdin: "", status: 2, stderr: "apply to JSON lines"),
    .init(name: "an export folder is refused", options: ["--source-path", "x", "Corpus/examples"],
          stdin: "", status: 2, stderr: "apply to JSON lines; this is an export"),
]

@Test("scan --source-path and --line-offset give a shard the provenance of the file it was cut from", arguments: provenanceCases)
func provenanceOptions(_ c: ProvenanceCase) throws {
    let result = try run(["scan", "--all", "--format", "ndjson"] + c.options, stdin: Data(c.stdin.utf8))
    #expect(result.status == c.status, "\(result.stderr)")
    let lines = try decodeAll(result)
    #expect(lines.map(\.id) == c.lines.map(\.0))
    #expect(lines.map(\.source.path) == c.lines.map(\.1))
    #expect(lines.map(\.source.line) == c.lines.map(\.2))
    if let stderr = c.stderr { #expect(result.stderr.contains(stderr), "\(result.stderr)") }
}

@Test("--source-path with a file names the file as the single run over the larger file would")
func provenanceOfAFile() throws {
    let path = try temporaryFile("shard.jsonl", Data("{\"text\":\"Ayo coblos 02 Prabowo-Gibran!\"}\n".utf8))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let result = try run(["scan", "--format", "ndjson", "--source-path", "day.jsonl", "--line-offset", "99", path])
    #expect(result.status == 0, "\(result.stderr)")
    let line = try #require(try decodeAll(result).first)
    #expect(line.id == "day.jsonl:100" && line.source.path == "day.jsonl" && line.source.line == 100)
}

// MARK: netra merge

/// A synthetic output line (merge reads id, source, flagged and lexicon_version; keeps the rest).
func outputLine(_ id: String, _ path: String, _ line: Int, flagged: Bool = true, version: String = "lex-1+norm-2+icu-72.1") -> String {
    "{\"id\":\"\(id)\",\"source\":{\"path\":\"\(path)\",\"line\":\(line)},\"kind\":\"post\",\"created_at\":null,\"flagged\":\(flagged),"
        + "\"flags\":[],\"lexicon_version\":\"\(version)\"}"
}

func statsText(inputs: Int = 1, errors: Int = 0, records: Int, flagged: Int, skipped: [String: Int] = [:], flags: Int? = nil) -> String {
    let total = skipped.values.reduce(0, +)
    let reasons = skipped.keys.sorted().map { "\"\($0)\":\(skipped[$0]!)" }.joined(separator: ",")
    return "netra: in.jsonl:3: record skipped: whatever\nnetra: stats {\"inputs\":\(inputs),\"input_errors\":\(errors),\"records\":\(records),"
        + "\"flagged\":\(flagged),\"clean\":\(records - flagged - total),\"skipped\":\(total),\"skipped_by_reason\":{\(reasons)},"
        + "\"undated_bad_created_at\":0,\"flags\":\(flags ?? flagged)}\n"
}

struct MergeCase: CustomTestStringConvertible, Sendable {
    var name: String
    /// Shard outputs: file name and content.
    var outputs: [(String, String)]
    /// Shard standard errors: file name and content.
    var stats: [(String, String)] = []
    var options: [String] = []
    var status: Int32
    /// The ids of the merged output, in order (nil: not checked).
    var ids: [String]? = nil
    /// Text standard error must contain (file names are replaced by their base names).
    var stderr: [String] = []
    var testDescription: String { name }
}

let mergeCases: [MergeCase] = [
    .init(name: "shards in any order come out by source path and line",
          outputs: [("b.ndjson", outputLine("c", "in.jsonl", 30) + "\n" + outputLine("d", "in.jsonl", 41) + "\n"),
                    ("a.ndjson", outputLine("z", "in.jsonl", 2) + "\n" + outputLine("a", "in.jsonl", 10) + "\n")],
          status: 0, ids: ["z", "a", "c", "d"]),
    .init(name: "lines are compared as numbers, paths byte by byte",
          outputs: [("a.ndjson", [outputLine("1", "b.jsonl", 1), outputLine("2", "a.jsonl", 10), outputLine("3", "a.jsonl", 9),
                                  outputLine("4", "B.jsonl", 5)].joined(separator: "\n") + "\n")],
          status: 0, ids: ["4", "3", "2", "1"]),
    .init(name: "--sort id orders by id",
          outputs: [("a.ndjson", outputLine("r2", "-", 1) + "\n" + outputLine("r10", "-", 2) + "\n"),
                    ("b.ndjson", outputLine("r1", "-", 1) + "\n")],
          options: ["--sort", "id"], status: 0, ids: ["r1", "r10", "r2"]),
    .init(name: "nothing flagged is exit 1",
          outputs: [("a.ndjson", outputLine("a", "in.jsonl", 1, flagged: false) + "\n")], status: 1, ids: ["a"]),
    .init(name: "no lines at all is exit 1", outputs: [("a.ndjson", ""), ("b.ndjson", "\n")], status: 1, ids: []),
    .init(name: "different lexicon versions are refused, naming the file and line",
          outputs: [("a.ndjson", outputLine("a", "in.jsonl", 1) + "\n"),
                    ("b.ndjson", outputLine("b", "in.jsonl", 2) + "\n" + outputLine("c", "in.jsonl", 3, version: "lex-2+norm-2+icu-72.1") + "\n")],
          status: 2, ids: [], stderr: ["b.ndjson:2: lexicon_version lex-2+norm-2+icu-72.1 differs from lex-1+norm-2+icu-72.1", "a.ndjson:1"]),
    .init(name: "--expect-lexicon-version refuses any other version",
          outputs: [("a.ndjson", outputLine("a", "in.jsonl", 1) + "\n")], options: ["--expect-lexicon-version", "lex-9+norm-2+icu-72.1"],
          status: 2, ids: [], stderr: ["a.ndjson:1: lexicon_version lex-1+norm-2+icu-72.1 is not the expected"]),
    .init(name: "escaped ids and members in another order are read as Foundation reads them",
          outputs: [("a.ndjson", [#"{"flagged":true,"lexicon_version":"lex-1+norm-2+icu-72.1","source":{"line":2,"path":"in.jsonl"},"flags":["\u0041\"]"],"id":"bA"}"#,
                                  #"{"id":"a\"q","source":{"path":"in.jsonl","line":1},"kind":"post","flags":[{"x":"}]\""}],"flagged":true,"lexicon_version":"lex-1+norm-2+icu-72.1"}"#,
                                  outputLine("c", "in.jsonl", 3)].joined(separator: "\n") + "\n")],
          options: ["--sort", "id"], status: 0, ids: ["a\"q", "bA", "c"]),
    .init(name: "a truncated line (a shard killed while writing) is refused",
          outputs: [("a.ndjson", outputLine("a", "in.jsonl", 1) + "\n" + String(outputLine("b", "in.jsonl", 2).dropLast(30)) + "\n")],
          status: 2, ids: [], stderr: ["a.ndjson:2: not a JSON object"]),
    .init(name: "text output is refused", outputs: [("a.txt", "in.jsonl:1 NET-SM-02 …\n")], status: 2, ids: [],
          stderr: ["a.txt:1: not a JSON object"]),
    .init(name: "a JSON line that is not netra's is refused", outputs: [("a.ndjson", outputLine("a", "in.jsonl", 1) + "\n{\"text\":\"x\"}\n")],
          status: 2, ids: [], stderr: ["a.ndjson:2: not a netra scan output line"]),
    .init(name: "a record found twice is refused when sorting by source",
          outputs: [("a.ndjson", outputLine("a", "in.jsonl", 1) + "\n"), ("b.ndjson", outputLine("a", "in.jsonl", 1) + "\n")],
          status: 2, ids: [], stderr: ["record in.jsonl:1 is also in", "shards overlap"]),
    .init(name: "stats lines are summed, skipped reasons merged; skipped records make exit 3",
          outputs: [("a.ndjson", outputLine("a", "in.jsonl", 1) + "\n"), ("b.ndjson", outputLine("b", "in.jsonl", 9) + "\n")],
          stats: [("a.err", statsText(records: 5, flagged: 1, skipped: ["malformed_json": 1])),
                  ("b.err", statsText(records: 4, flagged: 1, skipped: ["malformed_json": 2, "too_long": 1], flags: 3))],
          status: 3, ids: ["a", "b"],
          stderr: [#"netra: stats {"inputs":2,"input_errors":0,"records":9,"flagged":2,"clean":3,"skipped":4,"skipped_by_reason":{"malformed_json":3,"too_long":1},"undated_bad_created_at":0,"flags":4}"#,
                   "b.err:2: the shard skipped 3 record(s)", "incomplete: 4 of 9 records skipped"]),
    .init(name: "clean shards' stats give the single run's exit code",
          outputs: [("a.ndjson", outputLine("a", "in.jsonl", 1) + "\n")],
          stats: [("a.err", statsText(records: 5, flagged: 1)), ("b.err", statsText(records: 4, flagged: 0))],
          status: 0, ids: ["a"], stderr: [#"netra: stats {"inputs":2,"input_errors":0,"records":9,"flagged":1,"clean":8,"#]),
    .init(name: "a shard without a stats line (crashed or killed) is an error",
          outputs: [("a.ndjson", outputLine("a", "in.jsonl", 1) + "\n")],
          stats: [("a.err", statsText(records: 5, flagged: 1)), ("b.err", "netra: in.jsonl:7: something\n")],
          status: 2, ids: [], stderr: ["b.err: no 'netra: stats' line"]),
    .init(name: "a shard with input errors is an error, named",
          outputs: [("a.ndjson", outputLine("a", "in.jsonl", 1) + "\n")],
          stats: [("a.err", statsText(records: 5, flagged: 1)), ("b.err", statsText(errors: 1, records: 0, flagged: 0))],
          status: 2, ids: ["a"], stderr: ["b.err:2: the shard had 1 input error(s)"]),
    .init(name: "an output missing for a shard is noticed from the counts",
          outputs: [("a.ndjson", outputLine("a", "in.jsonl", 1) + "\n")],
          stats: [("a.err", statsText(records: 5, flagged: 1)), ("b.err", statsText(records: 4, flagged: 2))],
          status: 2, ids: ["a"], stderr: ["the outputs hold 1 flagged record(s) but the stats lines count 3"]),
    .init(name: "two stats lines in one file are refused",
          outputs: [], stats: [("ab.err", statsText(records: 5, flagged: 1) + statsText(records: 4, flagged: 0))],
          status: 2, ids: [], stderr: ["ab.err:4: a second stats line (the first is line 2)"]),
    .init(name: "a damaged stats line is refused",
          outputs: [], stats: [("a.err", "netra: stats {\"inputs\":1}\n")], status: 2, ids: [], stderr: ["a.err:1: the stats line cannot be read"]),
    .init(name: "stats alone are summed", outputs: [],
          stats: [("a.err", statsText(records: 5, flagged: 0)), ("b.err", statsText(records: 4, flagged: 0))],
          status: 1, ids: [], stderr: [#""records":9,"flagged":0,"clean":9"#]),
    .init(name: "a missing file is an error", outputs: [], options: ["/nonexistent/a.ndjson"], status: 2, ids: [],
          stderr: ["/nonexistent/a.ndjson: cannot read"]),
    .init(name: "an unknown sort key is refused", outputs: [("a.ndjson", "")], options: ["--sort", "date"], status: 2, ids: []),
]

@Test("netra merge", arguments: mergeCases)
func merge(_ c: MergeCase) throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("netra-merge-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    var arguments = ["merge"] + c.options
    for (name, content) in c.stats {
        let path = dir.appendingPathComponent(name).path
        try Data(content.utf8).write(to: URL(fileURLWithPath: path))
        arguments += ["--stats", path]
    }
    for (name, content) in c.outputs {
        let path = dir.appendingPathComponent(name).path
        try Data(content.utf8).write(to: URL(fileURLWithPath: path))
        arguments.append(path)
    }
    let result = try run(arguments)
    #expect(result.status == c.status, "\(result.stderr)")
    if let ids = c.ids {
        let got = result.stdoutLines.map { line -> String in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["id"] as? String ?? "?"
        }
        #expect(got == ids)
    }
    let stderr = result.stderr.replacingOccurrences(of: dir.path + "/", with: "")
    for text in c.stderr { #expect(stderr.contains(text), "\(stderr)") }
    // Every line kept byte for byte.
    let input = Set(c.outputs.flatMap { $0.1.split(separator: "\n").map(String.init) })
    #expect(Set(result.stdoutLines).isSubset(of: input))
}

// MARK: Spark (local mode)

func works(_ tool: String, _ arguments: [String]) -> Bool {
    guard let result = try? runTool("/usr/bin/env", [tool] + arguments) else { return false }
    return result.status == 0
}

/// The Python that has pyspark: $NETRA_PYTHON, the virtual environment scripts/install-deps.sh
/// makes when pip may not install into the system's python3, or python3 on PATH.
let sparkPython: String? = {
    var candidates = [root.appendingPathComponent(".build/spark-venv/bin/python3").path, "python3"]
    if let python = ProcessInfo.processInfo.environment["NETRA_PYTHON"] { candidates.insert(python, at: 0) }
    return candidates.first { works($0, ["-c", "import pyspark"]) }
}()

/// Why the Spark test cannot run here; nil when Java and pyspark are both there.
let sparkUnavailable: String? = {
    if !works("java", ["-version"]) { return "java is not installed (scripts/install-deps.sh installs openjdk-17-jre-headless when it can)" }
    if sparkPython == nil { return "pyspark is not importable (scripts/install-deps.sh installs pyspark==4.3.0 from PyPI when it can)" }
    return nil
}()

@Test("scripts/spark_scan.py in Spark local mode flags what one netra scan flags (by id)",
      .enabled(if: sparkUnavailable == nil, Comment(rawValue: "Spark test skipped: \(sparkUnavailable ?? "")")),
      .timeLimit(.minutes(4)))
func sparkLocalMode() throws {
    let single = try #require(SingleRun.shared)
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("netra-spark-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: out) }
    let python = try #require(sparkPython)
    let result = try runTool("/usr/bin/env", [python, "scripts/spark_scan.py", "--master", "local[2]", "--partitions", "4",
                                              "--netra", try netraBinary().path, "--lexicons", root.appendingPathComponent("Lexicons").path,
                                              single.path, out.path])
    #expect(result.status == 0, "\(result.stderr)")
    var spark = Data()
    for part in try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() where part.hasPrefix("part-") {
        spark += try Data(contentsOf: out.appendingPathComponent(part))
    }
    let flagged = String(decoding: single.stdout, as: UTF8.self).split(separator: "\n").filter { $0.contains("\"flagged\":true") }
    #expect(flagged.count > 10)
    #expect(sortedBySourceless(spark) == flagged.map(withoutSource).sorted(), "Spark's flags per id equal the single run's")
}
