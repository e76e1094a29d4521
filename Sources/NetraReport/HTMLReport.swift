import NetraCore

// The HTML report for the nightly batch's reviewers (issue 7): one self-contained, offline page
// (inline CSS and SVG, no scripts, no external assets) rendered by a pure function of a
// ``ReviewReport`` value. The store maps its tables to these types; nothing here reads a database.

/// Everything the morning review report shows: what was read, what was flagged, what could not be read.
public struct ReviewReport: Sendable, Hashable {
    /// The page title, e.g. "Laporan Tinjauan Netra — 3 Desember 2026".
    public var title: String
    /// When the report was generated, as the caller wants it shown (e.g. ISO 8601 in WIB).
    /// The renderer never reads the clock, so the same value gives the same bytes.
    public var generatedAt: String
    /// Every `lexicon_version` the findings were screened with.
    public var lexiconVersions: [String]
    /// The store files the report was read from (paths, shown as given).
    public var stores: [String]
    /// The findings, in any order; the renderer sorts them (see ``ReportFinding/precedes(_:_:)``).
    public var findings: [ReportFinding]
    /// Inputs that could not be read cleanly, with the reason the batch gave.
    public var quarantined: [QuarantinedInput]

    /// A report; only the title and the generation time are required.
    public init(title: String, generatedAt: String, lexiconVersions: [String] = [], stores: [String] = [],
                findings: [ReportFinding] = [], quarantined: [QuarantinedInput] = []) {
        self.title = title
        self.generatedAt = generatedAt
        self.lexiconVersions = lexiconVersions
        self.stores = stores
        self.findings = findings
        self.quarantined = quarantined
    }
}

/// An input the batch quarantined (a broken zip, a malformed line …): its records may be incomplete.
public struct QuarantinedInput: Sendable, Hashable {
    /// The input's path as the batch saw it.
    public var path: String
    /// Why it was quarantined (the `inputs` table's reason).
    public var reason: String

    /// A quarantined input and why.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}

/// One stored finding (one rule fired for one record, contest and pair) with its record and review.
public struct ReportFinding: Sendable, Hashable {
    /// The store's finding id; the card's anchor is `finding-<id>` and `netra review <id> …` records a decision.
    public var id: Int64
    /// The rule id from the taxonomy, e.g. `NET-SM-02`.
    public var rule: String
    /// The rule's human title (empty when unknown).
    public var ruleTitle: String
    /// The rule's category, e.g. `komentar_dukungan`.
    public var category: String
    /// The contest id, e.g. `pilpres-2024`.
    public var contest: String
    /// The pair's label in its contest file ("01"–"03" for Pilpres, "1", "2", … for Pilkada).
    public var pair: String
    /// `support` or `oppose` (shown as given otherwise).
    public var stance: String
    /// The rule's severity, e.g. `berat`, `sedang`, `ringan`.
    public var severity: String
    /// The score in [0, 1]; shown with two decimals.
    public var score: Double
    /// The legal basis of the rule.
    public var basis: [String]
    /// The record's display id (its own id, or `PATH:LINE`).
    public var recordID: String
    /// The record kind: post, comment, reaction, follow, group …
    public var kind: String
    /// `created_at` exactly as written in the input, if any.
    public var createdAt: String?
    /// The record's calendar date as `YYYY-MM-DD`, for the per-day chart and the card order; nil when undated.
    public var day: String?
    /// Where the record was read: input path …
    public var sourcePath: String
    /// … and line (1-based).
    public var sourceLine: Int
    /// The record's fields with their ORIGINAL text (`text`, `target.text`, `target.author`, `group`).
    public var fields: [ReportField]
    /// The evidence spans; each points into the field of the same name.
    public var evidence: [ReportEvidence]
    /// The latest review decision, or nil when nobody has reviewed this finding yet.
    public var review: ReportReview?
    /// The screened ASN, when the store knows who exported the archive.
    public var subject: ReportSubject?
    /// The store this finding lives in, for the `netra review … --store` hint; nil means the report's first store.
    public var store: String?

    /// A finding; see each property for what the store should put there.
    public init(id: Int64, rule: String, ruleTitle: String = "", category: String, contest: String, pair: String,
                stance: String, severity: String, score: Double, basis: [String] = [], recordID: String,
                kind: String, createdAt: String? = nil, day: String? = nil, sourcePath: String, sourceLine: Int,
                fields: [ReportField], evidence: [ReportEvidence], review: ReportReview? = nil,
                subject: ReportSubject? = nil, store: String? = nil) {
        self.id = id
        self.rule = rule
        self.ruleTitle = ruleTitle
        self.category = category
        self.contest = contest
        self.pair = pair
        self.stance = stance
        self.severity = severity
        self.score = score
        self.basis = basis
        self.recordID = recordID
        self.kind = kind
        self.createdAt = createdAt
        self.day = day
        self.sourcePath = sourcePath
        self.sourceLine = sourceLine
        self.fields = fields
        self.evidence = evidence
        self.review = review
        self.subject = subject
        self.store = store
    }
}

/// One field of a record with its original text.
public struct ReportField: Sendable, Hashable {
    /// `text`, `target.text`, `target.author` or `group` (any other name is shown as is).
    public var name: String
    /// The original text, exactly as the person wrote it.
    public var text: String

