import ArgumentParser
import Foundation
import Netra
import NetraArchive
import NetraCore
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

    @OptionGroup var lexiconOptions: LexiconOptions

    @Option(name: .long, help: "Largest record, in bytes; longer ones are skipped and counted.")
    var maxRecordBytes: Int = 1 << 20

    func run() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: inbox, isDirectory: &isDirectory), isDirectory.boolValue else {
            writeError("netra: \(inbox): the inbox is not a folder")
            throw ExitCode(BatchExitStatus.error)
        }
        let lockPath = store + ".lock"
        let lockFD = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lockFD >= 0 else {
            writeError("netra: \(lockPath): cannot open the lock file: \(String(cString: strerror(errno)))")
            throw ExitCode(BatchExitStatus.error)
        }
        defer { close(lockFD) }
        guard flock(lockFD, LOCK_EX | LOCK_NB) == 0 else {
            writeError("netra: \(store): another batch is running (lock \(lockPath)); nothing was done")
            throw ExitCode(BatchExitStatus.busy)
        }
        let compiled = try lexiconOptions.load()
        let database: BatchStore
        do {
            database = try BatchStore(path: store)
        } catch {
            writeError("netra: \(store): cannot open the store: \(error)")
            throw ExitCode(BatchExitStatus.error)
        }
        var limits = ReadLimits()
        limits.maxRecordBytes = maxRecordBytes
        let screener = InputScreener(compiled: compiled, reader: ExportReader(limits: limits))
        var summary = BatchSummary()
        do {
            let runID = try database.beginRun(lexiconVersion: compiled.version)
            let entries = try FileManager.default.contentsOfDirectory(atPath: inbox).filter { !$0.hasPrefix(".") }.sorted()
            for entry in entries {
                let path = (inbox as NSString).appendingPathComponent(entry)
                summary.inputs += 1
                let hash: String, size: Int64
                do {
                    (hash, size) = try InputScreener.contentHash(path: path)
                } catch {
                    // Without its content there is nothing to key a store row on: reported, tried again next night.
                    summary.quarantined += 1
                    writeError("netra: \(path): quarantined: cannot read the input: \(error.localizedDescription)")
                    continue
                }
                if try database.hasInput(contentHash: hash, lexiconVersion: compiled.version) {
                    summary.alreadyScreened += 1
                    continue
                }
                let input = screener.screen(path: path, contentHash: hash, size: size)
                if let reason = input.quarantineReason {
                    summary.quarantined += 1
                    writeError("netra: \(path): quarantined: \(reason)")
                }
                let counts = try database.commit(input, runID: runID, lexiconVersion: compiled.version)
                summary.records += input.items.count + input.unscreenedRecords
                summary.recordsAdded += counts.recordsAdded
                summary.findingsAdded += counts.findingsAdded
            }
            try database.finishRun(runID, status: summary.quarantined > 0 ? "quarantined" : "done")
        } catch {
            writeError("netra: batch failed: \(error)")
            throw ExitCode(BatchExitStatus.error)
        }
        writeError(summary.json(lexiconVersion: compiled.version))
        if summary.quarantined > 0 { throw ExitCode(BatchExitStatus.quarantined) }
    }
}

/// Counts of one batch run, printed as one JSON line on standard error.
struct BatchSummary {
    var inputs = 0
    var alreadyScreened = 0
    var quarantined = 0
    var records = 0
    var recordsAdded = 0
    var findingsAdded = 0

    func json(lexiconVersion: String) -> String {
        let version = String(decoding: (try? JSONEncoder().encode(lexiconVersion)) ?? Data("\"\"".utf8), as: UTF8.self)
        return "{\"inputs\":\(inputs),\"already_screened\":\(alreadyScreened),\"quarantined\":\(quarantined),\"records\":\(records),"
            + "\"records_added\":\(recordsAdded),\"findings_added\":\(findingsAdded),\"lexicon_version\":\(version)}"
    }
}

/// Reads one inbox input with the export readers (JSON lines decoded as `netra scan` does) and screens its records.
struct InputScreener {
    let compiled: CompiledLexicon
    let reader: ExportReader

    /// SHA-256 of a file, or of a folder's sorted relative paths and file contents; and the byte size.
    static func contentHash(path: String) throws -> (String, Int64) {
        var isDirectory: ObjCBool = false
        FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        var hasher = SHA256Hasher()
        var size: Int64 = 0
        if isDirectory.boolValue {
            var files: [String] = []
            if let walker = FileManager.default.enumerator(atPath: path) {
                while let relative = walker.nextObject() as? String {
                    if (walker.fileAttributes?[.type] as? FileAttributeType) == .typeRegular { files.append(relative) }
                }
            }
            for relative in files.sorted() {
                let data = try Data(contentsOf: URL(fileURLWithPath: (path as NSString).appendingPathComponent(relative)))
                hasher.update(relative.utf8)
                hasher.update([0])
                hasher.update(data)
                size += Int64(data.count)
            }
        } else {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            hasher.update(data)
            size = Int64(data.count)
        }
        return (hasher.finalizeHex(), size)
    }

    func screen(path: String, contentHash: String, size: Int64) -> ScreenedInput {
        var screener = Screener(compiled)
        var input = ScreenedInput(path: path, contentHash: contentHash, size: size)
        var problems: [String] = []
        func take(_ record: Record) {
            if record.judgedFields.isEmpty { input.unscreenedRecords += 1; return }
            input.items.append(.init(record: record, flags: screener.screen(record)))
        }
        reader.read(path: path) { event in
            switch event {
            case .record(let record):
                take(record)
            case .jsonLine(let raw, let source):
                var bytes = raw[...]
                if source.line == 1, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return true }
                switch bytes.withUnsafeBufferPointer({ RecordDecoder.decode($0, source: source) }) {
                case .success(let (record, _)): take(record)
                case .failure(let failure):
                    input.unscreenedRecords += 1
                    problems.append("\(source.path):\(source.line): \(failure.description)")
                }
            case .notJudged:
                input.unscreenedRecords += 1
            case .skipped(_, let message, let source):
                input.unscreenedRecords += 1
                problems.append("\(source.path):\(source.line): \(message)")
            case .problem(let problem):
                problems.append(problem.description)
            }
            return true
        }
        if !problems.isEmpty {
            input.quarantineReason = problems.prefix(3).joined(separator: "; ") + (problems.count > 3 ? "; and \(problems.count - 3) more" : "")
        } else if input.items.isEmpty && input.unscreenedRecords == 0 {
            input.quarantineReason = "no record could be read"
        }
        return input
    }
}

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the stored findings as CSV (findings.csv) for spreadsheets.",
        discussion: "The file is replaced atomically (temporary file, fsync, rename). Exit codes: 0 written, 2 error.")

    @Option(name: .long, help: ArgumentHelp("SQLite store written by netra batch.", valueName: "FILE"))
    var store: String

    @Option(name: .long, help: ArgumentHelp("Folder for the report (created if missing).", valueName: "DIR"))
    var out: String

    func run() throws {
        guard FileManager.default.fileExists(atPath: store) else {
            writeError("netra: \(store): no such store")
            throw ExitCode(BatchExitStatus.error)
        }
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let database = try BatchStore(path: store)
            try AtomicFile.write(Data(try database.findingsCSV().utf8), to: (out as NSString).appendingPathComponent("findings.csv"))
        } catch {
            writeError("netra: report failed: \(error)")
            throw ExitCode(BatchExitStatus.error)
        }
    }
}
