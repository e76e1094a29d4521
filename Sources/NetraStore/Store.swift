import Foundation
import GRDB
import GRDBSQLite
import NetraCore
import NetraReport

/// One screened record on its way into the store: the record, its flags and its content hash
/// (computed by the worker that screened it).
public struct ScreenedItem: Sendable {
    public var record: NetraCore.Record
    public var flags: [Flag]
    public var contentHash: String

    public init(record: NetraCore.Record, flags: [Flag], contentHash: String? = nil) {
        self.record = record
        self.flags = flags
        self.contentHash = contentHash ?? BatchStore.contentHash(of: record)
    }
}

/// The outcome of screening one inbox input, held whole in memory (tests and small inputs;
/// `netra batch` streams through ``BatchStore/writeInput(_:runID:lexiconVersion:privacy:body:)``).
public struct ScreenedInput: Sendable {
    public typealias Item = ScreenedItem

    public var path: String
    public var contentHash: String
    public var size: Int64
    /// `nil` when the input was screened; otherwise why it was quarantined.
    public var quarantineReason: String?
    public var items: [Item]
    /// Records read but not screened (skipped or not judged), counted for the summary.
    public var unscreenedRecords: Int

    public init(path: String, contentHash: String, size: Int64, quarantineReason: String? = nil,
                items: [Item] = [], unscreenedRecords: Int = 0) {
        self.path = path
        self.contentHash = contentHash
        self.size = size
        self.quarantineReason = quarantineReason
        self.items = items
        self.unscreenedRecords = unscreenedRecords
    }
}

/// Which inbox input is being written: where it is, what it holds, and whose archive it is.
public struct InputDescription: Sendable {
    public var path: String
    public var contentHash: String
    public var size: Int64
    /// The subject the inbox entry is named after (records without an author belong to them).
    public var subject: Subject?

    public init(path: String, contentHash: String, size: Int64, subject: Subject? = nil) {
        self.path = path
        self.contentHash = contentHash
        self.size = size
        self.subject = subject
    }
}

/// How one input ended: screened, or quarantined with a reason; and how many records it had.
public struct InputOutcome: Sendable {
    public var quarantineReason: String?
    /// Records read: flagged, clean, or not screened (skipped with a reason, nothing to judge).
    public var records: Int
    /// Of those, records screened clean (counted in `inputs.clean`, never stored).
    public var clean: Int

    public init(quarantineReason: String? = nil, records: Int, clean: Int = 0) {
        self.quarantineReason = quarantineReason
        self.records = records
        self.clean = clean
    }
}

/// What the store keeps about people (DESIGN.md §6): subjects by name, everyone else pseudonymized,
/// and rule titles to show reviewers.
public struct StorePrivacy: Sendable {
    public var pseudonymizer: Pseudonymizer
    public var subjects: Subjects
    /// Rule id → title, stored with each finding.
    public var ruleTitles: [String: String]

    public init(pseudonymizer: Pseudonymizer, subjects: Subjects = Subjects([]), ruleTitles: [String: String] = [:]) {
        self.pseudonymizer = pseudonymizer
        self.subjects = subjects
        self.ruleTitles = ruleTitles
    }
}

/// What one commit added to the store.
public struct CommitCounts: Sendable, Equatable {
    /// Records with findings stored (a record stored before, from another input, is not added again).
    public var recordsAdded = 0
    public var findingsAdded = 0
    /// Records screened clean (counted in `inputs.clean`, not stored).
    public var clean = 0
    public init() {}
}

/// One finding as stored.
public struct StoredFinding: Sendable, Hashable {
    public var recordHash: String
    public var recordID: String?
    public var rule: String
    public var contest: String
    public var pair: String
    public var stance: String
    public var score: Double
    public var evidenceJSON: String
    public var lexiconVersion: String
}