    /// A field and its original text.
    public init(name: String, text: String) {
        self.name = name
        self.text = text
    }
}

/// One piece of evidence: a half-open range of Unicode-scalar offsets into a field's original text.
public struct ReportEvidence: Sendable, Hashable {
    /// The field the offsets point into.
    public var field: String
    /// First scalar (inclusive). Offsets outside the text are clamped when highlighting.
    public var start: Int
    /// End scalar (exclusive).
    public var end: Int
    /// The original text at the span, as stored.
    public var text: String
    /// The normalized lexicon term that matched.
    public var term: String

    /// Evidence in `field` (default `text`) at scalars `start..<end`.
    public init(field: String = "text", start: Int, end: Int, text: String, term: String) {
        self.field = field
        self.start = start
        self.end = end
        self.text = text
        self.term = term
    }
}

/// A reviewer's decision on a finding (the `reviews` table's states).
public enum ReviewState: String, Sendable, Hashable, CaseIterable {
    /// The reviewer agrees it is a breach (shown "Dikonfirmasi").
    case confirmed
    /// Not a breach (shown "Ditolak").
    case dismissed
    /// Needs more checking (shown "Ragu-ragu").
    case unsure
}

/// The latest review of a finding.
public struct ReportReview: Sendable, Hashable {
    /// The decision.
    public var state: ReviewState
    /// Who decided.
    public var reviewer: String
    /// The reviewer's note, if any.
    public var note: String?
    /// When, as stored (`reviewed_at`).
    public var at: String

    /// A decision by `reviewer` at `at`, with an optional note.
    public init(state: ReviewState, reviewer: String, note: String? = nil, at: String) {
        self.state = state
        self.reviewer = reviewer
        self.note = note
        self.at = at
    }
}

/// The civil servant whose archive was screened; every part is optional.
public struct ReportSubject: Sendable, Hashable {
    /// The social-media account (handle or profile name).
    public var account: String?
    /// Nomor Induk Pegawai.
    public var nip: String?
    /// The full name, with titles as the personnel record writes it.
    public var name: String?
    /// The unit / OPD; the per-unit chart counts findings without one as "(tidak diketahui)".
    public var unit: String?
    /// The direct superior (atasan langsung).
    public var superior: String?

    /// A subject; leave out what is unknown.
    public init(account: String? = nil, nip: String? = nil, name: String? = nil, unit: String? = nil,
                superior: String? = nil) {
        self.account = account
        self.nip = nip
        self.name = name
        self.unit = unit
        self.superior = superior
    }
}

extension ReportFinding {
    /// The card order: dated findings by day (oldest first), then undated ones; then by id, and
    /// then by every other identifying field so that equal ids still sort the same way every time.
    public static func precedes(_ a: ReportFinding, _ b: ReportFinding) -> Bool {
        switch (a.day, b.day) {
        case let (x?, y?) where x != y: return x < y
        case (.some, .none): return true
        case (.none, .some): return false
        default: break
        }
        if a.id != b.id { return a.id < b.id }
        let ka = [a.rule, a.contest, a.pair, a.recordID, a.sourcePath, String(a.sourceLine), a.category, a.stance]
        let kb = [b.rule, b.contest, b.pair, b.recordID, b.sourcePath, String(b.sourceLine), b.category, b.stance]
        if ka != kb { return ka.lexicographicallyPrecedes(kb) }
        return a.score < b.score
    }

    /// The unit used in the per-unit chart: the subject's unit, or nil when none is known.
    var unitLabel: String? {
        guard let unit = subject?.unit?.trimmingWhitespace, !unit.isEmpty else { return nil }
        return unit
    }
}

// MARK: - Highlighting

/// Marks evidence spans in a field's original text. Spans are half-open Unicode-scalar offsets;
/// overlapping and adjacent spans merge into one `<mark>`, spans are clamped to the text, and empty or
/// inverted spans mark nothing. Works on `String.unicodeScalars`, so emoji and combining marks are
/// cut exactly where the offsets say.
public enum EvidenceHighlighter {
    /// The marked ranges of a text of `scalarCount` scalars: clamped, sorted, non-empty, and
    /// neither overlapping nor touching (adjacent spans are merged).
    public static func mergedSpans(_ spans: [Span], scalarCount: Int) -> [Span] {
        let count = max(0, scalarCount)
        var clamped: [Span] = []
        clamped.reserveCapacity(spans.count)
        for span in spans {
            let start = min(max(span.start, 0), count)
            let end = min(max(span.end, 0), count)
            if start < end { clamped.append(Span(start: start, end: end)) }
        }
        clamped.sort()
        var merged: [Span] = []
        for span in clamped {
            if let last = merged.last, span.start <= last.end {
                merged[merged.count - 1].end = max(last.end, span.end)
            } else {
                merged.append(span)
            }
        }
        return merged
    }

