import CNetraBytes
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
    /// New input bytes per block (the unit of reading, of parallel work and of output).
    public var chunkBytes = 4 << 20
    /// Worker threads; records are screened in blocks and printed in input order, so the
    /// output is byte-identical whatever the count.
    public var threads = 1
    /// Screen with the slow reference implementations instead of the fast paths: Foundation's
    /// JSON parser, every word through the normalizer's general path, and the naive matcher.
    /// Findings are identical by contract; this exists to check that on real data.
    public var reference = false

    public init() {}
}

/// Per-worker scratch: a screener, and what the worker produced for the current batch.
/// Each worker is used by one thread at a time, so its state skips runtime exclusivity checks
/// (a class's `var` otherwise pays one per access, about two per record).
final class ScanWorker: @unchecked Sendable {
    @exclusivity(unchecked) var screener: Screener
    @exclusivity(unchecked) var statistics = ScanStatistics()
    @exclusivity(unchecked) var output: [UInt8] = []
    @exclusivity(unchecked) var messages: [String] = []

    let reference: Bool

    init(_ compiled: CompiledLexicon, reference: Bool = false) {
        screener = Screener(compiled, reference: reference)
        self.reference = reference
    }

    /// Screens the lines of `base[from..<to]` (each ended by a newline, except perhaps the last
    /// at the end of the input), numbered from `firstNumber`; one over the size limit is skipped
    /// and reported. Returns the number of lines.
    @discardableResult
    func processLines(_ base: UnsafePointer<UInt8>, from: Int, to: Int, firstNumber: Int, path sharedPath: String,
                      options: ScanOptions, version sharedVersion: String) -> Int {
        // This worker's own copies: every record retains the path (its source) and the version
        // (its output line); on strings shared between threads those reference counts are
        // atomic writes to one cache line from every core.
        let path = String(decoding: Array(sharedPath.utf8), as: UTF8.self)
        let version = String(decoding: Array(sharedVersion.utf8), as: UTF8.self)
        // Every line is decoded into this one record (see
        // `RecordDecoder.decodeRecord(_:source:strictly:remarks:into:)`). A local: a class's
        // stored record would be copied for each read.
        var record = Record(id: nil, text: "", source: SourceLocation(path: path, line: 0))
        var start = from, number = firstNumber
        while start < to {
            let end = ScanPipeline.firstNewline(base, from: start, to: to) ?? to
            let length = end - start
            if length > options.maxRecordBytes {
                skipTooLong(length, path: path, number: number, options: options)
            } else {
                handle(UnsafeBufferPointer(start: base + start, count: length), path: path, number: number, options: options, version: version,
                       into: &record)
            }
            number += 1
            start = end + 1
        }
        return number - firstNumber
    }

    /// Counts and reports a line over the size limit (its bytes were not kept).
    func skipTooLong(_ length: Int, path: String, number: Int, options: ScanOptions) {
        statistics.records += 1
        statistics.skipped["too_long", default: 0] += 1
        messages.append("\(path):\(number): " + Self.tooLongMessage(length, limit: options.maxRecordBytes))
    }

    /// Screens one line (without its newline) into this worker's output, messages and counts,
    /// decoding it into `record` (the caller's, reused from line to line).
    func handle(_ raw: UnsafeBufferPointer<UInt8>, path: String, number: Int, options: ScanOptions, version: String, into record: inout Record) {
        var bytes = raw
        if let last = bytes.last, last == 0x0D { bytes = UnsafeBufferPointer(rebasing: bytes.dropLast()) }
        if number == 1, bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            bytes = UnsafeBufferPointer(rebasing: bytes.dropFirst(3))
        }
        // Blank lines are skipped quietly: they are not records.
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
        statistics.records += 1
        let source = SourceLocation(path: path, line: number)
        var remarks: [RecordDecoder.Remark] = []
        do throws(RecordDecoder.Failure) {
            try RecordDecoder.decodeRecord(bytes, source: source, strictly: reference, remarks: &remarks, into: &record)
        } catch {
            statistics.skipped[error.reason, default: 0] += 1
            messages.append("\(path):\(number): record skipped: \(error.description)")
            return
        }
        for remark in remarks {
            statistics.undatedBadDate += 1
            messages.append("\(path):\(number): \(remark.description)")
        }
        let flags = screener.screen(record)
        statistics.count(flags)
        if flags.isEmpty && !options.all { return }
        options.format.append(Finding(record: record, flags: flags), lexiconVersion: version, to: &output)
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
/// The input is read straight into blocks of about 4 MiB of whole lines (the partial line at a
/// block's end is carried to the next), and every line is screened where it lies. With more
/// than one thread each block is cut at line ends into slices (two per thread) that the
/// pipeline's own worker threads take from one queue, several blocks ahead; their output and
/// messages are written in slice order, so the result is the same as on one thread.
public final class ScanPipeline {
    public let compiled: CompiledLexicon
    public let options: ScanOptions
    public private(set) var statistics = ScanStatistics()
    /// Who screens: one worker here and now, or worker threads of their own with their queue.
    private enum Screening {
        case inline(ScanWorker)
        case threads(SliceScreening)
    }
    private let screening: Screening
    private let output: OutputChannel
    private let errors: OutputChannel
    /// Blocks being screened, oldest first, with their slices in input order.
    private var inFlight: [(block: InputBlock, slices: [SliceJob])] = []
    /// Blocks screened and written out, for reuse; likewise slices.
    private var freeBlocks: [InputBlock] = []
    private var freeSlices: [SliceJob] = []
    /// Bytes per block: a carried partial line (at most the record size limit) plus
    /// `ScanOptions.chunkBytes` new ones.
    private let blockCapacity: Int
    /// Blocks screened at once: the threads always find the next slices queued while the
    /// oldest block is written out and the next one read.
    private static let blocksInFlight = 3

