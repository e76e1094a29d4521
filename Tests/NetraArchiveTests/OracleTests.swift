import Foundation
@testable import NetraArchive
import NetraCore
import Testing

// The fast JSON path (a tape per item, strings decoded only when asked for) against two slower,
// obvious ones: the reference form of the same reader (a JSONValue tree per item, the parser the
// readers used before; `ExportReader.reference`, `netra scan --reference`), which must give the
// same events, errors and error offsets; and Foundation's JSONSerialization with FORMATS.md §0.1's
// mojibake rule, an independent parser, on the samples and on generated exports.

/// Every event of reading `bytes` as a file called `name`, by the fast or the reference path.
func readerEvents(_ bytes: [UInt8], name: String, reference: Bool, limits: ReadLimits = ReadLimits()) -> [String] {
    var reader = ExportReader(limits: limits)
    reader.reference = reference
    var all: [String] = []
    reader.read(bytes: bytes, name: name) { all.append(describe($0)) }
    return all
}

/// Every event of reading a file, folder or zip by the fast or the reference path.
func readerEvents(path: String, reference: Bool, limits: ReadLimits = ReadLimits()) -> [String] {
    var reader = ExportReader(limits: limits)
    reader.reference = reference
    var all: [String] = []
    reader.read(path: path) { all.append(describe($0)); return true }
    return all
}

struct OracleCase: CustomTestStringConvertible, Sendable {
    var name: String
    var file: String
    var input: String
    var testDescription: String { name }
}