    /// `text` as escaped HTML with each merged span wrapped in `<mark>` … `</mark>`.
    public static func highlightedHTML(_ text: String, spans: [Span]) -> String {
        let scalars = Array(text.unicodeScalars)
        let marks = mergedSpans(spans, scalarCount: scalars.count)
        var out = ""
        out.reserveCapacity(text.utf8.count + marks.count * 13)
        var position = 0
        for mark in marks {
            HTMLText.appendEscaped(scalars[position..<mark.start], to: &out)
            out += "<mark>"
            HTMLText.appendEscaped(scalars[mark.start..<mark.end], to: &out)
            out += "</mark>"
            position = mark.end
        }
        HTMLText.appendEscaped(scalars[position...], to: &out)
        return out
    }

    /// The original text at `span` (clamped), or nil when the clamped span is empty.
    static func slice(_ scalars: [Unicode.Scalar], _ start: Int, _ end: Int) -> String? {
        let s = min(max(start, 0), scalars.count), e = min(max(end, 0), scalars.count)
        guard s < e else { return nil }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[s..<e])
        return String(view)
    }
}

// MARK: - Escaping

/// HTML escaping for untrusted text, in element content and in quoted attribute values alike.
public enum HTMLText {
    /// `&`, `<`, `>`, `"` and `'` become entities; NUL and other C0/C1 controls (except tab, line
    /// feed and carriage return) and noncharacters become U+FFFD, so no input can end an element or an
    /// attribute, and the page stays well-formed.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        appendEscaped(text.unicodeScalars, to: &out)
        return out
    }

    static func appendEscaped<S: Sequence>(_ scalars: S, to out: inout String) where S.Element == Unicode.Scalar {
        for u in scalars {
            switch u.value {
            case 0x26: out += "&amp;"
            case 0x3C: out += "&lt;"
            case 0x3E: out += "&gt;"
            case 0x22: out += "&quot;"
            case 0x27: out += "&#39;"
            case 0x09, 0x0A, 0x0D: out.unicodeScalars.append(u)
            case 0x00..<0x20, 0x7F..<0xA0, 0xFDD0...0xFDEF: out += "\u{FFFD}"
            case let v where v & 0xFFFE == 0xFFFE: out += "\u{FFFD}"
            default: out.unicodeScalars.append(u)
            }
        }
    }
}

// MARK: - Rendering

/// Renders `report` as one self-contained HTML page (see ``HTMLReportRenderer/render(_:)``).
public func renderHTML(_ report: ReviewReport) -> String {
    HTMLReportRenderer.render(report)
}

/// The HTML review report: a pure, deterministic function of a ``ReviewReport``.
///
/// The page has a header (title, generation time, lexicon versions, stores, counts of findings and
/// reviews), horizontal SVG bar charts of findings per contest, category, unit and day, the quarantined
/// inputs, an index table, and one card per finding (anchor `finding-<id>`) with the original texts and
/// highlighted evidence, the matched terms, the subject, the review state and the `netra review`
/// command that records a decision. Everything is inline (CSS, SVG); there is no script and no link to
/// anything outside the page. Every text from the report is escaped.
public enum HTMLReportRenderer {
    /// Bucket label for findings whose subject has no unit.
    public static let unknownUnit = "(tidak diketahui)"
    /// Bucket label for findings without a day.
    public static let undated = "(tanpa tanggal)"

    /// One bar of a chart.
    public struct Bucket: Sendable, Hashable {
        /// The bar's label (a contest, category, unit or day), unescaped.
        public var label: String
        /// How many findings fall in it.
        public var count: Int
    }

    /// The four charts' buckets, as drawn: contest, category and unit by count (descending) then label;
    /// day by date with undated last. Each chart's counts sum to the number of findings.
    /// The contest bar of findings that name no contest (record rules: party roles, own candidacy).
    public static let noContest = "(tanpa kontestasi)"

    public static func buckets(_ findings: [ReportFinding]) -> (contest: [Bucket], category: [Bucket], unit: [Bucket], day: [Bucket]) {
        func byCount(_ labels: [String]) -> [Bucket] {
            tally(labels).sorted { $0.count != $1.count ? $0.count > $1.count : $0.label < $1.label }
        }
        let contest = byCount(findings.map { $0.contest.isEmpty ? noContest : $0.contest })
        let category = byCount(findings.map(\.category))
        let unit = byCount(findings.map { $0.unitLabel ?? unknownUnit })
        let dated = tally(findings.compactMap { f in f.day.flatMap { $0.isEmpty ? nil : $0 } }).sorted { $0.label < $1.label }
        let undatedCount = findings.count - dated.reduce(0) { $0 + $1.count }
        let day = dated + (undatedCount > 0 ? [Bucket(label: undated, count: undatedCount)] : [])
        return (contest, category, unit, day)
    }