/// One record made ready for its row: every column computed, names pseudonymized, evidence
/// encoded. Made on the worker threads (``RecordPreparer``), inserted by ``InputWriter``.
public struct PreparedRecord: Sendable {
    struct Finding: Sendable {
        var rule, category, contest, pair, stance, severity: String
        var score: Double
        var evidenceJSON, title, basisJSON: String
    }

    var contentHash: String
    var recordID: String?
    var kind: String
    var createdAt: String?
    var sourcePath: String
    var sourceLine: Int
    var text: String
    var author: String?
    var subject: String?
    var targetAuthor: String?
    var targetText: String?
    var group: String?
    var findings: [Finding]
}

/// Decides what the store keeps of one record (DESIGN.md §6), without touching the database, so
/// the work runs beside screening on the worker threads.
///
/// A record with findings is kept with its content hash, provenance, subject, text, target and
/// group (what a reviewer needs); a clean record is only counted for its input (`inputs.clean`),
/// since nothing of it is needed and it may name people. Authors and target
/// accounts are kept by name only when they are a listed subject or, for a target account, when
/// a finding cites it as evidence (a campaign account the rules recognised); anyone else is kept
/// as a keyed pseudonym.
public struct RecordPreparer: Sendable {
    public let privacy: StorePrivacy
    /// The subject the input is named after: records without an author belong to them.
    public let inputSubject: Subject?

    public init(privacy: StorePrivacy, inputSubject: Subject?) {
        self.privacy = privacy
        self.inputSubject = inputSubject
    }

    /// The subject a record belongs to: its author if listed, else (no author) the input's subject.
    public func subject(of record: NetraCore.Record) -> Subject? {
        if let author = record.author { return privacy.subjects.subject(forAuthor: author) }
        return inputSubject
    }

    /// The row of `record` with `flags`; `contentHash` when the caller has it already.
    public func prepare(_ record: NetraCore.Record, flags: [Flag], contentHash: String? = nil) -> PreparedRecord {
        let flagged = !flags.isEmpty
        func stored(_ name: String?, keep: Bool) -> String? {
            guard let name, !name.isEmpty else { return nil }
            if keep || privacy.subjects.subject(forAuthor: name) != nil { return name }
            return privacy.pseudonymizer.pseudonym(name)
        }
        let targetCited = flags.contains { $0.evidence.contains { $0.field == "target.author" } }
        return PreparedRecord(
            contentHash: contentHash ?? BatchStore.contentHash(of: record), recordID: record.id, kind: record.kind.rawValue,
            createdAt: record.createdAt, sourcePath: record.source.path, sourceLine: record.source.line,
            text: flagged ? record.text : "", author: stored(record.author, keep: false), subject: subject(of: record)?.account,
            targetAuthor: flagged ? stored(record.target?.author, keep: targetCited) : nil,
            targetText: flagged ? record.target?.text : nil, group: flagged ? record.group : nil,
            findings: flags.map { flag in
                PreparedRecord.Finding(rule: flag.rule, category: flag.category, contest: flag.contest, pair: flag.pair,
                                       stance: flag.stance.rawValue, severity: flag.severity, score: flag.score,
                                       evidenceJSON: Self.evidenceJSON(flag.evidence), title: privacy.ruleTitles[flag.rule] ?? "",
                                       basisJSON: Self.stringsJSON(flag.basis))
            })
    }

