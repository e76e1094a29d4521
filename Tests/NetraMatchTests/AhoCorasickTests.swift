import NetraCore
import Testing
@testable import NetraMatch

struct MatchCase: CustomTestStringConvertible, Sendable {
    var name: String
    var patterns: [String]
    var haystack: String
    var kind: MatchKind
    var boundaryBytes: Set<UInt8> = [0x20]
    /// Expected matches as "pattern@start-end".
    var expected: [String]
    var testDescription: String { name }
}

let matchCases: [MatchCase] = [
    MatchCase(name: "single word", patterns: ["gas"], haystack: "oke gas pak", kind: .allOverlapping, expected: ["0@4-7"]),
    MatchCase(name: "not inside a longer word", patterns: ["gas"], haystack: "gasing gaspol", kind: .allOverlapping, expected: []),
    MatchCase(name: "at both edges", patterns: ["amin"], haystack: "amin", kind: .allOverlapping, expected: ["0@0-4"]),
    MatchCase(name: "multi-word phrase", patterns: ["oke gas"], haystack: "ayo oke gas", kind: .allOverlapping, expected: ["0@4-11"]),
    MatchCase(name: "overlapping phrase and word", patterns: ["oke gas", "gas"], haystack: "oke gas", kind: .allOverlapping,
              expected: ["0@0-7", "1@4-7"]),
    MatchCase(name: "leftmost-longest prefers the longer phrase", patterns: ["oke gas", "gas", "oke"], haystack: "oke gas",
              kind: .leftmostLongest, expected: ["0@0-7"]),
    MatchCase(name: "leftmost-longest prefers the earlier start", patterns: ["a b", "b c"], haystack: "a b c",
              kind: .leftmostLongest, expected: ["0@0-3"]),
    MatchCase(name: "suffix pattern found through failure links", patterns: ["prabowo gibran", "gibran"],
              haystack: "mas gibran", kind: .allOverlapping, expected: ["1@4-10"]),
    MatchCase(name: "duplicate patterns both reported", patterns: ["02", "02"], haystack: "coblos 02", kind: .allOverlapping,
              expected: ["0@7-9", "1@7-9"]),
    MatchCase(name: "duplicate patterns: lowest index wins leftmost-longest", patterns: ["02", "02"], haystack: "coblos 02",
              kind: .leftmostLongest, expected: ["0@7-9"]),
    MatchCase(name: "empty pattern ignored", patterns: ["", "x"], haystack: "x", kind: .allOverlapping, expected: ["1@0-1"]),
    MatchCase(name: "empty haystack", patterns: ["x"], haystack: "", kind: .allOverlapping, expected: []),
    MatchCase(name: "UTF-8 emoji token", patterns: ["✌"], haystack: "gas ✌ ✌", kind: .allOverlapping, expected: ["0@4-7", "0@8-11"]),
    MatchCase(name: "hashtag differs from the word", patterns: ["#amin", "amin"], haystack: "#amin amin", kind: .allOverlapping,
              expected: ["0@0-5", "1@6-10"]),
    MatchCase(name: "hashtag pattern with '#' as a boundary", patterns: ["#amin", "amin", "amin#"], haystack: "x #amin amin#",
              kind: .allOverlapping, boundaryBytes: [0x20, 0x23], expected: ["0@2-7", "1@3-7", "2@8-13", "1@8-12"]),
    MatchCase(name: "repeated occurrences", patterns: ["sat set"], haystack: "sat set sat set", kind: .allOverlapping,
              expected: ["0@0-7", "0@8-15"]),
    MatchCase(name: "overlapping occurrences of one phrase", patterns: ["a a"], haystack: "a a a", kind: .allOverlapping,
              expected: ["0@0-3", "0@2-5"]),
    MatchCase(name: "word of more than sixteen bytes", patterns: ["prabowogibran2024", "prabowogibran2025"],
              haystack: "#prabowogibran2024 prabowogibran2025x prabowogibran2025", kind: .allOverlapping, expected: ["1@38-55"]),
    MatchCase(name: "long words that differ only past sixteen bytes", patterns: ["abcdefghijklmnopqrstu", "abcdefghijklmnopqrstv"],
              haystack: "abcdefghijklmnopqrstv abcdefghijklmnopqrstu", kind: .allOverlapping, expected: ["1@0-21", "0@22-43"]),
    MatchCase(name: "words of eight and of nine to sixteen bytes", patterns: ["abcdefgh", "abcdefghi", "abcdefghijklmnop"],
              haystack: "abcdefgh abcdefghi abcdefghijklmnop abcdefghijklmnopq abcdefg", kind: .allOverlapping,
              expected: ["0@0-8", "1@9-18", "2@19-35"]),
    MatchCase(name: "phrase whose second word is missing at the end", patterns: ["nomor urut"], haystack: "nomor", kind: .allOverlapping,
              expected: []),
    MatchCase(name: "phrase and its first word at the end", patterns: ["nomor urut", "nomor"], haystack: "ini nomor urut",
              kind: .allOverlapping, expected: ["0@4-14", "1@4-9"]),
    MatchCase(name: "double space breaks a phrase", patterns: ["oke gas"], haystack: "oke  gas", kind: .allOverlapping, expected: []),
    MatchCase(name: "overlapping occurrences, leftmost-longest", patterns: ["a a"], haystack: "a a a", kind: .leftmostLongest,
              expected: ["0@0-3"]),
    // A slot record keeps lengths up to 255; longer words are told apart by their entries.
    MatchCase(name: "words of 255 bytes and more that differ only in length", patterns: [String(repeating: "a", count: 300),
                                                                                       String(repeating: "a", count: 255)],
              haystack: String(repeating: "a", count: 299) + " " + String(repeating: "a", count: 300) + " " + String(repeating: "a", count: 255)
                  + " " + String(repeating: "a", count: 256),
              kind: .allOverlapping, expected: ["0@300-600", "1@601-856"]),
    MatchCase(name: "words that differ only in length past eight bytes", patterns: ["abcdefghi", "abcdefgh"],
              haystack: "abcdefghij abcdefghi abcdefgh abcdefg", kind: .allOverlapping, expected: ["0@11-20", "1@21-29"]),
]