    static func tally(_ labels: [String]) -> [Bucket] {
        var counts: [String: Int] = [:]
        for label in labels { counts[label, default: 0] += 1 }
        return counts.map { Bucket(label: $0.key, count: $0.value) }
    }

    /// The page for `report`. Same input, same bytes: no clock, no randomness, no locale.
    public static func render(_ report: ReviewReport) -> String {
        let findings = report.findings.sorted(by: ReportFinding.precedes)
        var h = ""
        h.reserveCapacity(16_384 + findings.count * 4_096)
        h += "<!DOCTYPE html>\n<html lang=\"id\">\n<head>\n<meta charset=\"utf-8\">\n"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        h += "<meta name=\"generator\" content=\"netra\">\n"
        h += "<title>\(HTMLText.escape(report.title))</title>\n<style>\n\(stylesheet)</style>\n</head>\n<body>\n"
        appendHeader(report, findings, to: &h)
        h += "<main>\n"
        appendCharts(findings, to: &h)
        appendQuarantine(report.quarantined, to: &h)
        appendIndex(findings, to: &h)
        h += "<section class=\"findings\" aria-labelledby=\"h-temuan\">\n<h2 id=\"h-temuan\">Rincian temuan</h2>\n"
        if findings.isEmpty { h += "<p class=\"empty\">Tidak ada temuan.</p>\n" }
        let defaultStore = report.stores.first
        for finding in findings { appendCard(finding, defaultStore: defaultStore, to: &h) }
        h += "</section>\n</main>\n"
        h += "<footer>Dibuat oleh Netra. Temuan adalah petunjuk untuk peninjau, bukan putusan. "
        h += "Setiap teks ditampilkan persis seperti aslinya; sorotan menandai bukti yang cocok dengan leksikon.</footer>\n"
        h += "</body>\n</html>\n"
        return h
    }

    // MARK: Header

    static func appendHeader(_ report: ReviewReport, _ findings: [ReportFinding], to h: inout String) {
        let reviewed = findings.filter { $0.review != nil }.count
        func count(_ state: ReviewState) -> Int { findings.filter { $0.review?.state == state }.count }
        h += "<header class=\"top\">\n<h1>\(HTMLText.escape(report.title))</h1>\n<dl class=\"meta\">\n"
        h += "<div><dt>Dibuat</dt><dd>\(HTMLText.escape(report.generatedAt))</dd></div>\n"
        let versions = report.lexiconVersions.isEmpty ? "<dd>—</dd>"
            : report.lexiconVersions.map { "<dd><code>\(HTMLText.escape($0))</code></dd>" }.joined()
        h += "<div><dt>Versi leksikon</dt>\(versions)</div>\n"
        let stores = report.stores.isEmpty ? "<dd>—</dd>"
            : report.stores.map { "<dd><code>\(HTMLText.escape($0))</code></dd>" }.joined()
        h += "<div><dt>Basis data</dt>\(stores)</div>\n</dl>\n"
        h += "<ul class=\"stats\">\n"
        func stat(_ key: String, _ label: String, _ value: Int) {
            h += "<li data-stat=\"\(key)\"><span class=\"n\">\(value)</span> <span class=\"l\">\(label)</span></li>\n"
        }
        stat("findings", "temuan", findings.count)
        stat("unreviewed", "belum ditinjau", findings.count - reviewed)
        stat("reviewed", "sudah ditinjau", reviewed)
        stat("confirmed", "dikonfirmasi", count(.confirmed))
        stat("dismissed", "ditolak", count(.dismissed))
        stat("unsure", "ragu-ragu", count(.unsure))
        stat("quarantined", "input dikarantina", report.quarantined.count)
        h += "</ul>\n</header>\n"
    }

    // MARK: Charts

    static func appendCharts(_ findings: [ReportFinding], to h: inout String) {
        let b = buckets(findings)
        h += "<section class=\"charts\" aria-labelledby=\"h-ringkasan\">\n<h2 id=\"h-ringkasan\">Ringkasan</h2>\n<div class=\"chart-grid\">\n"
        appendChart(id: "contest", caption: "Temuan per kontestasi", b.contest, to: &h)
        appendChart(id: "category", caption: "Temuan per kategori", b.category, to: &h)
        appendChart(id: "unit", caption: "Temuan per unit kerja (OPD)", b.unit, to: &h)
        appendChart(id: "day", caption: "Temuan per hari", b.day, to: &h)
        h += "</div>\n</section>\n"
    }

    static let chartWidth = 540, labelWidth = 240, barMax = 250, rowHeight = 24

