import Foundation
import GRDB

extension BatchStore {
    /// The CSV header of ``findingsCSV()``.
    public static let findingsCSVHeader = ["finding_id", "lexicon_version", "record_id", "kind", "created_at", "source_path",
                                           "source_line", "rule", "category", "contest", "pair", "stance", "severity", "score",
                                           "evidence_json", "text"]

    /// Every finding with its record as RFC 4180 CSV (CRLF line ends, one header row), in a stable order.
    /// Cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`) get a leading `'`.
    public func findingsCSV() throws -> String {
        var csv = Self.findingsCSVHeader.joined(separator: ",") + "\r\n"
        try queue.read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT f.id, f.lexicon_version, r.record_id, r.kind, r.created_at, r.source_path, r.source_line, f.rule, f.category,
                       f.contest, f.pair, f.stance, f.severity, f.score, f.evidence_json, r.text
                FROM findings f JOIN records r ON r.content_hash = f.record_hash AND r.lexicon_version = f.lexicon_version
                ORDER BY f.id
                """)
            while let row = try rows.next() {
                var cells: [String] = []
                for index in 0..<row.count {
                    let value = row[index] as DatabaseValue
                    let text: String
                    switch value.storage {
                    case .null: text = ""
                    case .int64(let number): text = String(number)
                    case .double(let number): text = String(number)
                    case .string(let string): text = string
                    case .blob(let data): text = data.base64EncodedString()
                    }
                    cells.append(Self.csvCell(text))
                }
                csv += cells.joined(separator: ",") + "\r\n"
            }
        }
        return csv
    }

    /// One CSV cell: quoted when it holds a comma, quote or line break; formula triggers neutralized.
    static func csvCell(_ text: String) -> String {
        var cell = text
        if let first = cell.first, "=+-@".contains(first) { cell = "'" + cell }
        if cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            cell = "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return cell
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