/// The two fast matchers, compiled for `patterns`, as functions of (haystack, kind).
func fastMatchers(_ patterns: [[UInt8]], boundaryBytes: Set<UInt8> = [0x20]) -> [(name: String, find: ([UInt8], MatchKind) -> [Match])] {
    let automaton = AhoCorasick(patterns: patterns, boundaryBytes: boundaryBytes)
    let trie = WordMatcher(patterns: patterns, boundaryBytes: boundaryBytes)
    return [("AhoCorasick", { automaton.find(in: $0, kind: $1) }), ("WordMatcher", { trie.find(in: $0, kind: $1) })]
}

@Test("table of named matcher cases", arguments: matchCases)
func matcherTable(_ c: MatchCase) {
    let patterns = c.patterns.map { Array($0.utf8) }
    for matcher in fastMatchers(patterns, boundaryBytes: c.boundaryBytes) {
        let got = matcher.find(Array(c.haystack.utf8), c.kind).map { "\($0.pattern)@\($0.start)-\($0.end)" }
        #expect(got == c.expected, "\(matcher.name)")
    }
    let oracle = NaiveMatcher.find(patterns: patterns, in: Array(c.haystack.utf8), kind: c.kind, boundaryBytes: c.boundaryBytes)
        .map { "\($0.pattern)@\($0.start)-\($0.end)" }
    #expect(oracle == c.expected, "the oracle disagrees with the table")
}

