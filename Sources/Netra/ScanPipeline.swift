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

    /// One JSON object on one line, keys sorted, for stderr and for merging shard summaries.
    public var json: String {
        let skippedJSON = skipped.keys.sorted().map { "\"\($0)\":\(skipped[$0]!)" }.joined(separator: ",")
        return "{\"inputs\":\(inputs),\"input_errors\":\(inputErrors),\"records\":\(records),\"flagged\":\(flagged),"
            + "\"clean\":\(clean),\"skipped\":\(skippedTotal),\"skipped_by_reason\":{\(skippedJSON)},"
            + "\"undated_bad_created_at\":\(undatedBadDate),\"flags\":\(flags)}"
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

    public init() {}
}

/// The pipeline for JSON-lines input: read, decode, screen, print; count everything.
public final class ScanPipeline {
    public let compiled: CompiledLexicon
    public let options: ScanOptions
    public private(set) var statistics = ScanStatistics()
    private var screener: Screener
    private let output: OutputChannel
    private let errors: OutputChannel

    public init(compiled: CompiledLexicon, options: ScanOptions, output: OutputChannel, errors: OutputChannel) {
        self.compiled = compiled
        self.options = options
        self.output = output
        self.errors = errors
        screener = Screener(compiled)
    }

    /// True once stdout is closed: the caller should stop feeding inputs.
    public var outputClosed: Bool { output.closed }

    private func report(_ message: String) {
        errors.write("netra: \(message)\n")
        errors.flush()
    }

    /// Screens one input: a path, or `-` for standard input.
    public func scan(path: String) {
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
                    statistics.records += 1
                    statistics.skipped["too_long", default: 0] += 1
                    report("\(path):\(number): record skipped: \(bytes) bytes is over the limit of \(options.maxRecordBytes) bytes")
                case .line(let bytes, let number):
                    handle(line: bytes, path: path, number: number)
                }
                return !output.closed
            }
        } catch {
            report("\(path): read error: \(error.description); the rest of this input was not screened")
            statistics.inputErrors += 1
        }
    }

    private func handle(line raw: UnsafeBufferPointer<UInt8>, path: String, number: Int) {
        var bytes = raw
        if let last = bytes.last, last == 0x0D { bytes = UnsafeBufferPointer(rebasing: bytes.dropLast()) }
        if number == 1, bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            bytes = UnsafeBufferPointer(rebasing: bytes.dropFirst(3))
        }
        // Blank lines are skipped quietly: they are not records.
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
        statistics.records += 1
        let source = SourceLocation(path: path, line: number)
        switch RecordDecoder.decode(bytes, source: source) {
        case .failure(let failure):
            statistics.skipped[failure.reason, default: 0] += 1
            report("\(path):\(number): record skipped: \(failure.description)")
        case .success(let (record, remarks)):
            for remark in remarks {
                statistics.undatedBadDate += 1
                report("\(path):\(number): \(remark.description)")
            }
            let flags = screener.screen(record)
            if flags.isEmpty { statistics.clean += 1 } else {
                statistics.flagged += 1
                statistics.flags += flags.count
            }
            if flags.isEmpty && !options.all { return }
            let finding = Finding(record: record, flags: flags)
            let version = compiled.version
            switch options.format {
            case .ndjson: output.append { NDJSONPrinter.append(finding, lexiconVersion: version, to: &$0) }
            case .text: output.append { TextPrinter.append(finding, to: &$0) }
            }
        }
    }

    /// Flushes standard output.
    public func finish() { output.flush() }
}
