/// One occurrence of a pattern: pattern index and the byte range `start..<end` in the haystack.
public struct Match: Sendable, Hashable, Comparable {
    public var pattern: Int32
    public var start: Int32
    public var end: Int32

    public init(pattern: Int32, start: Int32, end: Int32) {
        self.pattern = pattern
        self.start = start
        self.end = end
    }

    /// Orders by start, then longer first, then lower pattern index (the leftmost-longest order).
    public static func < (a: Match, b: Match) -> Bool {
        if a.start != b.start { return a.start < b.start }
        if a.end != b.end { return a.end > b.end }
        return a.pattern < b.pattern
    }
}

/// How overlapping matches are reported.
public enum MatchKind: Sendable {
    /// Every whole-word occurrence of every pattern, overlapping ones included.
    case allOverlapping
    /// Non-overlapping matches chosen left to right: at each point the match that starts first,
    /// and among those the longest (ties: the lowest pattern index).
    case leftmostLongest
}

/// An Aho-Corasick automaton over UTF-8 bytes, compiled to a dense DFA over byte classes.
///
/// Matching has whole-word semantics: a match counts only when the byte before it and the byte
/// after it are boundary bytes (or the haystack's edges). By default the only boundary byte is
/// the space, which is what `NetraText` puts between tokens. The automaton is immutable and
/// `Sendable`: compile once, share between threads.
public struct AhoCorasick: Sendable {
    /// The patterns, as given.
    public let patterns: [[UInt8]]
    private let byteClass: [UInt8]          // 256 entries
    private let classCount: Int
    /// States are numbered so that those where a pattern ends come last: a state at or above
    /// `firstOutputState` has output. The table holds offsets: state × classCount + class ->
    /// next state × classCount, so the scan needs no multiplication and no lookup to see output.
    private let transitions: [Int32]
    private let firstOutputState: Int
    private let outputStart: [Int32]        // per output state (from firstOutputState): index into outputPatterns
    private let outputCount: [Int32]        // per output state: patterns ending here, incl. via suffix links
    private let outputPatterns: [Int32]
    private let isBoundary: [Bool]          // 256 entries
    /// The number of DFA states.
    public let stateCount: Int

    /// Compiles `patterns`. Empty patterns are ignored (they can never be a whole word).
    /// - Parameter boundaryBytes: bytes that separate words.
    public init(patterns: [[UInt8]], boundaryBytes: Set<UInt8> = [0x20]) {
        self.patterns = patterns
        var boundary = [Bool](repeating: false, count: 256)
        for b in boundaryBytes { boundary[Int(b)] = true }
        isBoundary = boundary

        // Byte classes: every byte that occurs in a pattern gets its own class; the rest share 0.
        var classes = [UInt8](repeating: 0, count: 256)
        var next = 1
        for p in patterns { for b in p where classes[Int(b)] == 0 { classes[Int(b)] = UInt8(next); next += 1 } }
        byteClass = classes
        let k = next
        classCount = k

        // Trie.
        var goto: [[Int32]] = [[Int32](repeating: -1, count: k)]
        var own: [[Int32]] = [[]]
        for (index, p) in patterns.enumerated() where !p.isEmpty {
            var s = 0
            for b in p {
                let c = Int(classes[Int(b)])
                if goto[s][c] < 0 {
                    goto[s][c] = Int32(goto.count)
                    goto.append([Int32](repeating: -1, count: k))
                    own.append([])
                }
                s = Int(goto[s][c])
            }
            own[s].append(Int32(index))
        }

        // Breadth-first: failure links, dense transitions, and output lists.
        let stateCount = goto.count
        var fail = [Int32](repeating: 0, count: stateCount)
        var table = [Int32](repeating: 0, count: stateCount * k)
        var outputs: [[Int32]] = own
        var queue: [Int] = []
        for c in 0..<k {
            let t = goto[0][c]
            if t >= 0 { table[c] = t; fail[Int(t)] = 0; queue.append(Int(t)) } else { table[c] = 0 }
        }
        var head = 0
        while head < queue.count {
            let s = queue[head]; head += 1
            outputs[s] += outputs[Int(fail[s])]
            for c in 0..<k {
                let t = goto[s][c]
                if t >= 0 {
                    fail[Int(t)] = table[Int(fail[s]) * k + c]
                    table[s * k + c] = t
                    queue.append(Int(t))
                } else {
                    table[s * k + c] = table[Int(fail[s]) * k + c]
                }
            }
        }
        // Renumber: states without output first (the root, which has none, stays 0).
        let order = (0..<stateCount).filter { outputs[$0].isEmpty } + (0..<stateCount).filter { !outputs[$0].isEmpty }
        var number = [Int](repeating: 0, count: stateCount)
        for (new, old) in order.enumerated() { number[old] = new }
        let firstOutput = order.firstIndex { !outputs[$0].isEmpty } ?? stateCount
        var renumbered = [Int32](repeating: 0, count: stateCount * k)
        renumbered.withUnsafeMutableBufferPointer { out in
            table.withUnsafeBufferPointer { old in
                number.withUnsafeBufferPointer { number in
                    for (new, from) in order.enumerated() {
                        for c in 0..<k { out[new &* k &+ c] = Int32(truncatingIfNeeded: number[Int(old[from &* k &+ c])] &* k) }
                    }
                }
            }
        }
        transitions = renumbered
        firstOutputState = firstOutput
        var start: [Int32] = [], count: [Int32] = [], flat: [Int32] = []
        for old in order[firstOutput...] {
            start.append(Int32(flat.count))
            count.append(Int32(outputs[old].count))
            flat += outputs[old]
        }
        outputStart = start
        outputCount = count
        outputPatterns = flat
        self.stateCount = stateCount
    }

