import Foundation
import Netra
import NetraArchive
import NetraCore
import NetraRules
import Testing

// The shared format samples (../shared/formats) and hostile zips (../shared/fixtures/hostile-zips);
// skipped when ../shared is absent.

struct Label: Decodable, Sendable, CustomTestStringConvertible {
    var file: String
    var locator: String
    var text: String
    var flag: Bool
    var kind: String
    var testDescription: String { "\(file) \(locator)" }

    /// The record kinds a label's kind may be read as.
    var recordKinds: Set<RecordKind> {
        switch kind {
        case "post", "group_post": return [.post]
        case "comment", "group_comment": return [.comment]
        case "reaction", "like": return [.reaction]
        case "group_membership": return [.group]
        case "page_like", "page_follow": return [.page]
        case "follow": return [.follow]
        case "tweet": return [.post, .share, .reply]
        case "chat_message": return [.message]
        default: return []
        }
    }

    /// The record or line number the locator points at: `[3]…` / `comments_v2[2]…` → 4 / 3, `line 6-7` → 6.
    var line: Int? {
        if let r = locator.range(of: "line ") {
            return Int(locator[r.upperBound...].prefix { $0.isNumber })
        }
        guard let open = locator.firstIndex(of: "[") else { return nil }
        return Int(locator[locator.index(after: open)...].prefix { $0.isNumber }).map { $0 + 1 }
    }
}

let labels: [Label] = {
    guard formatsAvailable, let data = FileManager.default.contents(atPath: formatsDirectory.appendingPathComponent("expected_labels.json").path) else { return [] }
    return (try? JSONDecoder().decode([Label].self, from: data)) ?? []
}()

/// The events of one sample file, read once per test run.
func sampleEvents(_ file: String, bufferSize: Int = 64 << 10) -> [ExportEvent] {
    var limits = ReadLimits()
    limits.bufferSize = bufferSize
    return events(path: formatsDirectory.appendingPathComponent(file).path, limits: limits)
}

/// The texts a record is judged by (its own text, its target, its group).
func judgedTexts(_ r: Record) -> [String] {
    [r.text, r.target?.author, r.target?.text, r.group].compactMap { $0 }.filter { !$0.isEmpty }
}

/// The event a label describes: by its text, or by its position when it has none.
func event(for label: Label, in events: [ExportEvent]) -> ExportEvent? {
    if label.text.isEmpty || label.text.hasPrefix("(") {
        return events.first { e in
            switch e {
            case .record(let r): return r.source.line == label.line
            case .notJudged(_, let s): return s.line == label.line
            default: return false
            }
        }
    }
    // Labels keep X's HTML escapes as the archive has them; the reader undoes them.
    let text = label.text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
        .replacingOccurrences(of: "&amp;", with: "&")
    return events.first { e in
        guard case .record(let r) = e else { return false }
        // A retweet is read as a share of "RT @author: text"; the 2025 reaction label reads
        // "Suka: <owner>"; everything else is the judged text itself.
        if r.kind == .share, let author = r.target?.author, let shared = r.target?.text, text == "RT @\(author): \(shared)" { return true }
        return judgedTexts(r).contains { $0 == text || (r.kind == .reaction && text.hasSuffix(": " + $0)) }
    }
}

@Test("every labelled item of the format samples is read with the right kind and text",
      .enabled(if: formatsAvailable), arguments: labels)
