import ArgumentParser
import Foundation
import Netra

/// `netra merge`: one result and one summary from the outputs of shards scanned separately
/// (DESIGN.md §7). Every output line is kept as it is; only the order changes.
struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Combine the NDJSON outputs and --stats lines of shards into one sorted result and one summary.",
        discussion: """
            Lines are sorted by source (source.path compared byte by byte, then source.line, then id) or, with \
            --sort id, by id (then source). Outputs screened with different lexicon_version values are refused. \
            With --stats, each FILE is one shard's standard error and must hold exactly one `netra: stats` line; \
            the sums go to standard error as one `netra: stats` line. Exit codes as scan's for the whole input: \
            0 something was flagged, 1 nothing was flagged, 2 an error (an unreadable or foreign line, a lexicon \
            mismatch, a shard without a stats line or with input errors, outputs that do not match the counts), \
            3 some shard skipped records.
            """)

    @Argument(help: ArgumentHelp("NDJSON outputs of `netra scan --format ndjson`, or - for standard input.", valueName: "NDJSON"))
    var files: [String] = []

    @Option(name: .long, help: ArgumentHelp("A shard's standard error (holding its `netra: stats` line). Repeatable: one per shard.", valueName: "FILE"))
    var stats: [String] = []

    @Option(name: .long, help: "Sort key: source (path, line, id; a record found twice is an error) or id (id, path, line).")
    var sort: String = MergeOrder.source.rawValue

    @Option(name: .long, help: ArgumentHelp("Refuse any output line whose lexicon_version is not this one (what `netra scan --lexicon-version` prints).", valueName: "VERSION"))
    var expectLexiconVersion: String?

    func validate() throws {
        guard MergeOrder(rawValue: sort) != nil else {
            throw ValidationError("--sort must be one of: \(MergeOrder.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if files.isEmpty && stats.isEmpty { throw ValidationError("give NDJSON outputs to merge (or - for standard input), --stats files, or both") }
        if files.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input (-) can be given once") }
    }

    func run() throws {
        var merger = ShardMerger(expectedVersion: expectLexiconVersion)
        do {
            for file in files { try merger.add(output: file, data: read(file)) }
            for file in stats { try merger.add(stats: file, text: String(decoding: try read(file), as: UTF8.self)) }
        } catch let error as MergeError {
            writeError("netra: \(error.description)")
            throw ExitCode(ExitStatus.error)
        }
        let order = MergeOrder(rawValue: sort)!
        let sorted: [MergedLine]
        do { sorted = try merger.sorted(order) } catch let error as MergeError {
            writeError("netra: \(error.description)")
            throw ExitCode(ExitStatus.error)
        }
        let output = OutputChannel(fd: 1)
        for line in sorted {
            if output.closed { break }
            output.write(line.bytes)
            output.write([0x0A])
        }
        output.flush()
        if let failure = output.failure {
            writeError("netra: cannot write the output: \(String(cString: strerror(failure)))")
            throw ExitCode(ExitStatus.error)
        }
        let flaggedLines = merger.lines.filter(\.flagged).count
        guard let summary = merger.statistics else {
            throw ExitCode(flaggedLines > 0 ? ExitStatus.flagged : ExitStatus.clean)
        }
        writeError("netra: stats \(summary.json)")
        var failed = false
        for shard in merger.shards where shard.statistics.inputErrors > 0 {
            writeError("netra: \(shard.file):\(shard.line): the shard had \(shard.statistics.inputErrors) input error(s): part of its input was not screened")
            failed = true
        }
        if !files.isEmpty && flaggedLines != summary.flagged {
            writeError("netra: the outputs hold \(flaggedLines) flagged record(s) but the stats lines count \(summary.flagged): an output is missing, truncated or from another run")
            failed = true
        }
        if failed { throw ExitCode(ExitStatus.error) }
        if summary.skippedTotal > 0 {
            for shard in merger.shards where shard.statistics.skippedTotal > 0 {
                writeError("netra: \(shard.file):\(shard.line): the shard skipped \(shard.statistics.skippedTotal) record(s)")
            }
            writeError("netra: incomplete: \(summary.skippedTotal) of \(summary.records) records skipped (see the shards' messages); this run is not a clean result")
            throw ExitCode(ExitStatus.incomplete)
        }
        throw ExitCode(summary.flagged > 0 || flaggedLines > 0 ? ExitStatus.flagged : ExitStatus.clean)
    }

    private func read(_ file: String) throws -> Data {
        if file == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw MergeError("\(file): cannot read")
        }
        return data
    }
}