    /// One horizontal bar chart. Each bar is a `<g class="bar" data-label=… data-count=…>` with the
    /// label, the bar and the count as text, so the page reads without colour and tests can parse it.
    static func appendChart(id: String, caption: String, _ buckets: [Bucket], to h: inout String) {
        let total = buckets.reduce(0) { $0 + $1.count }
        h += "<figure class=\"chart\" id=\"chart-\(id)\" data-chart=\"\(id)\" data-total=\"\(total)\">\n"
        h += "<figcaption>\(caption) <span class=\"total\">(\(total))</span></figcaption>\n"
        guard let maximum = buckets.map(\.count).max(), maximum > 0 else {
            h += "<p class=\"empty\">Tidak ada data.</p>\n</figure>\n"
            return
        }
        let height = buckets.count * rowHeight + 4
        h += "<svg class=\"bars\" role=\"img\" aria-label=\"\(caption)\" viewBox=\"0 0 \(chartWidth) \(height)\" "
        h += "width=\"\(chartWidth)\" height=\"\(height)\">\n"
        for (row, bucket) in buckets.enumerated() {
            let y = row * rowHeight + 2
            // Width in tenths of a pixel, integer arithmetic only: deterministic everywhere.
            let tenths = max(20, (bucket.count * barMax * 10) / maximum)
            let width = "\(tenths / 10).\(tenths % 10)"
            let countX = labelWidth + tenths / 10 + 6
            let label = HTMLText.escape(bucket.label)
            h += "<g class=\"bar\" data-label=\"\(label)\" data-count=\"\(bucket.count)\">"
            h += "<title>\(label): \(bucket.count)</title>"
            h += "<text class=\"label\" x=\"\(labelWidth - 8)\" y=\"\(y + 16)\" text-anchor=\"end\">\(HTMLText.escape(truncated(bucket.label, 32)))</text>"
            h += "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(width)\" height=\"\(rowHeight - 6)\" rx=\"2\"></rect>"
            h += "<text class=\"count\" x=\"\(countX)\" y=\"\(y + 16)\">\(bucket.count)</text></g>\n"
        }
        h += "</svg>\n</figure>\n"
    }

    /// At most `limit` characters (grapheme clusters, so an emoji is never cut), with "…" when cut.
    static func truncated(_ s: String, _ limit: Int) -> String {
        s.count <= limit ? s : String(s.prefix(limit - 1)) + "…"
    }

    // MARK: Quarantine and index

    static func appendQuarantine(_ inputs: [QuarantinedInput], to h: inout String) {
        let sorted = inputs.sorted { ($0.path, $0.reason) < ($1.path, $1.reason) }
        h += "<section class=\"quarantine\" aria-labelledby=\"h-karantina\">\n<h2 id=\"h-karantina\">Input dikarantina</h2>\n"
        if sorted.isEmpty {
            h += "<p class=\"empty\">Tidak ada input yang dikarantina: setiap input terbaca utuh.</p>\n</section>\n"
            return
        }
        h += "<p class=\"warn\">Input berikut tidak terbaca utuh. Rekaman yang terbaca tetap disaring, tetapi "
        h += "hasilnya <strong>bukan</strong> hasil bersih: periksa berkas aslinya.</p>\n"
        h += "<table>\n<thead><tr><th>Berkas</th><th>Alasan</th></tr></thead>\n<tbody>\n"
        for input in sorted {
            h += "<tr><td><code>\(HTMLText.escape(input.path))</code></td><td>\(HTMLText.escape(input.reason))</td></tr>\n"
        }
        h += "</tbody>\n</table>\n</section>\n"
    }

    static func appendIndex(_ findings: [ReportFinding], to h: inout String) {
        guard !findings.isEmpty else { return }
        h += "<section class=\"index\" aria-labelledby=\"h-daftar\">\n<h2 id=\"h-daftar\">Daftar temuan</h2>\n<table>\n"
        h += "<thead><tr><th>#</th><th>Tanggal</th><th>Aturan</th><th>Kontestasi</th><th>Paslon</th>"
        h += "<th>Tingkat</th><th>Subjek</th><th>Status</th></tr></thead>\n<tbody>\n"
        for f in findings {
            let subject = f.subject.flatMap { $0.name ?? $0.account ?? $0.nip } ?? "—"
            h += "<tr><td><a href=\"#finding-\(f.id)\">\(f.id)</a></td><td>\(HTMLText.escape(f.day ?? "—"))</td>"
            h += "<td><code>\(HTMLText.escape(f.rule))</code></td><td>\(HTMLText.escape(f.contest))</td>"
            h += "<td>\(HTMLText.escape(f.pair))</td><td>\(severityBadge(f.severity))</td>"
            h += "<td>\(HTMLText.escape(subject))</td><td>\(reviewBadge(f.review))</td></tr>\n"
        }
        h += "</tbody>\n</table>\n</section>\n"
    }

    // MARK: Cards

    static let fieldLabels: [String: String] = [
        "text": "Teks", "target.text": "Teks yang ditanggapi", "target.author": "Akun/halaman yang ditanggapi",
        "group": "Grup",
    ]

    static func severityBadge(_ severity: String) -> String {
        let level: String
        switch severity.lowercased() {
        case "berat", "high", "tinggi": level = "high"
        case "sedang", "medium", "moderate": level = "medium"
        case "ringan", "low", "rendah": level = "low"
        default: level = "other"
        }
        return "<span class=\"sev sev-\(level)\">\(HTMLText.escape(severity))</span>"
    }

