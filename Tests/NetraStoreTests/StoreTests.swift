import Foundation
import NetraCore
import Testing
@testable import NetraStore

/// A fresh store in its own temporary folder, and its path; the caller removes the folder with
/// `removeTemporaryStore(path)`.
func temporaryStore() throws -> (BatchStore, String) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("netra-store-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let path = dir + "/store.sqlite"
    return (try BatchStore(path: path), path)
}

/// Removes the temporary folder of the store at `path` made by `temporaryStore()`.
func removeTemporaryStore(_ path: String) {
    try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
}

/// Pseudonyms with a fixed test key.
let testPrivacy = StorePrivacy(pseudonymizer: Pseudonymizer(keyBytes: Array(repeating: 7, count: 32)))

func flaggedInput(_ name: String, texts: [String]) -> ScreenedInput {
    let items = texts.enumerated().map { index, text in
        ScreenedInput.Item(
            record: Record(id: "\(name)-\(index)", text: text, source: SourceLocation(path: name, line: index + 1)),
            flags: [Flag(rule: "R1", category: "campaign", contest: "pilpres-2024", pair: "02", stance: .support,
                         severity: "high", score: 1, basis: [],
                         evidence: [Evidence(span: Span(start: 0, end: 4), text: String(text.prefix(4)), term: "coblos", field: "text")])])
    }
    return ScreenedInput(path: name, contentHash: SHA256Hasher.hex(Array(texts.joined(separator: "\n").utf8)), size: 10, items: items)
}

