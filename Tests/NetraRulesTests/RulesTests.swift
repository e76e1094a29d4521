import Foundation
import NetraCore
import Testing
@testable import NetraRules

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let bundledLexicons = repositoryRoot.appendingPathComponent("Lexicons").path

// MARK: Condition language

struct ConditionCase: CustomTestStringConvertible, Sendable {
    var name: String
    var text: String
    /// The parsed form, or nil when the text must be rejected.
    var parsed: String?
    /// For rejected texts: a part of the message and the column.
    var error: (String, Int)?
    var testDescription: String { name }
}

let conditionCases: [ConditionCase] = [
    .init(name: "a term list", text: "support", parsed: "support"),
    .init(name: "near", text: "support near pair.name within 4", parsed: "(support near pair.name within 4)"),
    .init(name: "before", text: "call_to_vote before pair.ident within 3", parsed: "(call_to_vote before pair.ident within 3)"),
    .init(name: "and binds tighter than or", text: "a or b and c", parsed: "(a or (b and c))"),
    .init(name: "not", text: "not a and b", parsed: "(not a and b)"),
    .init(name: "k of", text: "2 of (a, b, pair.number)", parsed: "2 of (a, b, pair.number)"),
    .init(name: "parentheses", text: "(a or b) near c within 1", parsed: "((a or b) near c within 1)"),
    .init(name: "contest references", text: "contest.keyword or contest.all_pairs", parsed: "(contest.keyword or contest.all_pairs)"),
    .init(name: "multi-line text", text: "a\n  or b", parsed: "(a or b)"),
    .init(name: "same sentence", text: "support near pair.name within sentence", parsed: "(support near pair.name within sentence)"),
    .init(name: "missing within", text: "a near b", error: ("expected 'within N'", 9)),
    .init(name: "missing number", text: "a near b within x", error: ("expected a number of tokens or 'sentence'", 17)),
    .init(name: "unknown pair field", text: "pair.nama", error: ("unknown pair field 'nama'", 1)),
    .init(name: "unknown dotted name", text: "x.y", error: ("unknown name 'x.y'", 1)),
    .init(name: "unbalanced parenthesis", text: "(a or b", error: ("expected ')'", 8)),
    .init(name: "k larger than the list", text: "3 of (a, b)", error: ("'3 of' needs between 1 and 2", 12)),
    .init(name: "uppercase is rejected", text: "Support", error: ("unexpected character 'S'", 1)),
    .init(name: "trailing garbage", text: "a b", error: ("unexpected 'b'", 3)),
    .init(name: "empty", text: "", error: ("expected a term list name", 1)),
    .init(name: "reserved word as name", text: "and", error: ("expected a term list name", 1)),
]

@Test("condition language", arguments: conditionCases)
func conditionParsing(_ c: ConditionCase) {
    do {
        let condition = try ConditionParser.parse(c.text)
        #expect(c.parsed == condition.description)
    } catch {
        guard let (message, column) = c.error else {
            Issue.record("unexpected error \(error)")
            return
        }
        #expect(error.message.contains(message), "\(error.message)")
        #expect(error.column == column)
    }
}

// MARK: Loading with file:line errors

/// Writes a lexicon directory with the given files (relative path → content) and returns it; the
/// caller removes it.
func makeLexicon(_ files: [String: String]) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("netra-lex-\(UUID().uuidString)")
    for sub in ["contests", "terms", "rules"] {
        try FileManager.default.createDirectory(at: dir.appendingPathComponent(sub), withIntermediateDirectories: true)
    }
    for (path, content) in files {
        try content.write(to: dir.appendingPathComponent(path), atomically: true, encoding: .utf8)
    }
    return dir.path
}

let minimalContest = """
id: test-contest
title: Test
level: kota
region: Kota Uji
election_day: 2024-11-27
watch_from: 2024-06-01
watch_until: 2024-12-15
pairs:
  - label: "1"
    number: 1
    members: [Budi Santoso]
    aliases: [pak budi]
"""
let minimalTerms = "support:\n  terms: [dukung]\n"
let minimalRules = """
rules:
  - id: NET-SM-01
    title: Posting dukungan
    category: posting_dukungan
    severity: berat
    basis: [SKB 2022]
    stance: support
    when: support near pair.name within 3
    examples:
      hit: ["dukung pak budi"]
      miss: ["pak budi makan"]
"""