/// How merged lines are ordered.
enum MergeOrder: String, CaseIterable {
    /// `source.path` (UTF-8 bytes), `source.line`, then `id`: the single run's order for shards
    /// scanned with `--source-path` and `--line-offset` (one input file).
    case source
    /// `id` (UTF-8 bytes), then `source.path` and `source.line`: for shards whose provenance is
    /// lost (Spark's `RDD.pipe` feeds each partition on standard input).
    case id
}

/// A problem that stops a merge, named by file and line.
struct MergeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// One output line of a shard with the fields it is sorted and checked by.
struct MergedLine {
    var bytes: [UInt8]
    var id: [UInt8]
    var path: [UInt8]
    var line: Int
    var flagged: Bool
    /// Where it was read: file and line number, for messages.
    var file: String
    var fileLine: Int
}

/// One shard's `netra: stats` line.
struct ShardStatistics {
    var file: String
    var line: Int
    var statistics: ScanStatistics
}

/// Gathers shard outputs and stats lines, checks them and sorts the lines.
struct ShardMerger {
    var expectedVersion: String?
    private(set) var lines: [MergedLine] = []
    private(set) var shards: [ShardStatistics] = []
    /// The first lexicon_version seen and where.
    private var version: (value: String, file: String, line: Int)?

    init(expectedVersion: String?) { self.expectedVersion = expectedVersion }

    /// The sum of every shard's counts, or nil when no stats file was given.
    var statistics: ScanStatistics? {
        guard !shards.isEmpty else { return nil }
        var sum = ScanStatistics()
        for shard in shards { sum.merge(shard.statistics) }
        return sum
    }