@Suite struct SHA256Tests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var message: String
        var digest: String
        var testDescription: String { name }
    }

    // FIPS 180-4 examples, plus a message that needs a second padding block.
    @Test(arguments: [
        Case(name: "empty", message: "", digest: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        Case(name: "abc", message: "abc", digest: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        Case(name: "two blocks", message: "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
             digest: "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func knownDigests(_ c: Case) {
        #expect(SHA256Hasher.hex(Array(c.message.utf8)) == c.digest)
    }
}

@Suite struct BatchStoreTests {
    @Test func schemaIsMigratedWithWALAndFullSync() throws {
        let (store, path) = try temporaryStore()
        defer { removeTemporaryStore(path) }
        let (journal, synchronous, applied) = try store.queue.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"),
             try BatchStore.migrator.appliedMigrations(db))
        }
        #expect(journal == "wal")
        #expect(synchronous == 2)  // FULL
        #expect(applied == ["v1", "v2"])
        for table in ["runs", "inputs", "records", "findings", "reviews", "subjects"] { #expect(try store.count(table) == 0) }
    }

    @Test func reopeningKeepsDataAndDoesNotRemigrate() throws {
        let (store, path) = try temporaryStore()
        defer { removeTemporaryStore(path) }
        let run = try store.beginRun(lexiconVersion: "lex-1")
        try store.commit(flaggedInput("a.jsonl", texts: ["coblos 02", "coblos 01"]), runID: run, lexiconVersion: "lex-1", privacy: testPrivacy)
        let reopened = try BatchStore(path: path)
        #expect(try reopened.count("findings") == 2)
    }

    @Test func secondCommitOfTheSameInputAddsNothing() throws {
        let (store, path) = try temporaryStore()
        defer { removeTemporaryStore(path) }
        let run = try store.beginRun(lexiconVersion: "lex-1")
        let input = flaggedInput("a.jsonl", texts: ["coblos 02", "coblos 01"])
        let first = try store.commit(input, runID: run, lexiconVersion: "lex-1", privacy: testPrivacy)
        #expect(first.recordsAdded == 2 && first.findingsAdded == 2)
        #expect(try store.hasInput(contentHash: input.contentHash, lexiconVersion: "lex-1"))
        let second = try store.commit(input, runID: run, lexiconVersion: "lex-1", privacy: testPrivacy)
        #expect(second == CommitCounts())
        #expect(try store.count("inputs") == 1)
        #expect(try store.count("records") == 2)
        #expect(try store.count("findings") == 2)
    }

    @Test func theSameRecordInTwoInputsIsStoredOnce() throws {
        let (store, path) = try temporaryStore()
        defer { removeTemporaryStore(path) }
        let run = try store.beginRun(lexiconVersion: "lex-1")
        var copy = flaggedInput("a.jsonl", texts: ["coblos 02"])
        try store.commit(copy, runID: run, lexiconVersion: "lex-1", privacy: testPrivacy)
        copy.path = "b.jsonl"
        copy.contentHash = "different-archive"
        let counts = try store.commit(copy, runID: run, lexiconVersion: "lex-1", privacy: testPrivacy)
        #expect(counts == CommitCounts())
        #expect(try store.count("inputs") == 2)
        #expect(try store.count("findings") == 1)
    }

    @Test func aLexiconChangeRescreens() throws {
        let (store, path) = try temporaryStore()
        defer { removeTemporaryStore(path) }
        let input = flaggedInput("a.jsonl", texts: ["coblos 02"])
        try store.commit(input, runID: try store.beginRun(lexiconVersion: "lex-1"), lexiconVersion: "lex-1", privacy: testPrivacy)
        #expect(try !store.hasInput(contentHash: input.contentHash, lexiconVersion: "lex-2"))
        let counts = try store.commit(input, runID: try store.beginRun(lexiconVersion: "lex-2"), lexiconVersion: "lex-2", privacy: testPrivacy)
        #expect(counts.recordsAdded == 1 && counts.findingsAdded == 1)
        #expect(Set(try store.findings().map(\.lexiconVersion)) == ["lex-1", "lex-2"])
    }

    @Test func aQuarantinedInputIsRecordedWithItsReason() throws {
        let (store, path) = try temporaryStore()
        defer { removeTemporaryStore(path) }
        let run = try store.beginRun(lexiconVersion: "lex-1")
        let bad = ScreenedInput(path: "bad.zip", contentHash: "h", size: 3, quarantineReason: "not a readable zip archive")
        try store.commit(bad, runID: run, lexiconVersion: "lex-1", privacy: testPrivacy)
        let quarantined = try store.quarantined()
        #expect(quarantined.count == 1)
        #expect(quarantined.first?.path == "bad.zip")
        #expect(quarantined.first?.reason == "not a readable zip archive")
        #expect(try store.hasInput(contentHash: "h", lexiconVersion: "lex-1"))
    }
}

@Suite struct ReportTests {
    struct Cell: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var csv: String
        var testDescription: String { name }
    }

    @Test(arguments: [
        Cell(name: "plain", text: "coblos 02", csv: "coblos 02"),
        Cell(name: "comma is quoted", text: "a, b", csv: "\"a, b\""),
        Cell(name: "quote is doubled", text: "say \"02\"", csv: "\"say \"\"02\"\"\""),
        Cell(name: "line break is quoted", text: "a\nb", csv: "\"a\nb\""),
        Cell(name: "formula is neutralized", text: "=HYPERLINK(\"x\")", csv: "\"'=HYPERLINK(\"\"x\"\")\""),
        Cell(name: "at sign is neutralized", text: "@admin", csv: "'@admin"),
        Cell(name: "empty", text: "", csv: ""),
    ])
    func csvCells(_ c: Cell) {
        #expect(BatchStore.csvCell(c.text) == c.csv)
    }

    @Test func findingsCSVHasAHeaderAndOneRowPerFinding() throws {
        let (store, path) = try temporaryStore()
        defer { removeTemporaryStore(path) }
        let run = try store.beginRun(lexiconVersion: "lex-1")
        try store.commit(flaggedInput("a.jsonl", texts: ["coblos 02, ya", "coblos 01"]), runID: run, lexiconVersion: "lex-1", privacy: testPrivacy)
        let lines = try store.findingsCSV().components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.first == BatchStore.findingsCSVHeader.joined(separator: ","))
        #expect(lines.count == 1 + 2)
        #expect(lines.contains { $0.contains("\"coblos 02, ya\"") })
    }

    @Test func atomicWriteReplacesTheFileAndLeavesNoTemporary() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("netra-atomic-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/findings.csv"
        try AtomicFile.write(Data("old".utf8), to: path)
        try AtomicFile.write(Data("new content".utf8), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new content")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["findings.csv"])
    }

    @Test func atomicWriteIntoAMissingFolderNamesTheFile() throws {
        let path = "/nonexistent-\(UUID().uuidString)/findings.csv"
        #expect {
            try AtomicFile.write(Data("x".utf8), to: path)
        } throws: { error in
            "\(error)".contains("findings.csv") && "\(error)".contains("open")
        }
    }
}
