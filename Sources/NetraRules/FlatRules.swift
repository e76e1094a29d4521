import NetraCore

/// The screener's hit lists and scratch lists: growable arrays of `Hit` in memory that is never
/// reference counted (`HitList`), owned by one screener (per-worker scratch).
final class HitLists {
    /// One list per term set, then `2 × maxDepth + 1` work lists for condition evaluation.
    let lists: UnsafeMutablePointer<HitList>
    let count: Int
    /// Room for one index per rule (the rules a text leaves possible).
    let liveRules: UnsafeMutablePointer<Int32>
    /// Room for one index per term set (the sets with hits).
    let touched: UnsafeMutablePointer<Int32>

    init(sets: Int, work: Int, rules: Int) {
        count = sets + work
        lists = .allocate(capacity: count)
        lists.initialize(repeating: HitList(), count: count)
        liveRules = .allocate(capacity: max(1, rules))
        touched = .allocate(capacity: max(1, sets))
    }

    deinit {
        for i in 0..<count { lists[i].free() }
        lists.deallocate()
        liveRules.deallocate()
        touched.deallocate()
    }
}

/// A growable array of hits without reference counting or uniqueness checks.
struct HitList {
    private(set) var base: UnsafeMutablePointer<Hit>?
    var count = 0
    private(set) var capacity = 0

    @inline(__always)
    var isEmpty: Bool { count == 0 }

    @inline(__always)
    subscript(_ i: Int) -> Hit { base![i] }

    @inline(__always)
    mutating func append(_ hit: Hit) {
        if count == capacity { grow(to: count + 1) }
        base![count] = hit
        count += 1
    }

    @inline(__always)
    mutating func append(contentsOf other: HitList) {
        guard other.count > 0 else { return }
        if count + other.count > capacity { grow(to: count + other.count) }
        (base! + count).update(from: other.base!, count: other.count)
        count += other.count
    }

    @inline(never)
    private mutating func grow(to needed: Int) {
        var newCapacity = max(8, capacity * 2)
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<Hit>.allocate(capacity: newCapacity)
        if let base {
            newBase.update(from: base, count: count)
            base.deallocate()
        }
        base = newBase
        capacity = newCapacity
    }

    /// Sorts the hits by `byteStart`.
    mutating func sortByStart() {
        guard count > 1, let base else { return }
        var buffer = UnsafeMutableBufferPointer(start: base, count: count)
        buffer.sort { $0.byteStart < $1.byteStart }
    }

    var array: [Hit] { base.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? [] }

    func free() { base?.deallocate() }
}

/// Every rule's conditions as flat nodes, in memory that is never reference counted, so
/// judging a record's rules touches no retain count (on two threads, the counts of shared
/// condition boxes were written by both cores for every rule of every record). Built once
/// from the compiled rules; immutable, shared by all screeners.
final class FlatRules: @unchecked Sendable {
    struct Node {
        var op: UInt8
        /// For `pair`: the `PairField` ordinal.
        var field: UInt8
        /// For `terms`: the set (-1: no such set).
        var set: Int32
        /// For `near`, `before`, `not`: the operands.
        var a: Int32
        var b: Int32
        /// For `near`, `before`: the token distance (or `Condition.sameSentence`); for `atLeast`: k.
        var n: Int32
        /// For `atLeast`, `and`, `or`: the operands, `children[first..<first + count]`.
        var first: Int32
        var count: Int32
    }

    static let terms: UInt8 = 0, pair: UInt8 = 1, contestKeyword: UInt8 = 2, contestAllPairs: UInt8 = 3, near: UInt8 = 4,
               before: UInt8 = 5, atLeast: UInt8 = 6, and: UInt8 = 7, or: UInt8 = 8, not: UInt8 = 9

