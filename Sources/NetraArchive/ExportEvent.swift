import NetraCore

/// The platforms and file kinds the readers understand (`netra scan --from`).
public enum ExportFormat: String, Sendable, CaseIterable {
    case facebook, instagram, x, tiktok, whatsapp, jsonl, csv
}

/// What reading an input produces, in input order.
public enum ExportEvent: Sendable {
    /// A record to screen.
    case record(Record)
    /// One line of a JSON-lines file (inside an archive or folder), for the JSON-lines decoder.
    case jsonLine([UInt8], SourceLocation)
    /// An item that was read but is not something to judge (a group left, a WhatsApp system line,
    /// a media placeholder); counted by `reason`, never an error.
    case notJudged(reason: String, SourceLocation)
    /// An item that could not be read (too long, malformed); counted by `reason`, and the run is
    /// incomplete.
    case skipped(reason: String, message: String, SourceLocation)
    /// A file, entry or archive that was refused or only partly read: the run is incomplete.
    case problem(ReadProblem)
}

/// A file, entry or archive that was refused or read only in part.
public struct ReadProblem: Error, Sendable, CustomStringConvertible {
    /// The input, and inside an archive the entry (`archive.zip!/path/in/zip`).
    public var path: String
    /// 1-based line of the problem inside `path`, when known.
    public var line: Int?
    public var message: String
    /// A short machine name for statistics (`entry_budget`, `path_traversal`, `not_a_zip` …).
    public var reason: String

    public init(path: String, line: Int? = nil, reason: String, message: String) {
        self.path = path
        self.line = line
        self.reason = reason
        self.message = message
    }

    public var description: String { line.map { "\(path):\($0): \(message)" } ?? "\(path): \(message)" }
}

/// Limits for untrusted exports (DESIGN.md §6). Declared sizes in a zip are never trusted: the
/// budgets count bytes actually inflated.
public struct ReadLimits: Sendable, Equatable {
    /// Bytes inflated (or read) from one file or zip entry. With the lexicon loaded (about 40 MB)
    /// this keeps a run under 100 MB peak RSS even when a hostile entry looks like JSON to the end.
    public var maxEntryBytes = 48 << 20
    /// Bytes inflated from all entries of one zip.
    public var maxArchiveBytes = 1 << 30
    /// Entries in one zip (directories included).
    public var maxEntries = 100_000
    /// Zips inside zips are not opened (that would need the inner zip in memory or on disk); each
    /// one is reported and makes the run incomplete. Kept as a named limit for the messages.
    public var maxArchiveNesting = 0
    /// Nesting of JSON arrays and objects.
    public var maxJSONDepth = 200
    /// Values in one item of a JSON export (a post, a comment …; keys not counted). Honest items
    /// have a few hundred at most; a larger one is skipped (`item_too_large`), so an item is never
    /// held in more than about 3 MB however a hostile file is shaped.
    public var maxItemValues = 1 << 18
    /// One record (a chat message, a CSV row, a JSON line) at most this many bytes.
    public var maxRecordBytes = 1 << 20
    /// Chunk size for reading files and inflating entries.
    public var bufferSize = 64 << 10

    public init() {}
}
