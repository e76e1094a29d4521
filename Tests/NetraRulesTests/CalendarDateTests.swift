import Foundation
import Testing
@testable import NetraCore

// `CalendarDate`'s parsers read bytes in place (the scanner parses a date per record): the ISO
// parser against the obvious array-based definition, the exact X form against the general
// split-based reading, on named cases (`DateCase`, RulesTests) and on random damage to
// real-looking dates.

/// The obvious definition of `CalendarDate(iso:)`: the first ten bytes as `YYYY-MM-DD`.
private func isoOracle(_ text: Substring) -> CalendarDate? {
    let b = Array(text.utf8.prefix(10))
    guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return nil }
    func num(_ r: Range<Int>) -> Int? {
        var v = 0
        for i in r {
            guard b[i] >= 48, b[i] <= 57 else { return nil }
            v = v * 10 + Int(b[i] - 48)
        }
        return v
    }
    guard let y = num(0..<4), let m = num(5..<7), let d = num(8..<10), (1...12).contains(m), (1...31).contains(d) else { return nil }
    return CalendarDate(year: y, month: m, day: d)
}

let isoDateCases: [DateCase] = [
    .init(name: "a date", text: "2024-02-14", expected: "2024-02-14"),
    .init(name: "a timestamp", text: "2024-02-14T08:30:00+07:00", expected: "2024-02-14"),
    .init(name: "too short", text: "2024-02-1", expected: nil),
    .init(name: "slashes", text: "2024/02/14", expected: nil),
    .init(name: "month 13", text: "2024-13-01", expected: nil),
    .init(name: "day 0", text: "2024-02-00", expected: nil),
    .init(name: "a letter in the year", text: "20x4-02-14", expected: nil),
    .init(name: "non-ASCII digits", text: "２０２４-02-14", expected: nil),
    .init(name: "empty", text: "", expected: nil),
]

@Test("ISO dates", arguments: isoDateCases)
func isoDates(_ c: DateCase) {
    #expect(CalendarDate(iso: Substring(c.text))?.description == c.expected)
    #expect(CalendarDate(iso: Substring(c.text)) == isoOracle(Substring(c.text)))
}

let twitterDateCases: [DateCase] = [
    .init(name: "as X writes it", text: "Sun Jun 23 13:36:08 +0000 2024", expected: "2024-06-23"),
    .init(name: "a one-digit day the general reading accepts", text: "Sun Jun 3 13:36:08 +0000 2024", expected: "2024-06-03"),
    .init(name: "two spaces the general reading accepts", text: "Sun Jun  23 13:36:08 +0000 2024", expected: "2024-06-23"),
    .init(name: "an unknown month", text: "Sun Jux 23 13:36:08 +0000 2024", expected: nil),
    .init(name: "day 32", text: "Sun Jun 32 13:36:08 +0000 2024", expected: nil),
    .init(name: "a short time", text: "Sun Jun 23 13:36:0 +0000 2024", expected: nil),
    .init(name: "an ISO date", text: "2024-06-23T13:36:08Z", expected: nil),
    .init(name: "empty", text: "", expected: nil),
]

@Test("X dates", arguments: twitterDateCases)
func twitterDates(_ c: DateCase) {
    #expect(CalendarDate(twitter: Substring(c.text))?.description == c.expected)
    #expect(CalendarDate(twitter: Substring(c.text)) == CalendarDate.splitTwitter(Substring(c.text)))
}

@Test("the byte parsers agree with their definitions on damaged dates")
func dateParsersAgreeOnDamage() {
    var random = SplitMix64(seed: 20261204)
    let alphabet = Array("0123456789-+: JunSMTWFabcdehilnorstuy\r\n".utf8) + [0xC3, 0xA9]
    for round in 0..<20_000 {
        var bytes = Array((round % 2 == 0 ? "2024-02-14T08:30:00Z" : "Sun Jun 23 13:36:08 +0000 2024").utf8)
        for _ in 0..<Int(random.next() % 4) {
            let at = Int(random.next() % UInt64(bytes.count + 1))
            switch random.next() % 3 {
            case 0 where at < bytes.count: bytes[at] = alphabet[Int(random.next() % UInt64(alphabet.count))]
            case 1: bytes.insert(alphabet[Int(random.next() % UInt64(alphabet.count))], at: at)
            default: if at < bytes.count { bytes.remove(at: at) }
            }
        }
        let text = Substring(String(decoding: bytes, as: UTF8.self))
        #expect(CalendarDate(iso: text) == isoOracle(text), "\(text.debugDescription)")
        if let exact = CalendarDate.exactTwitter(text) {
            #expect(exact == CalendarDate.splitTwitter(text), "\(text.debugDescription)")
        }
        #expect(CalendarDate(twitter: text) == CalendarDate.splitTwitter(text), "\(text.debugDescription)")
    }
}
