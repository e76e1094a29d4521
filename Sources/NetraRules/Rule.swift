import NetraCore
import Yams

/// A named list of terms (Lexicons/terms/*.yaml), matched after normalization.
public struct TermSet: Sendable {
    public var name: String
    public var description: String
    public var terms: [String]
    /// The line of each term, for lint messages.
    public var termLines: [Int]
    public var file: String
    public var line: Int
}

/// A rule example: a text that must (hit) or must not (miss) fire the rule.
public struct RuleExample: Sendable, Hashable {
    public var text: String
    /// For hits: the contest and pair the flag must name, when given.
    public var contest: String?
    public var pair: String?
    /// The post the example comments on, for rules with a `target` condition.
    public var target: String? = nil
    public var line: Int
}

/// A score increase applied when a condition holds as well (boosts never create a hit).
public struct Boost: Sendable, Hashable {
    public var condition: Condition
    public var add: Double
}

/// One screening rule (DESIGN.md §3.5), evaluated per contest and pair.
public struct Rule: Sendable {
    public var id: String
    public var title: String
    public var category: String
    public var severity: String
    public var basis: [String]
    public var stance: Stance
    /// Record kinds the rule judges.
    public var kinds: Set<RecordKind>
    public var score: Double
    public var when: Condition
    /// A veto: when it holds, a hit becomes an explained near-miss.
    public var unless: Condition?
    /// For comments and replies: a condition on the post they answer (`target.text`, else
    /// `target.author`). When set, the rule judges a record only together with its target:
    /// `target` names the pair the post promotes, `when` and `unless` read the record's own text
    /// ("Gas pak!" under a campaign post is support).
    public var target: Condition? = nil
    /// `record` rules name no pair: acts that breach neutrality whoever is running (party
    /// membership, seeking one's own nomination). They are judged once per record (once per
    /// contest when they read `contest.*`), only while some enabled contest watches the record's
    /// date, and their flags carry an empty pair (and an empty contest when no `contest.*` is read).
    public var scope: Scope = .pair
    /// The judged fields the rule reads (`text`, `target.text`, `target.author`, `group`); nil for all.
    /// A like on a post *by* a candidate's account reads `target.author` only.
    public var fields: Set<String>? = nil
    public var boosts: [Boost]
    public var hitExamples: [RuleExample]
    public var missExamples: [RuleExample]
    public var file: String
    public var line: Int
}

/// What one rule decision is about: a pair of a contest, or the record as such.
public enum Scope: String, Sendable {
    case pair, record
}

extension TermSet {
    static let knownKeys: Set<String> = ["description", "terms"]

    /// Parses a term file: a mapping from list name to `{description, terms}` (or to a plain list).
    static func parseFile(_ text: String, reader: inout YAMLReader) -> [TermSet] {
        guard let root = reader.compose(text), let lists = reader.mapping(root, "term file") else { return [] }
        var sets: [TermSet] = []
        for (name, node) in lists {
            guard isValidName(name) else {
                reader.fail(node, "term list name '\(name)' must be lowercase letters, digits and '_'")
                continue
            }
            var description = ""
            var termsNode: Node? = node
            if node.mapping != nil {
                termsNode = nil
                for (key, value) in reader.mapping(node, "term list '\(name)'", known: knownKeys) ?? [] {
                    if key == "description" { description = reader.string(value, "description") ?? "" }
                    if key == "terms" { termsNode = value }
                }
                if termsNode == nil { reader.fail(node, "term list '\(name)': missing 'terms'") }
            }
            let items = termsNode.map { reader.strings($0, "terms of '\(name)'") } ?? []
            sets.append(TermSet(name: name, description: description, terms: items.map(\.0),
                                termLines: items.map { YAMLReader.line($0.1) }, file: reader.file, line: YAMLReader.line(node)))
        }
        return sets
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }
}

extension Rule {
    static let knownKeys: Set<String> = ["id", "title", "category", "severity", "basis", "stance", "kinds", "score",
                                         "when", "unless", "target", "scope", "fields", "boosts", "examples"]
    static let severities: Set<String> = ["ringan", "sedang", "berat", "ptdh"]
    static let fieldNames: Set<String> = ["text", "target.text", "target.author", "group"]
    static let defaultKinds: Set<RecordKind> = [.post, .comment, .reply, .share, .profile, .message]

    /// Parses a rule file: `rules:` followed by a list of rules.
    static func parseFile(_ text: String, reader: inout YAMLReader) -> [Rule] {
        guard let root = reader.compose(text), let top = reader.mapping(root, "rule file", known: ["rules"]) else { return [] }
        guard let rulesNode = top.first(where: { $0.key == "rules" })?.value else {
            reader.fail(root, "rule file: missing 'rules'")
            return []
        }
        guard let seq = rulesNode.sequence else {
            reader.fail(rulesNode, "'rules' must be a list")
            return []
        }
        return seq.compactMap { parseRule($0, reader: &reader) }
    }

    private static func condition(_ node: Node, _ what: String, reader: inout YAMLReader) -> Condition? {
        guard let text = reader.string(node, what) else { return nil }
        do {
            return try ConditionParser.parse(text)
        } catch {
            reader.fail(node, "\(what): \(error.description) in '\(text)'")
            return nil
        }
    }