struct LoadErrorCase: CustomTestStringConvertible, Sendable {
    var name: String
    var files: [String: String]
    /// Expected "file-suffix:line" and a part of the message.
    var location: String
    var message: String
    var testDescription: String { name }
}

let loadErrorCases: [LoadErrorCase] = [
    .init(name: "YAML syntax error", files: ["contests/c.yaml": "id: x\npairs: [\n"], location: "contests/c.yaml:3", message: "YAML syntax"),
    .init(name: "bad date", files: ["contests/c.yaml": minimalContest.replacingOccurrences(of: "2024-11-27", with: "27-11-2024")],
          location: "contests/c.yaml:5", message: "election_day: '27-11-2024' is not a date"),
    .init(name: "unknown contest key", files: ["contests/c.yaml": minimalContest + "\nwatchfrom: 2024-01-01\n"],
          location: "contests/c.yaml:13", message: "unknown key 'watchfrom'"),
    .init(name: "missing pairs", files: ["contests/c.yaml": minimalContest.components(separatedBy: "pairs:")[0]],
          location: "contests/c.yaml:1", message: "missing required key 'pairs'"),
    .init(name: "pair without members",
          files: ["contests/c.yaml": minimalContest.replacingOccurrences(of: "    members: [Budi Santoso]\n", with: "")],
          location: "contests/c.yaml:9", message: "'members' must name at least one candidate"),
    .init(name: "duplicate pair label",
          files: ["contests/c.yaml": minimalContest + "\n  - label: \"1\"\n    number: 1\n    members: [Ani]\n"],
          location: "contests/c.yaml:13", message: "pair label '1' already used at line 9"),
    .init(name: "unknown term list in a rule",
          files: ["rules/r.yaml": minimalRules.replacingOccurrences(of: "support near", with: "suport near")],
          location: "rules/r.yaml:2", message: "unknown term list 'suport'"),
    .init(name: "bad condition", files: ["rules/r.yaml": minimalRules.replacingOccurrences(of: "within 3", with: "within")],
          location: "rules/r.yaml:8", message: "expected a number of tokens"),
    .init(name: "rule that names no pair",
          files: ["rules/r.yaml": minimalRules.replacingOccurrences(of: "support near pair.name within 3", with: "support")],
          location: "rules/r.yaml:8", message: "must name the pair"),
    .init(name: "bad severity", files: ["rules/r.yaml": minimalRules.replacingOccurrences(of: "berat", with: "heavy")],
          location: "rules/r.yaml:5", message: "severity 'heavy'"),
    .init(name: "term that normalizes to nothing", files: ["terms/t.yaml": "support:\n  terms: [dukung, \"!!!\"]\n"],
          location: "terms/t.yaml:2", message: "'!!!' of 'support' normalizes to nothing"),
    .init(name: "target on a rule that judges no comments",
          files: ["rules/r.yaml": minimalRules.replacingOccurrences(of: "    stance: support\n", with: "    stance: support\n    kinds: [post]\n    target: support near pair.name within 3\n")],
          location: "rules/r.yaml:9", message: "only comment and reply rules"),
    .init(name: "record-scope rule that names a pair",
          files: ["rules/r.yaml": minimalRules.replacingOccurrences(of: "    stance: support\n", with: "    stance: support\n    scope: record\n")],
          location: "rules/r.yaml:9", message: "names no pair"),
    .init(name: "unknown field",
          files: ["rules/r.yaml": minimalRules.replacingOccurrences(of: "    stance: support\n", with: "    stance: support\n    fields: [caption]\n")],
          location: "rules/r.yaml:8", message: "unknown field 'caption'"),
    .init(name: "unknown record kind", files: ["rules/r.yaml": minimalRules.replacingOccurrences(of: "    stance: support\n", with: "    stance: support\n    kinds: [post, tweet]\n")],
          location: "rules/r.yaml:8", message: "unknown record kind 'tweet'"),
]