    /// The review badge: its class and `data-state` come from a fixed set, never from the input.
    static func reviewBadge(_ review: ReportReview?) -> String {
        let (state, label): (String, String)
        switch review?.state {
        case nil: (state, label) = ("unreviewed", "Belum ditinjau")
        case .confirmed?: (state, label) = ("confirmed", "Dikonfirmasi")
        case .dismissed?: (state, label) = ("dismissed", "Ditolak")
        case .unsure?: (state, label) = ("unsure", "Ragu-ragu")
        }
        return "<span class=\"badge review-\(state)\" data-state=\"\(state)\">\(label)</span>"
    }

    static func stanceLabel(_ stance: String) -> String {
        switch stance {
        case "support": return "mendukung (support)"
        case "oppose": return "menentang (oppose)"
        default: return stance
        }
    }

    /// A path as one shell word: bare when it is plainly safe, otherwise in single quotes.
    static func shellQuoted(_ s: String) -> String {
        let safe = !s.isEmpty && s.unicodeScalars.allSatisfy { u in
            (u.value >= 0x30 && u.value <= 0x39) || (u.value >= 0x41 && u.value <= 0x5A)
                || (u.value >= 0x61 && u.value <= 0x7A) || "/._-+,:=@%".unicodeScalars.contains(u)
        }
        return safe ? s : "'" + s.replacingAll("'", with: "'\\''") + "'"
    }

    static func appendCard(_ f: ReportFinding, defaultStore: String?, to h: inout String) {
        let e = HTMLText.escape
        let state = f.review.map { $0.state.rawValue } ?? "unreviewed"
        h += "<article class=\"card state-\(state)\" id=\"finding-\(f.id)\">\n<header>\n"
        h += "<h3><a class=\"anchor\" href=\"#finding-\(f.id)\">#\(f.id)</a> <code class=\"rule\">\(e(f.rule))</code>"
        if !f.ruleTitle.isEmpty { h += " <span class=\"rule-title\">\(e(f.ruleTitle))</span>" }
        h += "</h3>\n<div class=\"badges\">\(severityBadge(f.severity)) \(reviewBadge(f.review))</div>\n</header>\n"

        h += "<dl class=\"facts\">\n"
        func fact(_ term: String, _ value: String) { h += "<div><dt>\(term)</dt><dd>\(value)</dd></div>\n" }
        fact("Kategori", "<code>\(e(f.category))</code>")
        fact("Kontestasi", e(f.contest))
        fact("Paslon", e(f.pair))
        fact("Sikap", e(stanceLabel(f.stance)))
        fact("Skor", NDJSONPrinter.formatScore(f.score))
        fact("Rekaman", "<code>\(e(f.recordID))</code> · \(e(f.kind))")
        fact("Tanggal", f.createdAt.map { e($0) } ?? (f.day.map { e($0) } ?? "tanpa tanggal"))
        h += "<div class=\"wide\"><dt>Sumber</dt><dd><code>\(e(f.sourcePath)):\(f.sourceLine)</code></dd></div>\n"
        if !f.basis.isEmpty { h += "<div class=\"wide\"><dt>Dasar hukum</dt><dd>\(f.basis.map { e($0) }.joined(separator: "; "))</dd></div>\n" }
        h += "</dl>\n"

        appendSubject(f.subject, to: &h)
        appendFields(f, to: &h)
        appendReview(f, defaultStore: defaultStore, to: &h)
        h += "</article>\n"
    }

    static func appendSubject(_ subject: ReportSubject?, to h: inout String) {
        let parts: [(String, String?)] = [("Nama", subject?.name), ("NIP", subject?.nip), ("Unit kerja", subject?.unit),
                                          ("Atasan", subject?.superior), ("Akun", subject?.account)]
        let known = parts.compactMap { label, value in value.flatMap { $0.trimmingWhitespace.isEmpty ? nil : (label, $0) } }
        guard !known.isEmpty else {
            h += "<p class=\"subject unknown\">Subjek ASN: tidak diketahui</p>\n"
            return
        }
        h += "<dl class=\"subject\">\n"
        for (label, value) in known { h += "<div><dt>\(label)</dt><dd>\(HTMLText.escape(value))</dd></div>\n" }
        h += "</dl>\n"
    }