@Test("automaton equals the naive oracle on random inputs", arguments: [MatchKind.allOverlapping, .leftmostLongest])
func matcherAgainstOracle(kind: MatchKind) {
    var rng = SplitMix64(seed: kind == .allOverlapping ? 1 : 2)
    let alphabet: [UInt8] = Array("ab ".utf8) + [0xC3, 0xA9]  // includes a space and UTF-8 bytes
    for round in 0..<3000 {
        let patternCount = Int.random(in: 1...12, using: &rng)
        let patterns: [[UInt8]] = (0..<patternCount).map { _ in
            (0..<Int.random(in: 0...5, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
        }
        let haystack: [UInt8] = (0..<Int.random(in: 0...80, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
        let boundaries: Set<UInt8> = round % 3 == 0 ? [0x20, UInt8(ascii: "b")] : [0x20]
        let slow = NaiveMatcher.find(patterns: patterns, in: haystack, kind: kind, boundaryBytes: boundaries)
        for matcher in fastMatchers(patterns, boundaryBytes: boundaries) {
            let fast = matcher.find(haystack, kind)
            #expect(fast == slow, "\(matcher.name), round \(round): patterns \(patterns) haystack \(haystack)")
            if fast != slow { return }
        }
    }
}

@Test("find(into:) appends after existing matches without disturbing them")
func appendsAfterExisting() {
    let automaton = AhoCorasick(patterns: [Array("b".utf8)])
    let trie = WordMatcher(patterns: [Array("b b".utf8), Array("b".utf8)])
    var matches = [Match(pattern: 9, start: 100, end: 101)]
    Array("a b".utf8).withUnsafeBufferPointer { automaton.find(in: $0, kind: .allOverlapping, into: &matches) }
    #expect(matches == [Match(pattern: 9, start: 100, end: 101), Match(pattern: 0, start: 2, end: 3)])
    // Several matches from one start are put in order among themselves only.
    matches = [Match(pattern: 9, start: 100, end: 101)]
    Array("b b".utf8).withUnsafeBufferPointer { trie.find(in: $0, kind: .allOverlapping, into: &matches) }
    #expect(matches == [Match(pattern: 9, start: 100, end: 101), Match(pattern: 0, start: 0, end: 3), Match(pattern: 1, start: 0, end: 1),
                        Match(pattern: 1, start: 2, end: 3)])
}

@Test("both matchers equal the naive oracle on long words, phrases and '#' boundaries")
func matchersAgainstOracleOnLongWords() {
    // Patterns of up to 24 bytes from a small alphabet (so words of 8, 9–16 and more than 16
    // bytes share long prefixes), phrases of them, and haystacks made of the patterns
    // themselves with noise between: every length class of WordMatcher's word keys, at every
    // distance from the haystack's end.
    var rng = SplitMix64(seed: 7)
    let letters: [UInt8] = Array("abc".utf8) + [0xC3, 0xA9]
    let boundaries: Set<UInt8> = [0x20, UInt8(ascii: "#")]
    func word() -> [UInt8] { (0..<Int.random(in: 0...20, using: &rng)).map { _ in letters.randomElement(using: &rng)! } }
    for round in 0..<1500 {
        let patterns: [[UInt8]] = (0..<Int.random(in: 1...8, using: &rng)).map { _ in
            var p = word()
            for _ in 0..<Int.random(in: 0...2, using: &rng) { p += [Bool.random(using: &rng) ? 0x20 : UInt8(ascii: "#")] + word() }
            return p
        }
        var haystack: [UInt8] = []
        for _ in 0..<Int.random(in: 0...6, using: &rng) {
            haystack += Bool.random(using: &rng) ? patterns.randomElement(using: &rng)! : word()
            haystack += [[0x20], [UInt8(ascii: "#")], [0x20, 0x20], []].randomElement(using: &rng)!
        }
        for kind in [MatchKind.allOverlapping, .leftmostLongest] {
            let slow = NaiveMatcher.find(patterns: patterns, in: haystack, kind: kind, boundaryBytes: boundaries)
            for matcher in fastMatchers(patterns, boundaryBytes: boundaries) {
                let fast = matcher.find(haystack, kind)
                #expect(fast == slow, "\(matcher.name), round \(round): patterns \(patterns) haystack \(haystack)")
                if fast != slow { return }
            }
        }
    }
}