    public init(compiled: CompiledLexicon, options: ScanOptions, output: OutputChannel, errors: OutputChannel) {
        self.compiled = compiled
        self.options = options
        self.output = output
        self.errors = errors
        blockCapacity = max(1, options.chunkBytes) + options.maxRecordBytes + 1
        if options.threads > 1 {
            screening = .threads(SliceScreening(workers: (0..<options.threads).map { _ in ScanWorker(compiled, reference: options.reference) },
                                                options: options, version: compiled.version))
        } else {
            screening = .inline(ScanWorker(compiled, reference: options.reference))
        }
    }

    deinit { if case .threads(let threads) = screening { threads.stop() } }

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
        scanInBlocks(fd: fd, path: name, lineOffset: lineOffset)
    }

    /// Blocks of whole lines, read straight from `fd` and screened where they lie.
    ///
    /// Lines are numbered as `LineReader` numbers them, and a line over the size limit is
    /// reported as it reports one: within a block by the worker that meets it, across blocks
    /// (its bytes never held whole) here, before the lines that follow it.
    private func scanInBlocks(fd: Int32, path: String, lineOffset: Int) {
        let maxLine = options.maxRecordBytes
        let blockBytes = max(1, options.chunkBytes)
        var block = takeBlock()
        var count = 0                 // bytes in `block`
        var linesBefore = 0           // lines of the input before `block`
        var skipping = false          // inside a line over the limit, not kept
        var skippedBytes = 0
        var eof = false
        var readError: Int32?
        while !eof && readError == nil && !output.closed {
            // `blockBytes` new bytes after the carried ones, or the end of the input (fewer could
            // leave a carried line without its end, and no progress; more would touch memory
            // that only a line as long as the limit needs).
            let target = count + blockBytes
            while count < target {
                let n = read(fd, block.storage.baseAddress! + count, target - count)
                if n < 0 {
                    if errno == EINTR { continue }
                    readError = errno
                    break
                }
                if n == 0 { eof = true; break }
                count += n
            }
            let base = block.storage.baseAddress!
            var start = 0
            var leadingTooLong: (number: Int, bytes: Int)?
            if skipping {
                // The skipped line ends at its newline, or with the input.
                if let end = Self.firstNewline(base, from: 0, to: count) ?? (eof ? count : nil) {
                    linesBefore += 1
                    leadingTooLong = (linesBefore + lineOffset, skippedBytes + end)
                    skipping = false
                    skippedBytes = 0
                    start = min(end + 1, count)
                } else {
                    skippedBytes += count
                    start = count
                }
            }
            // Whole lines: up to the last newline, or at the end of the input everything.
            var regionEnd = start
            if eof {
                regionEnd = count
            } else if let last = Self.lastNewline(base, from: start, to: count) {
                regionEnd = last + 1
            }
            // The partial line after them goes to the next block, unless it is already too long
            // (after a read error it is not screened).
            var carry = readError == nil ? count - regionEnd : 0
            if carry > maxLine {
                skipping = true
                skippedBytes = carry
                carry = 0
            }
            let next = takeBlock()
            if carry > 0 { memcpy(next.storage.baseAddress!, base + regionEnd, carry) }
            linesBefore += screen(block, from: start, to: regionEnd, firstNumber: linesBefore + lineOffset + 1,
                                  leadingTooLong: leadingTooLong, path: path)
            block = next
            count = carry
        }
        freeBlocks.append(block)
        collect()
        if let readError {
            report("\(path): read error: \(String(cString: strerror(readError))); the rest of this input was not screened")
            statistics.inputErrors += 1
        }
    }

