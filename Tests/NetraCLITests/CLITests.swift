import Foundation
import Testing

// End-to-end tests of the `netra` executable: exit codes, strict output schema, bad input.

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The built `netra` next to the test bundle (or $NETRA_BIN).
func netraBinary() throws -> URL {
    if let env = ProcessInfo.processInfo.environment["NETRA_BIN"] { return URL(fileURLWithPath: env) }
    var candidates: [URL] = []
    if let exe = Bundle.main.executableURL { candidates.append(exe.deletingLastPathComponent().appendingPathComponent("netra")) }
    candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("netra"))
    candidates.append(root.appendingPathComponent(".build/debug/netra"))
    return try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }, "netra binary not found")
}

struct RunResult {
    var status: Int32
    var stdout: Data
    var stderr: String
    var stdoutLines: [String] { String(decoding: stdout, as: UTF8.self).split(separator: "\n").map(String.init) }
}

/// Runs netra with `arguments`, feeding `stdin` from a file, and waits for it.
func run(_ arguments: [String], stdin: Data = Data()) throws -> RunResult {
    try runTool(try netraBinary().path, arguments, stdin: stdin)
}

/// Runs any executable (netra, a script) from the repository root, `stdin` from a file; waits for it.
func runTool(_ executable: String, _ arguments: [String], stdin: Data = Data(), environment: [String: String] = [:]) throws -> RunResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = root
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let inputPath = try temporaryFile("stdin", stdin)
    let errorPath = try temporaryFile("stderr", Data())
    defer {
        try? FileManager.default.removeItem(atPath: inputPath)
        try? FileManager.default.removeItem(atPath: errorPath)
    }
    let output = Pipe()
    process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inputPath))
    process.standardOutput = output
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
    try process.run()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let err = try Data(contentsOf: URL(fileURLWithPath: errorPath))
    return RunResult(status: process.terminationStatus, stdout: out, stderr: String(decoding: err, as: UTF8.self))
}

/// A new file in the temporary folder holding `data`; the caller removes it.
func temporaryFile(_ name: String, _ data: Data) throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("netra-\(UUID().uuidString)-\(name)")
    try data.write(to: url)
    return url.path
}

// MARK: Strict output schema (DESIGN.md §3.3): unknown keys are rejected.

struct StrictKeys: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

struct SchemaError: Error, CustomStringConvertible { var description: String }

/// Fails unless the keyed container has exactly `keys`.
func requireExactKeys(_ decoder: Decoder, _ keys: Set<String>) throws {
    let container = try decoder.container(keyedBy: StrictKeys.self)
    let present = Set(container.allKeys.map(\.stringValue))
    if present != keys { throw SchemaError(description: "keys \(present.sorted()) != \(keys.sorted())") }
}