@Test("lexicon errors name file and line", arguments: loadErrorCases)
func loadErrors(_ c: LoadErrorCase) throws {
    var files = ["contests/c.yaml": minimalContest, "terms/t.yaml": minimalTerms, "rules/r.yaml": minimalRules]
    for (k, v) in c.files { files[k] = v }
    let dir = try makeLexicon(files)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    do {
        _ = try Lexicon.load(directory: dir)
        Issue.record("loading succeeded; expected \(c.message)")
    } catch {
        let lines = error.issues.map(\.description)
        #expect(lines.contains { $0.contains(c.location + ":") && $0.contains(c.message) }, "got: \(lines)")
    }
}

@Test("a minimal valid lexicon loads and its examples pass")
func minimalLexicon() throws {
    let dir = try makeLexicon(["contests/c.yaml": minimalContest, "terms/t.yaml": minimalTerms, "rules/r.yaml": minimalRules])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let lexicon = try Lexicon.load(directory: dir)
    #expect(lexicon.contests.map(\.id) == ["test-contest"])
    let results = CompiledLexicon(lexicon).runExamples()
    #expect(results.count == 2 && results.allSatisfy(\.passed))
}

// MARK: The bundled lexicon

@Test("the bundled lexicon loads with the contest ids of the issue")
func bundledContests() throws {
    let lexicon = try Lexicon.load(directory: bundledLexicons)
    #expect(Set(lexicon.contests.map(\.id)) == [
        "pilpres-2024", "pilwalkot-makassar-2024", "pilwalkot-baubau-2024", "pilbup-jeneponto-2024",
        "pilwalkot-palangka-raya-2024", "pilgub-sulsel-2024", "pilgub-sultra-2024", "pilgub-kalteng-2024",
    ])
    let pilpres = try #require(lexicon.contests.first { $0.id == "pilpres-2024" })
    #expect(pilpres.pairs.map(\.label) == ["01", "02", "03"])
    for contest in lexicon.contests where contest.id != "pilpres-2024" {
        #expect(contest.pairs.allSatisfy { $0.label == String($0.number) }, "\(contest.id): Pilkada labels are plain numbers")
    }
    for id in ["NET-SM-01", "NET-SM-08", "NET-SM-09"] {
        #expect(lexicon.rules.contains { $0.id == id })
    }
    #expect(lexicon.version.hasPrefix("lex-") && lexicon.version.contains("norm-"))
}

@Test("every example of every bundled rule holds")
func bundledExamples() throws {
    let compiled = CompiledLexicon(try Lexicon.load(directory: bundledLexicons))
    let results = compiled.runExamples()
    #expect(results.count >= 20)
    for r in results where !r.passed {
        Issue.record("\(r.file):\(r.example.line): \(r.rule) \(r.expectsHit ? "hit" : "miss") failed (\(r.detail)): \(r.example.text)")
    }
}

/// Screens one text with the bundled lexicon and returns "RULE contest/pair stance" strings.
func flags(_ text: String, kind: RecordKind = .post, date: String? = nil, group: String? = nil,
           contests: [String] = []) throws -> [String] {
    let compiled = CompiledLexicon(try Lexicon.load(directory: bundledLexicons, contests: contests))
    var screener = Screener(compiled)
    let record = Record(id: "t", kind: kind, createdAt: date, date: date.flatMap { CalendarDate(iso: Substring($0)) },
                        text: text, group: group, source: SourceLocation(path: "-", line: 1))
    return screener.screen(record).map { "\($0.rule) \($0.contest)/\($0.pair) \($0.stance.rawValue)" }.sorted()
}

struct ScreenCase: CustomTestStringConvertible, Sendable {
    var name: String
    var text: String
    var date: String?
    var expected: [String]
    var testDescription: String { name }
}

