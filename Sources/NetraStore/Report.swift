import Foundation
import GRDB
import NetraCore
import NetraReport

/// One stored finding with everything a reviewer sees: its record, subject and latest review.
public struct ReportRow: Sendable {
    public var store: String
    public var findingID: Int64
    public var lexiconVersion: String
    public var recordID: String?
    public var kind: String
    public var createdAt: String?
    public var sourcePath: String
    public var sourceLine: Int
    public var rule: String
    public var title: String
    public var category: String
    public var contest: String
    public var pair: String
    public var stance: String
    public var severity: String
    public var score: Double
    public var basis: [String]
    public var evidenceJSON: String
    public var text: String
    public var author: String?
    public var targetAuthor: String?
    public var targetText: String?
    public var group: String?
    public var subject: Subject?
    public var review: (state: ReviewState, reviewer: String, note: String?, at: String)?
    /// When the record's input was screened (ISO 8601, UTC).
    public var screenedAt: String

    /// The evidence items decoded from `evidenceJSON`.
    public var evidence: [(field: String, start: Int, end: Int, text: String, term: String)] {
        let rows = (try? JSONDecoder().decode([EvidenceRow].self, from: Data(evidenceJSON.utf8))) ?? []
        return rows.map { ($0.field, $0.start, $0.end, $0.text, $0.term) }
    }
}

/// Which findings a report shows: by review state and by when their input was screened.
public struct ReportFilter: Sendable {
    /// Review states to show (`nil` in the set: not reviewed yet); nil shows every finding.
    public var states: Set<ReviewState?>?
    /// Only findings of inputs screened on or after this day (`YYYY-MM-DD`, UTC).
    public var screenedSince: String?

    public init(states: Set<ReviewState?>? = nil, screenedSince: String? = nil) {
        self.states = states
        self.screenedSince = screenedSince
    }

    /// Whether `row` is shown.
    public func admits(_ row: ReportRow) -> Bool {
        if let states, !states.contains(row.review?.state) { return false }
        if let since = screenedSince, row.screenedAt < since { return false }
        return true
    }

    /// What the filter keeps, for the page's title ("" when it keeps everything).
    var summary: String {
        var parts: [String] = []
        if let states {
            let names = states.map { $0.map(\.rawValue) ?? "unreviewed" }.sorted()
            parts.append(names.joined(separator: ", "))
        }
        if let since = screenedSince { parts.append("screened since \(since)") }
        return parts.joined(separator: "; ")
    }
}

extension BatchStore {
    /// The CSV header of ``findingsCSV()``: the first sixteen columns as in schema v1, then the
    /// rule title, subject and routing, the people fields as stored, the latest review and the store.
    public static let findingsCSVHeader = ["finding_id", "lexicon_version", "record_id", "kind", "created_at", "source_path",
                                           "source_line", "rule", "category", "contest", "pair", "stance", "severity", "score",
                                           "evidence_json", "text", "title", "subject", "nip", "subject_name", "unit", "superior",
                                           "author", "target_author", "target_text", "group", "review_state", "reviewer",
                                           "review_note", "reviewed_at", "store"]

