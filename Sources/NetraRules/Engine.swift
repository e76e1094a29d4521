import NetraCore
import NetraMatch
import NetraText

/// One term occurrence in a normalized field.
struct Hit: Hashable {
    var tokenStart: Int32
    var tokenEnd: Int32     // exclusive
    var byteStart: Int32
    var byteEnd: Int32
    var pattern: Int32
    var sentence: Int32 = 0

    func overlaps(_ other: Hit) -> Bool { byteStart < other.byteEnd && other.byteStart < byteEnd }

    /// Tokens strictly between the two hits; nil when they overlap.
    func gap(to other: Hit) -> Int32? {
        if byteEnd <= other.byteStart { return other.tokenStart - tokenEnd }
        if other.byteEnd <= byteStart { return tokenStart - other.tokenEnd }
        return nil
    }
}

/// A lexicon compiled for scanning: one matcher over every term of every list and pair,
/// and rules resolved to set indices. Immutable and `Sendable`: share it between workers.
public struct CompiledLexicon: Sendable {
    public let lexicon: Lexicon
    let matcher: WordMatcher
    /// The normalized text of each pattern.
    let patternTerms: [String]
    /// The sets each pattern belongs to, flat: pattern p's are
    /// `patternSetList[patternSetStart[p] ..< patternSetStart[p + 1]]` (the scan reads them
    /// without retaining an array per match).
    let patternSetStart: [Int32]
    let patternSetList: [Int32]
    let setNames: [String]
    let termSetIDs: [String: Int32]
    /// The set of each field of each pair, flat: field f (a `PairField` ordinal) of pair pi of
    /// contest ci is `pairSetList[(pairBase[ci] + pi) * PairField.allCases.count + f]` (-1 for
    /// `ident`: it is a union); contest ci has `pairBase[ci + 1] - pairBase[ci]` pairs.
    let pairSetList: [Int32]
    let pairBase: [Int32]
    /// The compiled form of each rule, in lexicon order.
    let rules: [CompiledRule]
    let keywordSetIDs: [Int32]
    /// Per contest, the sets that place a record in it (keywords, names, hashtags, teams).
    let contextSetIDs: [[Int32]]
    /// For number and label patterns: the contests whose number phrases include them.
    let numberOwners: [Int32: [Int]]
    /// The rules' conditions as flat nodes, for screening without reference counting.
    let flat: FlatRules
    /// Per set: the (contest, pair) whose field it is, as `contest << 16 | pair`, or -1.
    let pairOfSet: [Int32]
    /// Per pattern: `numberOwners` as bits (contest index k is bit k; contests past 63 are
    /// judged through `numberOwners`).
    let numberOwnerMasks: [UInt64]

    public var version: String { lexicon.version }

    /// What may stand before or after a term: the space between tokens, and the `#` that opens
    /// a hashtag, so "#AHY" and "#Ganjar" name their candidate as the bare word does.
    static let boundaryBytes: Set<UInt8> = [0x20, 0x23]

    static let numberWords = ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh"]

    /// Number phrases that name ballot number `n` (label `label`).
    static func numberPhrases(number n: Int, label: String) -> [String] {
        var numerals = [String(n)]
        if n < 10 { numerals.append("0\(n)") }
        if n < numberWords.count { numerals.append(numberWords[n]) }
        let heads = ["nomor", "no", "nmr", "nomer", "nomor urut", "no urut", "nomer urut", "paslon", "paslon nomor",
                     "paslon no", "paslon nomor urut", "pasangan nomor", "pasangan nomor urut", "calon nomor", "urutan"]
        var phrases = heads.flatMap { head in numerals.map { "\(head) \($0)" } }
        if label.count >= 2 { phrases.append(label) }
        return phrases
    }

    public init(_ lexicon: Lexicon) {
        self.lexicon = lexicon
        let normalizer = Normalizer(configuration: lexicon.normalization)
        var patternIndex: [[UInt8]: Int32] = [:]
        var patterns: [[UInt8]] = []
        var sets: [[Int32]] = []
        var names: [String] = []
        func newSet(_ name: String) -> Int32 {
            names.append(name)
            return Int32(names.count - 1)
        }
        func add(_ term: String, to set: Int32) -> Int32? {
            let bytes = normalizer.normalizeTerm(term)
            guard !bytes.isEmpty else { return nil }
            let index: Int32
            if let existing = patternIndex[bytes] { index = existing } else {
                index = Int32(patterns.count)
                patternIndex[bytes] = index
                patterns.append(bytes)
                sets.append([])
            }
            if !sets[Int(index)].contains(set) { sets[Int(index)].append(set) }
            return index
        }
        var termIDs: [String: Int32] = [:]
        for list in lexicon.termSets {
            let id = newSet(list.name)
            termIDs[list.name] = id
            for term in list.terms { _ = add(term, to: id) }
        }
        var pairIDs: [[[Int32]]] = []
        var keywordIDs: [Int32] = []
        var contextIDs: [[Int32]] = []
        var owners: [Int32: [Int]] = [:]
        for (ci, contest) in lexicon.contests.enumerated() {
            let keywordSet = newSet("\(contest.id).keyword")
            keywordIDs.append(keywordSet)
            for k in contest.keywords { _ = add(k, to: keywordSet) }
            var context = [keywordSet]
            var contestPairs: [[Int32]] = []
            for pair in contest.pairs {
                var ids: [PairField: Int32] = [:]
                for field in PairField.allCases where field != .ident {
                    ids[field] = newSet("\(contest.id).\(pair.label).\(field.rawValue)")
                }
                for t in pair.members + pair.aliases { _ = add(t, to: ids[.name]!) }
                // A name of two or more words also as one word: the form of an account handle
                // ("@aniesbaswedan", "ganjarpranowo" in a follow list) or of a hashtag.
                for t in Self.joinedNames(pair.members + pair.aliases, normalizer: normalizer) { _ = add(t, to: ids[.name]!) }
                for t in pair.nicknames { _ = add(t, to: ids[.nickname]!) }
                if let a = pair.acronym { _ = add(a, to: ids[.acronym]!) }
                for t in pair.hashtags { _ = add("#" + t, to: ids[.hashtag]!) }
                for t in pair.slogans { _ = add(t, to: ids[.slogan]!) }
                for t in pair.teams { _ = add(t, to: ids[.team]!) }
                for t in pair.gestures { _ = add(t, to: ids[.gesture]!) }
                for t in pair.opposition { _ = add(t, to: ids[.opposition]!) }
                for t in Self.numberPhrases(number: pair.number, label: pair.label) {
                    if let p = add(t, to: ids[.number]!), !(owners[p]?.contains(ci) ?? false) { owners[p, default: []].append(ci) }
                }
                if let p = add(pair.label, to: ids[.label]!), !(owners[p]?.contains(ci) ?? false) { owners[p, default: []].append(ci) }
                context += [ids[.name]!, ids[.hashtag]!, ids[.team]!]
                contestPairs.append(PairField.allCases.map { ids[$0] ?? -1 })
            }
            pairIDs.append(contestPairs)
            contextIDs.append(context)
        }
        matcher = WordMatcher(patterns: patterns, boundaryBytes: Self.boundaryBytes)
        patternTerms = patterns.map { String(decoding: $0, as: UTF8.self) }
        patternSetStart = sets.reduce(into: [Int32(0)]) { $0.append($0.last! + Int32($1.count)) }
        patternSetList = sets.flatMap { $0 }
        setNames = names
        termSetIDs = termIDs
        pairSetList = pairIDs.flatMap { $0.flatMap { $0 } }
        var bases: [Int32] = [0]
        for pairs in pairIDs { bases.append(bases.last! + Int32(pairs.count)) }
        pairBase = bases
        let compiledRules = lexicon.rules.map { CompiledRule($0, termSetIDs: termIDs) }
        rules = compiledRules
        keywordSetIDs = keywordIDs
        contextSetIDs = contextIDs
        numberOwners = owners
        flat = FlatRules(compiledRules, setCount: names.count)
        var owner = [Int32](repeating: -1, count: names.count)
        for (ci, pairs) in pairIDs.enumerated() {
            for (pi, sets) in pairs.enumerated() {
                for set in sets where set >= 0 { owner[Int(set)] = Int32(ci << 16 | pi) }
            }
        }
        pairOfSet = owner
        var masks = [UInt64](repeating: 0, count: patterns.count)
        for (pattern, contests) in owners {
            for c in contests { masks[Int(pattern)] |= c < 64 ? 1 << UInt64(c) : 0 }
        }
        numberOwnerMasks = masks
    }