    /// Reads one NDJSON output: every non-blank line must be a `netra scan` NDJSON line.
    mutating func add(output file: String, data: Data) throws {
        var number = 0
        for raw in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            number += 1
            if raw.isEmpty { continue }
            if let head = raw.withUnsafeBytes({ (buffer: UnsafeRawBufferPointer) in OutputLineHead(buffer.bindMemory(to: UInt8.self)) }) {
                try add(raw, head, file: file, number: number)
                continue
            }
            // Escapes in the fields read, or not a line of netra's: Foundation decides.
            guard let object = try? JSONSerialization.jsonObject(with: raw) as? [String: Any] else {
                throw MergeError("\(file):\(number): not a JSON object: give the NDJSON output of netra scan --format ndjson")
            }
            guard let id = object["id"] as? String, let source = object["source"] as? [String: Any],
                  let path = source["path"] as? String, let line = source["line"] as? Int,
                  let flagged = object["flagged"] as? Bool, let lexiconVersion = object["lexicon_version"] as? String else {
                throw MergeError("\(file):\(number): not a netra scan output line (id, source, flagged and lexicon_version are needed)")
            }
            try add(raw, OutputLineHead(id: id, path: path, line: line, flagged: flagged, version: lexiconVersion), file: file, number: number)
        }
    }

    /// Checks one line's lexicon version and keeps it.
    private mutating func add(_ raw: Data, _ head: OutputLineHead, file: String, number: Int) throws {
        let lexiconVersion = head.version
        if let expectedVersion, lexiconVersion != expectedVersion {
            throw MergeError("\(file):\(number): lexicon_version \(lexiconVersion) is not the expected \(expectedVersion); every shard must be screened with the same lexicon")
        }
        if let version {
            if version.value != lexiconVersion {
                throw MergeError("\(file):\(number): lexicon_version \(lexiconVersion) differs from \(version.value) (\(version.file):\(version.line)); every shard must be screened with the same lexicon")
            }
        } else {
            version = (lexiconVersion, file, number)
        }
        lines.append(MergedLine(bytes: Array(raw), id: Array(head.id.utf8), path: Array(head.path.utf8), line: head.line,
                                flagged: head.flagged, file: file, fileLine: number))
    }

    /// Reads one shard's standard error: it must hold exactly one `netra: stats` line.
    mutating func add(stats file: String, text: String) throws {
        var found: ShardStatistics?
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard line.hasPrefix(Self.statsPrefix) else { continue }
            if let found {
                throw MergeError("\(file):\(index + 1): a second stats line (the first is line \(found.line)): give one standard-error file per shard")
            }
            let json = line.dropFirst(Self.statsPrefix.count)
            guard let statistics = ScanStatistics(statsJSON: Data(json.utf8)) else {
                throw MergeError("\(file):\(index + 1): the stats line cannot be read")
            }
            found = ShardStatistics(file: file, line: index + 1, statistics: statistics)
        }
        guard let found else {
            throw MergeError("\(file): no 'netra: stats' line: the shard did not finish, or ran without --stats")
        }
        shards.append(found)
    }

    static let statsPrefix = "netra: stats "

    /// The lines in `order`; with `.source`, a record found twice (same path and line) is an error.
    func sorted(_ order: MergeOrder) throws -> [MergedLine] {
        func less(_ a: MergedLine, _ b: MergedLine) -> Bool {
            switch order {
            case .source:
                if a.path != b.path { return a.path.lexicographicallyPrecedes(b.path) }
                if a.line != b.line { return a.line < b.line }
                if a.id != b.id { return a.id.lexicographicallyPrecedes(b.id) }
            case .id:
                if a.id != b.id { return a.id.lexicographicallyPrecedes(b.id) }
                if a.path != b.path { return a.path.lexicographicallyPrecedes(b.path) }
                if a.line != b.line { return a.line < b.line }
            }
            return a.bytes.lexicographicallyPrecedes(b.bytes)
        }
        let result = lines.sorted(by: less)
        if order == .source {
            for (a, b) in zip(result, result.dropFirst()) where a.path == b.path && a.line == b.line {
                let name = "\(String(decoding: a.path, as: UTF8.self)):\(a.line)"
                throw MergeError("\(b.file):\(b.fileLine): record \(name) is also in \(a.file):\(a.fileLine): shards overlap or one was given twice (shards read from standard input need --source-path and --line-offset, or merge with --sort id)")
            }
        }
        return result
    }
}

extension ScanStatistics {
    /// Reads the JSON object of a `netra: stats` line; nil unless it has exactly the keys
    /// `ScanStatistics.json` writes, with counts that add up.
    init?(statsJSON data: Data) {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        let keys: Set<String> = ["inputs", "input_errors", "records", "flagged", "clean", "skipped", "skipped_by_reason",
                                 "undated_bad_created_at", "flags"]
        guard Set(object.keys) == keys, let reasons = object["skipped_by_reason"] as? [String: Any] else { return nil }
        func count(_ key: String) -> Int? {
            guard let n = object[key] as? Int, n >= 0 else { return nil }
            return n
        }
        guard let inputs = count("inputs"), let inputErrors = count("input_errors"), let records = count("records"),
              let flagged = count("flagged"), let clean = count("clean"), let skipped = count("skipped"),
              let undated = count("undated_bad_created_at"), let flags = count("flags") else { return nil }
        self.init()
        for (reason, value) in reasons {
            guard let n = value as? Int, n >= 0 else { return nil }
            self.skipped[reason] = n
        }
        guard skippedTotal == skipped else { return nil }
        self.inputs = inputs
        self.inputErrors = inputErrors
        self.records = records
        self.flagged = flagged
        self.clean = clean
        self.undatedBadDate = undated
        self.flags = flags
    }
}

/// The fields `netra merge` reads from one output line (id, source, flagged, lexicon_version),
/// found by walking the line's top-level members without building its JSON tree (Foundation's
/// parser is 16 MB/s here; a merge of a night's output should not take longer than its scan).
struct OutputLineHead {
    var id: String
    var path: String
    var line: Int
    var flagged: Bool
    var version: String

    init(id: String, path: String, line: Int, flagged: Bool, version: String) {
        (self.id, self.path, self.line, self.flagged, self.version) = (id, path, line, flagged, version)
    }

