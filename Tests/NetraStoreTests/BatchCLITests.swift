import Foundation
import Testing
@testable import NetraStore

// End-to-end tests of `netra batch` through the built binary: idempotence, quarantine, the run
// lock, and kill -9 at random points.

/// The built `netra` beside the test bundle (or $NETRA_BIN).
func batchBinary() throws -> String {
    if let env = ProcessInfo.processInfo.environment["NETRA_BIN"] { return env }
    var candidates: [String] = []
    if let exe = Bundle.main.executableURL { candidates.append(exe.deletingLastPathComponent().appendingPathComponent("netra").path) }
    candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("netra").path)
    for bundle in Bundle.allBundles { candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("netra").path) }
    return try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0) }, "netra binary not found")
}

/// A temporary folder with an inbox of `files` JSON-lines inputs (3 records each, 2 flagged), and
/// optionally one poisoned zip; the caller removes `dir`.
func makeInbox(files: Int, poisoned: Bool = false) throws -> (dir: String, inbox: String, store: String) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("netra-batch-\(UUID().uuidString)").path
    let inbox = dir + "/inbox"
    try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
    for i in 0..<files {
        let lines = [
            #"{"id":"f\#(i)-a","text":"Ayo coblos 02 Prabowo-Gibran! nomor \#(i)","created_at":"2024-02-01T08:00:00+07:00"}"#,
            #"{"id":"f\#(i)-b","text":"Selamat pagi semua \#(i)"}"#,
            #"{"id":"f\#(i)-c","text":"Pilih 01 Anies-Muhaimin, coblos 01 ya \#(i)","created_at":"2024-02-02T08:00:00+07:00"}"#,
        ]
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: String(format: "%@/input-%03d.jsonl", inbox, i)))
    }
    if poisoned { try Data("PK\u{3}\u{4}not really a zip".utf8).write(to: URL(fileURLWithPath: inbox + "/poisoned.zip")) }
    return (dir, inbox, dir + "/store.sqlite")
}

/// The number of flags `netra scan` prints for the inbox's inputs: the oracle for the store.
func flagsFromScan(inbox: String) throws -> Int {
    let inputs = try FileManager.default.contentsOfDirectory(atPath: inbox).filter { $0.hasSuffix(".jsonl") }.sorted()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try batchBinary())
    process.arguments = ["scan", "--format", "ndjson"] + inputs.map { inbox + "/" + $0 }
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    var flags = 0
    for line in data.split(separator: 0x0A) {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        flags += (object["flags"] as? [Any])?.count ?? 0
    }
    return flags
}

struct BatchRun {
    var status: Int32
    var stderr: String
}

/// Starts `netra batch` on `inbox` and `store`; the caller waits (or kills).
func startBatch(inbox: String, store: String, errorFile: String) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try batchBinary())
    process.arguments = ["batch", "--inbox", inbox, "--store", store]
    _ = FileManager.default.createFile(atPath: errorFile, contents: nil)
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorFile))
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    return process
}