    /// Each multi-word name normalized and written as one word ("Anies Baswedan" -> "aniesbaswedan"),
    /// the way account handles and hashtags spell it. Single words and joined forms shorter than
    /// eight letters are left out: a short joined form ("pakde", "masagus") may be a word of its own.
    static func joinedNames(_ names: [String], normalizer: Normalizer) -> [String] {
        var joined: [String] = []
        for name in names {
            let words = normalizer.normalizeTerm(name).split(separator: 0x20)
            guard words.count >= 2 else { continue }
            let one = String(decoding: Array(words.joined()), as: UTF8.self)
            if one.utf8.count >= 8, one.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) }), !joined.contains(one) { joined.append(one) }
        }
        return joined
    }

    /// The number of distinct normalized patterns in the matcher.
    public var patternCount: Int { patternTerms.count }

    /// The normalized patterns the matcher looks for, in pattern-index order (for benchmarks).
    public var patterns: [[UInt8]] { matcher.patterns }
}

/// The parts of a rule evaluation needs, kept apart so the hot loop copies no strings.
struct CompiledRule: Sendable {
    /// The record kinds the rule judges, as `RuleMasks.bit(kind)` bits.
    var kindMask: UInt32
    var score: Double
    var when: CompiledCondition
    var unless: CompiledCondition?
    var target: CompiledCondition?
    /// For `scope: record` rules: whether a condition reads `contest.*` (then the rule is judged per contest).
    var record: Bool
    var readsContest: Bool
    /// The judged fields the rule reads, as `RuleMasks.bit(field:)` bits.
    var fieldMask: UInt32
    var boosts: [(condition: CompiledCondition, add: Double)]
    /// Sets that must have hits for `when` to hold (`CompiledCondition.requiredSets`).
    var requiredSets: [Int32]

    /// Whether the rule judges records of the kind with bit `kindBit`.
    @inline(__always)
    func judges(_ kindBit: UInt32) -> Bool { kindMask & kindBit != 0 }

    /// Whether the rule reads the judged field with bit `fieldBit`.
    @inline(__always)
    func reads(_ fieldBit: UInt32) -> Bool { fieldMask & fieldBit != 0 }

    init(_ rule: Rule, termSetIDs: [String: Int32]) {
        fieldMask = RuleMasks.fields(rule.fields)
        record = rule.scope == .record
        let conditions = [rule.when] + (rule.unless.map { [$0] } ?? []) + rule.boosts.map(\.condition)
        readsContest = conditions.flatMap(\.references).contains { $0 == .contestKeyword || $0 == .contestAllPairs }
        kindMask = RuleMasks.kinds(rule.kinds)
        score = rule.score
        when = CompiledCondition(rule.when, termSetIDs: termSetIDs)
        requiredSets = Array(Set(when.requiredSets)).sorted()
        unless = rule.unless.map { CompiledCondition($0, termSetIDs: termSetIDs) }
        target = rule.target.map { CompiledCondition($0, termSetIDs: termSetIDs) }
        boosts = rule.boosts.map { (CompiledCondition($0.condition, termSetIDs: termSetIDs), $0.add) }
    }
}

extension PairField {
    /// The position of the field in `PairField.allCases`.
    var ordinal: Int {
        switch self {
        case .name: 0
        case .acronym: 1
        case .hashtag: 2
        case .slogan: 3
        case .team: 4
        case .gesture: 5
        case .number: 6
        case .label: 7
        case .opposition: 8
        case .nickname: 9
        case .ident: 10
        }
    }
}

/// What one rule decided for one contest and pair (for `netra explain`).
public struct RuleDecision: Sendable {
    public enum Outcome: String, Sendable { case hit, vetoed }
    public var rule: String
    public var contest: String
    public var pair: String
    public var field: String
    public var outcome: Outcome
    /// The terms that made the condition true.
    public var evidence: [Evidence]
    /// For a veto: the terms that made `unless` true.
    public var vetoEvidence: [Evidence]
    public var score: Double
    /// The rule's index in the lexicon (the screener's own bookkeeping).
    var ruleIndex = -1
}