    let nodes: UnsafeMutablePointer<Node>
    let children: UnsafeMutablePointer<Int32>
    /// Per rule: the root node of `when`, of `unless` and of `target` (-1 when absent).
    let when: UnsafeMutablePointer<Int32>
    let unless: UnsafeMutablePointer<Int32>
    let target: UnsafeMutablePointer<Int32>
    /// Per rule: the roots of its boosts' conditions, `boostRoots[boostFirst[r]..<boostFirst[r + 1]]`.
    let boostFirst: UnsafeMutablePointer<Int32>
    let boostRoots: UnsafeMutablePointer<Int32>
    /// The deepest nesting of positional conditions (`near`, `before`) in any rule.
    let depth: Int
    /// Per rule: the record kinds and judged fields it reads (`RuleMasks` bits), whether it is a
    /// record rule, whether it reads `contest.*`, and the sets its `when` requires
    /// (`required[requiredFirst[r]..<requiredFirst[r + 1]]`).
    let kinds: UnsafeMutablePointer<UInt32>
    let fields: UnsafeMutablePointer<UInt32>
    let isRecord: UnsafeMutablePointer<Bool>
    let readsContest: UnsafeMutablePointer<Bool>
    let requiredFirst: UnsafeMutablePointer<Int32>
    let required: UnsafeMutablePointer<Int32>
    /// Per rule: the ways its `when` can hold as far as term hits go, as conjunctions of atoms
    /// (`FlatRules.conjunctions(of:)`): `when` can hold only if every atom of one conjunction
    /// has hits. A conjunction is two masks: `termMask`, bits of term sets (`termBit`), and
    /// `pairMask`, bits of the judged pair's fields (`PairField` ordinals, `ident` when any of
    /// its members has hits) and `keywordBit` for the contest's keywords. Rule r's conjunctions
    /// are `conjunctFirst[r]..<conjunctFirst[r + 1]`; a rule whose `when` could hold without any
    /// hits (`not`, `0 of`, a balanced listing) has `unconstrained[r]`.
    let conjunctFirst: UnsafeMutablePointer<Int32>
    let termMask: UnsafeMutablePointer<UInt64>
    let pairMask: UnsafeMutablePointer<UInt32>
    let unconstrained: UnsafeMutablePointer<Bool>
    /// Per rule: the atoms all its conjunctions share (the bits of every conjunction, all ones
    /// for a rule whose `when` never holds), for a first test.
    let requiredTerms: UnsafeMutablePointer<UInt64>
    let requiredPair: UnsafeMutablePointer<UInt32>
    /// Per term set: its bit in `termMask` (0 for a set no conjunction names; the 64 sets named
    /// most often get bits, the others are left out of the conjunctions, which only weakens them).
    let termBit: UnsafeMutablePointer<UInt64>
    static let keywordBit: UInt32 = 1 << 16
    static let keywordAtom: Int32 = -100
    let ruleCount: Int

