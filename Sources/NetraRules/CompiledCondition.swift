import NetraCore

/// A rule condition with its term-list names resolved to set indices, so evaluating it per
/// record and pair hashes no strings (the parsed `Condition` stays the lexicon's form).
indirect enum CompiledCondition: Sendable {
    /// A term list's set; -1 for a name no set has (it never holds, as an unknown list did).
    case terms(Int32)
    case pair(PairField)
    case contestKeyword
    case contestAllPairs
    case near(CompiledCondition, CompiledCondition, within: Int)
    case before(CompiledCondition, CompiledCondition, within: Int)
    case atLeast(Int, [CompiledCondition])
    case and([CompiledCondition])
    case or([CompiledCondition])
    case not(CompiledCondition)

    init(_ condition: Condition, termSetIDs: [String: Int32]) {
        func compile(_ c: Condition) -> CompiledCondition { CompiledCondition(c, termSetIDs: termSetIDs) }
        switch condition {
        case .set(.terms(let name)): self = .terms(termSetIDs[name] ?? -1)
        case .set(.pair(let field)): self = .pair(field)
        case .set(.contestKeyword): self = .contestKeyword
        case .set(.contestAllPairs): self = .contestAllPairs
        case .near(let a, let b, let n): self = .near(compile(a), compile(b), within: n)
        case .before(let a, let b, let n): self = .before(compile(a), compile(b), within: n)
        case .atLeast(let k, let items): self = .atLeast(k, items.map(compile))
        case .and(let items): self = .and(items.map(compile))
        case .or(let items): self = .or(items.map(compile))
        case .not(let a): self = .not(compile(a))
        }
    }

    /// Term-list sets that must all have hits for the condition to hold (from `and`, `near`,
    /// `before` and plain lists; conservative: `or`, `k of`, `not` and pair fields require
    /// nothing). Lets the engine skip a rule without evaluating it.
    var requiredSets: [Int32] {
        switch self {
        case .terms(let set): return [set]
        case .near(let a, let b, _), .before(let a, let b, _): return a.requiredSets + b.requiredSets
        case .and(let items): return items.flatMap(\.requiredSets)
        default: return []
        }
    }
}

/// Record kinds and judged fields as bits, so the per-pair rule loop tests masks instead of
/// hashing a kind or a field name for every rule.
enum RuleMasks {
    /// A bit of its own per kind (rule masks and records' kinds both come from here).
    static func bit(_ kind: RecordKind) -> UInt32 {
        switch kind {
        case .post: 1 << 0
        case .comment: 1 << 1
        case .reply: 1 << 2
        case .share: 1 << 3
        case .reaction: 1 << 4
        case .follow: 1 << 5
        case .group: 1 << 6
        case .page: 1 << 7
        case .profile: 1 << 8
        case .message: 1 << 9
        }
    }

    static func kinds(_ kinds: Set<RecordKind>) -> UInt32 {
        kinds.reduce(0) { $0 | bit($1) }
    }

    /// The judged fields `Record.judgedFields` produces; any other name gets the last bit.
    static func bit(field: String) -> UInt32 {
        switch field {
        case "text": return 1
        case "target.text": return 2
        case "target.author": return 4
        case "group": return 8
        default: return 16
        }
    }

    /// `nil` (every field) is all bits; names outside the judged fields match nothing.
    static func fields(_ fields: Set<String>?) -> UInt32 {
        guard let fields else { return .max }
        return fields.reduce(0) { bit(field: $1) == 16 ? $0 : $0 | bit(field: $1) }
    }
}