    /// Every finding with its record, subject and latest review, in finding order.
    public func reportRows(storeName: String) throws -> [ReportRow] {
        let reviews = try latestReviews()
        let subjects = try self.subjects()
        return try queue.read { db in
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT f.id, f.lexicon_version, r.record_id, r.kind, r.created_at, r.source_path, r.source_line, f.rule, f.title,
                       f.category, f.contest, f.pair, f.stance, f.severity, f.score, f.basis_json, f.evidence_json, r.text, r.author,
                       r.target_author, r.target_text, r.group_name, r.subject, i.screened_at
                FROM findings f JOIN records r ON r.content_hash = f.record_hash AND r.lexicon_version = f.lexicon_version
                LEFT JOIN inputs i ON i.id = r.input_id
                ORDER BY f.id
                """)
            var rows: [ReportRow] = []
            while let row = try cursor.next() {
                let id: Int64 = row[0]
                let basisJSON: String = row[15]
                let subjectAccount: String? = row[22]
                rows.append(ReportRow(
                    store: storeName, findingID: id, lexiconVersion: row[1], recordID: row[2], kind: row[3], createdAt: row[4],
                    sourcePath: row[5], sourceLine: row[6], rule: row[7], title: row[8], category: row[9], contest: row[10],
                    pair: row[11], stance: row[12], severity: row[13], score: row[14],
                    basis: (try? JSONDecoder().decode([String].self, from: Data(basisJSON.utf8))) ?? [],
                    evidenceJSON: row[16], text: row[17], author: row[18], targetAuthor: row[19], targetText: row[20], group: row[21],
                    subject: subjectAccount.map { subjects.subject(forAuthor: $0) ?? Subject(account: $0) },
                    review: reviews[id], screenedAt: (row[23] as String?) ?? ""))
            }
            return rows
        }
    }

    /// Every finding of this store as RFC 4180 CSV (see ``findingsCSV(rows:)``).
    public func findingsCSV() throws -> String { try Self.findingsCSV(rows: reportRows(storeName: "")) }

    /// The rows of several stores that `filter` admits, store by store in finding order.
    public static func reportRows(of stores: [(path: String, store: BatchStore)], filter: ReportFilter = ReportFilter()) throws -> [ReportRow] {
        var rows: [ReportRow] = []
        for (path, store) in stores { rows += try store.reportRows(storeName: path).filter(filter.admits) }
        return rows
    }

    /// Rows (of one or several stores, see ``reportRows(of:filter:)``) as RFC 4180 CSV: CRLF line
    /// ends, one header row. Cells a spreadsheet would run as a formula get a leading `'`.
    public static func findingsCSV(rows: [ReportRow]) -> String {
        var csv = Self.findingsCSVHeader.joined(separator: ",") + "\r\n"
        for row in rows {
            let cells: [String?] = [
                String(row.findingID), row.lexiconVersion, row.recordID, row.kind, row.createdAt, row.sourcePath, String(row.sourceLine),
                row.rule, row.category, row.contest, row.pair, row.stance, row.severity, String(row.score), row.evidenceJSON, row.text,
                row.title, row.subject?.account, row.subject?.nip, row.subject?.name, row.subject?.unit, row.subject?.superior,
                row.author, row.targetAuthor, row.targetText, row.group, row.review?.state.rawValue, row.review?.reviewer,
                row.review?.note, row.review?.at, row.store,
            ]
            csv += cells.map { csvCell($0 ?? "") }.joined(separator: ",") + "\r\n"
        }
        return csv
    }

    /// One CSV cell: quoted when it holds a comma, quote or line break; formula triggers neutralized.
    static func csvCell(_ text: String) -> String {
        let formulaStarts: Set<UInt8> = [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@")]
        let quoteTriggers: Set<UInt8> = [UInt8(ascii: ","), UInt8(ascii: "\""), 0x0A, 0x0D]
        let formula = text.utf8.first.map { formulaStarts.contains($0) } ?? false
        let quoted = text.utf8.contains { quoteTriggers.contains($0) }
        if !formula && !quoted { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 8)
        if quoted { out.append(UInt8(ascii: "\"")) }
        if formula { out.append(UInt8(ascii: "'")) }
        for byte in text.utf8 {
            out.append(byte)
            if byte == UInt8(ascii: "\"") { out.append(byte) }
        }
        if quoted { out.append(UInt8(ascii: "\"")) }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Writes files so a reader sees the old content or the new, never a part: a temporary file in the
/// same folder, `fsync`, `rename` over the target, then `fsync` of the folder.
public enum AtomicFile {
    /// Errors name the file and the failing call.
    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var operation: String
        public var errno: Int32
        public var description: String { "\(path): \(operation) failed: \(String(cString: strerror(errno)))" }
    }

    public static func write(_ data: Data, to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        let temporary = folder + "/." + (path as NSString).lastPathComponent + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WriteError(path: temporary, operation: "open", errno: errno) }
        var failure: WriteError?
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = WriteError(path: temporary, operation: "write", errno: errno)
                    return
                }
                offset += written
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = WriteError(path: temporary, operation: "fsync", errno: errno) }
        close(fd)
        if let failure {
            unlink(temporary)
            throw failure
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw WriteError(path: path, operation: "rename", errno: code)
        }
        let folderFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderFD >= 0 {
            _ = fsync(folderFD)
            close(folderFD)
        }
    }
}


extension BatchStore {
    /// The reviewers' HTML report (one page, no external assets) for `rows`, already filtered, of
    /// `stores` (their quarantined inputs are listed too). `now` is the generation time shown.
    public static func reportHTML(rows: [ReportRow], of stores: [(path: String, store: BatchStore)], filter: ReportFilter = ReportFilter(),
                                  now: Date = Date()) throws -> String {
        var quarantined: [QuarantinedInput] = []
        let versions = Set(rows.map(\.lexiconVersion))
        let findings = rows.map(reportFinding)
        for (_, store) in stores {
            quarantined += try store.quarantined().map { QuarantinedInput(path: $0.path, reason: $0.reason) }
        }
        let shown = filter.summary
        let report = ReviewReport(title: "Laporan netralitas ASN" + (shown.isEmpty ? "" : " (\(shown))"), generatedAt: ISO8601DateFormatter().string(from: now),
                                  lexiconVersions: versions.sorted(), stores: stores.map(\.path), findings: findings,
                                  quarantined: quarantined)
        return renderHTML(report)
    }

    /// One stored finding as the HTML report shows it.
    static func reportFinding(_ row: ReportRow) -> ReportFinding {
        var fields: [ReportField] = []
        if !row.text.isEmpty { fields.append(ReportField(name: "text", text: row.text)) }
        if let t = row.targetText, !t.isEmpty { fields.append(ReportField(name: "target.text", text: t)) }
        if let a = row.targetAuthor, !a.isEmpty { fields.append(ReportField(name: "target.author", text: a)) }
        if let g = row.group, !g.isEmpty { fields.append(ReportField(name: "group", text: g)) }
        let subject = row.subject.map {
            ReportSubject(account: $0.account, nip: $0.nip, name: $0.name, unit: $0.unit, superior: $0.superior)
        }
        return ReportFinding(
            id: row.findingID, rule: row.rule, ruleTitle: row.title, category: row.category, contest: row.contest, pair: row.pair,
            stance: row.stance, severity: row.severity, score: row.score, basis: row.basis,
            recordID: row.recordID ?? "\(row.sourcePath):\(row.sourceLine)", kind: row.kind, createdAt: row.createdAt,
            day: row.createdAt.flatMap(day), sourcePath: row.sourcePath, sourceLine: row.sourceLine, fields: fields,
            evidence: row.evidence.map { ReportEvidence(field: $0.field, start: $0.start, end: $0.end, text: $0.text, term: $0.term) },
            review: row.review.map { ReportReview(state: $0.state, reviewer: $0.reviewer, note: $0.note, at: $0.at) },
            subject: subject, store: row.store.isEmpty ? nil : row.store)
    }

    /// The calendar day of a stored `created_at` (ISO 8601, X's form, or unix seconds read in WIB).
    static func day(_ createdAt: String) -> String? {
        let text = Substring(createdAt)
        if let date = CalendarDate(iso: text) ?? CalendarDate(twitter: text) { return date.description }
        if let seconds = Int64(createdAt) { return CalendarDate(unixSeconds: seconds, utcOffsetSeconds: 7 * 3600).description }
        return nil
    }
}