    init(_ rules: [CompiledRule], setCount: Int) {
        var nodes: [Node] = []
        var children: [Int32] = []
        var deepest = 0
        func list(_ items: [CompiledCondition], _ level: Int) -> (Int32, Int32) {
            // Operands first (they may add operands of their own), then their indices together.
            let indices = items.map { add($0, level) }
            let first = Int32(children.count)
            children += indices
            return (first, Int32(indices.count))
        }
        func add(_ c: CompiledCondition, _ level: Int) -> Int32 {
            var node = Node(op: 0, field: 0, set: -1, a: -1, b: -1, n: 0, first: 0, count: 0)
            switch c {
            case .terms(let set):
                node.op = Self.terms
                node.set = set
            case .pair(let field):
                node.op = Self.pair
                node.field = UInt8(field.ordinal)
            case .contestKeyword:
                node.op = Self.contestKeyword
            case .contestAllPairs:
                node.op = Self.contestAllPairs
            case .near(let a, let b, let n), .before(let a, let b, let n):
                if case .near = c { node.op = Self.near } else { node.op = Self.before }
                deepest = max(deepest, level + 1)
                node.a = add(a, level + 1)
                node.b = add(b, level + 1)
                node.n = Int32(n)
            case .atLeast(let k, let items):
                node.op = Self.atLeast
                node.n = Int32(k)
                (node.first, node.count) = list(items, level)
            case .and(let items):
                node.op = Self.and
                (node.first, node.count) = list(items, level)
            case .or(let items):
                node.op = Self.or
                (node.first, node.count) = list(items, level)
            case .not(let a):
                node.op = Self.not
                node.a = add(a, level)
            }
            nodes.append(node)
            return Int32(nodes.count - 1)
        }
        var whenRoots: [Int32] = [], unlessRoots: [Int32] = [], targetRoots: [Int32] = []
        var boostFirsts: [Int32] = [0], boosts: [Int32] = []
        for rule in rules {
            whenRoots.append(add(rule.when, 0))
            unlessRoots.append(rule.unless.map { add($0, 0) } ?? -1)
            targetRoots.append(rule.target.map { add($0, 0) } ?? -1)
            boosts += rule.boosts.map { add($0.condition, 0) }
            boostFirsts.append(Int32(boosts.count))
        }
        func copy<T>(_ values: [T]) -> UnsafeMutablePointer<T> {
            let p = UnsafeMutablePointer<T>.allocate(capacity: max(1, values.count))
            p.initialize(from: values, count: values.count)
            return p
        }
        self.nodes = copy(nodes)
        self.children = copy(children)
        when = copy(whenRoots)
        unless = copy(unlessRoots)
        target = copy(targetRoots)
        boostFirst = copy(boostFirsts)
        boostRoots = copy(boosts)
        depth = deepest
        kinds = copy(rules.map(\.kindMask))
        fields = copy(rules.map(\.fieldMask))
        isRecord = copy(rules.map(\.record))
        readsContest = copy(rules.map(\.readsContest))
        var firsts: [Int32] = [0]
        var sets: [Int32] = []
        for rule in rules {
            sets += rule.requiredSets
            firsts.append(Int32(sets.count))
        }
        requiredFirst = copy(firsts)
        required = copy(sets)
        let found = rules.map { Self.conjunctions(of: $0.when) }
        var uses: [Int32: Int] = [:]
        for conjunctions in found { for conjunction in conjunctions { for atom in conjunction where atom >= 0 { uses[atom, default: 0] += 1 } } }
        var bits = [UInt64](repeating: 0, count: max(1, setCount))
        for (k, set) in uses.keys.sorted(by: { (uses[$0]!, $1) > (uses[$1]!, $0) }).prefix(64).enumerated() where Int(set) < setCount {
            bits[Int(set)] = 1 << UInt64(k)
        }
        var conjunctFirsts: [Int32] = [0], terms: [UInt64] = [], pairs: [UInt32] = [], free: [Bool] = []
        var sharedTerms: [UInt64] = [], sharedPair: [UInt32] = []
        for conjunctions in found {
            free.append(conjunctions.contains { $0.isEmpty })
            let first = terms.count
            for conjunction in conjunctions where !conjunction.isEmpty {
                var term: UInt64 = 0, pair: UInt32 = 0
                for atom in conjunction {
                    if atom >= 0 {
                        term |= Int(atom) < setCount ? bits[Int(atom)] : 0
                    } else if atom == Self.keywordAtom {
                        pair |= Self.keywordBit
                    } else {
                        pair |= 1 << UInt32(-1 - atom)
                    }
                }
                terms.append(term)
                pairs.append(pair)
            }
            conjunctFirsts.append(Int32(terms.count))
            sharedTerms.append(free.last! ? 0 : terms[first...].reduce(~0, &))
            sharedPair.append(free.last! ? 0 : pairs[first...].reduce(~0, &))
        }
        conjunctFirst = copy(conjunctFirsts)
        termMask = copy(terms)
        pairMask = copy(pairs)
        unconstrained = copy(free)
        requiredTerms = copy(sharedTerms)
        requiredPair = copy(sharedPair)
        termBit = copy(bits)
        ruleCount = rules.count
    }