    private static func parseRule(_ node: Node, reader: inout YAMLReader) -> Rule? {
        guard let fields = reader.mapping(node, "rule", known: knownKeys) else { return nil }
        var values: [String: Node] = [:]
        for (k, v) in fields { values[k] = v }
        let issuesBefore = reader.issues.count
        func required(_ key: String) -> Node? {
            if let v = values[key] { return v }
            reader.fail(node, "rule: missing required key '\(key)'")
            return nil
        }
        let id = required("id").flatMap { reader.string($0, "id") } ?? ""
        let title = required("title").flatMap { reader.string($0, "title") } ?? ""
        let category = required("category").flatMap { reader.string($0, "category") } ?? ""
        let severity = required("severity").flatMap { reader.string($0, "severity") } ?? ""
        if let n = values["severity"], !severities.contains(severity) {
            reader.fail(n, "severity '\(severity)' must be one of: \(severities.sorted().joined(separator: ", "))")
        }
        let basis = required("basis").map { reader.strings($0, "basis").map(\.0) } ?? []
        let stanceText = required("stance").flatMap { reader.string($0, "stance") } ?? ""
        let stance = Stance(rawValue: stanceText)
        if stance == nil, let n = values["stance"] { reader.fail(n, "stance '\(stanceText)' must be 'support' or 'oppose'") }
        var kinds = defaultKinds
        if let n = values["kinds"] {
            kinds = []
            for (k, kn) in reader.strings(n, "kinds") {
                if let kind = RecordKind(rawValue: k) { kinds.insert(kind) } else {
                    reader.fail(kn, "unknown record kind '\(k)' (known: \(RecordKind.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
            }
        }
        let score = values["score"].flatMap { reader.double($0, "score") } ?? 0.8
        if !(0...1).contains(score), let n = values["score"] { reader.fail(n, "score must be between 0 and 1") }
        let when = required("when").flatMap { condition($0, "when", reader: &reader) }
        let target = values["target"].flatMap { condition($0, "target", reader: &reader) }
        func namesPair(_ c: Condition) -> Bool {
            c.references.contains(where: { if case .pair = $0 { return true } else { return false } })
        }
        var readFields: Set<String>?
        if let n = values["fields"] {
            readFields = []
            for (f, fn) in reader.strings(n, "fields") {
                if Self.fieldNames.contains(f) { readFields?.insert(f) } else {
                    reader.fail(fn, "unknown field '\(f)' (known: \(Self.fieldNames.sorted().joined(separator: ", ")))")
                }
            }
        }
        var scope = Scope.pair
        if let n = values["scope"], let text = reader.string(n, "scope") {
            if let s = Scope(rawValue: text) { scope = s } else { reader.fail(n, "scope '\(text)' must be 'pair' or 'record'") }
        }
        if scope == .record {
            let unlessNode = values["unless"].flatMap { condition($0, "unless", reader: &reader) }
            for (key, c) in [("when", when), ("unless", unlessNode)] {
                if let c, namesPair(c), let n = values[key] { reader.fail(n, "\(key): a 'scope: record' rule names no pair") }
            }
            if let n = values["target"] { reader.fail(n, "target: a 'scope: record' rule cannot read a target") }
        } else if let when, !namesPair(when), !(target.map(namesPair) ?? false), let n = values["when"] {
            reader.fail(n, "when: a rule must name the pair it judges (pair.name, pair.ident, …) here or in 'target', or say 'scope: record'")
        }
        if let n = values["target"], !kinds.contains(where: { $0 == .comment || $0 == .reply }) {
            reader.fail(n, "target: only comment and reply rules can judge a record with its target")
        }
        let unless = values["unless"].flatMap { condition($0, "unless", reader: &reader) }
        var boosts: [Boost] = []
        if let n = values["boosts"] {
            for item in n.sequence.map(Array.init) ?? [] {
                guard let f = reader.mapping(item, "boost", known: ["when", "add"]) else { continue }
                let c = f.first { $0.key == "when" }.flatMap { condition($0.value, "boost when", reader: &reader) }
                let add = f.first { $0.key == "add" }.flatMap { reader.double($0.value, "boost add") }
                if let c, let add { boosts.append(Boost(condition: c, add: add)) } else if c == nil || add == nil {
                    reader.fail(item, "boost needs 'when' and 'add'")
                }
            }
            if n.sequence == nil { reader.fail(n, "boosts must be a list") }
        }
        var hits: [RuleExample] = [], misses: [RuleExample] = []
        if let n = values["examples"] {
            for (key, list) in reader.mapping(n, "examples", known: ["hit", "miss"]) ?? [] {
                let parsed = parseExamples(list, reader: &reader)
                if key == "hit" { hits = parsed } else { misses = parsed }
            }
        }
        guard reader.issues.count == issuesBefore, let when, let stance else { return nil }
        return Rule(id: id, title: title, category: category, severity: severity, basis: basis, stance: stance,
                    kinds: kinds, score: score, when: when, unless: unless, target: target, scope: scope, fields: readFields, boosts: boosts, hitExamples: hits,
                    missExamples: misses, file: reader.file, line: YAMLReader.line(node))
    }

    private static func parseExamples(_ node: Node, reader: inout YAMLReader) -> [RuleExample] {
        guard let seq = node.sequence else {
            reader.fail(node, "examples must be a list")
            return []
        }
        var out: [RuleExample] = []
        for item in seq {
            if let s = item.scalar?.string {
                out.append(RuleExample(text: s, contest: nil, pair: nil, line: YAMLReader.line(item)))
            } else if let f = reader.mapping(item, "example", known: ["text", "contest", "pair", "target"]) {
                var text: String?, contest: String?, pair: String?, target: String?
                for (k, v) in f {
                    let s = reader.string(v, k)
                    switch k {
                    case "text": text = s
                    case "contest": contest = s
                    case "target": target = s
                    default: pair = s
                    }
                }
                if let text {
                    out.append(RuleExample(text: text, contest: contest, pair: pair, target: target, line: YAMLReader.line(item)))
                }
                else { reader.fail(item, "example: missing 'text'") }
            }
        }
        return out
    }
}