    /// Nil unless `bytes` is one JSON object with all four fields, none of the strings read
    /// holding an escape (those lines go to Foundation's parser).
    init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        var reader = HeadReader(bytes: bytes)
        var id: String?, path: String?, line: Int?, flagged: Bool?, version: String?
        guard reader.members({ key, r in
            switch key {
            case "id": id = r.plainString(); return id != nil
            case "lexicon_version": version = r.plainString(); return version != nil
            case "flagged": flagged = r.boolean(); return flagged != nil
            case "source":
                return r.members { key, r in
                    switch key {
                    case "path": path = r.plainString(); return path != nil
                    case "line": line = r.integer(); return line != nil
                    default: return r.skipValue()
                    }
                }
            default: return r.skipValue()
            }
        }) else { return nil }
        reader.skipSpace()
        guard reader.atEnd, let id, let path, let line, let flagged, let version else { return nil }
        self.init(id: id, path: path, line: line, flagged: flagged, version: version)
    }
}

/// A cursor over one JSON text for `OutputLineHead`: reads members, plain strings, integers and
/// booleans, and skips any other value (strings with escapes, nested objects and arrays).
private struct HeadReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var atEnd: Bool { i == bytes.count }
    var current: UInt8? { i < bytes.count ? bytes[i] : nil }

    mutating func skipSpace() {
        while let c = current, c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A { i += 1 }
    }

    mutating func expect(_ byte: UInt8) -> Bool {
        skipSpace()
        guard current == byte else { return false }
        i += 1
        return true
    }

    /// An object: calls `member` with each key, the cursor at its value; false on any error.
    mutating func members(_ member: (String, inout HeadReader) -> Bool) -> Bool {
        guard expect(UInt8(ascii: "{")) else { return false }
        skipSpace()
        if current == UInt8(ascii: "}") { i += 1; return true }
        while true {
            skipSpace()
            guard let key = plainString(), expect(UInt8(ascii: ":")) else { return false }
            skipSpace()
            guard member(key, &self) else { return false }
            skipSpace()
            switch current {
            case UInt8(ascii: ","): i += 1
            case UInt8(ascii: "}"): i += 1; return true
            default: return false
            }
        }
    }

    /// A string without escapes or control characters; nil otherwise.
    mutating func plainString() -> String? {
        guard current == UInt8(ascii: "\"") else { return nil }
        let start = i + 1
        var j = start
        while j < bytes.count {
            let c = bytes[j]
            if c == UInt8(ascii: "\"") {
                i = j + 1
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<j]), as: UTF8.self)
            }
            if c == UInt8(ascii: "\\") || c < 0x20 { return nil }
            j += 1
        }
        return nil
    }

    mutating func integer() -> Int? {
        let start = i
        if current == UInt8(ascii: "-") { i += 1 }
        while let c = current, c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") { i += 1 }
        guard i > start, let c = current, c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == 0x20 else { return nil }
        return Int(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self))
    }

    mutating func boolean() -> Bool? {
        for (word, value) in [("true", true), ("false", false)] where bytes.count - i >= word.utf8.count {
            if word.utf8.elementsEqual(UnsafeBufferPointer(rebasing: bytes[i..<(i + word.utf8.count)])) {
                i += word.utf8.count
                return value
            }
        }
        return nil
    }

    /// Skips one value: a string (escapes allowed), an object or array (nesting counted, strings
    /// inside skipped whole), or a number or literal.
    mutating func skipValue() -> Bool {
        switch current {
        case UInt8(ascii: "\""):
            return skipString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while let c = current {
                switch c {
                case UInt8(ascii: "\""): guard skipString() else { return false }; continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { i += 1; return true }
                default: break
                }
                i += 1
            }
            return false
        default:
            let start = i
            while let c = current, c != UInt8(ascii: ","), c != UInt8(ascii: "}"), c != UInt8(ascii: "]"), c > 0x20 { i += 1 }
            return i > start
        }
    }

    mutating func skipString() -> Bool {
        i += 1
        while let c = current {
            i += 1
            if c == UInt8(ascii: "\\") { i += 1 } else if c == UInt8(ascii: "\"") { return true }
        }
        return false
    }
}
