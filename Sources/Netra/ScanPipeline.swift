import Foundation
import NetraCore
import NetraReport
import NetraRules

/// Counts for `--stats`: every record is flagged, clean, or skipped with a reason.
public struct ScanStatistics: Sendable, Equatable {
    public var inputs = 0
    /// Inputs that could not be opened or read to the end.
    public var inputErrors = 0
    public var records = 0
    public var flagged = 0
    public var clean = 0
    /// Skipped records by reason (`malformed_json`, `invalid_utf8`, `too_long`, …).
    public var skipped: [String: Int] = [:]
    /// Screened records with a remark (a `created_at` that could not be read, judged as undated).
    public var undatedBadDate = 0
    public var flags = 0

    public init() {}

    public var skippedTotal: Int { skipped.values.reduce(0, +) }

    /// Adds another run's counts to these (`skipped` reason by reason): the counts of shards
    /// scanned separately, merged, equal the counts of one run over their concatenation.
    public mutating func merge(_ other: ScanStatistics) {
        inputs += other.inputs
        inputErrors += other.inputErrors
        records += other.records
        flagged += other.flagged
        clean += other.clean
        for (k, v) in other.skipped { skipped[k, default: 0] += v }
        undatedBadDate += other.undatedBadDate
        flags += other.flags
    }

    /// One JSON object on one line (the `netra: stats` line), for stderr and for merging shard summaries.
    public var json: String {
        let skippedJSON = skipped.keys.sorted().map { "\"\($0)\":\(skipped[$0]!)" }.joined(separator: ",")
        return "{\"inputs\":\(inputs),\"input_errors\":\(inputErrors),\"records\":\(records),\"flagged\":\(flagged),"
            + "\"clean\":\(clean),\"skipped\":\(skippedTotal),\"skipped_by_reason\":{\(skippedJSON)},"
            + "\"undated_bad_created_at\":\(undatedBadDate),\"flags\":\(flags)}"
    }
}

extension ScanStatistics {
    /// Counts one screened record: flagged with its flags, or clean.
    mutating func count(_ recordFlags: [Flag]) {
        if recordFlags.isEmpty { clean += 1 } else {
            flagged += 1
            flags += recordFlags.count
        }
    }
}

extension OutputFormat {
    /// Appends `finding` to `out` in this format.
    func append(_ finding: Finding, lexiconVersion: String, to out: inout [UInt8]) {
        switch self {
        case .ndjson: NDJSONPrinter.append(finding, lexiconVersion: lexiconVersion, to: &out)
        case .text: TextPrinter.append(finding, to: &out)
        }
    }
}

/// Options of one scan.
public struct ScanOptions: Sendable {
    public var format: OutputFormat = .ndjson
    /// Emit every record, flagged or not.
    public var all = false
    /// Records longer than this (bytes) are skipped and reported.
    public var maxRecordBytes = 1 << 20
    public var chunkBytes = 1 << 20
    /// Worker threads; records are screened in batches and printed in input order, so the
    /// output is byte-identical whatever the count.
    public var threads = 1
    /// Screen with the slow reference implementations instead of the fast paths: Foundation's
    /// JSON parser, every word through the normalizer's general path, and the naive matcher.
    /// Findings are identical by contract; this exists to check that on real data.
    public var reference = false

    public init() {}
}

/// One line waiting in a batch: a record to screen (its bytes are `start..<end` of the batch's
/// storage), or a line that was over the size limit.
struct PendingLine: Sendable {
    var number: Int
    var start: Int
    var end: Int
    /// For a line over the limit: its length (the bytes were not kept).
    var tooLong: Int?
}

/// Per-worker scratch: a screener, and what the worker produced for the current batch.
/// Each worker is used by one thread at a time.
final class ScanWorker: @unchecked Sendable {
    var screener: Screener
    var statistics = ScanStatistics()
    var output: [UInt8] = []
    var messages: [String] = []

    let reference: Bool

    init(_ compiled: CompiledLexicon, reference: Bool = false) {
        screener = Screener(compiled, reference: reference)
        self.reference = reference
    }

