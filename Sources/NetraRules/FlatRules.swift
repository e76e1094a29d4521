import NetraCore

/// The screener's hit lists and scratch lists: growable arrays of `Hit` in memory that is never
/// reference counted (`HitList`), owned by one screener (per-worker scratch).
final class HitLists {
    /// One list per term set, then `2 × maxDepth + 1` work lists for condition evaluation.
    let lists: UnsafeMutablePointer<HitList>
    let count: Int

    init(sets: Int, work: Int) {
        count = sets + work
        lists = .allocate(capacity: count)
        lists.initialize(repeating: HitList(), count: count)
    }

    deinit {
        for i in 0..<count { lists[i].free() }
        lists.deallocate()
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
    /// Per rule: atoms at least one of which must have hits for `when` to hold
    /// (`triggers[triggerFirst[r]..<triggerFirst[r] + triggerCount[r]]`; a term set ≥ 0, or
    /// `-1 - field` for a field of the pair being judged, `keywordAtom` for the contest's
    /// keywords); a rule whose `when` could hold without any (`not`, `0 of`, a balanced listing)
    /// has `triggerCount[r] = -1`.
    let triggerFirst: UnsafeMutablePointer<Int32>
    let triggerCount: UnsafeMutablePointer<Int32>
    let triggers: UnsafeMutablePointer<Int32>
    static let keywordAtom: Int32 = -100
    let ruleCount: Int

    init(_ rules: [CompiledRule]) {
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
        for rule in rules {
            whenRoots.append(add(rule.when, 0))
            unlessRoots.append(rule.unless.map { add($0, 0) } ?? -1)
            targetRoots.append(rule.target.map { add($0, 0) } ?? -1)
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
        // Atoms: a condition can hold only if one of its atoms has hits (nil: no such atoms).
        func atoms(_ c: CompiledCondition) -> [Int32]? {
            switch c {
            case .terms(let set): return set >= 0 ? [set] : []  // an unknown list never holds
            case .pair(let field):
                if field == .ident { return PairField.identMembers.map { -1 - Int32($0.ordinal) } }
                return [-1 - Int32(field.ordinal)]
            case .contestKeyword: return [Self.keywordAtom]
            case .contestAllPairs: return nil
            case .near(let a, let b, _), .before(let a, let b, _):
                // Both sides must hold: the atoms of either side will do (the fewer the better).
                guard let x = atoms(a) else { return atoms(b) }
                guard let y = atoms(b) else { return x }
                return x.count <= y.count ? x : y
            case .and(let items):
                return items.compactMap(atoms).min { $0.count < $1.count }
            case .or(let items):
                var all: [Int32] = []
                for item in items {
                    guard let x = atoms(item) else { return nil }
                    all += x
                }
                return all
            case .atLeast(let k, let items):
                // One item at least must hold (k ≥ 1), as for `or`.
                return k >= 1 ? atoms(.or(items)) : nil
            case .not: return nil
            }
        }
        var triggerFirsts: [Int32] = [], triggerCounts: [Int32] = [], triggerAtoms: [Int32] = []
        for rule in rules {
            triggerFirsts.append(Int32(triggerAtoms.count))
            if let found = atoms(rule.when) {
                let distinct = Array(Set(found)).sorted()
                triggerCounts.append(Int32(distinct.count))
                triggerAtoms += distinct
            } else {
                triggerCounts.append(-1)
            }
        }
        triggerFirst = copy(triggerFirsts)
        triggerCount = copy(triggerCounts)
        triggers = copy(triggerAtoms)
        ruleCount = rules.count
    }

    deinit {
        nodes.deallocate()
        children.deallocate()
        when.deallocate()
        unless.deallocate()
        target.deallocate()
        kinds.deallocate()
        fields.deallocate()
        isRecord.deallocate()
        readsContest.deallocate()
        requiredFirst.deallocate()
        required.deallocate()
        triggerFirst.deallocate()
        triggerCount.deallocate()
        triggers.deallocate()
    }
}
