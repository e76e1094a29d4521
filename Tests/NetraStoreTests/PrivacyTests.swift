import Foundation
import GRDB
import NetraCore
import Testing
@testable import NetraStore

// Who the store names and who it pseudonymizes; subjects; reviews and their export; purge;
// the v1 → v2 migration.

let rina = Subject(account: "rina.w", nip: "199001012015032001", name: "Rina Wulandari", unit: "Dinas Pendidikan", superior: "Kepala Dinas")
let subjectPrivacy = StorePrivacy(pseudonymizer: Pseudonymizer(keyBytes: Array(repeating: 7, count: 32)), subjects: Subjects([rina]),
                                  ruleTitles: ["R1": "Ajakan memilih"])

func flag(evidenceField: String = "text") -> Flag {
    Flag(rule: "R1", category: "ajakan_memilih", contest: "pilpres-2024", pair: "02", stance: .support, severity: "berat", score: 0.9,
         basis: ["PP 94/2021 Pasal 5 huruf n"], evidence: [Evidence(span: Span(start: 0, end: 6), text: "coblos", term: "coblos", field: evidenceField)])
}

/// The stored row of the only record of a one-record input (nil when it was not stored), and the
/// input's count of clean records.
func storeOne(_ record: NetraCore.Record, flags: [Flag], entrySubject: Subject? = nil) throws -> (row: Row?, clean: Int?) {
    let (store, path) = try temporaryStore()
    defer { removeTemporaryStore(path) }
    let run = try store.beginRun(lexiconVersion: "lex-1")
    try store.commit(ScreenedInput(path: "in.jsonl", contentHash: "h", size: 1, items: [ScreenedItem(record: record, flags: flags)]),
                     runID: run, lexiconVersion: "lex-1", privacy: subjectPrivacy, subject: entrySubject)
    return try store.queue.read { db in
        (try Row.fetchOne(db, sql: "SELECT * FROM records"), try Int.fetchOne(db, sql: "SELECT clean FROM inputs"))
    }
}

