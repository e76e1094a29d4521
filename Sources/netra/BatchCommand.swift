import ArgumentParser
import Foundation
import Netra
import NetraArchive
import NetraCore
import NetraReport
import NetraRules
import NetraStore

/// Exit codes of `netra batch` for monitoring (README, "Nightly batch").
enum BatchExitStatus {
    /// Every input was screened (or had been already).
    static let done: Int32 = 0
    /// Could not run (bad flags, lexicon, store).
    static let error: Int32 = 2
    /// Some input was quarantined; everything else was stored.
    static let quarantined: Int32 = 3
    /// Another batch holds the lock on the store; nothing was done.
    static let busy: Int32 = 4
}

struct Batch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Screen every new input in an inbox and store records and findings in a SQLite store (nightly, under cron).",
        discussion: """
            Each entry of the inbox (a JSON-lines file, an export folder or .zip) is one input, committed in its own \
            transaction; an input already screened with the same lexicon version is skipped. A summary (JSON) goes to \
            standard error. Exit codes: 0 done, 2 error, 3 some input was quarantined, 4 another batch is running.
            """)

    @Option(name: .long, help: ArgumentHelp("Folder of inputs to screen.", valueName: "DIR"))
    var inbox: String

    @Option(name: .long, help: ArgumentHelp("SQLite store (created if missing); FILE.lock beside it is the run lock.", valueName: "FILE"))
    var store: String

    @Option(name: .long, help: ArgumentHelp("Write the reviewers' report (report.html, findings.csv) into this folder after the run.", valueName: "DIR"))
    var report: String?

    @Option(name: .long, help: ArgumentHelp("CSV of the screened ASN: account, nip, name, unit, superior (header row required).", valueName: "FILE.csv"))
    var subjects: String?

    @Option(name: .long, help: ArgumentHelp("Key for pseudonyms of other people (default: FILE.key beside the store, created with mode 0600).", valueName: "KEYFILE"))
    var key: String?

    @OptionGroup var lexiconOptions: LexiconOptions

    @Option(name: .long, help: "Largest record, in bytes; longer ones are skipped and counted.")
    var maxRecordBytes: Int = 1 << 20

    @Option(name: .long, help: "Worker threads (default: all cores). The store's content is the same for any count.")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if maxRecordBytes < 1 { throw ValidationError("--max-record-bytes must be at least 1") }
    }

    func run() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: inbox, isDirectory: &isDirectory), isDirectory.boolValue else {
            writeError("netra: \(inbox): the inbox is not a folder")
            throw ExitCode(BatchExitStatus.error)
        }
        let lock = try StoreLock.acquire(store: store)
        defer { lock.release() }
        let compiled = try lexiconOptions.load()
        let listed = try subjects.map(loadSubjects) ?? nil
        let database: BatchStore
        let pseudonymizer: Pseudonymizer
        do {
            database = try BatchStore(path: store)
            pseudonymizer = try Pseudonymizer.loadOrCreateKey(at: key ?? store + ".key")
            if let listed { try database.saveSubjects(listed) }
        } catch {
            writeError("netra: \(store): cannot open the store: \(error)")
            throw ExitCode(BatchExitStatus.error)
        }
        var limits = ReadLimits()
        limits.maxRecordBytes = maxRecordBytes
        let screening = InputScreening<PreparedRecord>(compiled: compiled, reader: ExportReader(limits: limits),
                                       threads: threads ?? ProcessInfo.processInfo.activeProcessorCount)
        var summary = BatchSummary()
        do {
            let known = try listed ?? database.subjects()
            let privacy = StorePrivacy(pseudonymizer: pseudonymizer, subjects: known,
                                       ruleTitles: Dictionary(compiled.lexicon.rules.map { ($0.id, $0.title) }, uniquingKeysWith: { a, _ in a }))
            let runID = try database.beginRun(lexiconVersion: compiled.version)
            let entries = try FileManager.default.contentsOfDirectory(atPath: inbox).filter { !$0.hasPrefix(".") }.sorted()
            for entry in entries {
                let path = (inbox as NSString).appendingPathComponent(entry)
                summary.inputs += 1
                let hash: String, size: Int64
                do {
                    (hash, size) = try InputHash.of(path: path)
                } catch {
                    // Without its content there is nothing to key a store row on: reported, tried again next night.
                    summary.quarantined += 1
                    writeError("netra: \(path): quarantined: cannot read the input: \(error)")
                    continue
                }
                if try database.hasInput(contentHash: hash, lexiconVersion: compiled.version) {
                    summary.alreadyScreened += 1
                    continue
                }
                let description = InputDescription(path: path, contentHash: hash, size: size, subject: known.subject(forEntryName: entry))
                var records = 0
                let counts = try database.writeInput(description, runID: runID, lexiconVersion: compiled.version, privacy: privacy) { writer in
                    let preparer = writer.preparer
                    let outcome = try screening.screen(path: path, prepare: { preparer.prepare($0, flags: $1) }) { batch in
                        for row in batch { try writer.add(prepared: row) }
                    }
                    records = outcome.screened + outcome.unscreened
                    if let reason = outcome.quarantineReason {
                        summary.quarantined += 1
                        writeError("netra: \(path): quarantined: \(reason)")
                    }
                    return InputOutcome(quarantineReason: outcome.quarantineReason, records: records, clean: outcome.clean)
                }
                summary.records += records
                summary.recordsAdded += counts.recordsAdded
                summary.findingsAdded += counts.findingsAdded
                summary.clean += counts.clean
            }
            try database.finishRun(runID, status: summary.quarantined > 0 ? "quarantined" : "done")
        } catch {
            writeError("netra: batch failed: \(error)")
            throw ExitCode(BatchExitStatus.error)
        }
        writeError(summary.json(lexiconVersion: compiled.version))
        if let report {
            do {
                try ReviewReportWriter.write(stores: [store], to: report)
            } catch {
                writeError("netra: \(report): cannot write the report: \(error)")
                throw ExitCode(BatchExitStatus.error)
            }
        }
        if summary.quarantined > 0 { throw ExitCode(BatchExitStatus.quarantined) }
    }

    private func loadSubjects(_ path: String) throws -> Subjects {
        guard let data = FileManager.default.contents(atPath: path) else {
            writeError("netra: \(path): cannot read the subjects file")
            throw ExitCode(BatchExitStatus.error)
        }
        do {
            return try Subjects.fromRows(CSVRows.parse(Array(data)).map { ($0.fields, $0.line) })
        } catch let error as SubjectsError {
            writeError("netra: \(path):\(error.line): \(error.message)")
            throw ExitCode(BatchExitStatus.error)
        }
    }
}