    /// The offset of the first newline in `base[from..<to]`, if any.
    fileprivate static func firstNewline(_ base: UnsafePointer<UInt8>, from: Int, to: Int) -> Int? {
        memchr(base + from, 0x0A, to - from).map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) }
    }

    /// The offset of the last newline in `base[from..<to]`, if any.
    private static func lastNewline(_ base: UnsafePointer<UInt8>, from: Int, to: Int) -> Int? {
        var k = to
        while k > from {
            k -= 1
            if base[k] == 0x0A { return k }
        }
        return nil
    }

    /// A free block, or a new one.
    private func takeBlock() -> InputBlock {
        freeBlocks.popLast() ?? InputBlock(capacity: blockCapacity)
    }

    /// Screens the lines of `block[from..<to]`, after reporting `leadingTooLong`, and returns
    /// how many lines there are. On one thread here and now; else cut at line ends into slices
    /// for the worker threads, in the background while the next block is read (their results
    /// are written by `collect`).
    private func screen(_ block: InputBlock, from: Int, to: Int, firstNumber: Int, leadingTooLong: (number: Int, bytes: Int)?, path: String) -> Int {
        guard to > from || leadingTooLong != nil else {
            freeBlocks.append(block)
            return 0
        }
        let options = self.options
        let threads: SliceScreening
        switch screening {
        case .inline(let worker):
            if let leadingTooLong { worker.skipTooLong(leadingTooLong.bytes, path: path, number: leadingTooLong.number, options: options) }
            let lines = worker.processLines(block.storage.baseAddress!, from: from, to: to, firstNumber: firstNumber, path: path,
                                            options: options, version: compiled.version)
            write(output: worker.output, messages: worker.messages, statistics: worker.statistics)
            worker.reset()
            freeBlocks.append(block)
            return lines
        case .threads(let screeningThreads):
            threads = screeningThreads
        }
        let base = UnsafePointer(block.storage.baseAddress!)
        // Slice bounds at line ends near equal shares of the bytes, with each slice's first line number.
        let sliceCount = to - from < 64 << 10 ? 1 : options.threads * 2
        var bounds = [from]
        for k in 1..<max(1, sliceCount) {
            let nominal = max(bounds[k - 1], from + (to - from) * k / sliceCount)
            let end = nominal < to ? (Self.firstNewline(base, from: nominal, to: to).map { $0 + 1 } ?? to) : to
            bounds.append(end)
        }
        bounds.append(to)
        var numbers = [firstNumber]
        for k in 1...sliceCount { numbers.append(numbers[k - 1] + netra_count_byte(base + bounds[k - 1], bounds[k] - bounds[k - 1], 0x0A)) }
        // The last line of the input may have no newline.
        let lines = numbers[sliceCount] - firstNumber + (to > from && base[to - 1] != 0x0A ? 1 : 0)
        var slices: [SliceJob] = []
        for k in 0..<sliceCount {
            let slice = freeSlices.popLast() ?? SliceJob()
            slice.prepare(block: block, from: bounds[k], to: bounds[k + 1], firstNumber: numbers[k], path: path,
                          leadingTooLong: k == 0 ? leadingTooLong : nil)
            slices.append(slice)
        }
        threads.submit(slices)
        inFlight.append((block, slices))
        if inFlight.count >= Self.blocksInFlight { collectOldest() }
        writeFinished()
        return lines
    }

    /// Writes output and messages, and adds counts.
    private func write(output bytes: [UInt8], messages: [String], statistics counts: ScanStatistics) {
        if !output.closed && !bytes.isEmpty { output.write(bytes) }
        for message in messages { report(message) }
        statistics.merge(counts)
    }

    /// Waits for the oldest block being screened, then writes its slices out in input order.
    private func collectOldest() {
        guard case .threads(let threads) = screening, !inFlight.isEmpty else { return }
        let (block, slices) = inFlight.removeFirst()
        for slice in slices {
            threads.wait(for: slice)
            write(output: slice.output, messages: slice.messages, statistics: slice.statistics)
            slice.release()
            freeSlices.append(slice)
        }
        freeBlocks.append(block)
    }

    /// Writes out the oldest blocks whose slices are all screened, without waiting.
    private func writeFinished() {
        while let oldest = inFlight.first, case .threads(let threads) = screening, threads.isFinished(oldest.slices) { collectOldest() }
    }

    /// Waits for every block being screened and writes them out in order.
    private func collect() {
        while !inFlight.isEmpty { collectOldest() }
    }

    /// Writes what is still being screened, then flushes standard output.
    public func finish() {
        collect()
        output.flush()
    }
}