@Suite struct PseudonymTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var author: String?
        var targetAuthor: String?
        var evidenceField: String
        var flagged: Bool
        var entrySubject: Bool
        /// nil: stored as nil; "anon": a pseudonym; otherwise stored as written.
        var storedAuthor: String?
        var storedTargetAuthor: String?
        var subject: String?
        var testDescription: String { name }
    }

    @Test(arguments: [
        Case(name: "another person's comment is pseudonymized", author: "Budi Santoso", targetAuthor: nil, evidenceField: "text",
             flagged: true, entrySubject: false, storedAuthor: "anon", storedTargetAuthor: nil, subject: nil),
        Case(name: "a listed subject is named", author: "@Rina.W", targetAuthor: nil, evidenceField: "text",
             flagged: true, entrySubject: false, storedAuthor: "@Rina.W", storedTargetAuthor: nil, subject: "rina.w"),
        Case(name: "a subject found by NIP", author: "199001012015032001", targetAuthor: nil, evidenceField: "text",
             flagged: true, entrySubject: false, storedAuthor: "199001012015032001", storedTargetAuthor: nil, subject: "rina.w"),
        Case(name: "the friend whose post was answered is pseudonymized", author: nil, targetAuthor: "Ahmad Fauzi", evidenceField: "text",
             flagged: true, entrySubject: true, storedAuthor: nil, storedTargetAuthor: "anon", subject: "rina.w"),
        Case(name: "a campaign account cited as evidence is named", author: nil, targetAuthor: "Relawan Prabowo-Gibran",
             evidenceField: "target.author", flagged: true, entrySubject: true, storedAuthor: nil,
             storedTargetAuthor: "Relawan Prabowo-Gibran", subject: "rina.w"),
        Case(name: "an export's own record belongs to the entry's subject", author: nil, targetAuthor: nil, evidenceField: "text",
             flagged: true, entrySubject: true, storedAuthor: nil, storedTargetAuthor: nil, subject: "rina.w"),
        Case(name: "someone else in the subject's chat is not the subject", author: "Budi Santoso", targetAuthor: nil,
             evidenceField: "text", flagged: true, entrySubject: true, storedAuthor: "anon", storedTargetAuthor: nil, subject: nil),
    ])
    func storedNames(_ c: Case) throws {
        let record = NetraCore.Record(id: "r1", kind: .comment, text: "coblos 02 ya", target: c.targetAuthor.map { RecordTarget(author: $0, text: "post") },
                            author: c.author, source: SourceLocation(path: "in.jsonl", line: 1))
        let (stored, clean) = try storeOne(record, flags: c.flagged ? [flag(evidenceField: c.evidenceField)] : [],
                                           entrySubject: c.entrySubject ? rina : nil)
        #expect(clean == 0)
        let row = try #require(stored)
        func check(_ stored: String?, _ expected: String?, _ original: String?) {
            if expected == "anon" {
                #expect(stored.map(Pseudonymizer.isPseudonym) == true, "stored \(stored ?? "nil")")
                #expect(stored == original.map(subjectPrivacy.pseudonymizer.pseudonym))
            } else {
                #expect(stored == expected)
            }
        }
        check(row["author"], c.storedAuthor, c.author)
        check(row["target_author"], c.storedTargetAuthor, c.targetAuthor)
        #expect(row["subject"] as String? == c.subject)
        #expect(row["text"] as String == "coblos 02 ya")
    }

    @Test func aCleanRecordIsCountedNotStored() throws {
        let record = NetraCore.Record(id: "r1", kind: .comment, text: "selamat pagi", target: RecordTarget(author: "Ahmad Fauzi", text: "halo"),
                                      author: "Budi Santoso", source: SourceLocation(path: "in.jsonl", line: 1))
        let (row, clean) = try storeOne(record, flags: [])
        #expect(row == nil)
        #expect(clean == 1)
    }

    @Test func pseudonymsAreStableCaseBlindAndKeyed() {
        let a = Pseudonymizer(keyBytes: Array(repeating: 1, count: 32)), b = Pseudonymizer(keyBytes: Array(repeating: 2, count: 32))
        #expect(a.pseudonym("Budi Santoso") == a.pseudonym(" budi santoso "))
        #expect(a.pseudonym("Budi Santoso") != a.pseudonym("Budi Santosa"))
        #expect(a.pseudonym("Budi Santoso") != b.pseudonym("Budi Santoso"))
        #expect(Pseudonymizer.isPseudonym(a.pseudonym("x")))
    }

    @Test func theKeyFileIsCreatedPrivateAndReused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("netra-key-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try Pseudonymizer.loadOrCreateKey(at: dir + "/store.key")
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: dir + "/store.key")[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        #expect(try Pseudonymizer.loadOrCreateKey(at: dir + "/store.key").pseudonym("x") == first.pseudonym("x"))
        try Data("short".utf8).write(to: URL(fileURLWithPath: dir + "/bad.key"))
        #expect { try Pseudonymizer.loadOrCreateKey(at: dir + "/bad.key") } throws: { "\($0)".contains("bad.key") }
    }
}

@Suite struct SubjectsTests {
    struct EntryCase: Sendable, CustomTestStringConvertible {
        var name: String
        var entry: String
        var account: String?
        var testDescription: String { name }
    }

    static let directory = Subjects([rina, Subject(account: "rina", nip: "198503122010011001"), Subject(account: "andi", aliases: ["Andi S"])])

    @Test func anAliasNamesTheSubject() throws {
        #expect(Self.directory.subject(forAuthor: "andi s")?.account == "andi")
        let parsed = try Subjects.fromRows([(["account", "aliases"], 1), (["rina.w", "Rina W; Bu Rina|@rinaw"], 2)])
        #expect(parsed.all.first?.aliases == ["Rina W", "Bu Rina", "@rinaw"])
        #expect(parsed.subject(forAuthor: "RINAW")?.account == "rina.w")
        #expect(parsed.subject(forAuthor: "Bu Rina")?.account == "rina.w")
    }