/// The run lock of a store: `FILE.lock` held with `flock` for the whole command.
struct StoreLock {
    let fd: Int32

    /// Takes the lock or exits: 4 (busy) when another command holds it, 2 when it cannot be opened.
    static func acquire(store: String) throws -> StoreLock {
        let lockPath = store + ".lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            writeError("netra: \(lockPath): cannot open the lock file: \(String(cString: strerror(errno)))")
            throw ExitCode(BatchExitStatus.error)
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            writeError("netra: \(store): another batch is running (lock \(lockPath)); nothing was done")
            throw ExitCode(BatchExitStatus.busy)
        }
        return StoreLock(fd: fd)
    }

    func release() { close(fd) }
}

/// Counts of one batch run, printed as one JSON line on standard error.
struct BatchSummary {
    var inputs = 0
    var alreadyScreened = 0
    var quarantined = 0
    var records = 0
    var recordsAdded = 0
    var findingsAdded = 0
    var clean = 0

    func json(lexiconVersion: String) -> String {
        let version = String(decoding: (try? JSONEncoder().encode(lexiconVersion)) ?? Data("\"\"".utf8), as: UTF8.self)
        return "{\"inputs\":\(inputs),\"already_screened\":\(alreadyScreened),\"quarantined\":\(quarantined),\"records\":\(records),"
            + "\"records_added\":\(recordsAdded),\"findings_added\":\(findingsAdded),\"clean\":\(clean),\"lexicon_version\":\(version)}"
    }
}

/// Writes the reviewers' report of one or more stores: `report.html` and `findings.csv`, each
/// replaced atomically.
enum ReviewReportWriter {
    static func write(stores: [String], to folder: String, filter: ReportFilter = ReportFilter()) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let opened = try stores.map { (path: $0, store: try BatchStore(path: $0)) }
        let rows = try BatchStore.reportRows(of: opened, filter: filter)
        try AtomicFile.write(Data(BatchStore.findingsCSV(rows: rows).utf8), to: (folder as NSString).appendingPathComponent("findings.csv"))
        let html = try BatchStore.reportHTML(rows: rows, of: opened, filter: filter)
        try AtomicFile.write(Data(html.utf8), to: (folder as NSString).appendingPathComponent("report.html"))
    }
}

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the reviewers' report of one or more stores: report.html (offline) and findings.csv.",
        discussion: "Files are replaced atomically (temporary file, fsync, rename). Exit codes: 0 written, 2 error.")

    @Option(name: .long, help: ArgumentHelp("SQLite store written by netra batch. Repeatable (one per machine).", valueName: "FILE"))
    var store: [String]

    @Option(name: .long, help: ArgumentHelp("Folder for the report (created if missing).", valueName: "DIR"))
    var out: String

    @Option(name: .long, help: ArgumentHelp("Only findings in this review state: unreviewed, confirmed, dismissed or unsure. Repeatable.", valueName: "STATE"))
    var state: [String] = []

    @Option(name: .long, help: ArgumentHelp("Only findings of inputs screened on or after this day (YYYY-MM-DD, UTC).", valueName: "DAY"))
    var since: String?

    func validate() throws {
        if store.isEmpty { throw ValidationError("give at least one --store FILE") }
        for s in state where s != "unreviewed" && ReviewState(rawValue: s) == nil {
            throw ValidationError("--state must be one of: unreviewed, confirmed, dismissed, unsure")
        }
        if let since, CalendarDate(iso: Substring(since)) == nil || since.count != 10 { throw ValidationError("--since must be YYYY-MM-DD") }
    }

    var filter: ReportFilter {
        ReportFilter(states: state.isEmpty ? nil : Set(state.map { ReviewState(rawValue: $0) }), screenedSince: since)
    }

    func run() throws {
        for path in store where !FileManager.default.fileExists(atPath: path) {
            writeError("netra: \(path): no such store")
            throw ExitCode(BatchExitStatus.error)
        }
        do {
            try ReviewReportWriter.write(stores: store, to: out, filter: filter)
        } catch {
            writeError("netra: report failed: \(error)")
            throw ExitCode(BatchExitStatus.error)
        }
    }
}