/// The full reasoning for one text: its normalized form, its term hits, and every rule decision.
public struct Explanation: Sendable {
    public struct TermHit: Sendable {
        public var term: String
        public var lists: [String]
        public var evidence: Evidence
    }
    public struct Token: Sendable {
        /// The normalized token.
        public var text: String
        /// Where it came from in the original field, and what stood there.
        public var span: Span
        public var original: String
        /// The index of its sentence.
        public var sentence: Int
    }
    public var field: String
    public var normalized: String
    public var tokens: [Token]
    public var hits: [TermHit]
    public var decisions: [RuleDecision]
}

/// Screens records against a `CompiledLexicon`. Holds per-worker scratch: one per thread.
public struct Screener {
    public let compiled: CompiledLexicon
    private let normalizer: Normalizer
    private var normalized = NormalizedText()
    private var matches: [Match] = []
    /// Per term set, its hits in the field being judged; then the work lists of `holds`.
    /// Owned by this screener (copies of a screener share it: one screener per worker).
    private let hitLists: HitLists
    private let list: UnsafeMutablePointer<HitList>
    /// The index of the first work list in `list`.
    private let workBase: Int
    private let flat: FlatRules
    /// The term sets with hits in the text being judged (`touchedCount` of them), in the order
    /// their first hits came.
    private let touchedStorage: UnsafeMutablePointer<Int32>
    private var touchedCount = 0
    private var touched: UnsafeBufferPointer<Int32> { UnsafeBufferPointer(start: touchedStorage, count: touchedCount) }
    /// The pair rules the text being judged leaves possible (`evaluate`'s scratch, one per rule).
    private let liveRules: UnsafeMutablePointer<Int32>
    private var activeContests: [Int] = []
    /// Each contest's watch window, in lexicon order.
    private let windows: [WatchWindow]
    /// `activeContests` as bits (contest k is bit k, for k < 64).
    private var activeMask: UInt64 = 0
    /// What `activeContests` was computed for.
    private var preparedFor: (date: CalendarDate?, group: Bool)?
    /// Per contest: whether the text names it (-1: not yet known), for number phrases.
    private var contextState: [Int8]
    /// Per contest: the pairs any term of the text points at (pair k is bit k), from `touched`.
    private var touchedPairs: [UInt64]
    /// Per (record or pair rules, record kind, judged field): the rules that judge them, in
    /// lexicon order (testing every rule per field cost a copy of each rule).
    private var rulesByScope: [[Int32]?]
    /// Cuts evidence out of the text being judged.
    private var slicer = ScalarSlicer()

    /// The patterns for `NaiveMatcher` when this is the reference screener, else nil.
    private let referencePatterns: [[UInt8]]?

    /// - Parameter reference: screen with the slow, obvious oracles instead of the fast paths
    ///   (every word through the normalizer's general path, `NaiveMatcher` instead of the
    ///   word matcher); for equivalence tests and `netra-bench equivalence`. Findings must be identical.
    public init(_ compiled: CompiledLexicon, reference: Bool = false) {
        self.compiled = compiled
        normalizer = Normalizer(configuration: compiled.lexicon.normalization, fastPath: !reference)
        flat = compiled.flat
        workBase = compiled.setNames.count
        hitLists = HitLists(sets: workBase, work: 3 * (flat.depth + 1) + 1, rules: flat.ruleCount)
        list = hitLists.lists
        contextState = [Int8](repeating: -1, count: compiled.lexicon.contests.count)
        windows = compiled.lexicon.contests.map(\.window)
        touchedPairs = [UInt64](repeating: 0, count: compiled.lexicon.contests.count)
        rulesByScope = [[Int32]?](repeating: nil, count: 2 * 32 * 5)
        referencePatterns = reference ? compiled.patternTerms.map { Array($0.utf8) } : nil
        liveRules = hitLists.liveRules
        touchedStorage = hitLists.touched
    }

    /// What the screener itself decides beyond the lexicon files, part of every `lexicon_version`
    /// so that a batch store screens its inputs again when it changes.
    /// - rules-1: dated records judged only inside each contest's watch window.
    /// - rules-2: a group membership judged for every contest whose window had opened when it was
    ///   joined (``Contest/watches(_:kind:)``).
    public static let semanticsVersion = "rules-2"

    /// The flags for `record`, merged over its judged fields, in a stable order.
    public mutating func screen(_ record: Record) -> [Flag] {
        var flags: [Flag] = []
        prepareContests(for: record.date, kind: record.kind)
        if activeContests.isEmpty { return [] }
        let rules = compiled.lexicon.rules
        // A comment's or reply's own text is judged with the post it answers.
        var pointed: [(field: String, text: String)] = []
        if record.kind == .comment || record.kind == .reply, let target = record.target {
            if let t = target.text, !t.isEmpty { pointed.append(("target.text", t)) }
            if let a = target.author, !a.isEmpty { pointed.append(("target.author", a)) }
        }
        record.forEachJudgedField { field, text in
            evaluate(text: text, field: field, kind: record.kind, target: field == "text" ? pointed : [], explaining: false) { decision in
                guard decision.outcome == .hit else { return }
                if let i = flags.firstIndex(where: { $0.rule == decision.rule && $0.contest == decision.contest && $0.pair == decision.pair }) {
                    flags[i].score = max(flags[i].score, decision.score)
                    flags[i].evidence = Self.merged(flags[i].evidence, decision.evidence)
                } else {
                    // The rule's fields read in place (a copy of the rule retained and released each).
                    let r = decision.ruleIndex
                    flags.append(Flag(rule: rules[r].id, category: rules[r].category, contest: decision.contest, pair: decision.pair,
                                      stance: rules[r].stance, severity: rules[r].severity, score: decision.score, basis: rules[r].basis,
                                      evidence: decision.evidence))
                }
            }
        }
        return flags
    }