let screenCases: [ScreenCase] = [
    .init(name: "call to vote with a pilpres label", text: "Ayo coblos 02 Prabowo-Gibran!", date: "2024-02-01",
          expected: ["NET-SM-08 pilpres-2024/02 support"]),
    .init(name: "the same post dated 2019 is outside every window", text: "Ayo coblos 02 Prabowo-Gibran!", date: "2019-04-01", expected: []),
    .init(name: "a Pilkada number alone names no contest", text: "Ayo coblos nomor 2!", date: "2024-11-20", expected: []),
    .init(name: "a Pilkada number with the city names the contest", text: "Warga Makassar, ayo coblos nomor 2!", date: "2024-11-20",
          expected: ["NET-SM-08 pilwalkot-makassar-2024/2 support"]),
    .init(name: "acronym alone never flags", text: "Alhamdulillah keadaan AMAN dan hati SEHATI", date: "2024-11-20", expected: []),
    .init(name: "prayer is not the AMIN ticket", text: "Semoga menang lomba, aamiin", date: "2024-01-10", expected: []),
    .init(name: "neutrality reminder is vetoed", text: "ASN dilarang mendukung Prabowo, Anies atau Ganjar di medsos", date: "2024-01-10", expected: []),
    .init(name: "news attribution is vetoed", text: "Prabowo yakin menang satu putaran, kata Sekjen Gerindra", date: "2024-01-10", expected: []),
    .init(name: "negative campaign", text: "Jangan pilih Ganjar-Mahfud!", date: "2024-01-10", expected: ["NET-SM-09 pilpres-2024/03 oppose"]),
    .init(name: "opposition phrase of a pair", text: "Pokoknya asal bukan 02 #salam4jari", date: "2024-02-01", expected: ["NET-SM-09 pilpres-2024/02 oppose"]),
    .init(name: "negated support is vetoed", text: "Saya tidak mendukung Anies", date: "2024-01-10", expected: []),
    .init(name: "a one-word hashtag names its candidate", text: "Menang telak! #Ganjar #Mahfud", date: "2024-01-10",
          expected: ["NET-SM-01 pilpres-2024/03 support"]),
]

@Test("screening decisions", arguments: screenCases)
func screening(_ c: ScreenCase) throws {
    #expect(try flags(c.text, date: c.date) == c.expected)
}

@Test("`within sentence` holds inside one sentence only")
func sentenceScope() throws {
    let rules = minimalRules.replacingOccurrences(of: "support near pair.name within 3", with: "support before pair.name within sentence")
    let dir = try makeLexicon(["contests/c.yaml": minimalContest, "terms/t.yaml": minimalTerms, "rules/r.yaml": rules])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var screener = Screener(CompiledLexicon(try Lexicon.load(directory: dir)))
    func fired(_ text: String) -> Bool { screener.explain(text: text).decisions.contains { $0.outcome == .hit } }
    #expect(fired("Saya dukung, dengan sepenuh hati dan tanpa ragu sedikit pun, Pak Budi"))
    #expect(!fired("Saya dukung program itu. Pak Budi datang besok"))
    #expect(!fired("Saya dukung! Pak Budi datang besok"))
}

/// A group membership lasts until the group is left: judged for contests whose window had opened
/// when it was joined (`Contest.watches(_:kind:)`); acts are judged inside the window only.
let membershipDateCases: [ScreenCase] = [
    .init(name: "joined during the campaign", text: "Sahabat AMIN Jawa Tengah", date: "2024-01-10",
          expected: ["NET-SM-06 pilpres-2024/01 support"]),
    .init(name: "joined after the vote, still the pair's group", text: "Sahabat AMIN Jawa Tengah", date: "2024-09-30",
          expected: ["NET-SM-06 pilpres-2024/01 support"]),
    .init(name: "joined on the day the window opened", text: "Relawan Ganjar-Mahfud Sukamaju", date: "2023-10-19",
          expected: ["NET-SM-06 pilpres-2024/03 support"]),
    .init(name: "joined the day before the window opened", text: "Relawan Ganjar-Mahfud Sukamaju", date: "2023-10-18", expected: []),
    .init(name: "a 2017 group of another pair", text: "Relawan Anies-Sandi DKI", date: "2017-01-15", expected: []),
    .init(name: "undated membership", text: "Relawan Anies-Sandi DKI", date: nil, expected: ["NET-SM-06 pilpres-2024/01 support"]),
    .init(name: "a neutral group joined after the vote", text: "Info Loker & Jual Beli Sukamaju", date: "2024-09-30", expected: []),
]

@Test("group memberships by join date", arguments: membershipDateCases)
func membershipDates(_ c: ScreenCase) throws {
    #expect(try flags("", kind: .group, date: c.date, group: c.text) == c.expected)
}

