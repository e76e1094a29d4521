import Foundation
import NetraCore
import NetraReport
import Testing

/// Undoes the renderer's escaping (for reading attribute values back).
func unescape(_ s: String) -> String {
    s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
        .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
        .replacingOccurrences(of: "&amp;", with: "&")
}

/// The HTML of one element found by its opening text up to its closing tag.
func element(_ html: String, opening: String, closing: String) -> String? {
    guard let start = html.range(of: opening), let end = html.range(of: closing, range: start.upperBound..<html.endIndex)
    else { return nil }
    return String(html[start.lowerBound..<end.upperBound])
}

/// The bars of chart `id` as (label, count) read back from the SVG, checking the drawn count text too.
func bars(_ html: String, chart id: String) -> [(label: String, count: Int)] {
    guard let figure = element(html, opening: "<figure class=\"chart\" id=\"chart-\(id)\"", closing: "</figure>") else {
        Issue.record("no chart \(id)")
        return []
    }
    let bar = /<g class="bar" data-label="([^"]*)" data-count="(\d+)">.*?<text class="count"[^>]*>(\d+)<\/text><\/g>/
    return figure.matches(of: bar).map { m in
        #expect(m.output.2 == m.output.3, "drawn count differs from data-count")
        return (unescape(String(m.output.1)), Int(m.output.2)!)
    }
}

/// The attribute names of one tag (`<name a="v" b>`), or nil when it is not a plain well-formed tag.
func attributeNames(_ tag: String) -> [String]? {
    var s = Substring(tag)
    guard s.hasPrefix("<"), s.hasSuffix(">") else { return nil }
    s = s.dropFirst().dropLast()
    if s.hasPrefix("/") { s = s.dropFirst() }
    let name = s.prefix { $0.isLetter || $0.isNumber || $0 == "!" }
    guard !name.isEmpty else { return nil }
    s = s.dropFirst(name.count)
    if name == "!DOCTYPE" { return s == " html" ? [] : nil }
    var names: [String] = []
    while !s.isEmpty {
        guard s.first == " " else { return nil }
        s = s.dropFirst()
        let attribute = s.prefix { $0.isLetter || $0 == "-" }
        guard !attribute.isEmpty else { return nil }
        names.append(String(attribute))
        s = s.dropFirst(attribute.count)
        if s.first == "=" {
            s = s.dropFirst()
            guard s.first == "\"", let close = s.dropFirst().firstIndex(of: "\"") else { return nil }
            s = s[s.index(after: close)...]
        }
    }
    return names
}

/// The card of finding `id`.
func card(_ html: String, _ id: Int64) -> String? {
    element(html, opening: "<article class=\"card", closing: "</article>").flatMap { _ in
        guard let r = html.range(of: "id=\"finding-\(id)\">") else { return nil }
        let head = html[..<r.lowerBound].range(of: "<article", options: .backwards)!.lowerBound
        let end = html.range(of: "</article>", range: r.upperBound..<html.endIndex)!.upperBound
        return String(html[head..<end])
    }
}

func finding(_ id: Int64, text: String = "Ayo coblos 02", day: String? = "2024-01-17", contest: String = "pilpres-2024",
             category: String = "ajakan_memilih", unit: String? = "Dinas Pendidikan", review: ReportReview? = nil) -> ReportFinding {
    ReportFinding(id: id, rule: "NET-AJ-01", ruleTitle: "Ajakan memilih", category: category, contest: contest, pair: "02",
                  stance: "support", severity: "berat", score: 0.9, basis: ["PP 94/2021 Pasal 5 huruf n"],
                  recordID: "fb-\(id)", kind: "post", createdAt: day, day: day, sourcePath: "in.jsonl", sourceLine: Int(id),
                  fields: [ReportField(name: "text", text: text)],
                  evidence: text.isEmpty ? [] : [ReportEvidence(start: 0, end: min(3, text.unicodeScalars.count), text: String(String.UnicodeScalarView(text.unicodeScalars.prefix(3))), term: "ayo")],
                  review: review, subject: unit.map { ReportSubject(name: "Pegawai \(id)", unit: $0) })
}

