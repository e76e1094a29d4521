import Foundation
import GRDB
import Testing
@testable import NetraStore

// `netra batch --subjects/--report/--threads`, `netra review`, `netra purge` through the built binary.

struct Run {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the built `netra` with `arguments`.
func netra(_ arguments: [String]) throws -> Run {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try batchBinary())
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Standard error is small; read stdout first, then stderr.
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
               stderr: String(decoding: errData, as: UTF8.self))
}

var packageRoot: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
}

/// A folder with an inbox holding the ASN Rina's posts (JSON lines, named after her account), a
/// WhatsApp group chat of hers where others write too, and a subjects file; the caller removes `dir`.
func subjectInbox() throws -> (dir: String, inbox: String, store: String, subjects: String) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("netra-subjects-\(UUID().uuidString)").path
    let inbox = dir + "/inbox"
    try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
    let posts = [
        #"{"id":"p1","text":"Ayo coblos 02 Prabowo-Gibran!","created_at":"2024-02-01T08:00:00+07:00"}"#,
        #"{"id":"p2","kind":"comment","text":"Gas pak! coblos 02","created_at":"2024-02-01T09:00:00+07:00","target":{"author":"Ahmad Fauzi","text":"Siap menangkan 02"}}"#,
        #"{"id":"p3","text":"Selamat pagi, jangan lupa sarapan"}"#,
    ]
    try Data((posts.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: inbox + "/rina.w-posts.jsonl"))
    let chat = """
        01/02/24 08.00 - Budi Santoso: Ayo coblos 01 Anies-Muhaimin, pilih AMIN!
        01/02/24 08.05 - Rina W: Selamat pagi semua
        01/02/24 08.06 - Rina W: Ayo coblos 02 Prabowo-Gibran ya bapak ibu

        """
    try Data(chat.utf8).write(to: URL(fileURLWithPath: inbox + "/rina.w-whatsapp.txt"))
    let subjects = dir + "/subjects.csv"
    try Data("account,nip,name,unit,superior,aliases\nrina.w,199001012015032001,Rina Wulandari,Dinas Pendidikan,Kepala Dinas,Rina W\n".utf8)
        .write(to: URL(fileURLWithPath: subjects))
    return (dir, inbox, dir + "/store.sqlite", subjects)
}

/// The bars of one chart of report.html: label → count (`<g class="bar" data-label=… data-count=…>`).
func chartBars(_ html: String, chart: String) -> [String: Int] {
    guard let start = html.range(of: "data-chart=\"\(chart)\""), let end = html.range(of: "</figure>", range: start.upperBound..<html.endIndex)
    else { return [:] }
    var bars: [String: Int] = [:]
    for piece in html[start.upperBound..<end.lowerBound].components(separatedBy: "<g class=\"bar\" data-label=\"").dropFirst() {
        let label = String(piece.prefix { $0 != "\"" })
        guard let countStart = piece.range(of: "data-count=\"") else { continue }
        bars[label] = Int(piece[countStart.upperBound...].prefix { $0 != "\"" })
    }
    return bars
}

/// CSV rows as dictionaries (RFC 4180, as `netra report` writes them).
func csvRecords(_ text: String) -> [[String: String]] {
    var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
    var iterator = Array(text).makeIterator()
    var pending: Character?
    while let ch = pending ?? iterator.next() {
        pending = nil
        if quoted {
            if ch == "\"" {
                if let next = iterator.next() {
                    if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                } else { quoted = false }
            } else { field.append(ch) }
        } else if ch == "\"" { quoted = true }
        else if ch == "," { row.append(field); field = "" }
        else if ch == "\r\n" || ch == "\n" { row.append(field); rows.append(row); row = []; field = "" }
        else { field.append(ch) }
    }
    guard let header = rows.first else { return [] }
    return rows.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
}