/// Inputs chosen to tell a sloppy fast path from the reference: escapes in keys and values, keys
/// that only canonical equivalence makes equal, duplicate keys, surrogates, Meta escapes that are
/// not UTF-8, numbers in every form, and every syntax error at every kind of place.
let oracleCases: [OracleCase] = [
    .init(name: "escaped keys are found", file: "comments.json",
          input: #"{"comments_v2":[{"\u0074imestamp":1705295400,"d\u0061ta":[{"comment":{"comment":"a\/b \"q\" \\ \t"}}],"title":"R mengomentari kiriman B."}]}"#),
    .init(name: "a key beyond ASCII equal to an ASCII one by canonical equivalence", file: "your_posts_1.json",
          input: "[{\"timestamp\":1705295400,\"data\":[{\"post\":\"x\"}],\"title\":\"\u{212A}\"},{\"\\u212Aey\":1,\"timestamp\":1,\"data\":[]}]"),
    .init(name: "duplicate keys: the first one counts", file: "your_posts_1.json",
          input: #"[{"timestamp":1,"timestamp":2,"data":[{"post":"a"}],"data":[{"post":"b"}]}]"#),
    .init(name: "Meta escapes: UTF-8 bytes, Latin-1 kept, mixed with higher escapes, raw UTF-8 beside them", file: "your_posts_1.json",
          input: #"[{"timestamp":1,"data":[{"post":"\u00f0\u009f\u0099\u008f"},{"post":"caf\u00e9"},{"post":"\u00c3\u00a9 \u20ac"},{"post":"é \u00c3\u00a9"},{"post":"\u00ed\u00a0\u0080"},{"post":"\u0000x"}]}]"#),
    .init(name: "surrogates: pairs, lone halves, a high half before another escape", file: "posts_1.json",
          input: #"[{"media":[{"title":"\ud83d\ude00 \ud800 \udc00 \ud800\u0041 \ud800\ud800\udc00 \udbff\udfff","creation_timestamp":1}]}]"#),
    .init(name: "raw invalid UTF-8 is repaired, not dropped", file: "posts_1.json",
          input: "[{\"media\":[{\"title\":\"a\u{FF}b\",\"creation_timestamp\":1}]}]"),
    .init(name: "numbers in every form, and ids as strings", file: "likes_and_reactions.json",
          input: #"[{"timestamp":1.7313e9,"label_values":[{"dict":[{"value":"A"}]}],"fbid":"12"},{"timestamp":-5,"label_values":[{"href":"h"}]},{"timestamp":0017,"label_values":[{"dict":[{"value":"B"}]}]},{"timestamp":1e400,"label_values":[{"dict":[{"value":"C"}]}]},{"timestamp":123456789012345678901,"label_values":[{"dict":[{"value":"D"}]}]},{"timestamp":"1705295400","label_values":[{"dict":[{"value":"E"}]}]},{"timestamp":1-2e,"label_values":[{"dict":[{"value":"F"}]}]}]"#),
    .init(name: "empty containers, nulls, booleans and blanks everywhere", file: "your_group_membership_activity.json",
          input: " \r\n\t{ \"groups_joined_v2\" : [ { \"timestamp\" : 1701483240 , \"data\" : [ ] , \"x\" : { } , \"y\" : [ null , true , false ] } , {\"data\":[{\"name\":\"G\"}]} ] , \"z\" : null } \n"),
    .init(name: "a byte-order mark and X's assignment prefix", file: "tweets.js",
          input: "\u{FEFF}window.YTD.tweets.part0 = [ {\"tweet\":{\"id_str\":\"1\",\"full_text\":\"A &amp; B\",\"created_at\":\"Thu Jan 18 13:05:00 +0000 2024\"}} ];"),
    .init(name: "TikTok with null lists and a profile", file: "user_data_tiktok.json",
          input: #"{"Activity":{"Like List":{"ItemFavoriteList":null},"Following List":{"Following":[{"Date":"2023-12-03 12:00:41","UserName":"r"}]}},"Profile":{"Profile Information":{"ProfileMap":{"bioDescription":"b"}}}}"#),
    .init(name: "error: unterminated string inside an item", file: "comments.json", input: #"{"comments_v2":[{"title":"abc"#),
    .init(name: "error: a backslash at the end", file: "comments.json", input: #"{"comments_v2":[{"title":"abc\"#),
    .init(name: "error: control character in a string", file: "comments.json", input: "{\"comments_v2\":[{\"title\":\"a\u{01}b\"}]}"),
    .init(name: "error: invalid escape", file: "comments.json", input: #"{"comments_v2":[{"title":"a\qb"}]}"#),
    .init(name: "error: invalid \\u escape", file: "comments.json", input: #"{"comments_v2":[{"title":"a\u12G4"}]}"#),
    .init(name: "error: \\u escape cut short", file: "comments.json", input: #"{"comments_v2":[{"title":"a\u12"#),
    .init(name: "error: a bad escape after a high surrogate", file: "comments.json", input: #"{"comments_v2":[{"title":"\ud800\uZZZZ"}]}"#),
    .init(name: "error: invalid literal", file: "comments.json", input: #"{"comments_v2":[{"title":nul}]}"#),
    .init(name: "error: literal cut short", file: "comments.json", input: #"{"comments_v2":[{"title":tr"#),
    .init(name: "error: unexpected character", file: "comments.json", input: #"{"comments_v2":[{"title":@}]}"#),
    .init(name: "error: missing key", file: "comments.json", input: #"{"comments_v2":[{"title":"t",}]}"#),
    .init(name: "error: missing colon", file: "comments.json", input: #"{"comments_v2":[{"title" "t"}]}"#),
    .init(name: "error: bad separator in an object", file: "comments.json", input: #"{"comments_v2":[{"title":"t" "x":1}]}"#),
    .init(name: "error: bad separator in an array", file: "comments.json", input: #"{"comments_v2":[{"data":[1 2]}]}"#),
    .init(name: "error: end inside an object", file: "comments.json", input: #"{"comments_v2":[{"title":"t""#),
    .init(name: "error: end inside an array", file: "comments.json", input: #"{"comments_v2":[{"data":[1"#),
    .init(name: "error: end before a value", file: "comments.json", input: #"{"comments_v2":[{"data":"#),
    .init(name: "error: trailing data", file: "comments.json", input: #"{"comments_v2":[]} x"#),
    .init(name: "error: nesting deeper than the limit inside an item", file: "your_posts_1.json",
          input: "[{\"data\":" + String(repeating: "[", count: 300) + String(repeating: "]", count: 300) + "}]"),
    .init(name: "records before an error are kept", file: "likes_and_reactions_1.json",
          input: #"[{"timestamp":1706447700,"data":[{"reaction":{"reaction":"LIKE"}}],"title":"R menyukai kiriman P."},{"title":"x"#),
]

@Test("the fast JSON path gives the reference path's events, errors and offsets", arguments: oracleCases)
func fastMatchesReference(_ c: OracleCase) {
    let bytes = Array(c.input.utf8)
    let fast = readerEvents(bytes, name: c.file, reference: false)
    #expect(!fast.isEmpty)
    #expect(fast == readerEvents(bytes, name: c.file, reference: true))
}

@Test("the readers' table cases read the same by both paths", arguments: readerCases)
func readerCasesMatchReference(_ c: Case) {
    let bytes = Array(c.input.utf8)
    #expect(readerEvents(bytes, name: c.file, reference: false) == readerEvents(bytes, name: c.file, reference: true))
}

@Test("an item with more values than the limit is skipped alike by both paths, and the next item is read")
func itemValueLimit() {
    var limits = ReadLimits()
    limits.maxItemValues = 50
    let big = #"{"timestamp":1,"data":["# + Array(repeating: "1", count: 60).joined(separator: ",") + "]}"
    let input = "[" + big + #",{"timestamp":1705295400,"data":[{"post":"after"}]}]"#
    let fast = readerEvents(Array(input.utf8), name: "your_posts_1.json", reference: false, limits: limits)
    #expect(fast == ["your_posts_1.json:1 skipped item_too_large: an item with more than 50 JSON values; it was not read",
                     #"your_posts_1.json:2 post at=1705295400 date=2024-01-15 text="after""#])
    #expect(fast == readerEvents(Array(input.utf8), name: "your_posts_1.json", reference: true, limits: limits))
}

/// Byte-level mutations of `input` (cut, flip, insert, delete), from a seed.
func mutations(of input: [UInt8], count: Int, seed: UInt64) -> [[UInt8]] {
    var random = SplitMix64(seed: seed)
    let alphabet = Array(#"{}[]:,"\u0 1e-.tfnx\ "#.utf8) + [0x00, 0x0A, 0x80, 0xC3, 0xFF]
    return (0..<count).map { _ in
        var b = input
        for _ in 0..<Int.random(in: 1...3, using: &random) where !b.isEmpty {
            let at = Int.random(in: 0..<b.count, using: &random)
            switch Int.random(in: 0..<4, using: &random) {
            case 0: b.removeSubrange(at...)
            case 1: b[at] = alphabet.randomElement(using: &random)!
            case 2: b.insert(alphabet.randomElement(using: &random)!, at: at)
            default: b.remove(at: at)
            }
        }
        return b
    }
}

@Test("mutated inputs (cut, flipped, inserted, deleted bytes) read the same by both paths", arguments: oracleCases + readerCases.filter { $0.file.hasSuffix("json") || $0.file.hasSuffix("js") }.map { OracleCase(name: $0.name, file: $0.file, input: $0.input) })
func mutationsMatchReference(_ c: OracleCase) {
    for (k, bytes) in mutations(of: Array(c.input.utf8), count: 150, seed: UInt64(c.name.utf8.count)).enumerated() {
        let fast = readerEvents(bytes, name: c.file, reference: false)
        let reference = readerEvents(bytes, name: c.file, reference: true)
        #expect(fast == reference, "mutation \(k): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
        if fast != reference { return }
    }
}

@Test("every input of the readers' fuzz corpus reads the same by both paths", arguments: fuzzCorpus)
func fuzzCorpusMatchesReference(_ path: String) throws {
    let data = try #require(FileManager.default.contents(atPath: path))
    guard let first = data.first else { return }
    let name = fuzzFileNames[Int(first) % fuzzFileNames.count]
    guard !name.hasSuffix(".zip") else { return }
    let body = Array(data.dropFirst())
    #expect(readerEvents(body, name: name, reference: false) == readerEvents(body, name: name, reference: true))
}

// MARK: Foundation's parser as an independent oracle

/// A JSONValue tree from JSONSerialization's objects, with FORMATS.md §0.1's rule for Meta
/// strings (every scalar ≤ U+00FF: its bytes, read as UTF-8 if they are UTF-8). Object members
/// come out sorted by key (JSONSerialization keeps no order): the converters look members up by
/// name, and the files compared have no duplicate keys.
func foundationTree(_ value: Any, meta: Bool) -> JSONValue {
    func fix(_ s: String) -> String {
        guard meta, s.unicodeScalars.allSatisfy({ $0.value <= 0xFF }),
              let repaired = String(bytes: s.unicodeScalars.map { UInt8($0.value) }, encoding: .utf8) else { return s }
        return repaired
    }
    switch value {
    case let d as [String: Any]:
        return .object(d.keys.sorted().map { (key: fix($0), value: foundationTree(d[$0]!, meta: meta)) })
    case let a as [Any]:
        return .array(a.map { foundationTree($0, meta: meta) })
    case let s as String:
        return .string(fix(s))
    case let n as NSNumber:
        return .number(n.stringValue)
    default:
        return .null
    }
}

/// The events of a Meta export file read through Foundation: the readers' walk (a top-level
/// array's items, or the items of each known section) and their converters.
func foundationMetaEvents(_ bytes: [UInt8], name: String, path: String) throws -> [String] {
    let root = foundationTree(try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]), meta: true)
    let lower = name.lowercased()
    var recognised: [String] = [], unrecognised: [String] = []
    func take(_ event: ExportEvent) {
        if case .notJudged(reason: "unrecognized_item", _) = event { unrecognised.append(describe(event)) } else { recognised.append(describe(event)) }
    }
    switch root {
    case .array(let items):
        for (k, item) in items.enumerated() {
            take(MetaReader.convertArrayItem(item, likeFile: lower.contains("reaction") || lower.contains("like"),
                                             postFile: lower.contains("post"), source: SourceLocation(path: path, line: k + 1)))
        }
    case .object(let members):
        for (key, value) in members {
            guard let section = MetaReader.Section(rawValue: key) else { continue }
            switch value {
            case .array(let items):
                for (k, item) in items.enumerated() {
                    take(MetaReader.convert(section: section, item: item, source: SourceLocation(path: path, line: k + 1)))
                }
            case .object: take(MetaReader.convert(section: section, item: value, source: SourceLocation(path: path, line: 1)))
            default: break
            }
        }
    default: break
    }
    return recognised.isEmpty ? [] : recognised + unrecognised
}

/// A small export in the shape of Facebook's (posts, comments, reactions, memberships, pages),
/// written as Meta writes it (every non-ASCII byte a `\u00XX` escape, Python's `ensure_ascii`),
/// with texts that exercise the decoder: emoji, accents, quotes, line breaks, backslashes,
/// cp1252 damage, long runs.
func generatedMetaExport(seed: UInt64, items: Int) -> [(name: String, json: String)] {
    var random = SplitMix64(seed: seed)
    let pieces = ["Ayo coblos 02", "Prabowo-Gibran", "🙏", "✌️", "café", "“kutip”", "baris\ndua", "a\\b", "tab\there",
                  "ðŸ‘‡", "Ã°ÂŸÂ¤Â­", "\\xf0\\x9f\\x98\\x84", "#AMIN", "Ganjar–Mahfud", "€100", "日本", "\u{0}", "Â²",
                  String(repeating: "3", count: 300), "menaaang", "ＰＩＬＩＨ", "😀😀", "é’", "Ş"]
    func text() -> String {
        (0..<Int.random(in: 0...6, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined(separator: " ")
    }
    func meta(_ s: String) -> String {
        var out = "\""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out += "\\\""
            case UInt8(ascii: "\\"): out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x09: out += "\\t"
            case 0..<0x20, 0x80...: out += String(format: "\\u%04x", b)
            default: out += String(UnicodeScalar(b))
            }
        }
        return out + "\""
    }
    var ts = 1_700_000_000
    var posts: [String] = [], comments: [String] = [], likes: [String] = [], groups: [String] = [], pages: [String] = []
    for _ in 0..<items {
        ts += Int.random(in: 1...100_000, using: &random)
        let t = meta(text())
        posts.append(#"{"timestamp": \#(ts), "attachments": [{"data": [{"media": {"uri": "m.jpg", "description": \#(t)}}, {"external_context": {"url": "https://x"}}]}], "data": [{"post": \#(Bool.random(using: &random) ? t : "\"\"")}], "title": \#(meta("Rina menambahkan foto."))}"#)
        comments.append(#"{"timestamp": \#(ts), "data": [{"comment": {"timestamp": \#(ts), "comment": \#(meta(text())), "author": "Rina"\#(Bool.random(using: &random) ? #", "group": "# + meta(text()) : "")}}], "title": \#(meta("Rina mengomentari kiriman " + text() + (Bool.random(using: &random) ? " di Grup " + text() : "") + "."))}"#)
        likes.append(#"{"timestamp": \#(ts), "data": [{"reaction": {"reaction": "LIKE", "actor": "Rina"}}], "title": \#(meta("Rina menyukai kiriman " + text() + "."))}"#)
        groups.append(Bool.random(using: &random) ? #"{"timestamp": \#(ts), "data": [{"name": \#(meta(text()))}], "title": "x"}"# : #"{"timestamp": \#(ts), "title": "left"}"#)
        pages.append(#"{"name": \#(meta(text())), "timestamp": \#(ts), "url": "https://p"}"#)
    }
    return [
        ("your_posts__check_ins__photos_and_videos_1.json", "[\n  " + posts.joined(separator: ",\n  ") + "\n]"),
        ("comments.json", #"{"comments_v2": ["# + comments.joined(separator: ", ") + "]}"),
        ("likes_and_reactions_1.json", "[" + likes.joined(separator: ",") + "]"),
        ("your_group_membership_activity.json", #"{"groups_joined_v2": ["# + groups.joined(separator: ",") + "]}"),
        ("pages_you've_liked.json", #"{"page_likes_v2": ["# + pages.joined(separator: ",") + "]}"),
    ]
}

@Test("generated Facebook exports: fast path, reference path and Foundation's parser agree", arguments: [1, 2, 3] as [UInt64])
func generatedExportsAgree(_ seed: UInt64) throws {
    for (name, json) in generatedMetaExport(seed: seed, items: 300) {
        let bytes = Array(json.utf8)
        let fast = readerEvents(bytes, name: name, reference: false)
        #expect(fast.count >= 300, "\(name)")
        #expect(fast == readerEvents(bytes, name: name, reference: true), "\(name)")
        #expect(fast.sorted() == (try foundationMetaEvents(bytes, name: name, path: name)).sorted(), "\(name)")
    }
}

/// The JSON files of the shared samples, by platform.
let sampleJSONFiles: [String] = {
    guard formatsAvailable, let walker = FileManager.default.enumerator(atPath: formatsDirectory.path) else { return [] }
    var files: [String] = []
    while let relative = walker.nextObject() as? String {
        if relative.hasSuffix(".json") || relative.hasSuffix(".js"), !relative.hasPrefix("expected_labels") { files.append(relative) }
    }
    return files.sorted()
}()

@Test("every shared sample reads the same by both paths, and the Meta samples as Foundation reads them",
      .enabled(if: formatsAvailable), arguments: sampleJSONFiles)
func samplesAgree(_ relative: String) throws {
    let path = formatsDirectory.appendingPathComponent(relative).path
    let fast = readerEvents(path: path, reference: false)
    #expect(fast == readerEvents(path: path, reference: true))
    guard relative.hasPrefix("facebook/") || relative.hasPrefix("instagram/") else { return }
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    try #require(bytes.allSatisfy { $0 < 0x80 }, "Meta files are ASCII (every other byte is escaped)")
    let name = ExportReader.lastComponent(relative)
    #expect(fast.sorted() == (try foundationMetaEvents(bytes, name: name, path: path)).sorted())
}

@Test("CRC-32 by zlib and by libdeflate equal the slicing-by-8 reference (the check value, random buffers, split updates)")
func crcMatchesReference() {
    var check = CRC32()
    "123456789".utf8.withContiguousStorageIfAvailable { check.update(UnsafeRawBufferPointer($0)) }
    #expect(check.value == 0xCBF4_3926)
    var random = SplitMix64(seed: 9)
    for length in [0, 1, 7, 8, 9, 63, 64, 65, 1000, 70_000] {
        let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
        var fast = CRC32(), reference = CRC32Reference()
        let cut = length / 3
        bytes.withUnsafeBytes { raw in
            fast.update(UnsafeRawBufferPointer(rebasing: raw[..<cut]))
            fast.update(UnsafeRawBufferPointer(rebasing: raw[cut...]))
            reference.update(raw)
            // libdeflate's, used for entries inflated whole.
            if let crc32 = Libdeflate.shared?.crc32 { #expect(crc32(0, raw.baseAddress, raw.count) == reference.value, "libdeflate, length \(length)") }
        }
        #expect(fast.value == reference.value, "length \(length)")
    }
}

// MARK: Zip entries inflated whole (libdeflate) against ZIPFoundation chunk by chunk

/// Runs zip(1) in `directory` with `arguments`; the archive goes to `output` when given (streamed
/// to standard output, which makes zip write data descriptors).
func runZip(_ arguments: [String], in directory: URL, output: URL? = nil) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["zip"] + arguments
    process.currentDirectoryURL = directory
    if let output {
        FileManager.default.createFile(atPath: output.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: output)
    }
    try process.run()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "zip(1) is needed for this test")
}

struct ZipLayout: CustomTestStringConvertible, Sendable {
    var name: String
    var arguments: [String]
    var streamed = false
    var testDescription: String { name }
}

@Test("zipped exports read the same whole (libdeflate) and chunk by chunk (ZIPFoundation): deflated, stored, with data descriptors, damaged", arguments: [
    ZipLayout(name: "deflated", arguments: ["-q", "-r", "x.zip", "."]),
    ZipLayout(name: "stored", arguments: ["-q", "-0", "-r", "x.zip", "."]),
    ZipLayout(name: "streamed, with data descriptors", arguments: ["-q", "-fz-", "-r", "-", "."], streamed: true),
])
func zippedExportsAgree(_ layout: ZipLayout) throws {
    let dir = try temporaryDirectory("ziporacle")
    defer { try? FileManager.default.removeItem(at: dir) }
    let folder = dir.appendingPathComponent("export")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    for (name, json) in generatedMetaExport(seed: 11, items: 200) {
        try Data(json.utf8).write(to: folder.appendingPathComponent(name))
    }
    try Data("02/01/24 07.35 - Rina: coblos 02 ya\n".utf8).write(to: folder.appendingPathComponent("_chat.txt"))
    let zip = layout.streamed ? dir.appendingPathComponent("x.zip") : folder.appendingPathComponent("x.zip")
    try runZip(layout.arguments, in: folder, output: layout.streamed ? zip : nil)
    if Libdeflate.shared == nil { print("libdeflate.so.0 is not on this machine: both runs inflate through ZIPFoundation") }
    let whole = readerEvents(path: zip.path, reference: false)
    #expect(records(events(path: zip.path)).count > 800)
    #expect(whole == readerEvents(path: zip.path, reference: true))
    // Damaged copies: a flipped byte in the middle of the data, and the file cut short.
    var bytes = [UInt8](try Data(contentsOf: zip))
    for (k, damage) in [bytes.count / 3, bytes.count / 2].enumerated() {
        bytes[damage] ^= 0x5A
        let damaged = dir.appendingPathComponent("damaged\(k).zip")
        try Data(bytes).write(to: damaged)
        #expect(readerEvents(path: damaged.path, reference: false) == readerEvents(path: damaged.path, reference: true), "damage \(k)")
    }
}

@Test("every hostile zip gives the same events whole and chunk by chunk", .enabled(if: hostileAvailable),
      arguments: ["slip.zip", "slip2.zip", "abs.zip", "dslash.zip", "sym-abs.zip", "sym-rel.zip", "sym-chain.zip", "bomb.zip",
                  "overlap.zip", "liar.zip", "truncated.zip", "garbage.zip", "fuzz-crash-range.zip"])
func hostileZipsAgree(_ file: String) {
    let path = hostileDirectory.appendingPathComponent(file).path
    #expect(readerEvents(path: path, reference: false) == readerEvents(path: path, reference: true))
}

@Test("a JSON-looking bomb within the budgets and a zero bomb under large budgets: the same either way")
func bombsAgree() throws {
    let dir = try temporaryDirectory("bombs")
    defer { try? FileManager.default.removeItem(at: dir) }
    var json = Data("[".utf8)
    json.append(Data(repeating: 0x20, count: 3 << 20))
    json.append(Data("]".utf8))
    try json.write(to: dir.appendingPathComponent("posts_1.json"))
    try Data(repeating: 0, count: 3 << 20).write(to: dir.appendingPathComponent("comments.json"))
    try runZip(["-q", "b.zip", "posts_1.json", "comments.json"], in: dir)
    let zip = dir.appendingPathComponent("b.zip").path
    for (entry, archive) in [(1 << 20, 1 << 30), (64 << 20, 4 << 20), (64 << 20, 64 << 20)] {
        var limits = ReadLimits()
        limits.maxEntryBytes = entry
        limits.maxArchiveBytes = archive
        let whole = readerEvents(path: zip, reference: false, limits: limits)
        #expect(!whole.isEmpty)
        #expect(whole == readerEvents(path: zip, reference: true, limits: limits), "entry budget \(entry), archive budget \(archive)")
    }
}

/// Budgets that cut a zip of JSON entries in folders before, inside and after each entry: the
/// entry inflated ahead on another thread (`EntryPrefetch`) is used only where inflating it in
/// place would have been, so the fast path gives the reference path's events at every cut.
@Test("entries inflated ahead give the same events at every archive and entry budget")
func prefetchedEntriesAgree() throws {
    let dir = try temporaryDirectory("prefetch")
    defer { try? FileManager.default.removeItem(at: dir) }
    let folder = dir.appendingPathComponent("export")
    let files = generatedMetaExport(seed: 23, items: 120)
    var sizes: [Int] = []
    for (k, (name, json)) in files.enumerated() {
        // Folders between the entries, as real exports have.
        let sub = folder.appendingPathComponent("part\(k)/inner", isDirectory: true)
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        try Data(json.utf8).write(to: sub.appendingPathComponent(name))
        sizes.append(json.utf8.count)
    }
    try runZip(["-q", "-r", "../x.zip", "."], in: folder)
    let zip = dir.appendingPathComponent("x.zip").path
    #expect(sizes.count >= 3)
    var cuts = [1 << 30]
    var total = 0
    for size in sizes {
        cuts += [total + size / 2, total + size - 1, total + size]
        total += size
    }
    for archive in cuts {
        var limits = ReadLimits()
        limits.maxArchiveBytes = archive
        let fast = readerEvents(path: zip, reference: false, limits: limits)
        #expect(fast == readerEvents(path: zip, reference: true, limits: limits), "archive budget \(archive)")
        #expect(fast.contains { $0.contains("archive_budget") } == (archive < total), "archive budget \(archive)")
    }
    // Entry budgets that let two entries be inflated together, or only one at a time.
    for entry in [sizes.max()! + 1, 2 * sizes.max()! + 4096, 64 << 20] {
        var limits = ReadLimits()
        limits.maxEntryBytes = entry
        #expect(readerEvents(path: zip, reference: false, limits: limits) == readerEvents(path: zip, reference: true, limits: limits),
                "entry budget \(entry)")
    }
}