struct OutputLine: Decodable {
    struct Source: Decodable {
        var path: String
        var line: Int
        init(from decoder: Decoder) throws {
            try requireExactKeys(decoder, ["path", "line"])
            let c = try decoder.container(keyedBy: StrictKeys.self)
            path = try c.decode(String.self, forKey: .init(stringValue: "path"))
            line = try c.decode(Int.self, forKey: .init(stringValue: "line"))
        }
    }
    struct Evidence: Decodable {
        var start: Int, end: Int, text: String, term: String, field: String
        init(from decoder: Decoder) throws {
            try requireExactKeys(decoder, ["start", "end", "text", "term", "field"])
            let c = try decoder.container(keyedBy: StrictKeys.self)
            func k(_ s: String) -> StrictKeys { .init(stringValue: s) }
            start = try c.decode(Int.self, forKey: k("start"))
            end = try c.decode(Int.self, forKey: k("end"))
            text = try c.decode(String.self, forKey: k("text"))
            term = try c.decode(String.self, forKey: k("term"))
            field = try c.decode(String.self, forKey: k("field"))
        }
    }
    struct Flag: Decodable {
        var rule: String, category: String, contest: String, pair: String, stance: String, severity: String
        var score: Double, basis: [String], evidence: [Evidence]
        init(from decoder: Decoder) throws {
            try requireExactKeys(decoder, ["rule", "category", "contest", "pair", "stance", "severity", "score", "basis", "evidence"])
            let c = try decoder.container(keyedBy: StrictKeys.self)
            func k(_ s: String) -> StrictKeys { .init(stringValue: s) }
            rule = try c.decode(String.self, forKey: k("rule"))
            category = try c.decode(String.self, forKey: k("category"))
            contest = try c.decode(String.self, forKey: k("contest"))
            pair = try c.decode(String.self, forKey: k("pair"))
            stance = try c.decode(String.self, forKey: k("stance"))
            severity = try c.decode(String.self, forKey: k("severity"))
            score = try c.decode(Double.self, forKey: k("score"))
            basis = try c.decode([String].self, forKey: k("basis"))
            evidence = try c.decode([Evidence].self, forKey: k("evidence"))
            guard ["support", "oppose"].contains(stance), (0...1).contains(score), !evidence.isEmpty else {
                throw SchemaError(description: "bad stance, score or empty evidence")
            }
        }
    }
    var id: String, source: Source, kind: String, createdAt: String?, flagged: Bool, flags: [Flag], lexiconVersion: String
    init(from decoder: Decoder) throws {
        try requireExactKeys(decoder, ["id", "source", "kind", "created_at", "flagged", "flags", "lexicon_version"])
        let c = try decoder.container(keyedBy: StrictKeys.self)
        func k(_ s: String) -> StrictKeys { .init(stringValue: s) }
        id = try c.decode(String.self, forKey: k("id"))
        source = try c.decode(Source.self, forKey: k("source"))
        kind = try c.decode(String.self, forKey: k("kind"))
        createdAt = try c.decodeNil(forKey: k("created_at")) ? nil : try c.decode(String.self, forKey: k("created_at"))
        flagged = try c.decode(Bool.self, forKey: k("flagged"))
        flags = try c.decode([Flag].self, forKey: k("flags"))
        lexiconVersion = try c.decode(String.self, forKey: k("lexicon_version"))
        guard flagged == !flags.isEmpty else { throw SchemaError(description: "flagged disagrees with flags") }
    }
}

func decodeAll(_ result: RunResult) throws -> [OutputLine] {
    try result.stdoutLines.map { try JSONDecoder().decode(OutputLine.self, from: Data($0.utf8)) }
}

// MARK: The bundled examples

struct Expectation: Decodable {
    var flagged: Bool
    var contest: String?
    var pair: String?
    var stance: String?
    var rule: String?
}

struct ExampleRow: Decodable {
    var id: String
    var text: String
    var expect: Expectation
}

func exampleFiles() throws -> [String] {
    let dir = root.appendingPathComponent("Corpus/examples")
    return try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".jsonl") }.sorted()
        .map { dir.appendingPathComponent($0).path }
}

@Test("cat Corpus/examples/*.jsonl | netra scan: the expected records and only those are flagged")
func corpusExamples() throws {
    var input = Data()
    var rows: [ExampleRow] = []
    for file in try exampleFiles() {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        input += data
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            rows.append(try JSONDecoder().decode(ExampleRow.self, from: Data(line.utf8)))
        }
    }
    #expect(rows.count >= 40)
    #expect(rows.contains { $0.expect.flagged } && rows.contains { !$0.expect.flagged })
    let result = try run(["scan", "--all", "--format", "ndjson"], stdin: input)
    #expect(result.status == 0, "\(result.stderr)")
    let lines = try decodeAll(result)
    #expect(lines.count == rows.count, "--all prints one line per record")
    let byID = Dictionary(uniqueKeysWithValues: lines.map { ($0.id, $0) })
    for row in rows {
        let line = try #require(byID[row.id], "no output for \(row.id)")
        #expect(line.flagged == row.expect.flagged, "\(row.id): \(row.text) flags \(line.flags.map(\.rule))")
        guard row.expect.flagged else { continue }
        for flag in line.flags {
            #expect(flag.contest == row.expect.contest && flag.pair == row.expect.pair && flag.stance == row.expect.stance,
                    "\(row.id): \(flag.rule) \(flag.contest)/\(flag.pair) \(flag.stance)")
            for e in flag.evidence where e.field == "text" {
                let scalars = Array(row.text.unicodeScalars)
                #expect(e.start < e.end && e.end <= scalars.count)
                #expect(String(String.UnicodeScalarView(scalars[e.start..<e.end])) == e.text, "\(row.id): evidence span")
            }
        }
        if let rule = row.expect.rule { #expect(line.flags.contains { $0.rule == rule }, "\(row.id): expected \(rule)") }
    }
}