/// One slice of a block for a worker thread, and what screening it produced. The pipeline
/// fills it in, `SliceScreening` hands it to one thread, and the pipeline reads the results
/// once `SliceScreening.wait(for:)` returns; the condition's lock orders those accesses.
final class SliceJob: @unchecked Sendable {
    private(set) var block: InputBlock?
    private(set) var from = 0, to = 0, firstNumber = 0
    private(set) var path = ""
    private(set) var leadingTooLong: (number: Int, bytes: Int)?
    /// What screening the slice produced (buffers kept from use to use).
    var output: [UInt8] = []
    var messages: [String] = []
    var statistics = ScanStatistics()
    /// Set under `SliceScreening`'s lock once the results are in.
    var finished = false

    func prepare(block: InputBlock, from: Int, to: Int, firstNumber: Int, path: String, leadingTooLong: (number: Int, bytes: Int)?) {
        self.block = block
        self.from = from
        self.to = to
        self.firstNumber = firstNumber
        self.path = path
        self.leadingTooLong = leadingTooLong
        finished = false
    }

    /// Lets go of the block; keeps the output buffers' storage.
    func release() {
        block = nil
        output.removeAll(keepingCapacity: true)
        messages.removeAll(keepingCapacity: true)
        statistics = ScanStatistics()
    }
}

/// Worker threads that screen slices from one queue, each with its own `ScanWorker` (so a
/// worker's memo and scratch stay on one core), in the order submitted.
final class SliceScreening: @unchecked Sendable {
    private let condition = NSCondition()
    /// Slices submitted and not yet taken: `queue[head...]`.
    private var queue: [SliceJob] = []
    private var head = 0
    private var stopping = false

    init(workers: [ScanWorker], options: ScanOptions, version: String) {
        for worker in workers {
            let thread = Thread { [self] in self.run(worker, options: options, version: version) }
            // The main thread's stack size: screening recurses over rule conditions.
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Queues `slices` for the threads.
    func submit(_ slices: [SliceJob]) {
        condition.lock()
        // The slices taken are dropped (a few at most are still waiting), so the queue holds
        // only what is in flight however long the input.
        queue.removeFirst(head)
        head = 0
        queue.append(contentsOf: slices)
        condition.broadcast()
        condition.unlock()
    }

    /// Returns once `slice` is screened.
    func wait(for slice: SliceJob) {
        condition.lock()
        while !slice.finished { condition.wait() }
        condition.unlock()
    }

    /// Whether every one of `slices` is screened.
    func isFinished(_ slices: [SliceJob]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return slices.allSatisfy(\.finished)
    }

    /// Lets the threads end once the queue is empty.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    private func run(_ worker: ScanWorker, options: ScanOptions, version: String) {
        while true {
            condition.lock()
            while head == queue.count && !stopping { condition.wait() }
            if head == queue.count {
                condition.unlock()
                return
            }
            let slice = queue[head]
            head += 1
            condition.unlock()
            if let lead = slice.leadingTooLong { worker.skipTooLong(lead.bytes, path: slice.path, number: lead.number, options: options) }
            worker.processLines(slice.block!.storage.baseAddress!, from: slice.from, to: slice.to, firstNumber: slice.firstNumber,
                                path: slice.path, options: options, version: version)
            // The results change hands; the slice's emptied buffers become the worker's.
            swap(&slice.output, &worker.output)
            swap(&slice.messages, &worker.messages)
            slice.statistics = worker.statistics
            worker.reset()
            condition.lock()
            slice.finished = true
            condition.broadcast()
            condition.unlock()
        }
    }
}

/// Input bytes for the workers, reused from block to block.
final class InputBlock: @unchecked Sendable {
    let storage: UnsafeMutableBufferPointer<UInt8>

    init(capacity: Int) { storage = .allocate(capacity: capacity) }

    deinit { storage.deallocate() }
}