    @Test(arguments: [
        EntryCase(name: "account then platform", entry: "rina.w-facebook.zip", account: "rina.w"),
        EntryCase(name: "the longest account wins", entry: "rina.w_instagram", account: "rina.w"),
        EntryCase(name: "a shorter account", entry: "rina-x.zip", account: "rina"),
        EntryCase(name: "by NIP", entry: "198503122010011001_whatsapp.txt", account: "rina"),
        EntryCase(name: "case does not matter", entry: "ANDI.jsonl", account: "andi"),
        EntryCase(name: "a longer word is not the account", entry: "andika.zip", account: nil),
        EntryCase(name: "unknown", entry: "patrol-2024-02-01.jsonl", account: nil),
    ])
    func entryNames(_ c: EntryCase) {
        #expect(Self.directory.subject(forEntryName: c.entry)?.account == c.account)
    }

    struct FileCase: Sendable, CustomTestStringConvertible {
        var name: String
        var csv: String
        var error: String?
        var accounts: [String]
        var testDescription: String { name }
    }

    @Test(arguments: [
        FileCase(name: "english header", csv: "account,nip,name,unit,superior\nrina.w,1990,Rina,Dinas,Kadis\n", error: nil, accounts: ["rina.w"]),
        FileCase(name: "indonesian header", csv: "akun;nama;opd;atasan\nandi;Andi;BKD;Sekda\n", error: nil, accounts: ["andi"]),
        FileCase(name: "aliases", csv: "account,aliases\nrina.w,Rina W; Bu Rina|@rinaw\n", error: nil, accounts: ["rina.w"]),
        FileCase(name: "quoted fields", csv: "account,name\n\"budi\",\"Budi, S.Pd\"\n", error: nil, accounts: ["budi"]),
        FileCase(name: "no account column", csv: "nip,name\n1,A\n", error: "line 1: the header names no 'account' column", accounts: []),
        FileCase(name: "a row without account", csv: "account,name\nrina,R\n,Nobody\n", error: "line 3: no account", accounts: []),
        FileCase(name: "an @ before the account names the same account", csv: "account\nrina\n@RINA\n",
                 error: "line 3: account '@RINA' is listed twice", accounts: []),
        FileCase(name: "a duplicate in other case", csv: "account\nrina\nRINA\n", error: "line 3: account 'RINA' is listed twice (first on line 2)", accounts: []),
        FileCase(name: "empty", csv: "", error: "line 1: the file is empty", accounts: []),
    ])
    func subjectsFiles(_ c: FileCase) {
        do {
            let parsed = try Subjects.fromRows(csvRows(c.csv))
            #expect(c.error == nil)
            #expect(parsed.all.map(\.account) == c.accounts)
        } catch {
            #expect(c.error.map { "\(error)".hasPrefix($0) } == true, "\(error)")
        }
    }

    /// The rows as NetraArchive's CSVRows gives them (tested there); a plain split is enough here.
    func csvRows(_ csv: String) -> [(fields: [String], line: Int)] {
        csv.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { index, line in
            guard !line.isEmpty else { return nil }
            let separator: Character = line.contains(",") || !line.contains(";") ? "," : ";"
            var fields: [String] = [], field = "", quoted = false
            for ch in line {
                if ch == "\"" { quoted.toggle() } else if ch == separator && !quoted { fields.append(field); field = "" } else { field.append(ch) }
            }
            fields.append(field)
            return (fields, index + 1)
        }
    }
}

@Suite struct ReviewTests {
    /// A store with three flagged records (one finding each) and one clean record, and its path
    /// (as `temporaryStore()` gives them; the caller removes it).
    func reviewedStore() throws -> (BatchStore, String) {
        let (store, path) = try temporaryStore()
        let run = try store.beginRun(lexiconVersion: "lex-1")
        let items = ["coblos 02 ya", "coblos 01 saja", "coblos 03 dong"].enumerated().map { index, text in
            ScreenedItem(record: NetraCore.Record(id: "r\(index)", text: text, source: SourceLocation(path: "in.jsonl", line: index + 1)), flags: [flag()])
        } + [ScreenedItem(record: NetraCore.Record(id: "clean", text: "selamat pagi", source: SourceLocation(path: "in.jsonl", line: 4)), flags: [])]
        try store.commit(ScreenedInput(path: "in.jsonl", contentHash: "h", size: 1, items: items), runID: run, lexiconVersion: "lex-1",
                         privacy: subjectPrivacy)
        return (store, path)
    }