@Test("an act after the window is not judged, whatever its kind")
func actsAfterWindow() throws {
    #expect(try flags("Sahabat AMIN Jawa Tengah", kind: .follow, date: "2024-09-30").isEmpty)
    #expect(try flags("Gas terus Pak Prabowo ✌️", kind: .comment, date: "2024-09-30").isEmpty)
    #expect(try flags("Gas terus Pak Prabowo ✌️", kind: .comment, date: "2024-01-30") == ["NET-SM-02 pilpres-2024/02 support"])
}

@Test("one screener over records of changing dates and kinds judges each as a fresh one does")
func oneScreenerAcrossDates() throws {
    // The screener keeps the contests it found active for the last record's date and kind:
    // every record here changes one of them, or repeats the last.
    let sequence: [(text: String, kind: RecordKind, date: String?, group: String?)] = [
        ("", .group, "2024-09-30", "Sahabat AMIN Jawa Tengah"),
        ("Sahabat AMIN Jawa Tengah", .follow, "2024-09-30", nil),
        ("Gas terus Pak Prabowo ✌️", .comment, "2024-09-30", nil),
        ("Gas terus Pak Prabowo ✌️", .comment, "2024-01-30", nil),
        ("Gas terus Pak Prabowo ✌️", .comment, "2024-01-30", nil),
        ("", .group, "2023-10-18", "Relawan Ganjar-Mahfud Sukamaju"),
        ("", .group, "2023-10-19", "Relawan Ganjar-Mahfud Sukamaju"),
        ("Saya kader Gerindra sejak 2015, bangga!", .post, "2019-01-10", nil),
        ("Saya kader Gerindra sejak 2015, bangga!", .post, nil, nil),
        ("Saya kader Gerindra sejak 2015, bangga!", .post, "2024-01-10", nil),
    ]
    let compiled = CompiledLexicon(try Lexicon.load(directory: bundledLexicons))
    var shared = Screener(compiled)
    var flaggedCount = 0
    for (index, r) in sequence.enumerated() {
        let record = Record(id: "t\(index)", kind: r.kind, createdAt: r.date, date: r.date.flatMap { CalendarDate(iso: Substring($0)) },
                            text: r.text, group: r.group, source: SourceLocation(path: "-", line: index + 1))
        var fresh = Screener(compiled)
        let expected = fresh.screen(record).map { "\($0.rule) \($0.contest)/\($0.pair)" }
        #expect(shared.screen(record).map { "\($0.rule) \($0.contest)/\($0.pair)" } == expected, "record \(index)")
        if !expected.isEmpty { flaggedCount += 1 }
    }
    // Both judged and unjudged records are in the sequence.
    #expect(flaggedCount >= 4 && flaggedCount <= sequence.count - 4)
}

@Test("a comment is judged by NET-SM-02, not NET-SM-01")
func commentRule() throws {
    #expect(try flags("Gas terus Pak Prabowo ✌️", kind: .comment) == ["NET-SM-02 pilpres-2024/02 support"])
}

/// Screens a comment on `target` (the commented post's text and author) with the bundled lexicon.
func commentFlags(_ text: String, targetText: String? = nil, targetAuthor: String? = nil, date: String = "2024-02-01") throws -> [String] {
    let compiled = CompiledLexicon(try Lexicon.load(directory: bundledLexicons))
    var screener = Screener(compiled)
    let record = Record(id: "t", kind: .comment, createdAt: date, date: CalendarDate(iso: Substring(date)), text: text,
                        target: RecordTarget(author: targetAuthor, text: targetText), source: SourceLocation(path: "-", line: 1))
    return screener.screen(record).map { "\($0.rule) \($0.contest)/\($0.pair) \($0.stance.rawValue)" }.sorted()
}