@Suite struct HTMLReportTests {
    // MARK: Escaping

    static let payloads = [
        "<script>alert(\"x\")</script>",
        "\" onmouseover=\"alert(1)",
        "' onfocus='alert(1)' x='",
        "</textarea></style></svg><img src=x onerror=alert(1)>",
    ]

    struct Position: Sendable, CustomTestStringConvertible {
        var name: String
        var apply: @Sendable (inout ReviewReport, String) -> Void
        var testDescription: String { name }
    }

    static let positions: [Position] = [
        Position(name: "record text") { r, p in r.findings[0].fields[0].text = p },
        Position(name: "target author") { r, p in r.findings[0].fields.append(ReportField(name: "target.author", text: p)) },
        Position(name: "field name") { r, p in r.findings[0].fields.append(ReportField(name: p, text: "x")) },
        Position(name: "evidence text and term") { r, p in
            r.findings[0].evidence.append(ReportEvidence(field: p, start: 0, end: 1, text: p, term: p)) },
        Position(name: "title") { r, p in r.title = p },
        Position(name: "generated at and versions") { r, p in r.generatedAt = p; r.lexiconVersions = [p]; r.stores = [p] },
        Position(name: "rule, title, category, contest, pair") { r, p in
            r.findings[0].rule = p; r.findings[0].ruleTitle = p; r.findings[0].category = p; r.findings[0].contest = p
            r.findings[0].pair = p },
        Position(name: "stance, severity, kind, record id, path, day") { r, p in
            r.findings[0].stance = p; r.findings[0].severity = p; r.findings[0].kind = p; r.findings[0].recordID = p
            r.findings[0].sourcePath = p; r.findings[0].day = p; r.findings[0].createdAt = p },
        Position(name: "basis") { r, p in r.findings[0].basis = [p] },
        Position(name: "subject") { r, p in r.findings[0].subject = ReportSubject(account: p, nip: p, name: p, unit: p, superior: p) },
        Position(name: "review") { r, p in r.findings[0].review = ReportReview(state: .unsure, reviewer: p, note: p, at: p) },
        Position(name: "store of the finding") { r, p in r.findings[0].store = p },
        Position(name: "quarantine") { r, p in r.quarantined = [QuarantinedInput(path: p, reason: p)] },
    ]