    static func appendFields(_ f: ReportFinding, to h: inout String) {
        var byField: [String: [ReportEvidence]] = [:]
        for ev in f.evidence { byField[ev.field, default: []].append(ev) }
        var scalarsByField: [String: [Unicode.Scalar]] = [:]
        h += "<div class=\"texts\">\n"
        for field in f.fields {
            let spans = (byField[field.name] ?? []).map { Span(start: $0.start, end: $0.end) }
            if field.text.isEmpty && spans.isEmpty { continue }
            if scalarsByField[field.name] == nil { scalarsByField[field.name] = Array(field.text.unicodeScalars) }
            let label = fieldLabels[field.name] ?? field.name
            h += "<div class=\"field\" data-field=\"\(HTMLText.escape(field.name))\"><div class=\"field-name\">\(HTMLText.escape(label))"
            h += " <code>\(HTMLText.escape(field.name))</code></div>\n"
            if field.text.isEmpty {
                h += "<p class=\"original empty\">(teks kosong)</p></div>\n"
            } else {
                h += "<p class=\"original\">\(EvidenceHighlighter.highlightedHTML(field.text, spans: spans))</p></div>\n"
            }
        }
        h += "</div>\n"

        guard !f.evidence.isEmpty else {
            h += "<p class=\"terms empty\">Tidak ada bukti tersimpan.</p>\n"
            return
        }
        let sorted = f.evidence.sorted { ($0.field, $0.start, $0.end, $0.term, $0.text) < ($1.field, $1.start, $1.end, $1.term, $1.text) }
        h += "<div class=\"terms\"><div class=\"terms-title\">Istilah yang cocok</div>\n<ul>\n"
        for ev in sorted {
            h += "<li><q>\(HTMLText.escape(ev.text))</q> → <code>\(HTMLText.escape(ev.term))</code> "
            h += "<span class=\"where\">\(HTMLText.escape(ev.field)) [\(ev.start)–\(ev.end)]</span>"
            if let scalars = scalarsByField[ev.field] {
                if EvidenceHighlighter.slice(scalars, ev.start, ev.end) != ev.text {
                    h += " <span class=\"mismatch\">posisi tidak cocok dengan teks asli</span>"
                }
            } else {
                h += " <span class=\"mismatch\">teks kolom ini tidak tersedia</span>"
            }
            h += "</li>\n"
        }
        h += "</ul></div>\n"
    }

    static func appendReview(_ f: ReportFinding, defaultStore: String?, to h: inout String) {
        h += "<footer class=\"review\">\n"
        if let review = f.review {
            h += "<p class=\"decision\">\(reviewBadge(review)) oleh <strong>\(HTMLText.escape(review.reviewer))</strong>"
            h += " pada <time>\(HTMLText.escape(review.at))</time></p>\n"
            if let note = review.note, !note.isEmpty { h += "<blockquote class=\"note\">\(HTMLText.escape(note))</blockquote>\n" }
        }
        let store = shellQuoted(f.store ?? defaultStore ?? "FILE")
        h += "<div class=\"hint\"><span>Catat keputusan:</span>\n<pre><code>"
        h += HTMLText.escape("netra review \(f.id) confirmed --store \(store)\nnetra review \(f.id) dismissed --store \(store)")
        h += "</code></pre></div>\n</footer>\n"
    }

    // MARK: Style