func runBatch(inbox: String, store: String) throws -> BatchRun {
    let errorFile = store + ".stderr-\(UUID().uuidString)"
    let process = try startBatch(inbox: inbox, store: store, errorFile: errorFile)
    process.waitUntilExit()
    let stderr = (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? ""
    return BatchRun(status: process.terminationStatus, stderr: stderr)
}

/// The summary line (the last line of standard error) as a dictionary.
func summary(_ run: BatchRun) throws -> [String: Any] {
    let line = try #require(run.stderr.split(separator: "\n").last)
    return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
}

/// SplitMix64: a seeded generator, so a failing trial can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite(.serialized) struct BatchCLITests {
    @Test func aSecondRunOverTheSameInboxAddsNothing() throws {
        let (dir, inbox, store) = try makeInbox(files: 4)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try runBatch(inbox: inbox, store: store)
        #expect(first.status == 0, "\(first.stderr)")
        let firstSummary = try summary(first)
        #expect(firstSummary["inputs"] as? Int == 4)
        #expect(firstSummary["records"] as? Int == 12)
        #expect(firstSummary["records_added"] as? Int == 8)
        #expect(firstSummary["clean"] as? Int == 4)
        let findings = try BatchStore(path: store).findings()
        #expect(findings.count == (try flagsFromScan(inbox: inbox)))
        #expect(findings.count >= 8)
        #expect(firstSummary["findings_added"] as? Int == findings.count)

        let second = try runBatch(inbox: inbox, store: store)
        #expect(second.status == 0, "\(second.stderr)")
        let secondSummary = try summary(second)
        #expect(secondSummary["already_screened"] as? Int == 4)
        #expect(secondSummary["records_added"] as? Int == 0)
        #expect(secondSummary["findings_added"] as? Int == 0)
        #expect(try BatchStore(path: store).findings() == findings)
        #expect(try BatchStore(path: store).count("inputs") == 4)
    }

    @Test func aPoisonedInputIsQuarantinedAndTheRestStored() throws {
        let (dir, inbox, store) = try makeInbox(files: 3, poisoned: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try runBatch(inbox: inbox, store: store)
        #expect(run.status == 3, "\(run.stderr)")
        #expect(run.stderr.contains("poisoned.zip: quarantined"))
        let database = try BatchStore(path: store)
        let quarantined = try database.quarantined()
        #expect(quarantined.map { ($0.path as NSString).lastPathComponent } == ["poisoned.zip"])
        #expect(quarantined.first?.reason.contains("zip") == true)
        #expect(try database.count("records") == 6)
        #expect(try database.count("findings") == (try flagsFromScan(inbox: inbox)))
    }

    @Test func aRunWhileTheLockIsHeldExitsBusyAndTouchesNothing() throws {
        let (dir, inbox, store) = try makeInbox(files: 2)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lock = open(store + ".lock", O_RDWR | O_CREAT, 0o644)
        #expect(lock >= 0)
        #expect(flock(lock, LOCK_EX | LOCK_NB) == 0)
        let busy = try runBatch(inbox: inbox, store: store)
        close(lock)
        #expect(busy.status == 4, "\(busy.stderr)")
        #expect(busy.stderr.contains("another batch is running"))
        #expect(!FileManager.default.fileExists(atPath: store))
        let after = try runBatch(inbox: inbox, store: store)
        #expect(after.status == 0, "\(after.stderr)")
    }

    @Test func twoConcurrentRunsOneIsBusyOrFindsItDoneNoneCorrupts() throws {
        let (dir, inbox, store) = try makeInbox(files: 30)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let reference = try makeInbox(files: 30)
        defer { try? FileManager.default.removeItem(atPath: reference.dir) }
        #expect(try runBatch(inbox: reference.inbox, store: reference.store).status == 0)
        let expected = try BatchStore(path: reference.store).findings()

        let a = try startBatch(inbox: inbox, store: store, errorFile: dir + "/a.err")
        let b = try startBatch(inbox: inbox, store: store, errorFile: dir + "/b.err")
        a.waitUntilExit()
        b.waitUntilExit()
        let statuses = [a.terminationStatus, b.terminationStatus].sorted()
        #expect(statuses == [0, 0] || statuses == [0, 4], "statuses \(statuses)")
        let database = try BatchStore(path: store)
        #expect(try database.findings() == expected)
        #expect(try database.count("inputs") == 30)
        #expect(try database.queue.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")
    }

    /// kill -9 at seeded random moments, then a normal run: the store holds exactly the findings of
    /// an uninterrupted run, each input once.
    @Test func killedAtRandomPointsThenResumedEqualsAnUninterruptedRun() throws {
        let files = 40
        let reference = try makeInbox(files: files)
        defer { try? FileManager.default.removeItem(atPath: reference.dir) }
        // The shortest of three uninterrupted runs: kills before it land while a batch is running
        // even when the machine is busy (and a run is slower) during the trials.
        var fullRun = Double.infinity
        for attempt in 0..<3 {
            let store = reference.store + (attempt == 0 ? "" : "-\(attempt)")
            let started = Date()
            #expect(try runBatch(inbox: reference.inbox, store: store).status == 0)
            fullRun = min(fullRun, Date().timeIntervalSince(started))
        }
        let expected = try BatchStore(path: reference.store).findings()
        #expect(expected.count == (try flagsFromScan(inbox: reference.inbox)))

        var generator = SplitMix64(state: 0x4E45_5452_41)  // "NETRA"
        var killedMidway = 0
        for trial in 0..<20 {
            let (dir, inbox, store) = try makeInbox(files: files)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let process = try startBatch(inbox: inbox, store: store, errorFile: dir + "/killed.err")
            let delay = Double.random(in: 0..<(fullRun * 0.95), using: &generator)
            usleep(UInt32(delay * 1_000_000))
            if process.isRunning { killedMidway += 1 }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()

            let resumed = try runBatch(inbox: inbox, store: store)
            #expect(resumed.status == 0, "trial \(trial) (delay \(delay) s): \(resumed.stderr)")
            let database = try BatchStore(path: store)
            #expect(try database.findings() == expected, "trial \(trial) (delay \(delay) s)")
            #expect(try database.count("inputs") == files, "trial \(trial)")
            // Two of each input's three records are flagged and stored; the third is counted clean.
            #expect(try database.count("records") == 2 * files, "trial \(trial)")
            let (all, clean) = try database.queue.read { db in
                (try Int.fetchOne(db, sql: "SELECT SUM(records) FROM inputs") ?? 0, try Int.fetchOne(db, sql: "SELECT SUM(clean) FROM inputs") ?? 0)
            }
            #expect(all == 3 * files && clean == files, "trial \(trial)")
        }
        // The test means something only if most kills landed while the batch was running.
        #expect(killedMidway >= 10, "only \(killedMidway) of 20 kills landed during a run")
    }

    @Test func reportWritesOneCSVRowPerStoredFinding() throws {
        let (dir, inbox, store) = try makeInbox(files: 3)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try runBatch(inbox: inbox, store: store).status == 0)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try batchBinary())
        process.arguments = ["report", "--store", store, "--out", dir + "/report"]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let csv = try String(contentsOfFile: dir + "/report/findings.csv", encoding: .utf8)
        let rows = csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let findings = try BatchStore(path: store).count("findings")
        #expect(findings > 0)
        #expect(rows.count == 1 + findings)
    }

    @Test func aLexiconChangeRescreensEveryInput() throws {
        let (dir, inbox, store) = try makeInbox(files: 3)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bundled = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Lexicons").path
        let lexicons = dir + "/Lexicons"
        try FileManager.default.copyItem(atPath: bundled, toPath: lexicons)
        func batch() throws -> [String: Any] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try batchBinary())
            process.arguments = ["batch", "--inbox", inbox, "--store", store, "--lexicons", lexicons]
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            let data = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            return try summary(BatchRun(status: process.terminationStatus, stderr: String(decoding: data, as: UTF8.self)))
        }
        let first = try batch()
        #expect(first["records_added"] as? Int == 6)
        #expect(try batch()["already_screened"] as? Int == 3)
        // Any change to a lexicon file changes lexicon_version: a comment is enough.
        let rules = lexicons + "/rules"
        let ruleFile = try #require(try FileManager.default.contentsOfDirectory(atPath: rules).sorted().first)
        let handle = try #require(FileHandle(forUpdatingAtPath: rules + "/" + ruleFile))
        handle.seekToEndOfFile()
        handle.write(Data("\n# changed by a test\n".utf8))
        try handle.close()
        let changed = try batch()
        #expect(changed["already_screened"] as? Int == 0)
        #expect(changed["records_added"] as? Int == 6)
        #expect(changed["lexicon_version"] as? String != first["lexicon_version"] as? String)
        #expect(try BatchStore(path: store).count("inputs") == 6)
    }
}