func labelledItemIsRead(_ label: Label) throws {
    let all = sampleEvents(label.file)
    let found = try #require(event(for: label, in: all), "no event for \(label.locator): \(all.map(describe))")
    switch found {
    case .record(let r):
        #expect(label.recordKinds.contains(r.kind), "\(r.kind) for \(label.kind)")
        #expect(r.source.path.hasSuffix(label.file))
        if let line = label.line, !label.file.contains("tiktok") { #expect(r.source.line == line) }
        if label.text.isEmpty { #expect(r.judgedFields.isEmpty, "an item without text has nothing to judge") }
        #expect(r.date != nil || label.kind == "like", "every dated item keeps its time")
    case .notJudged(let reason, _):
        #expect(label.kind == "group_membership" && reason == "group_left")
    default:
        Issue.record("unexpected event \(describe(found))")
    }
}

let compiledForSamples: CompiledLexicon? = {
    guard formatsAvailable else { return nil }
    let bundled = repositoryRoot.appendingPathComponent("Lexicons").path
    let contests = try? FileManager.default.contentsOfDirectory(atPath: bundled + "/contests").filter { $0.hasSuffix(".yaml") }
        .map { bundled + "/contests/" + $0 }
    let fictional = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/pilbup-sukamaju-2024.yaml").path
    return (try? Lexicon.load(directory: bundled, contests: (contests ?? []) + [fictional])).map(CompiledLexicon.init)
}()

@Test("end to end: verdicts on the format samples match expected_labels.json",
      .enabled(if: formatsAvailable), arguments: labels)
func labelledVerdict(_ label: Label) throws {
    let compiled = try #require(compiledForSamples)
    var screener = Screener(compiled)
    let found = event(for: label, in: sampleEvents(label.file))
    var flagged = false
    if case .record(let r)? = found { flagged = !r.judgedFields.isEmpty && !screener.screen(r).isEmpty }
    #expect(flagged == label.flag, "\(label.text)")
}

let sampleFiles: [String] = {
    guard formatsAvailable, let walker = FileManager.default.enumerator(atPath: formatsDirectory.path) else { return [] }
    var files: [String] = []
    while let f = walker.nextObject() as? String {
        if walker.fileAttributes?[.type] as? FileAttributeType == .typeRegular, f != "expected_labels.json", !f.hasSuffix(".md") { files.append(f) }
    }
    return files.sorted()
}()

@Test("each sample file gives identical events with buffer sizes 1, 2, 3, 7 bytes and 1, 2, 3, 7, 64 KiB",
      .enabled(if: formatsAvailable), arguments: sampleFiles)
func sampleBufferSizes(_ file: String) {
    let baseline = sampleEvents(file).map(describe)
    #expect(!baseline.isEmpty)
    for size in [1, 2, 3, 7, 1 << 10, 2 << 10, 3 << 10, 7 << 10] {
        #expect(sampleEvents(file, bufferSize: size).map(describe) == baseline, "buffer size \(size)")
    }
}

@Test("the sample folder read as a zip gives the same records as the folder, for every buffer size",
      .enabled(if: formatsAvailable))
func sampleZip() throws {
    let dir = try temporaryDirectory("zip")
    defer { try? FileManager.default.removeItem(at: dir) }
    let zip = dir.appendingPathComponent("export.zip")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["zip", "-q", "-r", zip.path, "facebook", "instagram", "twitter", "tiktok", "whatsapp"]
    process.currentDirectoryURL = formatsDirectory
    try process.run()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "zip(1) is needed for this test")
    let folder = events(path: formatsDirectory.path).map(describe)
        .map { $0.replacingOccurrences(of: formatsDirectory.path + "/", with: "") }
    #expect(folder.count > 40)
    for size in [1, 7, 3 << 10, 64 << 10] {
        var limits = ReadLimits()
        limits.bufferSize = size
        let zipped = events(path: zip.path, limits: limits).map(describe).map { $0.replacingOccurrences(of: zip.path + "!/", with: "") }
        #expect(zipped == folder.filter { !$0.contains("expected_labels") && !$0.contains("FORMATS") }, "buffer size \(size)")
    }
}

struct HostileCase: CustomTestStringConvertible, Sendable {
    var file: String
    var reasons: [String]
    var testDescription: String { file }
}

@Test("every hostile zip is refused with a clear error and yields no record", .enabled(if: hostileAvailable), arguments: [
    HostileCase(file: "slip.zip", reasons: ["unsafe_entry_name"]),
    HostileCase(file: "slip2.zip", reasons: ["unsafe_entry_name"]),
    HostileCase(file: "abs.zip", reasons: ["unsafe_entry_name"]),
    HostileCase(file: "dslash.zip", reasons: ["unsafe_entry_name"]),
    HostileCase(file: "sym-abs.zip", reasons: ["symlink_entry", "through_symlink"]),
    HostileCase(file: "sym-rel.zip", reasons: ["symlink_entry", "through_symlink"]),
    HostileCase(file: "sym-chain.zip", reasons: ["symlink_entry", "through_symlink", "through_symlink"]),
    HostileCase(file: "bomb.zip", reasons: ["entry_budget"]),
    HostileCase(file: "overlap.zip", reasons: ["duplicate_entry"]),
    HostileCase(file: "liar.zip", reasons: ["size_mismatch"]),
    HostileCase(file: "truncated.zip", reasons: ["not_a_zip"]),
    HostileCase(file: "garbage.zip", reasons: ["not_a_zip"]),
    HostileCase(file: "fuzz-crash-range.zip", reasons: ["empty_zip"]),
])
func hostileZip(_ c: HostileCase) {
    let got = events(path: hostileDirectory.appendingPathComponent(c.file).path)
    #expect(problems(got).map(\.reason) == c.reasons, "\(got.map(describe))")
    #expect(records(got).filter { $0.source.path.contains("evil") }.isEmpty)
    for p in problems(got) { #expect(p.path.hasPrefix(hostileDirectory.appendingPathComponent(c.file).path)) }
}

@Test("a bomb whose content looks like JSON stops at the per-entry budget", .enabled(if: hostileAvailable))
func budgetOnJSONLookingBomb() throws {
    let dir = try temporaryDirectory("jsonbomb")
    defer { try? FileManager.default.removeItem(at: dir) }
    // 20 MB of spaces after '[' compresses to a few KB.
    let file = dir.appendingPathComponent("posts_1.json")
    var body = Data("[".utf8)
    body.append(Data(repeating: 0x20, count: 20 << 20))
    body.append(Data("]".utf8))
    try body.write(to: file)
    let zip = dir.appendingPathComponent("b.zip")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["zip", "-q", "-j", zip.path, file.path]
    try process.run()
    process.waitUntilExit()
    var limits = ReadLimits()
    limits.maxEntryBytes = 1 << 20
    #expect(problems(events(path: zip.path, limits: limits)).map(\.reason) == ["entry_budget"])
    limits.maxEntryBytes = 64 << 20
    limits.maxArchiveBytes = 1 << 20
    #expect(problems(events(path: zip.path, limits: limits)).map(\.reason) == ["archive_budget", "archive_budget"])
    // With a budget large enough to let it start, the 1 GiB of zeros is refused on its first bytes.
    limits.maxEntryBytes = 2 << 30
    limits.maxArchiveBytes = 2 << 30
    #expect(problems(events(path: hostileDirectory.appendingPathComponent("bomb.zip").path, limits: limits)).map(\.reason) == ["not_json"])
}

@Test("a zip entry whose CRC-32 does not match is reported (and one that matches is read)")
func crcMismatch() throws {
    let dir = try temporaryDirectory("crc")
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("comments.json")
    try Data(#"{"comments_v2":[{"timestamp":1705295400,"data":[{"comment":{"comment":"Halo"}}]}]}"#.utf8).write(to: file)
    let zip = dir.appendingPathComponent("c.zip")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["zip", "-q", "-j", zip.path, file.path]
    try process.run()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "zip(1) is needed for this test")
    #expect(problems(events(path: zip.path)).isEmpty)
    #expect(records(events(path: zip.path)).map(\.text) == ["Halo"])
    var bytes = [UInt8](try Data(contentsOf: zip))
    // Flip the CRC in the local header (offset 14) and in the central directory record (offset 16).
    bytes[14] ^= 0xFF
    let signature: [UInt8] = [0x50, 0x4B, 1, 2]
    let found: Int? = (0..<(bytes.count - 4)).first { (i: Int) -> Bool in Array(bytes[i..<(i + 4)]) == signature }
    let central = try #require(found)
    bytes[central + 16] ^= 0xFF
    try Data(bytes).write(to: zip)
    #expect(problems(events(path: zip.path)).map(\.reason) == ["crc_mismatch"])
}