    static let stylesheet = """
    :root { --ink: #1f2933; --muted: #5f6b7a; --line: #d9dee5; --bg: #f4f6f8; --card: #fff; --accent: #1d4e89;
            --bar: #3a6ea5; --mark: #ffe066; }
    * { box-sizing: border-box; }
    body { margin: 0; background: var(--bg); color: var(--ink); line-height: 1.45;
           font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
    code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 0.92em; }
    header.top { background: var(--accent); color: #fff; padding: 20px 32px 16px; }
    header.top h1 { margin: 0 0 10px; font-size: 24px; font-weight: 650; }
    dl.meta { display: flex; flex-wrap: wrap; gap: 4px 28px; margin: 0 0 14px; font-size: 13px; }
    dl.meta dt { color: #c9d6e8; display: inline; margin-right: 6px; }
    dl.meta dd { display: inline; margin: 0 8px 0 0; }
    dl.meta code { background: rgba(255,255,255,0.12); padding: 1px 5px; border-radius: 3px; }
    ul.stats { list-style: none; display: flex; flex-wrap: wrap; gap: 10px; margin: 0; padding: 0; }
    ul.stats li { background: rgba(255,255,255,0.12); border-radius: 6px; padding: 6px 12px; }
    ul.stats .n { font-size: 20px; font-weight: 700; }
    ul.stats .l { font-size: 13px; color: #dbe5f2; }
    main { max-width: 1180px; margin: 0 auto; padding: 8px 24px 32px; }
    h2 { font-size: 18px; margin: 24px 0 10px; color: var(--accent); border-bottom: 2px solid var(--line); padding-bottom: 4px; }
    .chart-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(540px, 1fr)); gap: 14px; }
    figure.chart { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
    figure.chart figcaption { font-weight: 600; margin-bottom: 6px; }
    figure.chart .total { color: var(--muted); font-weight: 400; }
    svg.bars { max-width: 100%; height: auto; display: block; }
    svg.bars text { font-size: 13px; fill: var(--ink); font-family: inherit; }
    svg.bars text.count { font-weight: 700; }
    svg.bars rect { fill: var(--bar); }
    #chart-day svg.bars rect { fill: #4f8a5b; }
    #chart-unit svg.bars rect { fill: #8a5a9e; }
    #chart-category svg.bars rect { fill: #b5742a; }
    p.empty { color: var(--muted); font-style: italic; }
    p.warn { background: #fff4e5; border-left: 4px solid #d9822b; padding: 8px 12px; margin: 0 0 8px; }
    table { border-collapse: collapse; width: 100%; background: var(--card); border: 1px solid var(--line); font-size: 14px; }
    th, td { text-align: left; padding: 5px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
    th { background: #eef1f5; font-weight: 600; }
    td a { color: var(--accent); font-weight: 600; text-decoration: none; }
    section.index td:nth-child(2), section.index code { white-space: nowrap; }
    article.card { background: var(--card); border: 1px solid var(--line); border-left: 5px solid #9aa5b1; border-radius: 8px;
                   padding: 12px 18px 12px; margin: 0 0 14px; }
    article.card.state-confirmed { border-left-color: #c0392b; }
    article.card.state-dismissed { border-left-color: #7b8794; }
    article.card.state-unsure { border-left-color: #d9822b; }
    article.card.state-unreviewed { border-left-color: var(--accent); }
    article.card > header { display: flex; justify-content: space-between; align-items: baseline; gap: 12px; flex-wrap: wrap; }
    article.card h3 { margin: 0; font-size: 16px; }
    a.anchor { color: var(--muted); text-decoration: none; margin-right: 4px; }
    code.rule { background: #e8eef6; color: var(--accent); padding: 1px 6px; border-radius: 3px; }
    .rule-title { font-weight: 500; }
    dl.facts, dl.subject { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 2px 18px;
                           margin: 10px 0; font-size: 14px; }
    dl.facts div.wide { grid-column: 1 / -1; }
    dl.facts dt, dl.subject dt { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.03em; }
    dl.facts dd, dl.subject dd { margin: 0; overflow-wrap: anywhere; }
    dl.subject { background: #f7f9fb; border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; }
    p.subject.unknown { color: var(--muted); font-size: 13px; margin: 6px 0; }
    .field { margin: 10px 0; }
    .field-name { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.03em; }
    .field-name code { text-transform: none; letter-spacing: 0; }
    p.original { margin: 3px 0 0; padding: 8px 12px; background: #fbfbf7; border: 1px solid #e6e4d8; border-radius: 6px;
                 white-space: pre-wrap; overflow-wrap: anywhere; unicode-bidi: isolate; font-size: 15px; }
    mark { background: var(--mark); color: inherit; padding: 0 1px; border-radius: 2px; box-shadow: 0 0 0 1px #e0b800 inset; }
    .terms { font-size: 14px; }
    .terms-title { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.03em; }
    .terms ul { margin: 2px 0 6px; padding-left: 20px; }
    .terms q { unicode-bidi: isolate; }
    .where { color: var(--muted); font-size: 12px; }
    .mismatch { color: #b42318; font-size: 12px; font-weight: 600; }
    .badge, .sev { display: inline-block; font-size: 12px; font-weight: 600; padding: 2px 8px; border-radius: 10px; white-space: nowrap; }
    .review-unreviewed { background: #e8eef6; color: var(--accent); }
    .review-confirmed { background: #fde2e1; color: #a8201a; }
    .review-dismissed { background: #eceff2; color: #52606d; }
    .review-unsure { background: #fff1db; color: #9a5b00; }
    .sev-high { background: #c0392b; color: #fff; }
    .sev-medium { background: #f0b429; color: #3d2a00; }
    .sev-low { background: #cbd2d9; color: #1f2933; }
    .sev-other { background: #e4e7eb; color: #1f2933; }
    footer.review { border-top: 1px dashed var(--line); margin-top: 8px; padding-top: 8px; font-size: 14px; }
    footer.review p.decision { margin: 0 0 6px; }
    blockquote.note { margin: 0 0 8px; padding: 4px 10px; border-left: 3px solid var(--line); color: #3e4c59; white-space: pre-wrap; }
    .hint span { font-size: 12px; color: var(--muted); }
    .hint pre { margin: 2px 0 0; background: #1f2933; color: #e4e7eb; padding: 6px 10px; border-radius: 4px;
                overflow-x: auto; font-size: 12.5px; }
    body > footer { text-align: center; color: var(--muted); font-size: 12px; padding: 0 24px 24px; }
    @media print {
      body { background: #fff; font-size: 11pt; }
      header.top { background: #fff; color: var(--ink); border-bottom: 2px solid var(--ink); padding: 0 0 8px; }
      dl.meta dt, ul.stats .l { color: var(--muted); }
      ul.stats li, dl.meta code { background: #f0f0f0; }
      main { max-width: none; padding: 0; }
      .chart-grid { grid-template-columns: 1fr 1fr; }
      figure.chart, article.card, tr { break-inside: avoid; }
      section.findings h2 { break-before: page; }
      .hint pre { background: #fff; color: var(--ink); border: 1px solid var(--line); }
      * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
    }

    """
}

extension String {
    var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }

    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
