import NetraCore

/// The outcome of one rule example (`netra test`).
public struct ExampleResult: Sendable {
    public var rule: String
    public var example: RuleExample
    /// True for a `hit` example, false for a `miss` example.
    public var expectsHit: Bool
    public var passed: Bool
    /// What actually fired for this rule (contest/pair), or the veto that stopped it.
    public var detail: String
    public var file: String
}

extension CompiledLexicon {
    /// Runs every rule's examples. An example is screened undated, as the first kind the rule
    /// judges (a `group` rule reads it as a group name, a `follow` rule as the followed account).
    public func runExamples() -> [ExampleResult] {
        var screener = Screener(self)
        var results: [ExampleResult] = []
        for rule in lexicon.rules {
            let kind: RecordKind = rule.kinds.contains(.post) ? .post
                : RecordKind.allCases.first { rule.kinds.contains($0) } ?? .post
            var field = kind.judgesOwnText ? "text" : (kind == .group ? "group" : "target.author")
            if let only = rule.fields, !only.contains(field), let first = only.sorted().first { field = first }
            for (example, expectsHit) in rule.hitExamples.map({ ($0, true) }) + rule.missExamples.map({ ($0, false) }) {
                // A rule that reads the commented post judges its examples as comments on `target`.
                let exampleKind: RecordKind = rule.target != nil && example.target != nil
                    ? (rule.kinds.contains(.comment) ? .comment : .reply) : kind
                let explanation = screener.explain(text: example.text, kind: exampleKind, date: nil,
                                                   field: exampleKind.judgesOwnText ? "text" : field, target: example.target)
                let mine = explanation.decisions.filter { $0.rule == rule.id }
                let hits = mine.filter { $0.outcome == .hit }
                let matching = hits.filter { d in
                    (example.contest == nil || d.contest == example.contest) && (example.pair == nil || d.pair == example.pair)
                }
                let passed = expectsHit ? !matching.isEmpty : hits.isEmpty
                var detail = hits.isEmpty ? "no hit" : "hit " + hits.map { "\($0.contest)/\($0.pair)" }.joined(separator: ", ")
                let vetoes = mine.filter { $0.outcome == .vetoed }
                if !vetoes.isEmpty {
                    detail += "; vetoed by " + Set(vetoes.flatMap { $0.vetoEvidence.map { "«\($0.text)»" } }).sorted().joined(separator: ", ")
                }
                results.append(ExampleResult(rule: rule.id, example: example, expectsHit: expectsHit, passed: passed,
                                             detail: detail, file: rule.file))
            }
        }
        return results
    }
}
