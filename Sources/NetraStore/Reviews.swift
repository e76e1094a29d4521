import Foundation
import GRDB
import NetraReport

/// Errors of review, export and purge, each naming what was wrong.
public struct StoreError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// What a purge deleted.
public struct PurgeCounts: Sendable, Equatable {
    public var inputs = 0
    public var records = 0
    public var findings = 0
    public var reviews = 0
    public var runs = 0
    public init() {}

    /// One JSON line for stderr.
    public var json: String {
        "{\"inputs\":\(inputs),\"records\":\(records),\"findings\":\(findings),\"reviews\":\(reviews),\"runs\":\(runs)}"
    }
}

extension BatchStore {
    /// Records a reviewer's decision on finding `findingID`. Decisions are kept as a history; the
    /// latest one is the finding's state.
    public func review(findingID: Int64, state: ReviewState, reviewer: String, note: String?, at time: Date = Date()) throws {
        try review(findingIDs: [findingID], state: state, reviewer: reviewer, note: note, at: time)
    }

    /// Records one decision on several findings in one transaction: all of them, or none when
    /// one id is not in the store (the error names it).
    public func review(findingIDs: [Int64], state: ReviewState, reviewer: String, note: String?, at time: Date = Date()) throws {
        try queue.write { db in
            let at = ISO8601DateFormatter().string(from: time)
            for findingID in findingIDs {
                guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM findings WHERE id = ?)", arguments: [findingID]) == true else {
                    throw StoreError(message: "no finding \(findingID) in this store (see the id column of findings.csv or the report); nothing was recorded")
                }
                try db.execute(sql: "INSERT INTO reviews (finding_id, state, reviewer, note, reviewed_at) VALUES (?, ?, ?, ?, ?)",
                               arguments: [findingID, state.rawValue, reviewer, note, at])
            }
        }
    }

    /// The latest review of every reviewed finding: finding id → (state, reviewer, note, time).
    public func latestReviews() throws -> [Int64: (state: ReviewState, reviewer: String, note: String?, at: String)] {
        try queue.read { db in
            var latest: [Int64: (state: ReviewState, reviewer: String, note: String?, at: String)] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT finding_id, state, reviewer, note, reviewed_at FROM reviews ORDER BY id")
            while let row = try rows.next() {
                guard let state = ReviewState(rawValue: row[1]) else { continue }
                latest[row[0]] = (state, row[2], row[3], row[4])
            }
            return latest
        }
    }

    /// Reviewed records as labelled JSON lines for `netra eval` (one line per record, sorted by
    /// record): `violation: true` when a finding of the record was confirmed (the confirmed
    /// finding with the highest score gives contest, target pair and stance), `violation: false`
    /// when every finding of the record was dismissed; records with unreviewed or unsure findings
    /// and no confirmation are left out.
    public func reviewedExport() throws -> [String] {
        let latest = try latestReviews()
        struct Target: Encodable { var author: String?; var text: String? }
        struct Label: Encodable { var violation: Bool; var contest: String?; var target: String?; var stance: String? }
        struct Line: Encodable {
            var id: String
            var kind: String
            var created_at: String?
            var text: String
            var target: Target?
            var group: String?
            var label: Label
            var reviewed_findings: [Int64]
            var lexicon_version: String
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try queue.read { db in
            var lines: [String] = []
            var current: (key: String, rows: [Row])?
            func flush() throws {
                guard let group = current else { return }
                current = nil
                let first = group.rows[0]
                var confirmed: (score: Double, row: Row)?
                var allDismissed = true
                var reviewed: [Int64] = []
                for row in group.rows {
                    let id: Int64 = row["finding_id"]
                    let state = latest[id]?.state
                    if state != nil { reviewed.append(id) }
                    if state != .dismissed { allDismissed = false }
                    if state == .confirmed {
                        let score: Double = row["score"]
                        if confirmed == nil || score > confirmed!.score { confirmed = (score, row) }
                    }
                }
                let label: Label
                if let confirmed {
                    label = Label(violation: true, contest: confirmed.row["contest"], target: confirmed.row["pair"], stance: confirmed.row["stance"])
                } else if allDismissed {
                    label = Label(violation: false, contest: nil, target: nil, stance: nil)
                } else {
                    return
                }
                let targetAuthor: String? = first["target_author"], targetText: String? = first["target_text"]
                let line = Line(id: (first["record_id"] as String?) ?? "sha256:" + (first["content_hash"] as String),
                                kind: first["kind"], created_at: first["created_at"], text: first["text"],
                                target: targetAuthor == nil && targetText == nil ? nil : Target(author: targetAuthor, text: targetText),
                                group: first["group_name"], label: label, reviewed_findings: reviewed.sorted(),
                                lexicon_version: first["lexicon_version"])
                lines.append(String(decoding: try encoder.encode(line), as: UTF8.self))
            }
            let rows = try Row.fetchCursor(db, sql: """
                SELECT f.id AS finding_id, f.contest, f.pair, f.stance, f.score, r.content_hash, r.lexicon_version, r.record_id, r.kind,
                       r.created_at, r.text, r.target_author, r.target_text, r.group_name
                FROM findings f JOIN records r ON r.content_hash = f.record_hash AND r.lexicon_version = f.lexicon_version
                WHERE EXISTS (SELECT 1 FROM findings g JOIN reviews v ON v.finding_id = g.id
                              WHERE g.record_hash = f.record_hash AND g.lexicon_version = f.lexicon_version)
                ORDER BY r.lexicon_version, r.content_hash, f.id
                """)
            while let row = try rows.next() {
                let key = (row["lexicon_version"] as String) + "/" + (row["content_hash"] as String)
                if current?.key != key {
                    try flush()
                    current = (key, [])
                }
                current!.rows.append(row.copy())
            }
            try flush()
            return lines
        }
    }

    /// Really deletes everything stored from inputs screened more than `days` days before `now`:
    /// their records, findings and reviews, and runs left with no input. Deleted pages are
    /// overwritten (`secure_delete`), then the file is rebuilt (`VACUUM`) and the write-ahead log
    /// truncated, so the deleted text is in neither file afterwards.
    public func purge(olderThanDays days: Int, now: Date = Date()) throws -> PurgeCounts {
        precondition(days >= 0)
        let cutoff = ISO8601DateFormatter().string(from: now.addingTimeInterval(-Double(days) * 86_400))
        let counts: PurgeCounts = try queue.write { db in
            var counts = PurgeCounts()
            try db.execute(sql: "CREATE TEMP TABLE purged_inputs AS SELECT id FROM inputs WHERE screened_at < ?", arguments: [cutoff])
            defer { try? db.execute(sql: "DROP TABLE temp.purged_inputs") }
            try db.execute(sql: """
                DELETE FROM reviews WHERE finding_id IN (
                    SELECT f.id FROM findings f JOIN records r ON r.content_hash = f.record_hash AND r.lexicon_version = f.lexicon_version
                    WHERE r.input_id IN (SELECT id FROM temp.purged_inputs))
                """)
            counts.reviews = db.changesCount
            try db.execute(sql: """
                DELETE FROM findings WHERE EXISTS (
                    SELECT 1 FROM records r WHERE r.content_hash = findings.record_hash AND r.lexicon_version = findings.lexicon_version
                    AND r.input_id IN (SELECT id FROM temp.purged_inputs))
                """)
            counts.findings = db.changesCount
            try db.execute(sql: "DELETE FROM records WHERE input_id IN (SELECT id FROM temp.purged_inputs)")
            counts.records = db.changesCount
            try db.execute(sql: "DELETE FROM inputs WHERE id IN (SELECT id FROM temp.purged_inputs)")
            counts.inputs = db.changesCount
            try db.execute(sql: "DELETE FROM runs WHERE started_at < ? AND status != 'running' AND id NOT IN (SELECT run_id FROM inputs)",
                           arguments: [cutoff])
            counts.runs = db.changesCount
            return counts
        }
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            try db.execute(sql: "VACUUM")
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
        return counts
    }
}