    /// Every decision for one text, vetoed near-misses included.
    /// `target` is the post a comment or reply answers, for rules with a `target` condition.
    public mutating func explain(text: String, kind: RecordKind = .post, date: CalendarDate? = nil, field: String = "text",
                                 target: String? = nil) -> Explanation {
        prepareContests(for: date, kind: kind)
        var decisions: [RuleDecision] = []
        let pointed = target.map { [(field: "target.text", text: $0)] } ?? []
        evaluate(text: text, field: field, kind: kind, target: pointed, explaining: true) { decisions.append($0) }
        var termHits: [Explanation.TermHit] = []
        var seen: Set<Hit> = []
        for set in touched {
            for hit in list[Int(set)].array where seen.insert(hit).inserted {
                termHits.append(Explanation.TermHit(
                    term: compiled.patternTerms[Int(hit.pattern)],
                    lists: compiled.patternSetList[Int(compiled.patternSetStart[Int(hit.pattern)])..<Int(compiled.patternSetStart[Int(hit.pattern) + 1])]
                        .map { compiled.setNames[Int($0)] },
                    evidence: evidence(hit, text: text, field: field)))
            }
        }
        termHits.sort { $0.evidence.span < $1.evidence.span }
        slicer.reset(text)
        let tokens = normalized.tokens.enumerated().map { index, token in
            Explanation.Token(text: token.text, span: token.span, original: slicer.substring(token.span),
                              sentence: normalized.sentenceIndex(ofToken: index))
        }
        return Explanation(field: field, normalized: normalized.string, tokens: tokens, hits: termHits, decisions: decisions)
    }

    private mutating func prepareContests(for date: CalendarDate?, kind: RecordKind) {
        // The windows read only the date and whether the record is a group membership: records
        // in a row mostly share both (or have no date), and then nothing changes.
        if let prepared = preparedFor, prepared.date == date, prepared.group == (kind == .group) { return }
        preparedFor = (date, kind == .group)
        activeContests.removeAll(keepingCapacity: true)
        activeMask = 0
        for (i, window) in windows.enumerated() where window.watches(date, kind: kind) {
            activeContests.append(i)
            if i < 64 { activeMask |= 1 << UInt64(i) }
        }
    }

    private mutating func collectHits(_ text: String) {
        for set in touched { list[Int(set)].count = 0 }
        touchedCount = 0
        for ci in contextState.indices { contextState[ci] = -1 }
        normalizer.normalize(text, into: &normalized)
        matches.removeAll(keepingCapacity: true)
        // In place: `normalized` is not written until the next text.
        let (bytes, tokens, sentences) = normalized.unsafeViews
        if let referencePatterns {
            matches = NaiveMatcher.find(patterns: referencePatterns, in: normalized.bytes, kind: .allOverlapping,
                                        boundaryBytes: CompiledLexicon.boundaryBytes)
        } else {
            compiled.matcher.find(in: bytes, kind: .allOverlapping, into: &matches)
        }
        // Matches come by start: their tokens and sentences are found by walking forward
        // (`tokenIndex(ofByte:)` and `sentenceIndex(ofToken:)` give the same, searching).
        let list = self.list, touched = touchedStorage
        var touchedCount = 0
        compiled.patternSetStart.withUnsafeBufferPointer { setStart in
            compiled.patternSetList.withUnsafeBufferPointer { setList in
                matches.withUnsafeBufferPointer { matches in
                    var token = 0, sentence = 0
                    for m in matches {
                        while token &+ 1 < tokens.count && tokens[token &+ 1] <= m.start { token &+= 1 }
                        var last = token
                        while last &+ 1 < tokens.count && tokens[last &+ 1] <= m.end &- 1 { last &+= 1 }
                        while sentence &+ 1 < sentences.count && sentences[sentence &+ 1] <= Int32(truncatingIfNeeded: token) { sentence &+= 1 }
                        let hit = Hit(tokenStart: Int32(truncatingIfNeeded: token), tokenEnd: Int32(truncatingIfNeeded: last &+ 1),
                                      byteStart: m.start, byteEnd: m.end, pattern: m.pattern, sentence: Int32(truncatingIfNeeded: sentence))
                        var k = Int(setStart[Int(m.pattern)])
                        let end = Int(setStart[Int(m.pattern) &+ 1])
                        while k < end {
                            let set = Int(setList[k])
                            if list[set].isEmpty {
                                touched[touchedCount] = Int32(truncatingIfNeeded: set)
                                touchedCount &+= 1
                            }
                            list[set].append(hit)
                            k &+= 1
                        }
                    }
                }
            }
        }
        self.touchedCount = touchedCount
    }

    /// Every decision on `text` goes to `emit`; vetoed near-misses only when `explaining`
    /// (screening drops them, so their evidence is not built).
    private mutating func evaluate(text: String, field: String, kind: RecordKind,
                                   target: [(field: String, text: String)] = [], explaining: Bool, emit: (RuleDecision) -> Void) {
        // Rules that read the commented post first: which pairs does it promote? Then the
        // record's own text is read below, so `explain` shows the record's own terms.
        let pending = target.isEmpty ? [] : targetCandidates(target, kind: kind)
        collectHits(text)
        for p in pending {
            if let decision = decide(p.rule, p.contest, p.pair, text: text, field: field, explaining: explaining,
                                     targetEvidence: p.evidence) { emit(decision) }
        }
        if touched.isEmpty { return }
        let kindBit = RuleMasks.bit(kind), fieldBit = RuleMasks.bit(field: field)
        var terms: UInt64 = 0
        for set in touched { terms |= flat.termBit[Int(set)] }
        // Rules about the record as such: once, or once per contest when they read `contest.*`
        // (their conjunctions are tested with every pair field and contest keyword taken as
        // present, which can only let more through).
        for ri32 in rules(record: true, kindBit: kindBit, fieldBit: fieldBit)
            where referencePatterns != nil ? mayHold(Int(ri32)) : possible(Int(ri32), terms: terms, pair: ~0) {
            let ri = Int(ri32)
            for ci in compiled.rules[ri].readsContest ? activeContests[...] : activeContests.prefix(1) {
                if let decision = decide(ri, ci, -1, text: text, field: field, explaining: explaining) { emit(decision) }
            }
        }
        let candidates = rules(record: false, kindBit: kindBit, fieldBit: fieldBit)
        markTouchedPairs()
        // Pair rules are judged only for the pairs a term points at: none, nothing to judge.
        var anyPair: UInt64 = 0
        for ci in activeContests { anyPair |= touchedPairs[ci] }
        if anyPair == 0 { return }
        // The rules the text's term sets leave possible for some pair. The reference screener
        // judges every candidate rule in full (the conjunctions are checked against it that way).
        var live = 0
        candidates.withUnsafeBufferPointer { rules in
            for ri32 in rules {
                let ri = Int(ri32)
                if referencePatterns != nil ? mayHold(ri) : possible(ri, terms: terms, pair: ~0) {
                    liveRules[live] = ri32
                    live &+= 1
                }
            }
        }
        if live == 0 { return }
        for ci in activeContests {
            // Only pairs a term of the text points at, in order.
            var pairs = touchedPairs[ci]
            while pairs != 0 {
                let pi = pairs.trailingZeroBitCount
                pairs &= pairs &- 1
                let pair = pairAtoms(ci, pi)
                for k in 0..<live where referencePatterns != nil || possible(Int(liveRules[k]), terms: terms, pair: pair) {
                    let ri32 = liveRules[k]
                    if let decision = decide(Int(ri32), ci, pi, text: text, field: field, explaining: explaining) { emit(decision) }
                }
            }
        }
    }

