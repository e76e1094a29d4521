import NetraCore
import Yams

/// One candidate pair of a contest (DESIGN.md §3.4).
public struct Pair: Sendable, Hashable {
    /// The label printed in findings: "01" for Pilpres, the plain ballot number for Pilkada.
    public var label: String
    public var number: Int
    /// The pair's acronym, often an ordinary word (MULIA, AMAN): a weak cue, never enough alone.
    public var acronym: String?
    public var members: [String]
    public var aliases: [String]
    /// Hashtags, written without `#`.
    public var hashtags: [String]
    public var slogans: [String]
    public var teams: [String]
    public var gestures: [String]
    /// Phrases that campaign against this pair ("asal bukan 02", "salam 4 jari").
    public var opposition: [String]
    /// Nicknames used by supporters and mockers alike ("gemoy", "samsul", "abah"): they point
    /// at the pair but say nothing about stance, so only rules that also ask for an evaluation
    /// read them (`pair.nickname`); they are not part of `pair.ident` or `pair.name`.
    public var nicknames: [String] = []
    /// Where the pair was declared.
    public var line: Int
}

/// One election contest: dates, watch window and pairs.
public struct Contest: Sendable {
    public var id: String
    public var title: String
    public var level: String
    public var region: String
    public var electionDay: CalendarDate
    /// Records dated inside `[watchFrom, watchUntil]` are judged against this contest.
    public var watchFrom: CalendarDate
    public var watchUntil: CalendarDate
    public var campaignFrom: CalendarDate?
    public var campaignUntil: CalendarDate?
    /// Words that place a post in this contest (region and contest names).
    public var keywords: [String]
    public var pairs: [Pair]
    /// The file it was loaded from.
    public var file: String

    /// Whether a record of this kind and date is judged for this contest (undated records always are).
    ///
    /// An act (a post, comment, like, share, follow …) is judged when it falls inside
    /// `[watchFrom, watchUntil]`. A group membership is a state that lasts until the group is left
    /// (leaving is its own event, never a membership): it is judged for every contest whose window
    /// had opened when the group was joined, so joining a pair's group after the vote still
    /// counts, while a group joined before the pair was named (an "Anies-Sandi" group of 2017) is
    /// about another contest.
    public func watches(_ date: CalendarDate?, kind: RecordKind = .post) -> Bool {
        window.watches(date, kind: kind)
    }

    /// The dates of ``watches(_:kind:)`` alone, for screeners that test every record against
    /// every contest (a `Contest` is large to copy).
    public var window: WatchWindow { WatchWindow(from: watchFrom, until: watchUntil) }
}

/// A contest's watch window (``Contest/watches(_:kind:)``).
public struct WatchWindow: Sendable {
    public var from: CalendarDate
    public var until: CalendarDate

    /// Whether a record of this kind and date is judged (see ``Contest/watches(_:kind:)``).
    @inline(__always) public func watches(_ date: CalendarDate?, kind: RecordKind) -> Bool {
        guard let date else { return true }
        if kind == .group { return from <= date }
        return from <= date && date <= until
    }
}

extension Contest {
    static let knownKeys: Set<String> = ["id", "title", "level", "region", "election_day", "watch_from", "watch_until",
                                         "campaign_from", "campaign_until", "keywords", "pairs"]
    static let knownPairKeys: Set<String> = ["label", "number", "acronym", "members", "aliases", "hashtags", "slogans",
                                             "teams", "gestures", "opposition", "nicknames"]
    static let levels: Set<String> = ["nasional", "provinsi", "kabupaten", "kota"]