    func findingID(_ store: BatchStore, record: String) throws -> Int64 {
        try #require(try store.queue.read { db in
            try Int64.fetchOne(db, sql: "SELECT f.id FROM findings f JOIN records r ON r.content_hash = f.record_hash WHERE r.record_id = ?",
                               arguments: [record])
        })
    }

    @Test func theLatestDecisionCountsAndTheExportLabelsRecords() throws {
        let (store, path) = try reviewedStore()
        defer { removeTemporaryStore(path) }
        try store.review(findingID: try findingID(store, record: "r0"), state: .dismissed, reviewer: "ana", note: "first look")
        try store.review(findingID: try findingID(store, record: "r0"), state: .confirmed, reviewer: "ana", note: "ajakan jelas")
        try store.review(findingID: try findingID(store, record: "r1"), state: .dismissed, reviewer: "ana", note: nil)
        try store.review(findingID: try findingID(store, record: "r2"), state: .unsure, reviewer: "ana", note: nil)
        #expect(try store.count("reviews") == 4)
        let latest = try store.latestReviews()
        #expect(latest[try findingID(store, record: "r0")]?.state == .confirmed)
        #expect(latest[try findingID(store, record: "r0")]?.note == "ajakan jelas")
        let lines = try store.reviewedExport().map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let byID = Dictionary(uniqueKeysWithValues: lines.map { ($0["id"] as! String, $0) })
        #expect(Set(byID.keys) == ["r0", "r1"])  // r2 is unsure, "clean" has no finding
        let confirmed = try #require(byID["r0"]?["label"] as? [String: Any])
        #expect(confirmed["violation"] as? Bool == true)
        #expect(confirmed["contest"] as? String == "pilpres-2024" && confirmed["target"] as? String == "02" && confirmed["stance"] as? String == "support")
        #expect(byID["r0"]?["text"] as? String == "coblos 02 ya")
        #expect((byID["r1"]?["label"] as? [String: Any])?["violation"] as? Bool == false)
    }

    @Test func aReviewOfAMissingFindingNamesIt() throws {
        let (store, path) = try reviewedStore()
        defer { removeTemporaryStore(path) }
        #expect { try store.review(findingID: 999, state: .confirmed, reviewer: "ana", note: nil) } throws: { "\($0)".contains("no finding 999") }
        #expect(try store.count("reviews") == 0)
    }

    @Test func reportRowsCarryTitleBasisSubjectAndReview() throws {
        let (store, path) = try temporaryStore()
        defer { removeTemporaryStore(path) }
        try store.saveSubjects(Subjects([rina]))
        let run = try store.beginRun(lexiconVersion: "lex-1")
        let record = NetraCore.Record(id: "x", text: "coblos 02", source: SourceLocation(path: "rina.w.jsonl", line: 1))
        try store.commit(ScreenedInput(path: "rina.w.jsonl", contentHash: "h", size: 1, items: [ScreenedItem(record: record, flags: [flag()])]),
                         runID: run, lexiconVersion: "lex-1", privacy: subjectPrivacy, subject: rina)
        try store.review(findingID: try findingID(store, record: "x"), state: .confirmed, reviewer: "ana", note: "ok")
        let row = try #require(try store.reportRows(storeName: "s").first)
        #expect(row.title == "Ajakan memilih")
        #expect(row.basis == ["PP 94/2021 Pasal 5 huruf n"])
        #expect(row.subject == rina)
        #expect(row.review?.state == .confirmed)
        #expect(row.evidence.first?.text == "coblos")
    }
}

@Suite struct PurgeTests {
    /// The bytes of the store and its write-ahead log.
    func fileBytes(_ path: String) -> Data {
        var data = FileManager.default.contents(atPath: path) ?? Data()
        data.append(FileManager.default.contents(atPath: path + "-wal") ?? Data())
        return data
    }