    /// Rule `ri`'s decision for contest `ci` and pair `pi` (-1 for a record rule, which names
    /// the contest only when it reads `contest.*`): nil when its `when` does not hold, or when
    /// screening (not `explaining`) and its `unless` holds. The score adds the boosts that hold,
    /// the evidence their hits (and `targetEvidence`, from the post a comment answers). The
    /// rule's parts are read where they are: a copy of the rule would retain and release each.
    private mutating func decide(_ ri: Int, _ ci: Int, _ pi: Int, text: String, field: String, explaining: Bool,
                                 targetEvidence: [Evidence] = []) -> RuleDecision? {
        guard let witnesses = witnessesOf(flat.when[ri], nil, ci, pi, rule: ri) else { return nil }
        // Screening drops a vetoed decision: nothing more is built for it.
        if !explaining, flat.unless[ri] >= 0, conditionHolds(flat.unless[ri], nil, ci, pi, rule: ri) { return nil }
        var score = compiled.rules[ri].score
        var evidenceHits = witnesses
        let firstBoost = Int(flat.boostFirst[ri])
        for bi in compiled.rules[ri].boosts.indices {
            if let extra = witnessesOf(flat.boostRoots[firstBoost + bi], compiled.rules[ri].boosts[bi].condition, ci, pi) {
                score += compiled.rules[ri].boosts[bi].add
                evidenceHits += extra
            }
        }
        score = min(1, max(0, score))
        // When screening, an `unless` that held returned above: there is no veto to show.
        let veto = explaining ? compiled.rules[ri].unless.flatMap { witnessesOf(flat.unless[ri], $0, ci, pi) } : nil
        let contest = pi >= 0 || compiled.rules[ri].readsContest ? compiled.lexicon.contests[ci].id : ""
        let pair = pi >= 0 ? compiled.lexicon.contests[ci].pairs[pi].label : ""
        return RuleDecision(rule: compiled.lexicon.rules[ri].id, contest: contest, pair: pair, field: field,
                            outcome: veto == nil ? .hit : .vetoed,
                            evidence: evidenceList(evidenceHits, text: text, field: field) + targetEvidence,
                            vetoEvidence: evidenceList(veto ?? [], text: text, field: field), score: score, ruleIndex: ri)
    }

    /// For rules with a `target` condition: the (rule, contest, pair) triples whose target
    /// condition holds on one of the pointed-at fields, with that field's evidence. Leaves the
    /// scratch state holding the last target field's hits.
    private mutating func targetCandidates(_ target: [(field: String, text: String)], kind: RecordKind)
        -> [(rule: Int, contest: Int, pair: Int, evidence: [Evidence])] {
        let kindBit = RuleMasks.bit(kind)
        let rules = compiled.rules.indices.filter { compiled.rules[$0].target != nil && compiled.rules[$0].judges(kindBit) }
        if rules.isEmpty { return [] }
        var found: [(rule: Int, contest: Int, pair: Int, evidence: [Evidence])] = []
        for (field, text) in target {
            collectHits(text)
            if touched.isEmpty { continue }
            markTouchedPairs()
            for ci in activeContests {
                var pairs = touchedPairs[ci]
                while pairs != 0 {
                    let pi = pairs.trailingZeroBitCount
                    pairs &= pairs &- 1
                    for ri in rules where !found.contains(where: { $0.rule == ri && $0.contest == ci && $0.pair == pi }) {
                        guard let witnesses = witnessesOf(flat.target[ri], compiled.rules[ri].target!, ci, pi) else { continue }
                        found.append((ri, ci, pi, evidenceList(witnesses, text: text, field: field)))
                    }
                }
            }
        }
        return found
    }

    private mutating func evidence(_ hit: Hit, text: String, field: String) -> Evidence {
        let span = normalized.originalSpan(of: Int(hit.byteStart)..<Int(hit.byteEnd))
        slicer.reset(text)
        return Evidence(span: span, text: slicer.substring(span), term: compiled.patternTerms[Int(hit.pattern)], field: field)
    }

    /// The evidence of two decisions of one flag: each item once, ordered by field and span
    /// (then term and text, so the order never depends on hashing), at most `maxEvidence`.
    static func merged(_ a: [Evidence], _ b: [Evidence]) -> [Evidence] {
        var all = a + b
        all.sort { ($0.field, $0.span.start, $0.span.end, $0.term, $0.text) < ($1.field, $1.span.start, $1.span.end, $1.term, $1.text) }
        var kept: [Evidence] = []
        kept.reserveCapacity(min(all.count, maxEvidence))
        for e in all where kept.last != e {
            kept.append(e)
            if kept.count == maxEvidence { break }
        }
        return kept
    }

    /// The most evidence items one flag carries: the first ones in the text.
    public static let maxEvidence = 50

