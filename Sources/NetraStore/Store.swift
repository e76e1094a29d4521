import Foundation
import GRDB
import NetraCore

/// The outcome of screening one inbox input, committed to the store in one transaction.
public struct ScreenedInput: Sendable {
    /// One record of the input and the flags it raised.
    public struct Item: Sendable {
        public var record: NetraCore.Record
        public var flags: [Flag]
        public init(record: NetraCore.Record, flags: [Flag]) {
            self.record = record
            self.flags = flags
        }
    }

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

/// What one commit added to the store.
public struct CommitCounts: Sendable, Equatable {
    public var recordsAdded = 0
    public var findingsAdded = 0
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
        return migrator
    }

    /// The content hash of a record: what it says and where it points, not where it was found.
    public static func contentHash(of record: NetraCore.Record) -> String {
        var hasher = SHA256Hasher()
        let parts: [String] = [record.kind.rawValue, record.id ?? "", record.createdAt ?? "", record.text,
                               record.target?.author ?? "", record.target?.text ?? "", record.group ?? ""]
        for part in parts {
            hasher.update(part.utf8)
            hasher.update([0])
        }
        return hasher.finalizeHex()
    }

    private static func now() -> String { ISO8601DateFormatter().string(from: Date()) }

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

    /// Commits one input with its records and findings in a single transaction. Records and
    /// findings already stored for the same (content hash, lexicon version) are left as they are.
    @discardableResult
    public func commit(_ input: ScreenedInput, runID: Int64, lexiconVersion: String) throws -> CommitCounts {
        try queue.write { db in
            var counts = CommitCounts()
            try db.execute(sql: """
                INSERT OR IGNORE INTO inputs (run_id, path, content_hash, size, lexicon_version, status, reason, records, screened_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [runID, input.path, input.contentHash, input.size, lexiconVersion,
                                 input.quarantineReason == nil ? "screened" : "quarantined", input.quarantineReason,
                                 input.items.count + input.unscreenedRecords, Self.now()])
            guard db.changesCount == 1 else { return counts }
            let inputID = db.lastInsertedRowID
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            // Prepared once per input, not once per row.
            let insertRecord = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO records (content_hash, lexicon_version, input_id, record_id, kind, created_at, source_path, source_line, text)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let insertFinding = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO findings (record_hash, lexicon_version, rule, category, contest, pair, stance, severity, score, evidence_json)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for item in input.items {
                let hash = Self.contentHash(of: item.record)
                try insertRecord.execute(arguments: [hash, lexiconVersion, inputID, item.record.id, item.record.kind.rawValue,
                                                     item.record.createdAt, item.record.source.path, item.record.source.line, item.record.text])
                counts.recordsAdded += db.changesCount
                for flag in item.flags {
                    let evidence = flag.evidence.map { EvidenceRow(field: $0.field, start: $0.span.start, end: $0.span.end, text: $0.text, term: $0.term) }
                    let evidenceJSON = String(decoding: try encoder.encode(evidence), as: UTF8.self)
                    try insertFinding.execute(arguments: [hash, lexiconVersion, flag.rule, flag.category, flag.contest, flag.pair,
                                                           flag.stance.rawValue, flag.severity, flag.score, evidenceJSON])
                    counts.findingsAdded += db.changesCount
                }
            }
            return counts
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

    /// Number of rows in `table` (runs, inputs, records, findings, reviews).
    public func count(_ table: String) throws -> Int {
        precondition(["runs", "inputs", "records", "findings", "reviews"].contains(table), "unknown table \(table)")
        return try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
    }

    /// Inputs that were quarantined: path and reason.
    public func quarantined() throws -> [(path: String, reason: String)] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT path, reason FROM inputs WHERE status = 'quarantined' ORDER BY path").map { ($0[0], $0[1] ?? "") }
        }
    }
}

private struct EvidenceRow: Encodable {
    var field: String
    var start: Int
    var end: Int
    var text: String
    var term: String
}
