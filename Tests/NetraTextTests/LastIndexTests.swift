import NetraCore
import Testing
@testable import NetraText

// `NormalizedText.lastIndex(in:notAbove:)`, the branch-free search behind token and sentence
// indices, against a walk from the end: the last element at most the value, or 0 when none is.

private func slowLastIndex(_ sorted: [Int32], _ value: Int32) -> Int {
    sorted.lastIndex { $0 <= value } ?? 0
}

private func fastLastIndex(_ sorted: [Int32], _ value: Int32) -> Int {
    sorted.withUnsafeBufferPointer { NormalizedText.lastIndex(in: $0, notAbove: value) }
}

struct LastIndexCase: CustomTestStringConvertible, Sendable {
    let name: String, sorted: [Int32], value: Int32, expected: Int
    var testDescription: String { name }
}

let lastIndexCases: [LastIndexCase] = [
    .init(name: "empty", sorted: [], value: 5, expected: 0),
    .init(name: "one, below", sorted: [3], value: 1, expected: 0),
    .init(name: "one, equal", sorted: [3], value: 3, expected: 0),
    .init(name: "before the first", sorted: [2, 5, 9], value: 1, expected: 0),
    .init(name: "on the first", sorted: [0, 5, 9], value: 0, expected: 0),
    .init(name: "between", sorted: [0, 5, 9], value: 7, expected: 1),
    .init(name: "on a middle one", sorted: [0, 5, 9, 14], value: 9, expected: 2),
    .init(name: "on the last", sorted: [0, 5, 9, 14], value: 14, expected: 3),
    .init(name: "past the last", sorted: [0, 5, 9, 14, 20], value: 99, expected: 4),
    .init(name: "equal runs take the last of the run", sorted: [1, 4, 4, 4, 8], value: 4, expected: 3),
]

@Test(arguments: lastIndexCases)
func lastIndexNamedCase(_ c: LastIndexCase) {
    #expect(fastLastIndex(c.sorted, c.value) == c.expected)
    #expect(slowLastIndex(c.sorted, c.value) == c.expected)
}

@Test func lastIndexAgreesWithTheWalkOnRandomArrays() {
    var random = SplitMix64(seed: 0x1A57)
    for round in 0..<2_000 {
        let count = Int(random.next() % 70)
        var value: Int32 = 0
        var sorted: [Int32] = []
        for _ in 0..<count {
            value += Int32(random.next() % 4)  // steps of 0 make equal runs
            sorted.append(value)
        }
        for probe in Int32(-1)...(value + 2) {
            let fast = fastLastIndex(sorted, probe), slow = slowLastIndex(sorted, probe)
            if fast != slow {
                Issue.record("round \(round): \(sorted) at \(probe): \(fast), expected \(slow)")
                return
            }
        }
    }
}