    /// Distinct hits in text order, without hits that lie inside a longer one ("prabowo" inside
    /// "prabowo gibran" adds nothing for a reader), at most `maxEvidence`. O(n log n).
    private mutating func evidenceList(_ list: [Hit], text: String, field: String) -> [Evidence] {
        // Sorted on every field (by span first), so equal hits are neighbours and dropped
        // without hashing.
        var ordered = list
        ordered.sort {
            ($0.byteStart, $1.byteEnd, $0.pattern, $0.tokenStart, $0.tokenEnd, $0.sentence)
                < ($1.byteStart, $0.byteEnd, $1.pattern, $1.tokenStart, $1.tokenEnd, $1.sentence)
        }
        var kept: [Hit] = []
        kept.reserveCapacity(min(ordered.count, Self.maxEvidence))
        var reach: Int32 = -1  // the furthest end of any hit kept so far
        for (index, hit) in ordered.enumerated() where index == 0 || hit != ordered[index - 1] {
            guard hit.byteEnd > reach || kept.last.map({ $0.byteStart == hit.byteStart && $0.byteEnd == hit.byteEnd }) == true else { continue }
            kept.append(hit)
            reach = max(reach, hit.byteEnd)
            if kept.count == Self.maxEvidence { break }
        }
        return kept.map { evidence($0, text: text, field: field) }
    }

    // MARK: Condition evaluation

    /// Whether one of rule `ri`'s conjunctions has all its atoms among `terms` (the text's
    /// term sets with hits, `FlatRules.termBit`) and `pair` (`pairAtoms`); else its `when`
    /// cannot hold (see `FlatRules.conjunctions(of:)`).
    @inline(__always)
    private func possible(_ ri: Int, terms: UInt64, pair: UInt32) -> Bool {
        if flat.requiredTerms[ri] & ~terms != 0 || flat.requiredPair[ri] & ~pair != 0 { return false }
        if flat.unconstrained[ri] { return true }
        var c = Int(flat.conjunctFirst[ri])
        let end = Int(flat.conjunctFirst[ri &+ 1])
        while c < end {
            if flat.termMask[c] & ~terms == 0 && flat.pairMask[c] & ~pair == 0 { return true }
            c &+= 1
        }
        return false
    }

    /// The fields of pair `pi` of contest `ci` with hits (`PairField` ordinals; `ident` when one
    /// of its members has), and `FlatRules.keywordBit` when the contest's keywords have.
    private func pairAtoms(_ ci: Int, _ pi: Int) -> UInt32 {
        let fields = PairField.allCases.count
        let identBit: UInt32 = 1 << UInt32(PairField.ident.ordinal)
        let first = (Int(compiled.pairBase[ci]) &+ pi) &* fields
        var bits: UInt32 = 0
        compiled.pairSetList.withUnsafeBufferPointer { sets in
            for field in 0..<fields {
                let set = sets[first &+ field]
                if set >= 0 && !list[Int(set)].isEmpty { bits |= 1 << UInt32(field) }
            }
        }
        bits &= ~identBit
        if bits & Self.identMemberBits != 0 { bits |= identBit }
        let keywords = compiled.keywordSetIDs[ci]
        if keywords >= 0 && !list[Int(keywords)].isEmpty { bits |= FlatRules.keywordBit }
        return bits
    }

    /// The bits of `PairField.identMembers` (`pairAtoms`).
    private static let identMemberBits = PairField.identMembers.reduce(UInt32(0)) { $0 | 1 << UInt32($1.ordinal) }

    /// Sets `touchedPairs` from the sets the text's terms are in.
    private mutating func markTouchedPairs() {
        let sets = touched
        compiled.pairOfSet.withUnsafeBufferPointer { owners in
            touchedPairs.withUnsafeMutableBufferPointer { pairs in
                pairs.update(repeating: 0)
                for set in sets {
                    let owner = owners[Int(set)]
                    if owner >= 0 { pairs[Int(owner >> 16)] |= 1 &<< UInt64(owner & 0xFFFF) }
                }
            }
        }
    }

    /// The record rules (`record`) or the pair rules without a `target` condition that judge
    /// records of `kindBit` in the field of `fieldBit`, listed once per combination.
    private mutating func rules(record: Bool, kindBit: UInt32, fieldBit: UInt32) -> [Int32] {
        let key = (record ? 32 * 5 : 0) + kindBit.trailingZeroBitCount * 5 + fieldBit.trailingZeroBitCount
        if let known = rulesByScope[key] { return known }
        var found: [Int32] = []
        for ri in 0..<flat.ruleCount where flat.isRecord[ri] == record && (record || flat.target[ri] < 0)
            && flat.kinds[ri] & kindBit != 0 && flat.fields[ri] & fieldBit != 0 { found.append(Int32(ri)) }
        rulesByScope[key] = found
        return found
    }

    private mutating func contextPresent(_ ci: Int) -> Bool {
        if contextState[ci] >= 0 { return contextState[ci] == 1 }
        let present = compiled.contextSetIDs[ci].contains { !list[Int($0)].isEmpty }
        contextState[ci] = present ? 1 : 0
        return present
    }

    /// Whether number hit `hit` counts for contest `ci` (see `numberHits`).
    @inline(__always)
    private mutating func numberCounts(_ hit: Hit, _ ci: Int) -> Bool {
        let shared: Bool
        if compiled.lexicon.contests.count <= 64 {
            shared = compiled.numberOwnerMasks[Int(hit.pattern)] & activeMask & ~(1 << UInt64(ci)) != 0
        } else {
            shared = (compiled.numberOwners[hit.pattern] ?? []).contains { $0 != ci && activeContests.contains($0) }
        }
        return !shared || contextPresent(ci)
    }

    /// Number and label hits count for contest `ci` only when no other judged contest shares
    /// the phrase, or when the text also names contest `ci`.
    private mutating func numberHits(_ set: Int32, _ ci: Int) -> [Hit] {
        let all = list[Int(set)].array
        if all.isEmpty { return all }
        return all.filter { hit in
            let owners = compiled.numberOwners[hit.pattern] ?? []
            let shared = owners.contains { $0 != ci && activeContests.contains($0) }
            return !shared || contextPresent(ci)
        }
    }

    private mutating func pairHits(_ field: PairField, _ ci: Int, _ pi: Int) -> [Hit] {
        func set(_ f: PairField) -> Int32 { pairSet(ci, pi, f.ordinal) }
        switch field {
        case .ident:
            return list[Int(set(.name))].array + list[Int(set(.hashtag))].array + list[Int(set(.team))].array + numberHits(set(.number), ci)
        case .number, .label:
            return numberHits(set(field), ci)
        default:
            return list[Int(set(field))].array
        }
    }