    /// Parses a contest file; problems are appended to `reader.issues`.
    static func parse(_ text: String, reader: inout YAMLReader) -> Contest? {
        guard let root = reader.compose(text), let fields = reader.mapping(root, "contest", known: knownKeys) else { return nil }
        var values: [String: Node] = [:]
        for (k, v) in fields { values[k] = v }
        func required(_ key: String) -> Node? {
            if let v = values[key] { return v }
            reader.fail(root, "contest: missing required key '\(key)'")
            return nil
        }
        func date(_ key: String, required isRequired: Bool) -> CalendarDate? {
            guard let node = isRequired ? required(key) : values[key] else { return nil }
            guard let s = reader.string(node, key) else { return nil }
            guard let d = CalendarDate(iso: Substring(s)), s.utf8.count == 10 else {
                reader.fail(node, "\(key): '\(s)' is not a date of the form YYYY-MM-DD")
                return nil
            }
            return d
        }
        let id = required("id").flatMap { reader.string($0, "id") }
        if let id, let node = values["id"], !isValidID(id) {
            reader.fail(node, "id '\(id)' must be lowercase letters, digits and '-'")
        }
        let title = values["title"].flatMap { reader.string($0, "title") } ?? id ?? ""
        let level = values["level"].flatMap { reader.string($0, "level") } ?? "nasional"
        if let node = values["level"], !levels.contains(level) {
            reader.fail(node, "level '\(level)' must be one of: \(levels.sorted().joined(separator: ", "))")
        }
        let region = values["region"].flatMap { reader.string($0, "region") } ?? ""
        let electionDay = date("election_day", required: true)
        let watchFrom = date("watch_from", required: true)
        let watchUntil = date("watch_until", required: true)
        let campaignFrom = date("campaign_from", required: false)
        let campaignUntil = date("campaign_until", required: false)
        if let watchFrom, let watchUntil, watchUntil < watchFrom, let node = values["watch_until"] {
            reader.fail(node, "watch_until \(watchUntil) is before watch_from \(watchFrom)")
        }
        let keywords = values["keywords"].map { reader.strings($0, "keywords").map(\.0) } ?? []
        var pairs: [Pair] = []
        if let pairsNode = required("pairs") {
            if let seq = pairsNode.sequence, seq.count > 64 {
                // The screener keeps a contest's pairs as the bits of one word.
                reader.fail(pairsNode, "a contest has at most 64 pairs (this one has \(seq.count))")
            } else if let seq = pairsNode.sequence, seq.count > 0 {
                for item in seq {
                    if let pair = parsePair(item, reader: &reader) { pairs.append(pair) }
                }
            } else {
                reader.fail(pairsNode, "pairs must be a non-empty list")
            }
        }
        var seenLabels: [String: Int] = [:]
        for pair in pairs {
            if let first = seenLabels[pair.label] {
                reader.issues.append(LexiconIssue(file: reader.file, line: pair.line,
                                                  message: "pair label '\(pair.label)' already used at line \(first)"))
            }
            seenLabels[pair.label] = pair.line
        }
        guard let id, let electionDay, let watchFrom, let watchUntil else { return nil }
        return Contest(id: id, title: title, level: level, region: region, electionDay: electionDay,
                       watchFrom: watchFrom, watchUntil: watchUntil, campaignFrom: campaignFrom,
                       campaignUntil: campaignUntil, keywords: keywords, pairs: pairs, file: reader.file)
    }

    private static func parsePair(_ node: Node, reader: inout YAMLReader) -> Pair? {
        guard let fields = reader.mapping(node, "pair", known: knownPairKeys) else { return nil }
        var values: [String: Node] = [:]
        for (k, v) in fields { values[k] = v }
        guard let labelNode = values["label"] else {
            reader.fail(node, "pair: missing required key 'label'")
            return nil
        }
        guard let label = reader.string(labelNode, "label"), !label.isEmpty else { return nil }
        let number: Int
        if let n = values["number"] {
            guard let v = reader.int(n, "number") else { return nil }
            number = v
        } else if let v = Int(label) {
            number = v
        } else {
            reader.fail(node, "pair '\(label)': missing 'number'")
            return nil
        }
        func list(_ key: String) -> [String] { values[key].map { reader.strings($0, key).map(\.0) } ?? [] }
        let members = list("members")
        if members.isEmpty { reader.fail(node, "pair '\(label)': 'members' must name at least one candidate") }
        return Pair(label: label, number: number, acronym: values["acronym"].flatMap { reader.string($0, "acronym") },
                    members: members, aliases: list("aliases"),
                    hashtags: list("hashtags").map { $0.hasPrefix("#") ? String($0.dropFirst()) : $0 },
                    slogans: list("slogans"), teams: list("teams"), gestures: list("gestures"),
                    opposition: list("opposition"), nicknames: list("nicknames"), line: YAMLReader.line(node))
    }

    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }
}
