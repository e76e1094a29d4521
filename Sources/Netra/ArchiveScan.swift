import Foundation
import NetraArchive
import NetraCore
import NetraReport
import NetraRules

/// Screens exports read by ``ExportReader`` (folders, zips, platform files): every record is
/// screened and printed the way ``ScanPipeline`` does, and every item is accounted for —
/// flagged, clean, not judged (nothing to judge: a group left, a system line), skipped with a
/// reason, or part of a file or archive that was refused or only partly read.
///
/// Records are screened on the calling thread, in input order.
public final class ArchiveScanner {
    public let compiled: CompiledLexicon
    public let options: ScanOptions
    public let reader: ExportReader
    /// Records flagged, clean and skipped, as for JSON lines.
    public private(set) var statistics = ScanStatistics()
    /// Items read but with nothing to judge, by reason (`group_left`, `whatsapp_system_line`, `no_text` …).
    public private(set) var notJudged: [String: Int] = [:]
    /// Files, entries and archives refused or read only in part, by reason (`entry_budget`,
    /// `unsafe_entry_name`, `not_a_zip` …). Any of them makes the run incomplete (exit 3).
    public private(set) var problems: [String: Int] = [:]
    private var screener: Screener
    private let output: OutputChannel
    private let errors: OutputChannel

    public init(compiled: CompiledLexicon, options: ScanOptions, reader: ExportReader, output: OutputChannel, errors: OutputChannel) {
        self.compiled = compiled
        self.options = options
        // --reference reads JSON exports by the reference path too (a JSONValue tree per item).
        var reader = reader
        if options.reference { reader.reference = true }
        self.reader = reader
        self.output = output
        self.errors = errors
        screener = Screener(compiled, reference: options.reference)
    }

    /// The number of problems (refused or partly read files, entries, archives).
    public var problemCount: Int { problems.values.reduce(0, +) }

    private func report(_ message: String) {
        errors.write("netra: \(message)\n")
        errors.flush()
    }

    /// Screens one folder, zip or export file.
    public func scan(path: String) {
        statistics.inputs += 1
        reader.read(path: path) { event in
            handle(event)
            return !output.closed
        }
    }

    /// Screens one export file held in memory (tests).
    public func scan(bytes: [UInt8], name: String) {
        statistics.inputs += 1
        reader.read(bytes: bytes, name: name) { handle($0) }
    }

    func handle(_ event: ExportEvent) {
        switch event {
        case .record(let record):
            screen(record)
        case .jsonLine(let bytes, let source):
            jsonLine(bytes, source: source)
        case .notJudged(let reason, _):
            statistics.records += 1
            notJudged[reason, default: 0] += 1
        case .skipped(let reason, let message, let source):
            statistics.records += 1
            statistics.skipped[reason, default: 0] += 1
            report("\(source.path):\(source.line): record skipped: \(message)")
        case .problem(let problem):
            problems[problem.reason, default: 0] += 1
            report(problem.description)
        }
    }

    private func screen(_ record: Record) {
        statistics.records += 1
        if !record.hasJudgedFields {
            notJudged["no_text", default: 0] += 1
            return
        }
        let flags = screener.screen(record)
        statistics.count(flags)
        if flags.isEmpty && !options.all { return }
        let finding = Finding(record: record, flags: flags)
        let version = compiled.version, format = options.format
        output.append { format.append(finding, lexiconVersion: version, to: &$0) }
    }

    /// A JSON-lines file inside a folder or zip: decoded as `netra scan` decodes JSON lines.
    private func jsonLine(_ raw: [UInt8], source: SourceLocation) {
        var bytes = raw[...]
        if source.line == 1, bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { bytes = bytes.dropFirst(3) }
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
        let result = bytes.withUnsafeBufferPointer {
            options.reference ? RecordDecoder.decodeStrictly($0, source: source) : RecordDecoder.decode($0, source: source)
        }
        switch result {
        case .failure(let failure):
            statistics.records += 1
            statistics.skipped[failure.reason, default: 0] += 1
            report("\(source.path):\(source.line): record skipped: \(failure.description)")
        case .success(let (record, remarks)):
            for remark in remarks {
                statistics.undatedBadDate += 1
                report("\(source.path):\(source.line): \(remark.description)")
            }
            screen(record)
        }
    }

    /// Flushes standard output.
    public func finish() { output.flush() }

    /// Statistics of both scanners, for `--stats`: the JSON-lines summary with the archive counts added.
    public static func combined(_ lines: ScanStatistics, _ archives: ScanStatistics) -> ScanStatistics {
        var all = lines
        all.merge(archives)
        return all
    }

    /// `{"not_judged":{…},"problems":{…}}` for `--stats`, keys sorted.
    public var summaryJSON: String {
        func object(_ d: [String: Int]) -> String {
            "{" + d.keys.sorted().map { "\"\($0)\":\(d[$0]!)" }.joined(separator: ",") + "}"
        }
        return "{\"not_judged\":\(notJudged.values.reduce(0, +)),\"not_judged_by_reason\":\(object(notJudged)),"
            + "\"problems\":\(problemCount),\"problems_by_reason\":\(object(problems))}"
    }
}