    @Test func purgedTextIsGoneFromTheFilesAndNewerInputsStay() throws {
        let (store, path) = try temporaryStore()
        defer { removeTemporaryStore(path) }
        let run = try store.beginRun(lexiconVersion: "lex-1")
        let marker = "PENANDA-RAHASIA-\(UUID().uuidString)"
        let old = ScreenedInput(path: "old.jsonl", contentHash: "old", size: 1, items: [
            ScreenedItem(record: NetraCore.Record(id: "o", text: "coblos 02 \(marker)", author: "Budi", source: SourceLocation(path: "old.jsonl", line: 1)),
                         flags: [flag()]),
        ])
        let recent = ScreenedInput(path: "new.jsonl", contentHash: "new", size: 1, items: [
            ScreenedItem(record: NetraCore.Record(id: "n", text: "coblos 01 baru", source: SourceLocation(path: "new.jsonl", line: 1)), flags: [flag()]),
        ])
        try store.commit(old, runID: run, lexiconVersion: "lex-1", privacy: subjectPrivacy)
        try store.commit(recent, runID: run, lexiconVersion: "lex-1", privacy: subjectPrivacy)
        try store.review(findingID: 1, state: .confirmed, reviewer: "ana", note: marker)
        try store.finishRun(run, status: "done")
        // Age the old input by 40 days.
        try store.queue.write { db in
            try db.execute(sql: "UPDATE inputs SET screened_at = '2000-01-01T00:00:00Z' WHERE content_hash = 'old'")
        }
        try store.queue.writeWithoutTransaction { db in _ = try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        #expect(fileBytes(path).range(of: Data(marker.utf8)) != nil, "the marker should be on disk before the purge")
        let counts = try store.purge(olderThanDays: 30)
        #expect(counts.inputs == 1 && counts.records == 1 && counts.findings == 1 && counts.reviews == 1)
        #expect(fileBytes(path).range(of: Data(marker.utf8)) == nil, "purged text must not remain in the store files")
        #expect(try store.count("inputs") == 1)
        #expect(try store.findings().map(\.recordID) == ["n"])
        #expect(try store.hasInput(contentHash: "new", lexiconVersion: "lex-1"))
        #expect(try !store.hasInput(contentHash: "old", lexiconVersion: "lex-1"))
        #expect(try store.queue.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") } == "ok")
    }

    @Test func purgeOfZeroDaysEmptiesTheStore() throws {
        let (store, path) = try temporaryStore()
        defer { removeTemporaryStore(path) }
        let run = try store.beginRun(lexiconVersion: "lex-1")
        try store.commit(flaggedInput("a.jsonl", texts: ["coblos 02"]), runID: run, lexiconVersion: "lex-1", privacy: testPrivacy)
        try store.finishRun(run, status: "done")
        let counts = try store.purge(olderThanDays: 0, now: Date().addingTimeInterval(5))
        #expect(counts.inputs == 1 && counts.runs == 1)
        for table in ["runs", "inputs", "records", "findings", "reviews"] { #expect(try store.count(table) == 0) }
    }
}

@Suite struct MigrationTests {
    @Test func aVersionOneStoreIsUpgradedKeepingItsRows() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("netra-v1-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/store.sqlite"
        do {
            let queue = try DatabaseQueue(path: path)
            try BatchStore.migrator.migrate(queue, upTo: "v1")
            try queue.write { db in
                try db.execute(sql: """
                    INSERT INTO runs (started_at, lexicon_version) VALUES ('2024-01-01T00:00:00Z', 'lex-1');
                    INSERT INTO inputs (run_id, path, content_hash, size, lexicon_version, status, records, screened_at)
                        VALUES (1, 'a.jsonl', 'h', 1, 'lex-1', 'screened', 1, '2024-01-01T00:00:00Z');
                    INSERT INTO records (content_hash, lexicon_version, input_id, record_id, kind, source_path, source_line, text)
                        VALUES ('r', 'lex-1', 1, 'id-1', 'post', 'a.jsonl', 1, 'coblos 02');
                    INSERT INTO findings (record_hash, lexicon_version, rule, category, contest, pair, stance, severity, score, evidence_json)
                        VALUES ('r', 'lex-1', 'NET-SM-08', 'ajakan', 'pilpres-2024', '02', 'support', 'berat', 0.9, '[]');
                    """)
            }
        }
        let store = try BatchStore(path: path)
        let applied = try store.queue.read { db in try BatchStore.migrator.appliedMigrations(db) }
        #expect(applied == ["v1", "v2"])
        let row = try #require(try store.reportRows(storeName: "s").first)
        #expect(row.text == "coblos 02" && row.title == "" && row.basis.isEmpty && row.subject == nil)
    }
}