    @Test(arguments: positions, payloads)
    func untrustedTextIsEscaped(_ position: Position, payload: String) {
        var report = ReviewReport(title: "T", generatedAt: "now", findings: [finding(1)])
        position.apply(&report, payload)
        let html = renderHTML(report)
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("onmouseover=\""))
        #expect(!html.contains("onfocus='"))
        // Payload text shows up only as text: escaped (marks aside; the store is shown shell-quoted).
        let unmarked = html.replacingOccurrences(of: "<mark>", with: "").replacingOccurrences(of: "</mark>", with: "")
        #expect(unmarked.contains(HTMLText.escape(position.name == "store of the finding" ? "'" + payload.replacingOccurrences(of: "'", with: "'\\''") + "'" : payload)))
        // No payload reaches markup: every tag parses as ours, with only our attribute names, double-quoted.
        let names: Set<String> = ["lang", "charset", "name", "content", "class", "id", "href", "data-stat", "data-chart",
                                  "data-total", "data-label", "data-count", "data-state", "data-field", "role", "aria-label",
                                  "aria-labelledby", "viewBox", "width", "height", "x", "y", "rx", "text-anchor"]
        for tag in html.matches(of: /<[^>]*>/) {
            let t = String(tag.output)
            guard let attributes = attributeNames(t) else { Issue.record("unparsable tag \(t)"); continue }
            for a in attributes { #expect(names.contains(a), "attribute \(a) in \(t)") }
        }
        // The only tags are ours: every tag name is in the renderer's fixed set.
        let allowed: Set<String> = ["!DOCTYPE", "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "dl",
                                    "div", "dt", "dd", "code", "ul", "li", "span", "main", "section", "figure", "figcaption",
                                    "svg", "g", "text", "rect", "p", "table", "thead", "tbody", "tr", "th", "td", "a", "article",
                                    "strong", "mark", "q", "footer", "time", "blockquote", "pre"]
        for m in html.matches(of: /<\/?([!A-Za-z0-9]+)/) { #expect(allowed.contains(String(m.output.1)), "tag \(m.output.1)") }
    }

    @Test func escapeReplacesEverySpecialCharacter() {
        #expect(HTMLText.escape("a&b<c>d\"e'f") == "a&amp;b&lt;c&gt;d&quot;e&#39;f")
        #expect(HTMLText.escape("x\u{0}y\u{1B}z\u{85}\u{FFFE}") == "x\u{FFFD}y\u{FFFD}z\u{FFFD}\u{FFFD}")
        #expect(HTMLText.escape("tab\tline\ncr\r ✌️ é") == "tab\tline\ncr\r ✌️ é")
    }

    @Test func storePathInHintIsShellQuotedAndEscaped() {
        var report = ReviewReport(title: "T", generatedAt: "now", stores: ["/srv/netra/netra.sqlite"], findings: [finding(7), finding(8)])
        report.findings[1].store = "/tmp/O'Brien store.sqlite"
        let html = renderHTML(report)
        #expect(html.contains("netra review 7 confirmed --store /srv/netra/netra.sqlite\nnetra review 7 dismissed --store /srv/netra/netra.sqlite"))
        #expect(html.contains("netra review 8 dismissed --store &#39;/tmp/O&#39;\\&#39;&#39;Brien store.sqlite&#39;"))
        #expect(card(html, 7)?.contains("id=\"finding-7\"") == true)
    }

    // MARK: Charts

    @Test(arguments: [
        ("sample", Sample.report().findings),
        ("empty", []),
        ("one", [finding(1)]),
        ("undated and no unit", [finding(1, day: nil, unit: nil), finding(2, day: "2024-02-01", unit: "  "), finding(3, day: "", unit: nil)]),
        ("hostile labels", [finding(1, contest: "<b>\"x\"</b>", category: "a&b", unit: "O'Neil <unit>"), finding(2, contest: "<b>\"x\"</b>")]),
        ("a record rule names no contest", [finding(1, contest: ""), finding(2)]),
    ] as [(String, [ReportFinding])])
    func chartTotalsEqualFindingsPerBucket(_ name: String, _ findings: [ReportFinding]) {
        let html = renderHTML(ReviewReport(title: name, generatedAt: "now", findings: findings))
        func expected(_ key: (ReportFinding) -> String) -> [String: Int] {
            findings.reduce(into: [:]) { $0[key($1), default: 0] += 1 }
        }
        let checks: [(String, [String: Int])] = [
            ("contest", expected { $0.contest.isEmpty ? "(tanpa kontestasi)" : $0.contest }),
            ("category", expected(\.category)),
            ("unit", expected { f in
                let u = f.subject?.unit?.trimmingCharacters(in: .whitespaces) ?? ""
                return u.isEmpty ? "(tidak diketahui)" : u }),
            ("day", expected { f in (f.day ?? "").isEmpty ? "(tanpa tanggal)" : f.day! }),
        ]
        for (chart, want) in checks {
            let got = bars(html, chart: chart)
            #expect(Dictionary(got.map { ($0.label, $0.count) }, uniquingKeysWith: +) == want, "\(chart)")
            #expect(got.count == want.count, "\(chart): one bar per bucket")
            #expect(got.reduce(0) { $0 + $1.count } == findings.count, "\(chart)")
            #expect(html.contains("id=\"chart-\(chart)\" data-chart=\"\(chart)\" data-total=\"\(findings.count)\""))
            if chart == "day" {
                let dated = got.map(\.label).filter { $0 != "(tanpa tanggal)" }
                #expect(dated == dated.sorted(), "days sorted")
                if got.contains(where: { $0.label == "(tanpa tanggal)" }) { #expect(got.last?.label == "(tanpa tanggal)") }
            } else {
                #expect(got.map(\.count) == got.map(\.count).sorted(by: >), "\(chart): largest first")
            }
        }
        #expect(html.contains("<li data-stat=\"findings\"><span class=\"n\">\(findings.count)</span>"))
    }

    // MARK: Reviews

    struct ReviewCase: Sendable, CustomTestStringConvertible {
        var name: String
        var review: ReportReview?
        var state: String
        var label: String
        var testDescription: String { name }
    }

    @Test(arguments: [
        ReviewCase(name: "unreviewed", review: nil, state: "unreviewed", label: "Belum ditinjau"),
        ReviewCase(name: "confirmed", review: ReportReview(state: .confirmed, reviewer: "sitti", note: "Jelas mendukung", at: "2024-02-01T10:00"),
                   state: "confirmed", label: "Dikonfirmasi"),
        ReviewCase(name: "dismissed", review: ReportReview(state: .dismissed, reviewer: "laode", note: "Akun palsu", at: "2024-02-02T11:00"),
                   state: "dismissed", label: "Ditolak"),
        ReviewCase(name: "unsure without note", review: ReportReview(state: .unsure, reviewer: "andi", at: "2024-02-03T12:00"),
                   state: "unsure", label: "Ragu-ragu"),
    ])
    func reviewBadges(_ c: ReviewCase) throws {
        let html = renderHTML(ReviewReport(title: "T", generatedAt: "now", findings: [finding(5, review: c.review), finding(6)]))
        let five = try #require(card(html, 5))
        #expect(five.hasPrefix("<article class=\"card state-\(c.state)\" id=\"finding-5\">"))
        #expect(five.contains("<span class=\"badge review-\(c.state)\" data-state=\"\(c.state)\">\(c.label)</span>"))
        if let review = c.review {
            #expect(five.contains("oleh <strong>\(review.reviewer)</strong> pada <time>\(review.at)</time>"))
            #expect(five.contains("<blockquote") == (review.note != nil))
            if let note = review.note { #expect(five.contains(note)) }
        } else {
            #expect(!five.contains("class=\"decision\""))
        }
        #expect(try #require(card(html, 6)).contains("data-state=\"unreviewed\""))
        let reviewed = c.review == nil ? 0 : 1
        #expect(html.contains("<li data-stat=\"reviewed\"><span class=\"n\">\(reviewed)</span>"))
        #expect(html.contains("<li data-stat=\"unreviewed\"><span class=\"n\">\(2 - reviewed)</span>"))
        for state in ReviewState.allCases {
            let n = c.review?.state == state ? 1 : 0
            #expect(html.contains("<li data-stat=\"\(state.rawValue)\"><span class=\"n\">\(n)</span>"))
        }
    }

    // MARK: Cards

    @Test func cardsAreSortedByDayThenIdWithUndatedLast() {
        let findings = [finding(9, day: "2024-02-01"), finding(3, day: nil), finding(4, day: "2024-01-31"),
                        finding(2, day: "2024-02-01"), finding(1, day: nil)]
        let html = renderHTML(ReviewReport(title: "T", generatedAt: "now", findings: findings))
        let order = html.matches(of: /<article class="card[^"]*" id="finding-(\d+)">/).map { Int($0.output.1)! }
        #expect(order == [4, 2, 9, 1, 3])
    }

    @Test func cardShowsProvenanceSubjectTermsAndMismatches() throws {
        var f = finding(42, text: "Gas pak! ✌️ 02")
        f.evidence = [ReportEvidence(start: 9, end: 11, text: "✌️", term: "salam dua jari"),
                      ReportEvidence(start: 0, end: 3, text: "Gas", term: "gas"),
                      ReportEvidence(start: 4, end: 7, text: "bukan", term: "pak"),
                      ReportEvidence(field: "group", start: 0, end: 3, text: "Rel", term: "relawan")]
        f.subject = ReportSubject(account: "@andi", nip: "198703122010011004", name: "Andi", unit: "Dinas Pendidikan", superior: "Pak Yusuf")
        let html = renderHTML(ReviewReport(title: "T", generatedAt: "now", findings: [f]))
        let c = try #require(card(html, 42))
        #expect(c.contains("<p class=\"original\"><mark>Gas</mark> <mark>pak</mark>! <mark>✌️</mark> 02</p>"))
        #expect(c.contains("<code>in.jsonl:42</code>"))
        for part in ["198703122010011004", "Andi", "Dinas Pendidikan", "Pak Yusuf", "@andi", "NET-AJ-01", "Ajakan memilih",
                     "ajakan_memilih", "pilpres-2024", "PP 94/2021 Pasal 5 huruf n", "0.9", "salam dua jari"] {
            #expect(c.contains(part), "\(part)")
        }
        #expect(c.components(separatedBy: "posisi tidak cocok").count == 2, "one evidence disagrees with the text")
        #expect(c.contains("teks kolom ini tidak tersedia"), "evidence for a field the record lacks")
    }

    @Test func unknownSubjectIsSaidPlainly() throws {
        let html = renderHTML(ReviewReport(title: "T", generatedAt: "now", findings: [finding(1, unit: nil)]))
        #expect(try #require(card(html, 1)).contains("Subjek ASN: tidak diketahui"))
    }

    @Test func quarantineSectionListsInputsOrSaysNone() {
        let none = renderHTML(ReviewReport(title: "T", generatedAt: "now"))
        #expect(none.contains("Tidak ada input yang dikarantina"))
        #expect(none.contains("Tidak ada temuan."))
        let some = renderHTML(ReviewReport(title: "T", generatedAt: "now",
                                           quarantined: [QuarantinedInput(path: "b.zip", reason: "zip bomb"), QuarantinedInput(path: "a.jsonl", reason: "line 3: bad JSON")]))
        #expect(some.contains("<tr><td><code>a.jsonl</code></td><td>line 3: bad JSON</td></tr>\n<tr><td><code>b.zip</code></td><td>zip bomb</td></tr>"))
        #expect(some.contains("<li data-stat=\"quarantined\"><span class=\"n\">2</span>"))
    }

    // MARK: Determinism and self-containment

    @Test(arguments: [1, 2, 3] as [UInt64])
    func outputIsDeterministicAndIndependentOfInputOrder(seed: UInt64) {
        let report = Sample.report()
        let first = renderHTML(report)
        #expect(renderHTML(report) == first)
        var rng = SplitMix64(seed: seed)
        var shuffled = report
        shuffled.findings.shuffle(using: &rng)
        shuffled.quarantined.shuffle(using: &rng)
        for i in shuffled.findings.indices { shuffled.findings[i].evidence.shuffle(using: &rng) }
        #expect(renderHTML(shuffled) == first)
        #expect(HTMLReportRenderer.render(report) == first)
    }

    @Test func pageIsSelfContained() {
        var report = Sample.report()
        report.findings[0].fields[0].text = "lihat https://example.com/x.png dan <link href=\"http://evil\"> url(http://x) @import"
        let html = renderHTML(report)
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"id\">"))
        #expect(!html.contains("<link"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("src="))
        let style = element(html, opening: "<style>", closing: "</style>") ?? ""
        #expect(!style.isEmpty)
        #expect(!style.contains("@import"))
        #expect(!style.contains("url("))
        #expect(!style.contains("@font-face"))
        // Every tag: no absolute or protocol-relative URL, every href an anchor on this page.
        for tag in html.matches(of: /<[^>]*>/) {
            let t = String(tag.output)
            #expect(!t.contains("http:") && !t.contains("https:") && !t.contains("//") && !t.contains("url("), "\(t)")
        }
        for href in html.matches(of: /href="([^"]*)"/) {
            let target = String(href.output.1)
            #expect(target.hasPrefix("#finding-"))
            #expect(html.contains("id=\"\(target.dropFirst())\""), "anchor \(target) exists")
        }
    }

    /// Writes the sample report to `$NETRA_REPORT_SAMPLE` (for scripts/report-screenshot.sh); otherwise only renders it.
    @Test func sampleReport() throws {
        let report = Sample.report()
        #expect(report.findings.count == 12)
        let html = renderHTML(report)
        #expect(html.contains("<mark>✌️</mark>"))
        if let path = ProcessInfo.processInfo.environment["NETRA_REPORT_SAMPLE"], !path.isEmpty {
            try Data(html.utf8).write(to: URL(fileURLWithPath: path))
        }
    }
}