@Test("a comment is judged with the post it answers")
func commentWithTarget() throws {
    let campaign = "Ayo coblos 02 Prabowo-Gibran tanggal 14 Februari!"
    #expect(try commentFlags("Gas pak! ✌️", targetText: campaign) == ["NET-SM-02T pilpres-2024/02 support"])
    #expect(try commentFlags("Aamiin", targetAuthor: "Sahabat Ganjar Official") == ["NET-SM-02T pilpres-2024/03 support"])
    // The same cheer under a neutral or unrelated post, a negated cheer, or a post outside the window: nothing.
    #expect(try commentFlags("Gas pak!", targetText: "Jalan-jalan sore di Pantai Losari").isEmpty)
    #expect(try commentFlags("Mantap", targetText: "KPU tetapkan nomor urut: 1 Anies-Muhaimin, 2 Prabowo-Gibran, 3 Ganjar-Mahfud").isEmpty)
    #expect(try commentFlags("Tidak setuju", targetText: campaign).isEmpty)
    #expect(try commentFlags("Gas pak!", targetText: campaign, date: "2019-02-01").isEmpty)
    // The comment's own text still counts by itself, and evidence names the field it came from.
    let compiled = CompiledLexicon(try Lexicon.load(directory: bundledLexicons))
    var screener = Screener(compiled)
    let record = Record(id: "t", kind: .comment, text: "Gas pak!", target: RecordTarget(text: campaign),
                        source: SourceLocation(path: "-", line: 1))
    let evidence = try #require(screener.screen(record).first).evidence
    #expect(evidence.contains { $0.field == "text" && $0.text == "Gas pak" })
    #expect(evidence.contains { $0.field == "target.text" && $0.text == "02" })
    let explained = screener.explain(text: "Gas pak!", kind: .comment, target: campaign)
    #expect(explained.decisions.contains { $0.rule == "NET-SM-02T" && $0.outcome == .hit })
}

@Test("a comment without its target is judged by its own text only")
func commentWithoutTarget() throws {
    #expect(try commentFlags("Gas pak! ✌️").isEmpty)
}

@Test("record-scope rules name no pair and still follow the watch windows")
func recordScope() throws {
    #expect(try flags("Saya kader Gerindra sejak 2015, bangga!", date: "2024-01-10") == ["NET-PT-01 / support"])
    #expect(try flags("Saya kader Gerindra sejak 2015, bangga!", date: "2019-01-10").isEmpty)
    #expect(try flags("Saya bukan kader partai mana pun.", date: "2024-01-10").isEmpty)
}

@Test("a rule limited to target.author reads only the account a like or follow points at")
func authorField() throws {
    let compiled = CompiledLexicon(try Lexicon.load(directory: bundledLexicons))
    var screener = Screener(compiled)
    func judge(_ kind: RecordKind, author: String?, text: String?) -> [String] {
        let record = Record(id: "t", kind: kind, createdAt: "2024-01-20", date: CalendarDate(iso: "2024-01-20"), text: "",
                            target: RecordTarget(author: author, text: text), source: SourceLocation(path: "-", line: 1))
        return screener.screen(record).map { "\($0.rule) \($0.contest)/\($0.pair)" }
    }
    #expect(judge(.reaction, author: "Prabowo Subianto", text: "Terima kasih relawan!") == ["NET-SM-05A pilpres-2024/02"])
    #expect(judge(.follow, author: "Ganjar Pranowo", text: nil) == ["NET-SM-05A pilpres-2024/03"])
    #expect(judge(.reaction, author: "Portal Berita Kita", text: "Prabowo kunjungi pasar Terong").isEmpty)
    #expect(judge(.page, author: "Kementerian PANRB", text: nil).isEmpty)
}

@Test("--contest limits screening to the named contests")
func contestSelection() throws {
    #expect(try flags("Ayo coblos 02 Prabowo-Gibran!", contests: ["pilwalkot-makassar-2024"]) == [])
    #expect(try flags("Ayo coblos 02 Prabowo-Gibran!", contests: ["pilpres-2024"]) == ["NET-SM-08 pilpres-2024/02 support"])
}