// MARK: Exit codes and bad input

struct ExitCase: CustomTestStringConvertible, Sendable {
    var name: String
    var arguments: [String]
    var stdin: String
    var status: Int32
    var testDescription: String { name }
}

let exitCases: [ExitCase] = [
    .init(name: "something flagged", arguments: ["scan"], stdin: #"{"text":"Ayo coblos 02 Prabowo-Gibran!"}"# + "\n", status: 0),
    .init(name: "nothing flagged", arguments: ["scan"], stdin: #"{"text":"Selamat pagi semua"}"# + "\n", status: 1),
    .init(name: "empty input", arguments: ["scan"], stdin: "", status: 1),
    .init(name: "blank lines only", arguments: ["scan"], stdin: "\n\n  \n", status: 1),
    .init(name: "malformed record", arguments: ["scan"], stdin: "{oops\n", status: 3),
    .init(name: "flagged and a malformed record is incomplete", arguments: ["scan"],
          stdin: #"{"text":"Ayo coblos 02 Prabowo-Gibran!"}"# + "\n[1]\n", status: 3),
    .init(name: "unknown option", arguments: ["scan", "--bogus"], stdin: "", status: 2),
    .init(name: "bad format", arguments: ["scan", "--format", "xml"], stdin: "", status: 2),
    .init(name: "unknown contest", arguments: ["scan", "--contest", "pilpres-2099"], stdin: "", status: 2),
    .init(name: "missing input file", arguments: ["scan", "/nonexistent/in.jsonl"], stdin: "", status: 2),
    .init(name: "bad lexicon directory", arguments: ["scan", "--lexicons", "/nonexistent"], stdin: "", status: 2),
    .init(name: "help", arguments: ["--help"], stdin: "", status: 0),
    .init(name: "lint of the bundled lexicon", arguments: ["lint"], stdin: "", status: 0),
    .init(name: "rule examples", arguments: ["test"], stdin: "", status: 0),
]

@Test("exit codes", arguments: exitCases)
func exitCodes(_ c: ExitCase) throws {
    let result = try run(c.arguments, stdin: Data(c.stdin.utf8))
    #expect(result.status == c.status, "stderr: \(result.stderr)")
}

@Test("bad records are reported with their line numbers and counted; the rest is still screened")
func badRecords() throws {
    var input = Data()
    input += Data(#"{"id":"a","text":"Ayo coblos 02 Prabowo-Gibran!","created_at":"2024-02-01T08:00:00+07:00"}"#.utf8) + Data([0x0A])  // 1
    input += Data("{\"id\":\"b\",\"text\":\"broken\"\n".utf8)                                                   // 2 malformed
    input += Data([0x0A])                                                                                      // 3 blank
    input += Data(#"{"id":"c","text":"caf"#.utf8) + Data([0xE9]) + Data(#""}"#.utf8) + Data([0x0A])            // 4 invalid UTF-8
    input += Data(#"{"id":"d","text":""#.utf8) + Data(repeating: 0x61, count: 10 << 20) + Data(#""}"#.utf8) + Data([0x0A])  // 5: 10 MB
    input += Data(#"{"id":"e","kind":"tweet","text":"x"}"#.utf8) + Data([0x0A])                               // 6 unknown kind
    input += Data(#"{"id":"f"}"#.utf8) + Data([0x0A])                                                          // 7 missing text
    input += Data(#"{"id":"g","text":"Jangan pilih Ganjar-Mahfud!"}"#.utf8)                                     // 8, no newline at end
    let path = try temporaryFile("bad.jsonl", input)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let result = try run(["scan", "--stats", path])
    #expect(result.status == 3)
    #expect(result.stderr.contains("\(path):2: record skipped: malformed JSON"))
    #expect(result.stderr.contains("\(path):4: record skipped: invalid UTF-8 at byte 22"))
    #expect(result.stderr.contains("\(path):5: record skipped: 10485780 bytes is over the limit"))
    #expect(result.stderr.contains("\(path):6: record skipped: unknown kind 'tweet'"))
    #expect(result.stderr.contains("\(path):7: record skipped: no 'text' field"))
    #expect(!result.stderr.contains("\(path):3:"), "blank lines are skipped quietly")
    let lines = try decodeAll(result)
    #expect(lines.map(\.id) == ["a", "g"])
    #expect(lines.map(\.source.line) == [1, 8])
    let statsLine = try #require(result.stderr.split(separator: "\n").first { $0.hasPrefix("netra: stats ") })
    let stats = try #require(try JSONSerialization.jsonObject(with: Data(statsLine.dropFirst("netra: stats ".count).utf8)) as? [String: Any])
    #expect(stats["records"] as? Int == 7)
    #expect(stats["flagged"] as? Int == 2)
    #expect(stats["clean"] as? Int == 0)
    #expect(stats["skipped"] as? Int == 5)
    let reasons = try #require(stats["skipped_by_reason"] as? [String: Int])
    #expect(reasons == ["malformed_json": 1, "invalid_utf8": 1, "too_long": 1, "unknown_kind": 1, "missing_text": 1])
    #expect(result.stderr.contains("incomplete"))
}

@Test("records keep their ids, kinds and dates; records without id are named PATH:LINE")
func recordFields() throws {
    let input = """
    {"text":"Ayo coblos 02 Prabowo-Gibran!","kind":"comment","created_at":1706745600}
    {"id":42,"text":"Ayo coblos 02 Prabowo-Gibran!","created_at":"2024-02-01T08:00:00+07:00","extra":{"kept":true}}

    """
    let result = try run(["scan", "-"], stdin: Data(input.utf8))
    let lines = try decodeAll(result)
    #expect(lines.map(\.id) == ["-:1", "42"])
    #expect(lines.map(\.kind) == ["comment", "post"])
    #expect(lines.map(\.createdAt) == ["1706745600", "2024-02-01T08:00:00+07:00"])
}

@Test("group memberships and likes are judged by what they point at")
func targetFields() throws {
    let input = """
    {"id":"g1","kind":"group","text":"","group":"Relawan Prabowo-Gibran Makassar","created_at":"2024-01-10"}
    {"id":"r1","kind":"reaction","text":"","target":{"author":"Tim Kampanye","text":"Ayo coblos 03 Ganjar-Mahfud!"},"created_at":"2024-01-10"}

    """
    let lines = try decodeAll(try run(["scan"], stdin: Data(input.utf8)))
    let fields = Dictionary(uniqueKeysWithValues: lines.map { ($0.id, Set($0.flags.flatMap { $0.evidence.map(\.field) })) })
    #expect(fields["g1"] == ["group"])
    #expect(fields["r1"] == ["target.text"])
}

@Test("--contest with a user's contest file enables only that contest")
func contestFile() throws {
    let yaml = """
    id: pilwalkot-contoh-2024
    title: Pilwalkot Contoh
    level: kota
    region: Kota Contoh
    election_day: 2024-11-27
    watch_from: 2024-06-01
    watch_until: 2024-12-15
    pairs:
      - label: "1"
        number: 1
        members: [Budi Santoso, Siti Aminah]
        aliases: [pak budi santoso]
      - label: "2"
        number: 2
        members: [Joko Susilo, Rina Wati]
    """
    let path = try temporaryFile("contest.yaml", Data(yaml.utf8))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let input = #"{"text":"Saya dukung Budi Santoso! Ayo coblos 02 Prabowo-Gibran"}"# + "\n"
    let lines = try decodeAll(try run(["scan", "--contest", path], stdin: Data(input.utf8)))
    #expect(lines.count == 1)
    #expect(Set(lines[0].flags.map(\.contest)) == ["pilwalkot-contoh-2024"])
    #expect(lines[0].flags.map(\.pair) == ["1"])
}

@Test("a closed stdout ends the run quietly")
func closedStdout() throws {
    let line = #"{"text":"Ayo coblos 02 Prabowo-Gibran!"}"# + "\n"
    let path = try temporaryFile("many.jsonl", Data(String(repeating: line, count: 50_000).utf8))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let binary = try netraBinary().path
    let shell = Process()
    shell.executableURL = URL(fileURLWithPath: "/bin/sh")
    shell.arguments = ["-c", "'\(binary)' scan '\(path)' | head -n 1 > /dev/null; echo ${PIPESTATUS:-done}"]
    let err = Pipe()
    shell.standardError = err
    shell.standardOutput = Pipe()
    try shell.run()
    shell.waitUntilExit()
    let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(shell.terminationStatus == 0)
    #expect(!stderr.contains("netra:"), "no error message on a closed pipe: \(stderr)")
}

@Test("text format shows the evidence")
func textFormat() throws {
    let result = try run(["scan", "--format", "text"], stdin: Data(#"{"id":"x","text":"Ayo coblos 02 Prabowo-Gibran!"}"#.utf8))
    let text = String(decoding: result.stdout, as: UTF8.self)
    #expect(text.contains("x [post] FLAGGED"))
    #expect(text.contains("NET-SM-08"))
    #expect(text.contains("«Prabowo-Gibran»"))
}

@Test("netra eval scores labelled rows and leaves out low-confidence ones")
func evaluation() throws {
    let rows = """
    {"id":"a","source":"s1","text":"Ayo coblos 02 Prabowo-Gibran!","label":{"violation":true,"contest":"pilpres-2024","target":"02","stance":"support","categories":["call_to_vote"],"confidence":"high"}}
    {"id":"b","source":"s1","text":"Selamat pagi semua","label":{"violation":false,"contest":null,"target":null,"stance":null,"categories":[],"confidence":"high"}}
    {"id":"c","source":"s2","text":"Pokoknya presiden harus orang Jawa Tengah","label":{"violation":true,"contest":"pilpres-2024","target":"03","stance":"support","categories":["support"],"confidence":"medium"}}
    {"id":"d","source":"s2","text":"entahlah","label":{"violation":true,"contest":"pilpres-2024","target":"01","stance":"support","categories":["support"],"confidence":"low"}}

    """
    let path = try temporaryFile("labels.jsonl", Data(rows.utf8))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let result = try run(["eval", "--json", path])
    #expect(result.status == 0, "\(result.stderr)")
    let report = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
    let overall = try #require(report["overall"] as? [String: Any])
    #expect(overall["tp"] as? Int == 1 && overall["fp"] as? Int == 0 && overall["fn"] as? Int == 1 && overall["tn"] as? Int == 1)
    #expect(overall["precision"] as? Double == 1.0 && overall["recall"] as? Double == 0.5)
    #expect(report["pair_correct"] as? Int == 1)
    #expect((report["left_out"] as? [String: Int])?["low_confidence"] == 1)
    let bySource = try #require(report["by_source"] as? [String: [String: Any]])
    #expect(bySource["s2"]?["fn"] as? Int == 1)
}

@Test("output, messages and stats are byte-identical for 1, 2 and 3 threads")
func threadsAgree() throws {
    // Enough records for several batches and parallel slices: the examples repeated, with bad
    // lines mixed in so messages must come out in order too.
    var input = Data()
    let examples = try exampleFiles().map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
    for round in 0..<120 {
        for data in examples { input += data }
        if round % 20 == 0 { input += Data("{broken line \(round)\n".utf8) }
    }
    let path = try temporaryFile("many.jsonl", input)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let runs = try [1, 2, 3].map { try run(["scan", "--all", "--stats", "--threads", String($0), "--max-record-bytes", "100000", path]) }
    #expect(runs[0].status == 3)
    #expect(runs[0].stdoutLines.count > 6_000)
    for other in runs.dropFirst() {
        #expect(other.status == runs[0].status)
        #expect(other.stdout == runs[0].stdout, "stdout differs between thread counts")
        #expect(other.stderr == runs[0].stderr, "stderr differs between thread counts")
    }
}

@Test("lines over the limit that span input blocks are numbered and reported alike for 1 and 2 threads and stdin")
func longLinesAcrossBlocksAgree() throws {
    // Over 4 MiB (one block of the threaded reader) with lines longer than a block, a long line
    // right after a block's end, CRLF and blank lines, and a last line without its newline.
    let examples = try exampleFiles().map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
    var input = Data()
    func records(_ rounds: Int) { for _ in 0..<rounds { for data in examples { input += data } } }
    func longRecord(_ bytes: Int) { input += Data(("{\"text\":\"coblos 02 " + String(repeating: "x", count: bytes) + "\"}\n").utf8) }
    records(20)
    longRecord(5_000_000)
    records(5)
    input += Data(("{\"text\":\"pilih 01\"}\r\n\n   \n" + String(repeating: "y", count: 4_500_000) + "\n").utf8)
    records(20)
    longRecord(300_000)
    longRecord(1_500_000)
    input += Data(("{\"text\":\"" + String(repeating: "z", count: 1_200_000) + " coblos 02\"}").utf8)
    #expect(input.count > 12_000_000)
    let path = try temporaryFile("long-lines.jsonl", input)
    defer { try? FileManager.default.removeItem(atPath: path) }
    // At 4,700,000 the 4.5 MB line is kept whole (carried from one block into the next) and
    // the 5 MB one is still over the limit.
    for limit in ["1000", "1048576", "4700000"] {
        let runs = try [1, 2].map { try run(["scan", "--all", "--stats", "--threads", String($0), "--max-record-bytes", limit, path]) }
        #expect(runs[0].status == 3, "limit \(limit): \(runs[0].stderr.suffix(300))")
        #expect(runs[0].stderr.contains("over the limit"), "limit \(limit)")
        for other in runs.dropFirst() {
            #expect(other.status == runs[0].status, "limit \(limit)")
            #expect(other.stdout == runs[0].stdout, "limit \(limit): stdout differs between thread counts")
            #expect(other.stderr == runs[0].stderr, "limit \(limit): stderr differs between thread counts")
        }
        // From standard input: the same lines, named `-`.
        let piped = try run(["scan", "--all", "--stats", "--threads", "2", "--max-record-bytes", limit, "-"], stdin: input)
        #expect(piped.stderr == runs[0].stderr.replacingOccurrences(of: path, with: "-"), "limit \(limit): stdin")
        #expect(piped.stdout == Data(String(decoding: runs[0].stdout, as: UTF8.self).replacingOccurrences(of: path, with: "-").utf8), "limit \(limit): stdin")
    }
}

struct ExplainCase: Sendable, CustomTestStringConvertible {
    var name: String
    var arguments: [String]
    var status: Int32
    /// Lines the output must contain.
    var contains: [String]
    /// Text the output must not contain.
    var lacks: [String] = []
    var testDescription: String { name }
}

let explainCases = [
    ExplainCase(name: "a cheer under a campaign post is support, with the post's words as evidence",
                arguments: ["explain", "--kind", "comment", "--target", "Ayo coblos 02 Prabowo-Gibran!", "Gas pak!"], status: 0,
                contains: ["target:     Ayo coblos 02 Prabowo-Gibran!", "NET-SM-02T pilpres-2024/02: HIT", "target.text «02»"]),
    ExplainCase(name: "the same cheer alone fires nothing", arguments: ["explain", "--kind", "comment", "Gas pak!"], status: 0,
                contains: ["(no rule fired or was vetoed)"], lacks: ["NET-SM-02T"]),
    ExplainCase(name: "a target needs a comment or reply", arguments: ["explain", "--target", "Ayo coblos 02", "Gas pak!"], status: 2,
                contains: []),
]

@Test("netra explain shows a comment's decision with the post it answers", arguments: explainCases)
func explainWithTarget(_ c: ExplainCase) throws {
    let result = try run(c.arguments)
    #expect(result.status == c.status, "\(result.stderr)")
    let out = String(decoding: result.stdout, as: UTF8.self)
    for line in c.contains { #expect(out.contains(line), "\(line) in \(out)") }
    for text in c.lacks { #expect(!out.contains(text)) }
}