    /// The most conjunctions kept for one condition; past it a condition is weakened (an `and`
    /// keeps fewer operands, an `or` becomes unconstrained), which stays sound.
    static let conjunctionLimit = 64

    /// Condition `c` as an over-approximation in disjunctive normal form over atoms with hits (a
    /// term set ≥ 0, `-1 - field` for a field of the pair being judged, `ident` included,
    /// `keywordAtom` for the contest's keywords): `c` can hold only if every atom of one of
    /// the returned conjunctions has hits. An empty
    /// conjunction always holds (`c` may hold without hits); no conjunction at all means `c`
    /// never holds (a list the lexicon does not have). Positions are ignored (`near`, `before`
    /// need both sides, as `and` does), number hits are assumed to count, and `k of` with k ≥ 2
    /// is read as `1 of`, so whatever `CompiledCondition`'s evaluation holds on passes this.
    static func conjunctions(of c: CompiledCondition) -> [[Int32]] {
        func both(_ x: [[Int32]], _ y: [[Int32]]) -> [[Int32]] {
            var product: [[Int32]] = []
            for a in x { for b in y { product.append(Array(Set(a + b)).sorted()) } }
            return product
        }
        func all(_ items: [[[Int32]]]) -> [[Int32]] {
            var result: [[Int32]] = [[]]
            // The most selective operands first; an operand that would pass the limit is left
            // out (a weaker condition, still implied by `c`).
            for item in items.sorted(by: { $0.count < $1.count }) {
                if item.isEmpty { return [] }
                let product = both(result, item)
                if product.count <= conjunctionLimit { result = minimal(product) }
            }
            return result
        }
        func any(_ items: [[[Int32]]]) -> [[Int32]] {
            let union = minimal(items.flatMap { $0 })
            return union.count <= conjunctionLimit ? union : [[]]
        }
        switch c {
        case .terms(let set): return set >= 0 ? [[set]] : []
        case .pair(let field): return [[-1 - Int32(field.ordinal)]]
        case .contestKeyword: return [[keywordAtom]]
        case .contestAllPairs, .not: return [[]]
        case .near(let a, let b, _), .before(let a, let b, _): return all([conjunctions(of: a), conjunctions(of: b)])
        case .and(let items): return all(items.map(conjunctions(of:)))
        case .or(let items): return any(items.map(conjunctions(of:)))
        case .atLeast(let k, let items): return k >= 1 ? any(items.map(conjunctions(of:))) : [[]]
        }
    }

    /// `conjunctions` without duplicates and without any that contains another (which holds
    /// whenever the smaller one does), in a fixed order.
    static func minimal(_ conjunctions: [[Int32]]) -> [[Int32]] {
        let distinct = Array(Set(conjunctions)).sorted { $0.count != $1.count ? $0.count < $1.count : $0.lexicographicallyPrecedes($1) }
        var kept: [[Int32]] = []
        for candidate in distinct where !kept.contains(where: { Set($0).isSubset(of: candidate) }) { kept.append(candidate) }
        return kept
    }

    deinit {
        nodes.deallocate()
        children.deallocate()
        when.deallocate()
        unless.deallocate()
        target.deallocate()
        boostFirst.deallocate()
        boostRoots.deallocate()
        kinds.deallocate()
        fields.deallocate()
        isRecord.deallocate()
        readsContest.deallocate()
        requiredFirst.deallocate()
        required.deallocate()
        conjunctFirst.deallocate()
        termMask.deallocate()
        pairMask.deallocate()
        unconstrained.deallocate()
        requiredTerms.deallocate()
        requiredPair.deallocate()
        termBit.deallocate()
    }
}