    func process(_ lines: ArraySlice<PendingLine>, storage: [UInt8], path sharedPath: String, options: ScanOptions, version sharedVersion: String) {
        // This worker's own copies: every record retains the path (its source) and the version
        // (its output line); on strings shared between threads those reference counts are
        // atomic writes to one cache line from every core.
        let path = String(decoding: Array(sharedPath.utf8), as: UTF8.self)
        let version = String(decoding: Array(sharedVersion.utf8), as: UTF8.self)
        storage.withUnsafeBufferPointer { all in
            for line in lines { process(line, all, path: path, options: options, version: version) }
        }
    }

    private func process(_ line: PendingLine, _ all: UnsafeBufferPointer<UInt8>, path: String, options: ScanOptions, version: String) {
        do {
            if let length = line.tooLong {
                statistics.records += 1
                statistics.skipped["too_long", default: 0] += 1
                messages.append("\(path):\(line.number): " + Self.tooLongMessage(length, limit: options.maxRecordBytes))
                return
            }
            handle(UnsafeBufferPointer(rebasing: all[line.start..<line.end]), path: path, number: line.number, options: options, version: version)
        }
    }

    private func handle(_ raw: UnsafeBufferPointer<UInt8>, path: String, number: Int, options: ScanOptions, version: String) {
        var bytes = raw
        if let last = bytes.last, last == 0x0D { bytes = UnsafeBufferPointer(rebasing: bytes.dropLast()) }
        if number == 1, bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            bytes = UnsafeBufferPointer(rebasing: bytes.dropFirst(3))
        }
        // Blank lines are skipped quietly: they are not records.
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
        statistics.records += 1
        let source = SourceLocation(path: path, line: number)
        switch reference ? RecordDecoder.decodeStrictly(bytes, source: source) : RecordDecoder.decode(bytes, source: source) {
        case .failure(let failure):
            statistics.skipped[failure.reason, default: 0] += 1
            messages.append("\(path):\(number): record skipped: \(failure.description)")
        case .success(let (record, remarks)):
            for remark in remarks {
                statistics.undatedBadDate += 1
                messages.append("\(path):\(number): \(remark.description)")
            }
            let flags = screener.screen(record)
            statistics.count(flags)
            if flags.isEmpty && !options.all { return }
            options.format.append(Finding(record: record, flags: flags), lexiconVersion: version, to: &output)
        }
    }

    /// What `netra scan` and `netra batch` say of a JSON line over the record size limit.
    static func tooLongMessage(_ length: Int, limit: Int) -> String {
        "record skipped: \(length) bytes is over the limit of \(limit) bytes"
    }

    func reset() {
        statistics = ScanStatistics()
        output.removeAll(keepingCapacity: true)
        messages.removeAll(keepingCapacity: true)
    }
}

/// The pipeline for JSON-lines input: read, decode, screen, print; count everything.
///
/// Lines are gathered into batches (up to 4 MiB); each batch is cut into contiguous slices (four
/// per thread), the slices are screened in parallel, and their output and messages are written
/// in slice order, so the result is the same as on one thread.
public final class ScanPipeline {
    public let compiled: CompiledLexicon
    public let options: ScanOptions
    public private(set) var statistics = ScanStatistics()
    /// Two sets of workers: while one batch is screened by one set, the next can start on the
    /// other, so the threads do not wait at every batch's end for the slowest slice.
    private let workerSets: [[ScanWorker]]
    private var nextSet = 0
    private let output: OutputChannel
    private let errors: OutputChannel
    private var batch: [PendingLine] = []
    /// The bytes of the batch's lines, one after another.
    private var batchStorage: [UInt8] = []
    private var batchBytes: Int { batchStorage.count }
    /// Batches being screened, oldest first: their group (nil when done on this thread), the
    /// worker set and the number of its slices they use.
    private var inFlight: [(group: DispatchGroup?, set: Int, slices: Int)] = []
    static let batchLimit = 4 << 20

    public init(compiled: CompiledLexicon, options: ScanOptions, output: OutputChannel, errors: OutputChannel) {
        self.compiled = compiled
        self.options = options
        self.output = output
        self.errors = errors
        // Four slices per thread, so a slice of long records does not leave the other threads
        // idle at the end of a batch; each slice has its own screener.
        let slices = options.threads > 1 ? options.threads * 2 : 1
        workerSets = (0..<(options.threads > 1 ? 2 : 1)).map { _ in (0..<slices).map { _ in ScanWorker(compiled, reference: options.reference) } }
    }

