import Testing
@testable import NetraRules

// `FlatRules.conjunctions(of:)` lets the screener skip a (rule, contest, pair) whose `when`
// cannot hold with the term sets the text has. It must never skip one that can: whenever the
// slow oracle below says a condition may hold on the atoms present, one conjunction must lie
// inside them; and it should skip whatever the oracle rules out (no conjunction inside).

/// The slow, obvious reading of "may hold" with positions ignored: a list or pair field holds
/// when its atom is present; `near`, `before` and `and` need every side; `or` any; `k of` k
/// items; `not` and a balanced listing may always hold.
private func mayHold(_ c: CompiledCondition, _ present: Set<Int32>) -> Bool {
    switch c {
    case .terms(let set): return set >= 0 && present.contains(set)
    case .pair(let field): return present.contains(-1 - Int32(field.ordinal))
    case .contestKeyword: return present.contains(FlatRules.keywordAtom)
    case .contestAllPairs, .not: return true
    case .near(let a, let b, _), .before(let a, let b, _): return mayHold(a, present) && mayHold(b, present)
    case .and(let items): return items.allSatisfy { mayHold($0, present) }
    case .or(let items): return items.contains { mayHold($0, present) }
    case .atLeast(let k, let items): return items.filter { mayHold($0, present) }.count >= k
    }
}

private func atoms(_ c: CompiledCondition) -> Set<Int32> {
    switch c {
    case .terms(let set): return set >= 0 ? [set] : []
    case .pair(let field): return [-1 - Int32(field.ordinal)]
    case .contestKeyword: return [FlatRules.keywordAtom]
    case .contestAllPairs: return []
    case .near(let a, let b, _), .before(let a, let b, _): return atoms(a).union(atoms(b))
    case .and(let items), .or(let items), .atLeast(_, let items): return items.reduce(into: []) { $0.formUnion(atoms($1)) }
    case .not(let a): return atoms(a)
    }
}

/// Whether one of `conjunctions` lies inside `present`.
private func passes(_ conjunctions: [[Int32]], _ present: Set<Int32>) -> Bool {
    conjunctions.contains { $0.allSatisfy(present.contains) }
}

/// Every subset of `atoms` (at most 2^12), or `samples` seeded random ones beyond that.
private func presences(_ atoms: [Int32], samples: Int = 4096) -> [Set<Int32>] {
    if atoms.count <= 12 {
        return (0..<(1 << atoms.count)).map { mask in Set(atoms.indices.filter { mask & (1 << $0) != 0 }.map { atoms[$0] }) }
    }
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    return (0..<samples).map { _ in
        Set(atoms.filter { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 63 == 1
        })
    }
}

struct ConjunctionCase: CustomTestStringConvertible, Sendable {
    var name: String
    var condition: String
    /// Whether the conjunctions rule out exactly what the oracle does (false where they are
    /// knowingly weaker: `k of` with k ≥ 2).
    var exact = true
    var testDescription: String { name }
}

let conjunctionCases: [ConjunctionCase] = [
    .init(name: "one list", condition: "a"),
    .init(name: "unknown list never holds", condition: "nosuchlist"),
    .init(name: "near needs both sides", condition: "a near b within 3"),
    .init(name: "or of nears", condition: "a near b within 3 or c before d within 1"),
    .init(name: "and over or distributes", condition: "(a or b) and (c or d) and e"),
    .init(name: "absorption keeps the smaller conjunction", condition: "a or (a and b) or (a near c within 2)"),
    .init(name: "pair fields are atoms", condition: "support near pair.ident within 8 or pair.slogan near pair.name within 4"),
    .init(name: "contest keyword", condition: "contest.keyword and (a or pair.number)"),
    .init(name: "not may always hold", condition: "a and not b"),
    .init(name: "bare not", condition: "not a"),
    .init(name: "balanced listing may always hold", condition: "contest.all_pairs or a"),
    .init(name: "one of is or", condition: "1 of (a, b near c within 2, d)"),
    .init(name: "two of is read as one of", condition: "2 of (a, b, c)", exact: false),
    .init(name: "nested positions", condition: "(a near (b or c) within 2) before (d and (e or f)) within 5"),
    .init(name: "a product at the limit is kept whole", condition: "(a or b or c or d) and (e or f or g or h) and (i or j or k or l)"),
    .init(name: "a product past the limit leaves an operand out (weaker)",
          condition: "(a or b or c or d) and (e or f or g or h) and (i or j or k or l) and (m or n or o or p)", exact: false),
]

private let setIDs: [String: Int32] = Dictionary(uniqueKeysWithValues: "abcdefghijklmnop".enumerated().map { (String($1), Int32($0)) }
    + [("support", 20)])

@Test("conjunctions allow whatever may hold, and (where exact) nothing else", arguments: conjunctionCases)
func conjunctionsMatchTheOracle(_ c: ConjunctionCase) throws {
    let condition = CompiledCondition(try ConditionParser.parse(c.condition), termSetIDs: setIDs)
    let conjunctions = FlatRules.conjunctions(of: condition)
    #expect(conjunctions.count <= FlatRules.conjunctionLimit)
    var ruledOut = 0
    for present in presences(atoms(condition).sorted()) {
        let oracle = mayHold(condition, present), fast = passes(conjunctions, present)
        #expect(!oracle || fast, "\(c.condition): may hold with \(present.sorted()) but no conjunction passes")
        if c.exact { #expect(oracle == fast, "\(c.condition) with \(present.sorted()): oracle \(oracle), conjunctions \(fast)") }
        if !fast { ruledOut += 1 }
    }
    if c.exact && !mayHold(condition, []) {
        #expect(ruledOut > 0, "\(c.condition): nothing was ruled out")
    }
}

@Test("the conjunctions of every bundled rule's `when` allow whatever may hold")
func bundledConjunctions() throws {
    let compiled = CompiledLexicon(try Lexicon.load(directory: bundledLexicons))
    #expect(compiled.rules.count >= 20)
    var ruledOut = 0
    for (index, rule) in compiled.rules.enumerated() {
        let conjunctions = FlatRules.conjunctions(of: rule.when)
        for present in presences(atoms(rule.when).sorted()) {
            let fast = passes(conjunctions, present)
            #expect(!mayHold(rule.when, present) || fast, "\(compiled.lexicon.rules[index].id) may hold with \(present.sorted())")
            if !fast { ruledOut += 1 }
        }
    }
    #expect(ruledOut > 0)
}