@Test("a contest file written from DESIGN.md §3.4 alone loads and screens")
func userContestFile() throws {
    let yaml = """
    id: pilpres-2024
    title: Pemilihan Presiden dan Wakil Presiden 2024
    level: nasional            # nasional | provinsi | kabupaten | kota
    region: Indonesia
    election_day: 2024-02-14
    watch_from: 2023-10-19     # posts dated in [watch_from, watch_until] are judged for this contest
    watch_until: 2024-03-20
    campaign_from: 2023-11-28
    campaign_until: 2024-02-10
    pairs:
      - label: "01"
        number: 1
        acronym: AMIN
        members: [Anies Baswedan, Muhaimin Iskandar]
        aliases: [anies, abah, cak imin, gus imin]
        hashtags: [AMIN, AminAjaDulu, AniesMuhaimin2024]   # written without '#'
        slogans: [perubahan]
        teams: [Timnas AMIN, Koalisi Perubahan]
        gestures: [salam satu jari, "☝️"]
    """
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("user-contest-\(UUID().uuidString).yaml").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try yaml.write(toFile: path, atomically: true, encoding: .utf8)
    let lexicon = try Lexicon.load(directory: bundledLexicons, contests: [path])
    #expect(lexicon.contests.map(\.id) == ["pilpres-2024"] && lexicon.contests[0].pairs.count == 1)
    #expect(try flags("Saya dukung Cak Imin ☝️ #AminAjaDulu", date: "2024-01-05", contests: [path])
        == ["NET-SM-01 pilpres-2024/01 support"])
}

@Test("an unknown contest id is an error naming the bundled ones")
func unknownContest() {
    #expect(throws: LexiconLoadError.self) { try Lexicon.load(directory: bundledLexicons, contests: ["pilpres-2099"]) }
}

// MARK: Dates

struct DateCase: CustomTestStringConvertible, Sendable {
    var name: String
    var text: String
    var expected: String?
    var testDescription: String { name }
}

let dateCases: [DateCase] = [
    .init(name: "ISO date", text: "2024-02-14", expected: "2024-02-14"),
    .init(name: "ISO timestamp keeps the written local date", text: "2024-01-17T23:05:00+07:00", expected: "2024-01-17"),
    .init(name: "ISO with a space", text: "2024-01-09 23:58:48", expected: "2024-01-09"),
    .init(name: "X archive form", text: "Sun Jun 23 13:36:08 +0000 2024", expected: "2024-06-23"),
    .init(name: "month out of range", text: "2024-13-01", expected: nil),
    .init(name: "not a date", text: "kemarin sore", expected: nil),
    .init(name: "X form with a bad month", text: "Sun Jux 23 13:36:08 +0000 2024", expected: nil),
]

@Test("created_at forms", arguments: dateCases)
func dates(_ c: DateCase) {
    let parsed = CalendarDate(iso: Substring(c.text)) ?? CalendarDate(twitter: Substring(c.text))
    #expect(parsed?.description == c.expected)
}

@Test("unix seconds are read in WIB (UTC+7)")
func unixDates() {
    // 2024-02-13T17:00:00Z is 2024-02-14 00:00 WIB.
    #expect(CalendarDate(unixSeconds: 1_707_843_600, utcOffsetSeconds: 7 * 3600).description == "2024-02-14")
    #expect(CalendarDate(unixSeconds: 1_707_843_599, utcOffsetSeconds: 7 * 3600).description == "2024-02-13")
    #expect(CalendarDate(unixSeconds: 0, utcOffsetSeconds: 0).description == "1970-01-01")
    #expect(CalendarDate(unixSeconds: -1, utcOffsetSeconds: 0).description == "1969-12-31")
}

// MARK: Proximity against a slow oracle

/// Hits laid out as the normalizer would: one-token or two-token terms at increasing positions.
func randomHits(_ rng: inout some RandomNumberGenerator, count: Int) -> [Hit] {
    (0..<count).map { _ in
        let token = Int32.random(in: 0..<40, using: &rng)
        let length = Int32.random(in: 1...2, using: &rng)
        return Hit(tokenStart: token, tokenEnd: token + length, byteStart: token * 10, byteEnd: (token + length) * 10 - 1,
                   pattern: 0)
    }
}