@Suite(.serialized) struct BatchFeatureCLITests {
    @Test func subjectsRouteFindingsAndOthersArePseudonymized() throws {
        let (dir, inbox, store, subjects) = try subjectInbox()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try netra(["batch", "--inbox", inbox, "--store", store, "--subjects", subjects, "--report", dir + "/report"])
        #expect(run.status == 0, "\(run.stderr)")
        let csv = try String(contentsOfFile: dir + "/report/findings.csv", encoding: .utf8)
        let rows = csvRecords(csv)
        #expect(rows.count == (try BatchStore(path: store).count("findings")))
        // Rina's own post and her chat message are hers; Budi's chat message is not.
        let post = try #require(rows.first { $0["record_id"] == "p1" })
        #expect(post["subject"] == "rina.w" && post["nip"] == "199001012015032001" && post["unit"] == "Dinas Pendidikan")
        #expect(post["superior"] == "Kepala Dinas")
        let budi = try #require(rows.first { $0["text"]?.contains("AMIN") == true })
        #expect(budi["subject"] == "")
        #expect(budi["author"].map(Pseudonymizer.isPseudonym) == true)
        #expect(!csv.contains("Budi Santoso"), "another person's name must not be stored")
        #expect(!csv.contains("Ahmad Fauzi"), "the author of the answered post must not be stored")
        let mine = try #require(rows.first { $0["text"]?.contains("bapak ibu") == true })
        // Her chat name is an alias: the message is hers, and her name is kept.
        #expect(mine["subject"] == "rina.w" && mine["author"] == "Rina W")
        // The HTML page: one card per finding, evidence marked, the subject named, others not.
        let html = try String(contentsOfFile: dir + "/report/report.html", encoding: .utf8)
        #expect(html.components(separatedBy: "<article class=\"card").count - 1 == rows.count)
        #expect(html.contains("<mark>"))
        #expect(html.contains("Rina Wulandari") && html.contains("Dinas Pendidikan"))
        #expect(!html.contains("Budi Santoso") && !html.contains("Ahmad Fauzi"))
        #expect(!html.contains("http://") && !html.contains("https://"))
        // The charts count what the CSV lists.
        func tally(_ column: String, empty: String) -> [String: Int] {
            rows.reduce(into: [:]) { counts, row in counts[(row[column] ?? "").isEmpty ? empty : row[column]!, default: 0] += 1 }
        }
        #expect(chartBars(html, chart: "contest") == tally("contest", empty: "(tanpa kontestasi)"))
        #expect(chartBars(html, chart: "category") == tally("category", empty: ""))
        #expect(chartBars(html, chart: "unit") == tally("unit", empty: "(tidak diketahui)"))
        #expect(chartBars(html, chart: "contest").values.reduce(0, +) == rows.count)
        // The key sits beside the store, private.
        let mode = try FileManager.default.attributesOfItem(atPath: store + ".key")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func aBadSubjectsFileNamesItsLine() throws {
        let (dir, inbox, store, _) = try subjectInbox()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("account,name\nrina,R\n,Nobody\n".utf8).write(to: URL(fileURLWithPath: dir + "/bad.csv"))
        let run = try netra(["batch", "--inbox", inbox, "--store", store, "--subjects", dir + "/bad.csv"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("bad.csv:3: no account in this row"), "\(run.stderr)")
    }

    @Test func threadCountsStoreTheSameContent() throws {
        let (dir, inbox, _, subjects) = try subjectInbox()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in try FileManager.default.contentsOfDirectory(atPath: packageRoot + "/Corpus/examples") {
            try FileManager.default.copyItem(atPath: packageRoot + "/Corpus/examples/" + name, toPath: inbox + "/" + name)
        }
        // A larger input when the shared pool is there: its first 6,000 rows.
        let pool = packageRoot + "/../shared/corpora/pool.jsonl"
        if let data = FileManager.default.contents(atPath: pool) {
            let lines = data.split(separator: 0x0A, maxSplits: 6000).prefix(6000)
            try Data(lines.joined(separator: [0x0A]) + [0x0A]).write(to: URL(fileURLWithPath: inbox + "/pool-head.jsonl"))
        }
        func dump(_ threads: Int) throws -> [String] {
            let store = dir + "/store-\(threads).sqlite"
            let run = try netra(["batch", "--inbox", inbox, "--store", store, "--subjects", subjects, "--key", dir + "/shared.key",
                                 "--threads", String(threads)])
            #expect(run.status == 0, "\(run.stderr)")
            return try BatchStore(path: store).queue.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT r.content_hash, r.record_id, r.kind, r.source_path, r.source_line, r.text, r.author, r.subject, r.target_author,
                           f.rule, f.contest, f.pair, f.stance, f.score, f.evidence_json, f.title, f.basis_json
                    FROM records r LEFT JOIN findings f ON f.record_hash = r.content_hash AND f.lexicon_version = r.lexicon_version
                    ORDER BY r.rowid, f.id
                    """).map { $0.description }
            }
        }
        let one = try dump(1)
        #expect(one.count > 20)
        #expect(try dump(2) == one)
        #expect(try dump(5) == one)
    }

    @Test func reviewsAreRecordedExportedAndScoredByEval() throws {
        let (dir, inbox, store, subjects) = try subjectInbox()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try netra(["batch", "--inbox", inbox, "--store", store, "--subjects", subjects]).status == 0)
        let ids = try BatchStore(path: store).queue.read { db in
            try Row.fetchAll(db, sql: """
                SELECT f.id, r.record_id, r.text FROM findings f JOIN records r ON r.content_hash = f.record_hash ORDER BY f.id
                """).map { ($0[0] as Int64, $0[1] as String?, $0[2] as String) }
        }
        let p1 = try #require(ids.first { $0.1 == "p1" }?.0)
        // Every finding of Budi's message is dismissed, so the record is labelled "no violation".
        let budiFindings = ids.filter { $0.2.contains("AMIN") }.map(\.0)
        #expect(!budiFindings.isEmpty)
        #expect(try netra(["review", "--store", store, String(p1), "confirmed", "--note", "ajakan memilih", "--reviewer", "ana"]).status == 0)
        // An unknown id among several records nothing; then all of Budi's findings at once.
        let mixed = try netra(["review", "--store", store] + budiFindings.map(String.init) + ["99999", "dismissed"])
        #expect(mixed.status == 2 && mixed.stderr.contains("no finding 99999") && mixed.stderr.contains("nothing was recorded"))
        #expect(try BatchStore(path: store).count("reviews") == 1)
        #expect(try netra(["review", "--store", store] + budiFindings.map(String.init) + ["dismissed", "--reviewer", "ana"]).status == 0)
        #expect(try BatchStore(path: store).count("reviews") == 1 + budiFindings.count)
        let missing = try netra(["review", "--store", store, "99999", "confirmed"])
        #expect(missing.status == 2 && missing.stderr.contains("no finding 99999"))
        let badState = try netra(["review", "--store", store, String(p1), "approved"])
        #expect(badState.status == 2)
        // The report shows the decision.
        #expect(try netra(["report", "--store", store, "--out", dir + "/report"]).status == 0)
        let rows = csvRecords(try String(contentsOfFile: dir + "/report/findings.csv", encoding: .utf8))
        #expect(rows.first { $0["finding_id"] == String(p1) }?["review_state"] == "confirmed")
        #expect(rows.first { $0["finding_id"] == String(p1) }?["review_note"] == "ajakan memilih")
        let html = try String(contentsOfFile: dir + "/report/report.html", encoding: .utf8)
        #expect(html.contains("id=\"finding-\(p1)\"") && html.contains("ajakan memilih"))
        // Filters: by review state and by the day the input was screened.
        func reportRows(_ extra: [String]) throws -> [[String: String]] {
            let out = dir + "/filtered-\(UUID().uuidString)"
            let result = try netra(["report", "--store", store, "--out", out] + extra)
            #expect(result.status == 0, "\(result.stderr)")
            return csvRecords(try String(contentsOfFile: out + "/findings.csv", encoding: .utf8))
        }
        let all = try reportRows([])
        #expect(try reportRows(["--state", "confirmed"]).map { $0["finding_id"] } == [String(p1)])
        let unreviewed = try reportRows(["--state", "unreviewed"])
        #expect(unreviewed.count == all.count - 1 - budiFindings.count && unreviewed.allSatisfy { $0["review_state"] == "" })
        #expect(try reportRows(["--state", "confirmed", "--state", "dismissed"]).count == 1 + budiFindings.count)
        #expect(try reportRows(["--since", "2000-01-01"]).count == all.count)
        #expect(try reportRows(["--since", "2999-01-01"]).isEmpty)
        #expect(try netra(["report", "--store", store, "--out", dir + "/x", "--state", "approved"]).status == 2)
        #expect(try netra(["report", "--store", store, "--out", dir + "/x", "--since", "yesterday"]).status == 2)
        // Exported labels are what netra eval reads.
        let export = dir + "/reviewed.jsonl"
        let exported = try netra(["review", "--store", store, "--export", export])
        #expect(exported.status == 0, "\(exported.stderr)")
        let lines = try String(contentsOfFile: export, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let eval = try netra(["eval", "--json", export])
        #expect(eval.status == 0, "\(eval.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any])
        let overall = try #require(report["overall"] as? [String: Any])
        // The confirmed post is flagged again (a true positive); the dismissed message is flagged again (a false positive).
        #expect(overall["tp"] as? Int == 1)
        #expect(overall["fp"] as? Int == 1)
    }

    @Test func purgeTakesTheLockAndReallyDeletes() throws {
        let (dir, inbox, store, subjects) = try subjectInbox()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try netra(["batch", "--inbox", inbox, "--store", store, "--subjects", subjects]).status == 0)
        let lock = open(store + ".lock", O_RDWR | O_CREAT, 0o644)
        #expect(flock(lock, LOCK_EX | LOCK_NB) == 0)
        let busy = try netra(["purge", "--store", store, "--older-than", "0"])
        close(lock)
        #expect(busy.status == 4, "\(busy.stderr)")
        #expect(try BatchStore(path: store).count("records") > 0)
        let kept = try netra(["purge", "--store", store, "--older-than", "30"])
        #expect(kept.status == 0 && kept.stderr.contains("\"inputs\":0"), "\(kept.stderr)")
        sleep(1)  // screened_at has one-second resolution
        let purged = try netra(["purge", "--store", store, "--older-than", "0"])
        #expect(purged.status == 0, "\(purged.stderr)")
        #expect(purged.stderr.contains("\"inputs\":2"), "\(purged.stderr)")
        let database = try BatchStore(path: store)
        for table in ["inputs", "records", "findings"] { #expect(try database.count(table) == 0) }
        let bytes = (FileManager.default.contents(atPath: store) ?? Data()) + (FileManager.default.contents(atPath: store + "-wal") ?? Data())
        #expect(bytes.range(of: Data("Prabowo-Gibran".utf8)) == nil)
        // The next night screens the inbox again.
        #expect(try netra(["batch", "--inbox", inbox, "--store", store]).status == 0)
        #expect(try BatchStore(path: store).count("inputs") == 2)
    }
}