    /// For each hit `x` of `left`, the nearest hit of `right` that starts after `x` ends, when at
    /// most `n` tokens lie between them (or, for `Condition.sameSentence`, when both are in one
    /// sentence); both are appended to `found`. Sorting plus a binary
    /// search per hit keeps this O((|left| + |right|) log |right|), so a record stuffed with
    /// terms cannot make a rule quadratic.
    static func before(_ left: [Hit], _ right: [Hit], within n: Int32, into found: inout [Hit]) {
        if left.isEmpty || right.isEmpty { return }
        let sorted = right.sorted { $0.byteStart < $1.byteStart }
        for x in left {
            let next = firstStart(atOrAfter: x.byteEnd, count: sorted.count) { sorted[$0].byteStart }
            if next < sorted.count && isNear(x, sorted[next], within: n) {
                found.append(x)
                found.append(sorted[next])
            }
        }
    }

    /// The first index of hits sorted by start (`start(i)`, `count` of them) whose start is at or
    /// after `end`; `count` when there is none. A binary search.
    @inline(__always)
    static func firstStart(atOrAfter end: Int32, count: Int, start: (Int) -> Int32) -> Int {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if start(mid) < end { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Whether `y`, the nearest hit after `x`, is near enough: at most `n` tokens between them,
    /// or for `Condition.sameSentence` the same sentence.
    @inline(__always)
    static func isNear(_ x: Hit, _ y: Hit, within n: Int32) -> Bool {
        n == Int32(Condition.sameSentence) ? y.sentence == x.sentence : y.tokenStart - x.tokenEnd <= n
    }

    /// Whether every set rule `ri` requires has a hit (else its `when` cannot hold).
    @inline(__always)
    private mutating func mayHold(_ ri: Int) -> Bool {
        for k in Int(flat.requiredFirst[ri])..<Int(flat.requiredFirst[ri + 1]) {
            let set = flat.required[k]
            if set < 0 || list[Int(set)].isEmpty { return false }
        }
        return true
    }

    // MARK: Flat evaluation (screening); `eval` is the reference

    /// The witnesses of the condition with flat root `root` for contest `ci` and pair `pi` — the
    /// hits `eval(condition)` gives, as a multiset — or nil when it does not hold. The reference
    /// screener evaluates `condition` (or rule `rule`'s `when`/`unless`, picked by `root`) with
    /// `eval` instead.
    private mutating func witnessesOf(_ root: Int32, _ condition: CompiledCondition?, _ ci: Int, _ pi: Int, rule: Int = -1) -> [Hit]? {
        if referencePatterns != nil {
            let c = condition ?? (root == flat.when[rule] ? compiled.rules[rule].when : compiled.rules[rule].unless!)
            return eval(c, ci, pi)
        }
        list[workBase].count = 0
        guard holds(root, ci, pi, into: workBase, depth: 0) else { return nil }
        return list[workBase].array
    }

    /// Whether the condition with flat root `root` holds (see `witnessesOf`).
    private mutating func conditionHolds(_ root: Int32, _ condition: CompiledCondition?, _ ci: Int, _ pi: Int, rule: Int = -1) -> Bool {
        if referencePatterns != nil { return witnessesOf(root, condition, ci, pi, rule: rule) != nil }
        list[workBase].count = 0
        return holds(root, ci, pi, into: workBase, depth: 0)
    }

    /// Appends to work list `out` the witnesses of flat node `n` (the multiset `eval` gives, in
    /// the same order) and returns whether the node holds; when it does not, `out` is as it was.
    /// Positional nodes at nesting depth d use work lists 3d + 1 … 3d + 3.
    private mutating func holds(_ n: Int32, _ ci: Int, _ pi: Int, into out: Int, depth: Int) -> Bool {
        let node = flat.nodes[Int(n)]
        let mark = list[out].count
        switch node.op {
        case FlatRules.terms:
            guard node.set >= 0, !list[Int(node.set)].isEmpty else { return false }
            list[out].append(contentsOf: list[Int(node.set)])
            return true
        case FlatRules.pair:
            appendPair(Int(node.field), ci, pi, into: out)
            return list[out].count > mark
        case FlatRules.contestKeyword:
            let set = Int(compiled.keywordSetIDs[ci])
            guard !list[set].isEmpty else { return false }
            list[out].append(contentsOf: list[set])
            return true
        case FlatRules.contestAllPairs:
            // A balanced listing needs at least two pairs to list.
            let pairs = pairCount(ci)
            if pairs < 2 { return false }
            for other in 0..<pairs {
                let before = list[out].count
                appendPair(PairField.ident.ordinal, ci, other, into: out)
                appendPair(PairField.acronym.ordinal, ci, other, into: out)
                if list[out].count == before {
                    list[out].count = mark
                    return false
                }
            }
            return true
        case FlatRules.near, FlatRules.before:
            // Neither side is evaluated (and its hits copied) when a leaf side has no hits.
            guard mayHaveHits(node.a, ci, pi), mayHaveHits(node.b, ci, pi) else { return false }
            let left = workBase + 3 * depth + 1, right = left + 1, sorted = left + 2
            list[left].count = 0
            list[right].count = 0
            guard childHolds(node.a, ci, pi, into: left, depth: depth + 1), childHolds(node.b, ci, pi, into: right, depth: depth + 1) else { return false }
            nearestAfter(left, right, within: node.n, sorted: sorted, into: out)
            if node.op == FlatRules.near { nearestAfter(right, left, within: node.n, sorted: sorted, into: out) }
            return list[out].count > mark
        case FlatRules.atLeast:
            var count: Int32 = 0
            for k in Int(node.first)..<Int(node.first + node.count) where childHolds(flat.children[k], ci, pi, into: out, depth: depth) { count += 1 }
            if count >= node.n { return true }
            list[out].count = mark
            return false
        case FlatRules.and:
            for k in Int(node.first)..<Int(node.first + node.count) where !mayHaveHits(flat.children[k], ci, pi) { return false }
            for k in Int(node.first)..<Int(node.first + node.count) where !childHolds(flat.children[k], ci, pi, into: out, depth: depth) {
                list[out].count = mark
                return false
            }
            return true
        case FlatRules.or:
            var any = false
            for k in Int(node.first)..<Int(node.first + node.count) where childHolds(flat.children[k], ci, pi, into: out, depth: depth) { any = true }
            return any
        default:  // not
            let inner = holds(node.a, ci, pi, into: out, depth: depth)
            list[out].count = mark
            return !inner
        }
    }

    /// The set of field `field` (a `PairField` ordinal) of pair `pi` of contest `ci` (-1 for `ident`).
    @inline(__always)
    private func pairSet(_ ci: Int, _ pi: Int, _ field: Int) -> Int32 {
        compiled.pairSetList[(Int(compiled.pairBase[ci]) &+ pi) &* PairField.allCases.count &+ field]
    }

    /// The number of pairs of contest `ci`.
    private func pairCount(_ ci: Int) -> Int { Int(compiled.pairBase[ci + 1] - compiled.pairBase[ci]) }

    /// Appends `pairHits(field, ci, pi)` to work list `out`.
    @inline(__always)
    private mutating func appendPair(_ field: Int, _ ci: Int, _ pi: Int, into out: Int) {
        switch field {
        case PairField.ident.ordinal:
            for member in PairField.identMembers {
                let set = Int(pairSet(ci, pi, member.ordinal))
                if member == .number { appendNumbers(set, ci, into: out) } else { list[out].append(contentsOf: list[set]) }
            }
        case PairField.number.ordinal, PairField.label.ordinal:
            appendNumbers(Int(pairSet(ci, pi, field)), ci, into: out)
        default:
            list[out].append(contentsOf: list[Int(pairSet(ci, pi, field))])
        }
    }

    /// False when node `n` is a leaf (a term set, a field of the pair) without hits, so it cannot
    /// hold; true otherwise (it may). Lets `and`, `near` and `before` fail before evaluating
    /// and copying the hits of their other operands.
    @inline(__always)
    private func mayHaveHits(_ n: Int32, _ ci: Int, _ pi: Int) -> Bool {
        let node = flat.nodes[Int(n)]
        switch node.op {
        case FlatRules.terms:
            return node.set >= 0 && !list[Int(node.set)].isEmpty
        case FlatRules.pair:
            if node.field == UInt8(PairField.ident.ordinal) {
                return PairField.identMembers.contains { !list[Int(pairSet(ci, pi, $0.ordinal))].isEmpty }
            }
            let set = pairSet(ci, pi, Int(node.field))
            return set >= 0 && !list[Int(set)].isEmpty
        default:
            return true
        }
    }

    /// `holds` for child node `n`, with a term-set leaf (the most common node) judged here
    /// instead of in a call.
    @inline(__always)
    private mutating func childHolds(_ n: Int32, _ ci: Int, _ pi: Int, into out: Int, depth: Int) -> Bool {
        let node = flat.nodes[Int(n)]
        guard node.op == FlatRules.terms else { return holds(n, ci, pi, into: out, depth: depth) }
        guard node.set >= 0, !list[Int(node.set)].isEmpty else { return false }
        list[out].append(contentsOf: list[Int(node.set)])
        return true
    }

    /// Appends `numberHits(set, ci)` to work list `out`.
    @inline(__always)
    private mutating func appendNumbers(_ set: Int, _ ci: Int, into out: Int) {
        let count = list[set].count
        for k in 0..<count {
            let hit = list[set][k]
            if numberCounts(hit, ci) { list[out].append(hit) }
        }
    }

    /// `before` on work lists: for each hit x of `left` (in its order), the nearest hit of
    /// `right` that starts after x ends (`right` sorted by start in work list `sorted`, as
    /// `before` sorts it), both appended to `out` when near enough.
    private mutating func nearestAfter(_ left: Int, _ right: Int, within n: Int32, sorted: Int, into out: Int) {
        if list[left].isEmpty || list[right].isEmpty { return }
        list[sorted].count = 0
        list[sorted].append(contentsOf: list[right])
        list[sorted].sortByStart()
        let r = list[sorted]
        for i in 0..<list[left].count {
            let x = list[left][i]
            let next = Self.firstStart(atOrAfter: x.byteEnd, count: r.count) { r[$0].byteStart }
            if next < r.count && Self.isNear(x, r[next], within: n) {
                list[out].append(x)
                list[out].append(r[next])
            }
        }
    }

    private mutating func eval(_ condition: CompiledCondition, _ ci: Int, _ pi: Int) -> [Hit]? {
        switch condition {
        case .terms, .pair, .contestKeyword, .contestAllPairs:
            let list: [Hit]
            switch condition {
            case .terms(let set): list = set >= 0 ? self.list[Int(set)].array : []
            case .pair(let field): list = pairHits(field, ci, pi)
            case .contestKeyword: list = self.list[Int(compiled.keywordSetIDs[ci])].array
            default:
                // A balanced listing needs at least two pairs to list.
                if pairCount(ci) < 2 { return nil }
                var all: [Hit] = []
                for other in 0..<pairCount(ci) {
                    let named = pairHits(.ident, ci, other) + pairHits(.acronym, ci, other)
                    if named.isEmpty { return nil }
                    all += named
                }
                list = all
            }
            return list.isEmpty ? nil : list
        case .near(let a, let b, let n):
            guard let left = eval(a, ci, pi), let right = eval(b, ci, pi) else { return nil }
            var found: [Hit] = []
            Self.before(left, right, within: Int32(n), into: &found)
            Self.before(right, left, within: Int32(n), into: &found)
            return found.isEmpty ? nil : found
        case .before(let a, let b, let n):
            guard let left = eval(a, ci, pi), let right = eval(b, ci, pi) else { return nil }
            var found: [Hit] = []
            Self.before(left, right, within: Int32(n), into: &found)
            return found.isEmpty ? nil : found
        case .atLeast(let k, let items):
            var count = 0
            var all: [Hit] = []
            for item in items {
                if let w = eval(item, ci, pi) { count += 1; all += w }
            }
            return count >= k ? all : nil
        case .and(let items):
            var all: [Hit] = []
            for item in items {
                guard let w = eval(item, ci, pi) else { return nil }
                all += w
            }
            return all
        case .or(let items):
            var all: [Hit] = []
            var any = false
            for item in items {
                if let w = eval(item, ci, pi) { any = true; all += w }
            }
            return any ? all : nil
        case .not(let a):
            return eval(a, ci, pi) == nil ? [] : nil
        }
    }
}