    /// Appends the whole-word matches in `haystack` to `matches`, ordered by (start, longest).
    public func find(in haystack: UnsafeBufferPointer<UInt8>, kind: MatchKind, into matches: inout [Match]) {
        let base = matches.count
        let n = haystack.count
        guard n > 0, let h = haystack.baseAddress else { return }
        let k = classCount
        let threshold = firstOutputState &* k
        var offset = 0
        var i = 0
        transitions.withUnsafeBufferPointer { table in
            byteClass.withUnsafeBufferPointer { classes in
                let t = table.baseAddress!, c = classes.baseAddress!
                while true {
                    // The DFA alone until a state where a pattern ends.
                    while i < n {
                        offset = Int(t[offset &+ Int(c[Int(h[i])])])
                        i &+= 1
                        if offset >= threshold { break }
                    }
                    guard offset >= threshold else { break }
                    if i == n || isBoundary[Int(h[i])] { record(state: offset / k &- firstOutputState, end: i, in: haystack, into: &matches) }
                    if i >= n { break }
                }
            }
        }
        if matches.count - base > 1 {
            // Sorted in place (sorting `matches[base...]` copies the slice first).
            matches.withUnsafeMutableBufferPointer { all in
                var tail = UnsafeMutableBufferPointer(rebasing: all[base...])
                tail.sort()
            }
        }
        if kind == .leftmostLongest { Self.keepLeftmostLongest(&matches, from: base) }
    }

    /// Appends the whole-word matches that end at `end` in output state `state` (counted from
    /// `firstOutputState`).
    @inline(never)
    private func record(state: Int, end: Int, in haystack: UnsafeBufferPointer<UInt8>, into matches: inout [Match]) {
        let first = Int(outputStart[state])
        for j in first..<(first + Int(outputCount[state])) {
            let p = outputPatterns[j]
            let start = end - patterns[Int(p)].count
            if start > 0 && !isBoundary[Int(haystack[start - 1])] { continue }
            matches.append(Match(pattern: p, start: Int32(start), end: Int32(end)))
        }
    }

    /// Convenience: the matches in `haystack` as a new array.
    public func find(in haystack: [UInt8], kind: MatchKind = .allOverlapping) -> [Match] {
        var result: [Match] = []
        haystack.withUnsafeBufferPointer { find(in: $0, kind: kind, into: &result) }
        return result
    }

    /// Reduces sorted matches (from `base` on) to the non-overlapping leftmost-longest ones.
    static func keepLeftmostLongest(_ matches: inout [Match], from base: Int) {
        var write = base
        var lastEnd: Int32 = -1
        for read in base..<matches.count {
            let m = matches[read]
            if m.start >= lastEnd {
                matches[write] = m
                write += 1
                lastEnd = m.end
            }
        }
        matches.removeSubrange(write..<matches.count)
    }
}

/// The slow, obvious oracle the automaton is tested against: compare every pattern at every
/// position. Quadratic; for tests only.
public enum NaiveMatcher {
    public static func find(patterns: [[UInt8]], in haystack: [UInt8], kind: MatchKind,
                            boundaryBytes: Set<UInt8> = [0x20]) -> [Match] {
        let n = haystack.count
        func boundaryOK(_ start: Int, _ end: Int) -> Bool {
            (start == 0 || boundaryBytes.contains(haystack[start - 1]))
                && (end == n || boundaryBytes.contains(haystack[end]))
        }
        // Only patterns that start with the byte at a position can occur there.
        var byFirstByte = [[Int]](repeating: [], count: 256)
        for (index, p) in patterns.enumerated() where !p.isEmpty { byFirstByte[Int(p[0])].append(index) }
        func occurrences(at start: Int) -> [Match] {
            var found: [Match] = []
            for index in byFirstByte[Int(haystack[start])] where start + patterns[index].count <= n {
                let p = patterns[index]
                if Array(haystack[start..<(start + p.count)]) == p && boundaryOK(start, start + p.count) {
                    found.append(Match(pattern: Int32(index), start: Int32(start), end: Int32(start + p.count)))
                }
            }
            return found.sorted()
        }
        switch kind {
        case .allOverlapping:
            return (0..<max(n, 0)).flatMap { occurrences(at: $0) }
        case .leftmostLongest:
            var result: [Match] = []
            var position = 0
            while position < n {
                if let best = occurrences(at: position).first {
                    result.append(best)
                    position = Int(best.end)
                } else {
                    position += 1
                }
            }
            return result
        }
    }
}