    /// Evidence as stored in `findings.evidence_json`: objects with sorted keys.
    static func evidenceJSON(_ evidence: [Evidence]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(96 * evidence.count + 2)
        out.append(UInt8(ascii: "["))
        for (index, e) in evidence.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"end":"#.utf8)
            out.append(contentsOf: String(e.span.end).utf8)
            out.append(contentsOf: #","field":"#.utf8)
            NDJSONPrinter.appendString(e.field, to: &out)
            out.append(contentsOf: #","start":"#.utf8)
            out.append(contentsOf: String(e.span.start).utf8)
            out.append(contentsOf: #","term":"#.utf8)
            NDJSONPrinter.appendString(e.term, to: &out)
            out.append(contentsOf: #","text":"#.utf8)
            NDJSONPrinter.appendString(e.text, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    static func stringsJSON(_ strings: [String]) -> String {
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (index, s) in strings.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            NDJSONPrinter.appendString(s, to: &out)
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }
}

/// Adds the records of one input inside its transaction (``BatchStore/writeInput(_:runID:lexiconVersion:privacy:body:)``).
///
/// The two inserts are prepared once per input and bound through SQLite's C interface: at a
/// night's volume GRDB's argument values cost as much as SQLite itself.
public final class InputWriter {
    private let db: Database
    private let inputID: Int64
    private let lexiconVersion: String
    /// Prepares records for ``add(_:)``; hand it to the worker threads for ``add(prepared:)``.
    public let preparer: RecordPreparer
    private let insertRecord: RawStatement
    private let insertFinding: RawStatement
    /// What this input added so far.
    public private(set) var counts = CommitCounts()

    init(db: Database, inputID: Int64, lexiconVersion: String, input: InputDescription, privacy: StorePrivacy) throws {
        self.db = db
        self.inputID = inputID
        self.lexiconVersion = lexiconVersion
        preparer = RecordPreparer(privacy: privacy, inputSubject: input.subject)
        insertRecord = try RawStatement(db, """
            INSERT OR IGNORE INTO records (content_hash, lexicon_version, input_id, record_id, kind, created_at, source_path, source_line,
                                           text, author, subject, target_author, target_text, group_name)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insertFinding = try RawStatement(db, """
            INSERT OR IGNORE INTO findings (record_hash, lexicon_version, rule, category, contest, pair, stance, severity, score, evidence_json,
                                            title, basis_json)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
    }

    /// Stores one screened record and its findings (already stored ones are left as they are);
    /// a clean record is not stored (the input's outcome counts it).
    public func add(_ item: ScreenedItem) throws {
        guard !item.flags.isEmpty else { return }
        try add(prepared: preparer.prepare(item.record, flags: item.flags, contentHash: item.contentHash))
    }

    /// Stores one prepared record and its findings (already stored ones are left as they are);
    /// a record without findings is not stored.
    public func add(prepared row: PreparedRecord) throws {
        guard !row.findings.isEmpty else { return }
        let r = insertRecord
        r.bind(1, row.contentHash); r.bind(2, lexiconVersion); r.bind(3, inputID); r.bind(4, row.recordID); r.bind(5, row.kind)
        r.bind(6, row.createdAt); r.bind(7, row.sourcePath); r.bind(8, Int64(row.sourceLine)); r.bind(9, row.text)
        r.bind(10, row.author); r.bind(11, row.subject); r.bind(12, row.targetAuthor); r.bind(13, row.targetText); r.bind(14, row.group)
        counts.recordsAdded += try r.run()
        let f = insertFinding
        for finding in row.findings {
            f.bind(1, row.contentHash); f.bind(2, lexiconVersion); f.bind(3, finding.rule); f.bind(4, finding.category)
            f.bind(5, finding.contest); f.bind(6, finding.pair); f.bind(7, finding.stance); f.bind(8, finding.severity)
            f.bind(9, finding.score); f.bind(10, finding.evidenceJSON); f.bind(11, finding.title); f.bind(12, finding.basisJSON)
            counts.findingsAdded += try f.run()
        }
    }
}

/// A statement prepared on GRDB's connection and run through SQLite's C interface (text bound
/// as a copy). Used only inside the transaction that made it.
final class RawStatement {
    private let connection: OpaquePointer
    private let handle: OpaquePointer
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(_ db: Database, _ sql: String) throws {
        guard let connection = db.sqliteConnection else { throw StoreError(message: "the store's connection is closed") }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(connection, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw StoreError(message: "cannot prepare an insert: \(String(cString: sqlite3_errmsg(connection)))")
        }
        self.connection = connection
        handle = statement
    }

    deinit { sqlite3_finalize(handle) }

    func bind(_ index: Int32, _ value: String?) {
        guard var value else {
            sqlite3_bind_null(handle, index)
            return
        }
        value.withUTF8 { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else {
                sqlite3_bind_text(handle, index, "", 0, Self.transient)
                return
            }
            _ = base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                sqlite3_bind_text(handle, index, $0, Int32(bytes.count), Self.transient)
            }
        }
    }

    func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(handle, index, value) }
    func bind(_ index: Int32, _ value: Double) { sqlite3_bind_double(handle, index, value) }

    /// Steps the statement to its end and returns the number of rows it changed.
    func run() throws -> Int {
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else {
            throw StoreError(message: "insert failed (\(code)): \(String(cString: sqlite3_errmsg(connection)))")
        }
        return Int(sqlite3_changes(connection))
    }
}

/// The SQLite store of the nightly batch (issue 7): runs, inputs, records, findings, reviews.
///
/// Opened in WAL mode with `synchronous=FULL`, so a committed transaction survives `kill -9`
/// and power loss. The schema is created and upgraded by versioned migrations.
public final class BatchStore: Sendable {
    /// The underlying GRDB queue (serial access to one SQLite connection).
    public let queue: DatabaseQueue

    /// Opens (creating if needed) and migrates the store at `path`.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // Deleted rows are overwritten with zeros, so a purge really removes them (DESIGN.md §6).
            try db.execute(sql: "PRAGMA secure_delete = ON")
            // A night's input is one transaction: a larger page cache keeps its pages from
            // spilling into the write-ahead log again and again (8 MiB).
            try db.execute(sql: "PRAGMA cache_size = -8192")
        }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        // After opening: GRDB's WAL setup lowers `synchronous` to NORMAL, which may lose the last
        // commits on power loss. One connection (a queue), so this holds for every transaction.
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        try Self.migrator.migrate(queue)
    }

    /// The schema, one migration per version; never edit a shipped migration, add the next one.
    public static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE runs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    started_at TEXT NOT NULL,
                    finished_at TEXT,
                    lexicon_version TEXT NOT NULL,
                    status TEXT NOT NULL DEFAULT 'running'
                );
                CREATE TABLE inputs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id INTEGER NOT NULL REFERENCES runs(id),
                    path TEXT NOT NULL,
                    content_hash TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    lexicon_version TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('screened', 'quarantined')),
                    reason TEXT,
                    records INTEGER NOT NULL DEFAULT 0,
                    screened_at TEXT NOT NULL,
                    UNIQUE (content_hash, lexicon_version)
                );
                CREATE TABLE records (
                    content_hash TEXT NOT NULL,
                    lexicon_version TEXT NOT NULL,
                    input_id INTEGER NOT NULL REFERENCES inputs(id),
                    record_id TEXT,
                    kind TEXT NOT NULL,
                    created_at TEXT,
                    source_path TEXT NOT NULL,
                    source_line INTEGER NOT NULL,
                    text TEXT NOT NULL,
                    PRIMARY KEY (content_hash, lexicon_version)
                );
                CREATE TABLE findings (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    record_hash TEXT NOT NULL,
                    lexicon_version TEXT NOT NULL,
                    rule TEXT NOT NULL,
                    category TEXT NOT NULL,
                    contest TEXT NOT NULL,
                    pair TEXT NOT NULL,
                    stance TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    score REAL NOT NULL,
                    evidence_json TEXT NOT NULL,
                    UNIQUE (record_hash, lexicon_version, rule, contest, pair),
                    FOREIGN KEY (record_hash, lexicon_version) REFERENCES records(content_hash, lexicon_version)
                );
                CREATE TABLE reviews (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    finding_id INTEGER NOT NULL REFERENCES findings(id),
                    state TEXT NOT NULL CHECK (state IN ('confirmed', 'dismissed', 'unsure')),
                    reviewer TEXT NOT NULL,
                    note TEXT,
                    reviewed_at TEXT NOT NULL
                );
                """)
        }
        // v2: subjects and routing, pseudonymized people, what a reviewer's report shows.
        // From v2 on, only records with findings are stored; `inputs.clean` counts the others.
        migrator.registerMigration("v2") { db in
            try db.execute(sql: """
                ALTER TABLE records ADD COLUMN author TEXT;
                ALTER TABLE records ADD COLUMN subject TEXT;
                ALTER TABLE records ADD COLUMN target_author TEXT;
                ALTER TABLE records ADD COLUMN target_text TEXT;
                ALTER TABLE records ADD COLUMN group_name TEXT;
                ALTER TABLE findings ADD COLUMN title TEXT NOT NULL DEFAULT '';
                ALTER TABLE findings ADD COLUMN basis_json TEXT NOT NULL DEFAULT '[]';
                ALTER TABLE inputs ADD COLUMN clean INTEGER;
                CREATE TABLE subjects (
                    account TEXT PRIMARY KEY,
                    nip TEXT,
                    name TEXT,
                    unit TEXT,
                    superior TEXT,
                    aliases TEXT NOT NULL DEFAULT '',
                    updated_at TEXT NOT NULL
                );
                CREATE INDEX reviews_finding ON reviews(finding_id);
                """)
        }
        return migrator
    }

    /// The content hash of a record: what it says, who wrote it and where it points, not where it
    /// was found. (A record without an author hashes as it did before authors were read.)
    public static func contentHash(of record: NetraCore.Record) -> String {
        var hasher = SHA256Hasher()
        func add(_ part: String?) {
            var text = part ?? ""
            text.withUTF8 { hasher.update(UnsafeRawBufferPointer($0)) }
            withUnsafeBytes(of: UInt8(0)) { hasher.update($0) }
        }
        add(record.kind.rawValue); add(record.id); add(record.createdAt); add(record.text)
        add(record.target?.author); add(record.target?.text); add(record.group)
        if let author = record.author {
            hasher.update(Array("author".utf8))
            hasher.update([0])
            hasher.update(author.utf8)
        }
        return hasher.finalizeHex()
    }

    static func now() -> String { ISO8601DateFormatter().string(from: Date()) }

    /// Starts a run and returns its id.
    public func beginRun(lexiconVersion: String) throws -> Int64 {
        try queue.write { db in
            try db.execute(sql: "INSERT INTO runs (started_at, lexicon_version) VALUES (?, ?)", arguments: [Self.now(), lexiconVersion])
            return db.lastInsertedRowID
        }
    }

    /// Marks a run finished with `status`.
    public func finishRun(_ runID: Int64, status: String) throws {
        try queue.write { db in
            try db.execute(sql: "UPDATE runs SET finished_at = ?, status = ? WHERE id = ?", arguments: [Self.now(), status, runID])
        }
    }

    /// Whether an input with this content was already screened (or quarantined) with this lexicon version.
    public func hasInput(contentHash: String, lexiconVersion: String) throws -> Bool {
        try queue.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM inputs WHERE content_hash = ? AND lexicon_version = ?)",
                              arguments: [contentHash, lexiconVersion]) ?? false
        }
    }

    /// Replaces the stored subjects with `subjects` (the operator's current list).
    public func saveSubjects(_ subjects: Subjects) throws {
        try queue.write { db in
            try db.execute(sql: "DELETE FROM subjects")
            let now = Self.now()
            for subject in subjects.all {
                try db.execute(sql: "INSERT INTO subjects (account, nip, name, unit, superior, aliases, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               arguments: [subject.account, subject.nip, subject.name, subject.unit, subject.superior,
                                           subject.aliases.joined(separator: ";"), now])
            }
        }
    }

    /// The stored subjects, by account.
    public func subjects() throws -> Subjects {
        try queue.read { db in
            Subjects(try Row.fetchAll(db, sql: "SELECT account, nip, name, unit, superior, aliases FROM subjects ORDER BY account").map {
                Subject(account: $0[0], nip: $0[1], name: $0[2], unit: $0[3], superior: $0[4],
                        aliases: ($0[5] as String).split(separator: ";").map(String.init))
            })
        }
    }

    /// Writes one input in a single transaction: its row first, then whatever `body` adds through
    /// the writer, then its outcome. If `body` throws, or the process dies, nothing of the input
    /// is kept, and the next run screens it again. An input already stored with this content and
    /// lexicon version is left as it is and `body` is not called.
    @discardableResult
    public func writeInput(_ input: InputDescription, runID: Int64, lexiconVersion: String, privacy: StorePrivacy,
                           body: (InputWriter) throws -> InputOutcome) throws -> CommitCounts {
        try queue.write { db in
            try db.execute(sql: """
                INSERT OR IGNORE INTO inputs (run_id, path, content_hash, size, lexicon_version, status, reason, records, screened_at)
                VALUES (?, ?, ?, ?, ?, 'screened', NULL, 0, ?)
                """, arguments: [runID, input.path, input.contentHash, input.size, lexiconVersion, Self.now()])
            guard db.changesCount == 1 else { return CommitCounts() }
            let inputID = db.lastInsertedRowID
            let writer = try InputWriter(db: db, inputID: inputID, lexiconVersion: lexiconVersion, input: input, privacy: privacy)
            let outcome = try body(writer)
            var counts = writer.counts
            counts.clean = outcome.clean
            try db.execute(sql: "UPDATE inputs SET status = ?, reason = ?, records = ?, clean = ? WHERE id = ?",
                           arguments: [outcome.quarantineReason == nil ? "screened" : "quarantined", outcome.quarantineReason,
                                       outcome.records, counts.clean, inputID])
            return counts
        }
    }

    /// Commits one input held in memory with its records and findings in a single transaction.
    @discardableResult
    public func commit(_ input: ScreenedInput, runID: Int64, lexiconVersion: String, privacy: StorePrivacy,
                       subject: Subject? = nil) throws -> CommitCounts {
        let description = InputDescription(path: input.path, contentHash: input.contentHash, size: input.size, subject: subject)
        return try writeInput(description, runID: runID, lexiconVersion: lexiconVersion, privacy: privacy) { writer in
            for item in input.items { try writer.add(item) }
            return InputOutcome(quarantineReason: input.quarantineReason, records: input.items.count + input.unscreenedRecords,
                                clean: input.items.filter { $0.flags.isEmpty }.count)
        }
    }

    /// Every stored finding, in a stable order.
    public func findings() throws -> [StoredFinding] {
        try queue.read { db in
            try Row.fetchAll(db, sql: """
                SELECT f.record_hash, r.record_id, f.rule, f.contest, f.pair, f.stance, f.score, f.evidence_json, f.lexicon_version
                FROM findings f JOIN records r ON r.content_hash = f.record_hash AND r.lexicon_version = f.lexicon_version
                ORDER BY f.lexicon_version, f.record_hash, f.rule, f.contest, f.pair
                """).map { row in
                StoredFinding(recordHash: row[0], recordID: row[1], rule: row[2], contest: row[3], pair: row[4],
                              stance: row[5], score: row[6], evidenceJSON: row[7], lexiconVersion: row[8])
            }
        }
    }

    /// Number of rows in `table` (runs, inputs, records, findings, reviews, subjects).
    public func count(_ table: String) throws -> Int {
        precondition(["runs", "inputs", "records", "findings", "reviews", "subjects"].contains(table), "unknown table \(table)")
        return try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
    }

    /// Inputs that were quarantined: path and reason.
    public func quarantined() throws -> [(path: String, reason: String)] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT path, reason FROM inputs WHERE status = 'quarantined' ORDER BY path").map { ($0[0], $0[1] ?? "") }
        }
    }
}

/// Evidence as stored in `findings.evidence_json` (read back for reports).
struct EvidenceRow: Codable {
    var field: String
    var start: Int
    var end: Int
    var text: String
    var term: String
}