    /// True once stdout is closed: the caller should stop feeding inputs.
    public var outputClosed: Bool { output.closed }

    private func report(_ message: String) {
        errors.write("netra: \(message)\n")
        errors.flush()
    }

    /// Screens one input: a path, or `-` for standard input.
    ///
    /// - Parameters:
    ///   - path: the file to read, or `-` for standard input.
    ///   - sourceName: the name given to this input in every record's `source.path`, in the
    ///     `PATH:LINE` name of records without `id` and in messages (default: `path`). A shard
    ///     cut from a larger file names that file, so its output is the single run's.
    ///   - lineOffset: added to every line number (default 0): the number of lines of the larger
    ///     file that come before this shard.
    public func scan(path: String, sourceName: String? = nil, lineOffset: Int = 0) {
        let name = sourceName ?? path
        statistics.inputs += 1
        let fd: Int32
        if path == "-" {
            fd = 0
        } else {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                report("\(path): is a directory (export folders are not supported yet; give JSON-lines files)")
                statistics.inputErrors += 1
                return
            }
            fd = open(path, O_RDONLY)
            if fd < 0 {
                report("\(path): cannot open: \(String(cString: strerror(errno)))")
                statistics.inputErrors += 1
                return
            }
        }
        defer { if fd != 0 { close(fd) } }
        var reader = LineReader(fd: fd, maxLineBytes: options.maxRecordBytes, chunkBytes: options.chunkBytes)
        do {
            try reader.forEach { event in
                switch event {
                case .tooLong(let number, let bytes):
                    batch.append(PendingLine(number: number + lineOffset, start: batchStorage.count, end: batchStorage.count, tooLong: bytes))
                case .line(let bytes, let number):
                    let start = batchStorage.count
                    batchStorage.append(contentsOf: bytes)
                    batch.append(PendingLine(number: number + lineOffset, start: start, end: batchStorage.count, tooLong: nil))
                }
                if batchBytes >= Self.batchLimit || batch.count >= 16_384 { flushBatch(path: name) }
                return !output.closed
            }
            flushBatch(path: name)
            collect()
        } catch {
            flushBatch(path: name)
            collect()
            report("\(name): read error: \(error.description); the rest of this input was not screened")
            statistics.inputErrors += 1
        }
    }

    /// Hands the gathered lines to the workers. With more than one thread the batch is screened
    /// in the background while the next one is read; its results are written by `collect`.
    private func flushBatch(path: String) {
        guard !batch.isEmpty else { return }
        let set = nextSet
        nextSet = (nextSet + 1) % workerSets.count
        // The batch that last used this worker set is the oldest in flight: write it out first.
        if inFlight.contains(where: { $0.set == set }) { collectOldest() }
        let lines = batch, storage = batchStorage
        batch.removeAll(keepingCapacity: true)
        // A new buffer: the workers still read the old one.
        batchStorage = []
        batchStorage.reserveCapacity(Self.batchLimit + (1 << 16))
        let workers = workerSets[set]
        let count = lines.count < 64 ? 1 : workers.count
        let per = (lines.count + count - 1) / count
        let options = self.options, version = compiled.version
        if options.threads <= 1 {
            workers[0].process(lines[...], storage: storage, path: path, options: options, version: version)
            inFlight.append((nil, set, count))
            collectOldest()
            return
        }
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            DispatchQueue.concurrentPerform(iterations: count) { w in
                let start = min(lines.count, w * per), end = min(lines.count, start + per)
                workers[w].process(lines[start..<end], storage: storage, path: path, options: options, version: version)
            }
            group.leave()
        }
        inFlight.append((group, set, count))
    }

    /// Waits for the oldest batch being screened, then writes its output and messages in input order.
    private func collectOldest() {
        guard !inFlight.isEmpty else { return }
        let (group, set, slices) = inFlight.removeFirst()
        group?.wait()
        for worker in workerSets[set].prefix(slices) {
            if !output.closed && !worker.output.isEmpty { output.write(worker.output) }
            for message in worker.messages { report(message) }
            statistics.merge(worker.statistics)
            worker.reset()
        }
    }

    /// Waits for every batch being screened and writes them out in order.
    private func collect() {
        while !inFlight.isEmpty { collectOldest() }
    }

    /// Writes what is still being screened, then flushes standard output.
    public func finish() {
        collect()
        output.flush()
    }
}