struct Review: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record a reviewer's decision on a finding, or export reviewed findings as labelled JSON lines for netra eval.",
        discussion: """
            netra review --store FILE FINDING_ID [FINDING_ID …] confirmed|dismissed|unsure [--note TEXT] [--reviewer NAME]
            netra review --store FILE --export OUT.jsonl   (- for standard output)
            Several ids get the same decision in one transaction (none is recorded when one id is unknown).
            Exit codes: 0 done, 2 error (no such finding, bad state, unreadable store).
            """)

    @Option(name: .long, help: ArgumentHelp("SQLite store written by netra batch.", valueName: "FILE"))
    var store: String

    @Argument(help: ArgumentHelp("Finding ids (column finding_id of findings.csv, or the card in report.html), then confirmed, dismissed or unsure.",
                                 valueName: "FINDING_ID… STATE"))
    var decision: [String] = []

    @Option(name: .long, help: "Why (kept with the decision).")
    var note: String?

    @Option(name: .long, help: "Who decided (default: $USER).")
    var reviewer: String?

    @Option(name: .long, help: ArgumentHelp("Write reviewed records as labelled JSON lines to this file (- for stdout).", valueName: "OUT"))
    var export: String?

    var findingIDs: [Int64] { decision.dropLast().compactMap { Int64($0) } }
    var state: ReviewState? { decision.last.flatMap(ReviewState.init(rawValue:)) }

    func validate() throws {
        if export != nil {
            if !decision.isEmpty { throw ValidationError("--export takes no finding id or state") }
            return
        }
        guard decision.count >= 2 else { throw ValidationError("give FINDING_ID… and a state (confirmed, dismissed or unsure), or --export OUT") }
        if state == nil { throw ValidationError("the state (last) must be one of: confirmed, dismissed, unsure") }
        for id in decision.dropLast() where Int64(id) == nil { throw ValidationError("'\(id)' is not a finding id") }
    }

    func run() throws {
        guard FileManager.default.fileExists(atPath: store) else {
            writeError("netra: \(store): no such store")
            throw ExitCode(BatchExitStatus.error)
        }
        do {
            let database = try BatchStore(path: store)
            if let export {
                let lines = try database.reviewedExport()
                let text = lines.map { $0 + "\n" }.joined()
                if export == "-" {
                    FileHandle.standardOutput.write(Data(text.utf8))
                } else {
                    try AtomicFile.write(Data(text.utf8), to: export)
                }
                writeError("netra: exported \(lines.count) reviewed record(s)")
                return
            }
            let who = reviewer ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown"
            try database.review(findingIDs: findingIDs, state: state!, reviewer: who, note: note)
        } catch {
            writeError("netra: \(store): \(error)")
            throw ExitCode(BatchExitStatus.error)
        }
    }
}

struct Purge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Really delete what the store holds from inputs screened more than DAYS days ago (secure_delete, VACUUM).",
        discussion: "Takes the batch lock. One JSON line on stderr says what was deleted. Exit codes: 0 done, 2 error, 4 a batch is running.")

    @Option(name: .long, help: ArgumentHelp("SQLite store written by netra batch.", valueName: "FILE"))
    var store: String

    @Option(name: .long, help: ArgumentHelp("Delete inputs screened more than this many days ago (0: everything screened until now).", valueName: "DAYS"))
    var olderThan: Int

    func validate() throws {
        if olderThan < 0 { throw ValidationError("--older-than must be 0 or more days") }
    }

    func run() throws {
        guard FileManager.default.fileExists(atPath: store) else {
            writeError("netra: \(store): no such store")
            throw ExitCode(BatchExitStatus.error)
        }
        let lock = try StoreLock.acquire(store: store)
        defer { lock.release() }
        do {
            let counts = try BatchStore(path: store).purge(olderThanDays: olderThan)
            writeError("netra: purged \(counts.json)")
        } catch {
            writeError("netra: \(store): purge failed: \(error)")
            throw ExitCode(BatchExitStatus.error)
        }
    }
}