@Test("`before` finds a pair exactly when the quadratic oracle does, and only valid witnesses")
func proximityOracle() {
    var rng = SystemRandomNumberGenerator()
    for _ in 0..<2000 {
        let left = randomHits(&rng, count: Int.random(in: 0...6, using: &rng))
        let right = randomHits(&rng, count: Int.random(in: 0...6, using: &rng))
        let n = Int32.random(in: 0...4, using: &rng)
        let oracle = left.contains { x in right.contains { y in x.byteEnd <= y.byteStart && y.tokenStart - x.tokenEnd <= n } }
        var found: [Hit] = []
        Screener.before(left, right, within: n, into: &found)
        #expect(!found.isEmpty == oracle, "left \(left) right \(right) n \(n)")
        for i in stride(from: 0, to: found.count, by: 2) {
            let (x, y) = (found[i], found[i + 1])
            #expect(left.contains(x) && right.contains(y) && x.byteEnd <= y.byteStart && y.tokenStart - x.tokenEnd <= n)
        }
    }
}

@Test("a record stuffed with terms is screened in linear time")
func stuffedRecord() throws {
    // 100,000 support words and 100,000 candidate names: quadratic proximity would not finish.
    let text = String(repeating: "dukung prabowo ", count: 100_000)
    #expect(try flags(text, date: "2024-01-10") == ["NET-SM-01 pilpres-2024/02 support"])
}

// MARK: Pair nicknames and joined names

let nicknameContest = """
id: test-contest
title: Test
level: kota
region: Kota Uji
election_day: 2024-11-27
watch_from: 2024-06-01
watch_until: 2024-12-15
pairs:
  - label: "1"
    number: 1
    members: [Budi Santoso]
    aliases: [pak de, budi]
    nicknames: [bos kumis]
  - label: "2"
    number: 2
    members: [Wati]
"""
let nicknameRules = """
rules:
  - id: T-NAME
    title: Dukungan dengan nama
    category: posting_dukungan
    severity: berat
    basis: [SKB 2022]
    stance: support
    kinds: [post, follow]
    when: support near pair.name within 3 or pair.name and follows
    examples:
      hit: ["dukung pak budi"]
      miss: ["dukung bos kumis"]
  - id: T-NICK
    title: Pujian dengan julukan
    category: posting_dukungan
    severity: berat
    basis: [SKB 2022]
    stance: support
    when: praise near pair.nickname within 2
    examples:
      hit: ["bos kumis hebat"]
      miss: ["kumis hebat"]
"""

struct NicknameCase: CustomTestStringConvertible, Sendable {
    var name: String
    var text: String
    var kind: RecordKind = .post
    var expected: [String]
    var testDescription: String { name }
}

let nicknameCases: [NicknameCase] = [
    .init(name: "a nickname is not a name: support beside it does not count", text: "dukung bos kumis", expected: []),
    .init(name: "a rule that asks for the nickname reads it", text: "bos kumis hebat", expected: ["T-NICK 1"]),
    .init(name: "the nickname is not part of the pair's other fields", text: "hebat budi", expected: []),
    .init(name: "a two-word name written as one word (a handle) is a name", text: "dukung budisantoso", expected: ["T-NAME 1"]),
    .init(name: "a handle in a follow list", text: "budisantoso ikuti", kind: .follow, expected: ["T-NAME 1"]),
    .init(name: "a joined form under eight letters is left out", text: "dukung pakde", expected: []),
    .init(name: "a one-word name gets no joined form", text: "dukung wati", expected: ["T-NAME 2"]),
]

@Test("pair nicknames are read only by rules that name pair.nickname; multi-word names also match as one word",
      arguments: nicknameCases)
func nicknamesAndJoinedNames(_ c: NicknameCase) throws {
    let dir = try makeLexicon(["contests/t.yaml": nicknameContest,
                               "terms/t.yaml": "support:\n  terms: [dukung]\npraise:\n  terms: [hebat]\nfollows:\n  terms: [ikuti]\n",
                               "rules/t.yaml": nicknameRules])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let lexicon = try Lexicon.load(directory: dir)
    #expect(lexicon.warnings.isEmpty)
    let examples = CompiledLexicon(lexicon).runExamples()
    #expect(examples.count == 4 && examples.allSatisfy { $0.passed })
    var screener = Screener(CompiledLexicon(lexicon))
    let record = Record(id: "t", kind: c.kind, createdAt: nil, date: nil, text: c.text, group: nil,
                        source: SourceLocation(path: "-", line: 1))
    #expect(screener.screen(record).map { "\($0.rule) \($0.pair)" }.sorted() == c.expected)
}
