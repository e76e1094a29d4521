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
/// With one thread each event is screened and printed as it is read. With more, events are
/// gathered into chunks in input order; a chunk is screened on the workers (each slice with its
/// own ``Screener``) while the reader fills the next, and each slice's output, messages and
/// counts are handed on in input order: standard output, the messages on standard error and
/// the statistics are the same whatever the thread count.
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
    private let output: OutputChannel
    private let errors: OutputChannel
    /// One slice (one thread), or two sets of slices: a chunk is screened on one set while the
    /// reader fills the next chunk and the previous one waits on the other.
    private let sliceSets: [[ExportSlice]]
    private var pending: [ExportEvent] = []
    private var pendingBytes = 0
    private var inFlight: [(group: DispatchGroup, set: Int, count: Int)] = []
    private var nextSet = 0
    /// A chunk is dispatched at this many events or bytes of text.
    let chunkEvents = 4096
    let chunkBytes = 4 << 20

    public init(compiled: CompiledLexicon, options: ScanOptions, reader: ExportReader, output: OutputChannel, errors: OutputChannel) {
        self.compiled = compiled
        self.options = options
        // --reference reads JSON exports by the reference path too (a JSONValue tree per item).
        var reader = reader
        if options.reference { reader.reference = true }
        self.reader = reader
        self.output = output
        self.errors = errors
        let threads = max(1, options.threads)
        sliceSets = threads == 1
            ? [[ExportSlice(compiled, options: options)]]
            : (0..<2).map { _ in (0..<(threads * 2)).map { _ in ExportSlice(compiled, options: options) } }
    }

    /// The number of problems (refused or partly read files, entries, archives).
    public var problemCount: Int { problems.values.reduce(0, +) }

    /// Screens one folder, zip or export file.
    public func scan(path: String) {
        statistics.inputs += 1
        reader.read(path: path) { event in
            handle(event)
            return !output.closed
        }
        drain()
    }

    /// Screens one export file held in memory (tests).
    public func scan(bytes: [UInt8], name: String) {
        statistics.inputs += 1
        reader.read(bytes: bytes, name: name) { handle($0) }
        drain()
    }

    func handle(_ event: ExportEvent) {
        if sliceSets.count == 1 {
            let slice = sliceSets[0][0]
            slice.process(CollectionOfOne(event))
            deliver(slice)
            return
        }
        switch event {
        case .record(let record): pendingBytes += record.text.utf8.count + 64
        case .jsonLine(let bytes, _): pendingBytes += bytes.count
        default: break
        }
        pending.append(event)
        if pending.count >= chunkEvents || pendingBytes >= chunkBytes { dispatch() }
    }

    /// Starts screening the pending events on the next slice set (first handing on the oldest
    /// chunk when every set is busy).
    private func dispatch() {
        guard !pending.isEmpty else { return }
        if inFlight.count == sliceSets.count { finishOldest() }
        let events = pending
        pending = []
        pending.reserveCapacity(events.count)
        pendingBytes = 0
        let set = nextSet
        nextSet = (nextSet + 1) % sliceSets.count
        let slices = sliceSets[set]
        let count = events.count < 64 ? 1 : slices.count
        let per = (events.count + count - 1) / count
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            DispatchQueue.concurrentPerform(iterations: count) { s in
                let start = min(events.count, s * per), end = min(events.count, start + per)
                slices[s].process(events[start..<end])
            }
            group.leave()
        }
        inFlight.append((group, set, count))
    }

    /// Waits for the oldest chunk and hands on its slices in order.
    private func finishOldest() {
        let flight = inFlight.removeFirst()
        flight.group.wait()
        for slice in sliceSets[flight.set].prefix(flight.count) { deliver(slice) }
    }

    /// Screens whatever is pending and hands everything on.
    private func drain() {
        dispatch()
        while !inFlight.isEmpty { finishOldest() }
    }

    /// A slice's messages, output and counts, then the slice is emptied for its next chunk.
    private func deliver(_ slice: ExportSlice) {
        for message in slice.messages {
            errors.write("netra: \(message)\n")
            errors.flush()
        }
        if !slice.output.isEmpty { output.append { $0.append(contentsOf: slice.output) } }
        statistics.merge(slice.statistics)
        for (reason, n) in slice.notJudged { notJudged[reason, default: 0] += n }
        for (reason, n) in slice.problems { problems[reason, default: 0] += n }
        slice.reset()
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

/// Screens a run of export events on one thread: its output (findings in the scan's format), its
/// messages for standard error and its counts, in input order, until they are handed on.
final class ExportSlice: @unchecked Sendable {
    let compiled: CompiledLexicon
    let options: ScanOptions
    var screener: Screener
    var output: [UInt8] = []
    var messages: [String] = []
    var statistics = ScanStatistics()
    var notJudged: [String: Int] = [:]
    var problems: [String: Int] = [:]

    init(_ compiled: CompiledLexicon, options: ScanOptions) {
        self.compiled = compiled
        self.options = options
        screener = Screener(compiled, reference: options.reference)
    }

    func reset() {
        output.removeAll(keepingCapacity: true)
        messages.removeAll(keepingCapacity: true)
        statistics = ScanStatistics()
        notJudged.removeAll(keepingCapacity: true)
        problems.removeAll(keepingCapacity: true)
    }

    func process<Events: Sequence<ExportEvent>>(_ events: Events) {
        for event in events {
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
                messages.append("\(source.path):\(source.line): record skipped: \(message)")
            case .problem(let problem):
                problems[problem.reason, default: 0] += 1
                messages.append(problem.description)
            }
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
        options.format.append(Finding(record: record, flags: flags), lexiconVersion: compiled.version, to: &output)
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
            messages.append("\(source.path):\(source.line): record skipped: \(failure.description)")
        case .success(let (record, remarks)):
            for remark in remarks {
                statistics.undatedBadDate += 1
                messages.append("\(source.path):\(source.line): \(remark.description)")
            }
            screen(record)
        }
    }
}
