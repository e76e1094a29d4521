/// The kind of activity a record describes (DESIGN.md §3.2).
public enum RecordKind: String, Sendable, CaseIterable, Codable {
    case post, comment, reply, share, reaction, follow, group, page, profile, message

    /// Kinds whose own `text` is what the person wrote. For the others (a like, a follow, a
    /// group membership, a page liked) the judged text is what the activity points at.
    public var judgesOwnText: Bool {
        switch self {
        case .post, .comment, .reply, .share, .profile, .message: return true
        case .reaction, .follow, .group, .page: return false
        }
    }
}

/// Where a record came from, for evidence and error messages.
public struct SourceLocation: Sendable, Hashable {
    /// The input path as given on the command line, or `-` for standard input.
    public var path: String
    /// 1-based line number inside `path` (JSON lines), or the record index inside an export.
    public var line: Int

    public init(path: String, line: Int) {
        self.path = path
        self.line = line
    }
}

/// What a comment, reaction, share or follow points at.
public struct RecordTarget: Sendable, Hashable {
    public var author: String?
    public var text: String?

    public init(author: String? = nil, text: String? = nil) {
        self.author = author
        self.text = text
    }
}

/// One screened unit: a post, comment, reaction, membership … from any input format.
public struct Record: Sendable {
    /// The record's own id, or nil (then it is named `PATH:LINE`).
    public var id: String?
    public var kind: RecordKind
    /// `created_at` exactly as written in the input (ISO 8601 text or unix seconds).
    public var createdAt: String?
    /// The calendar date of `createdAt` in the writer's local time (WIB for unix seconds), if known.
    public var date: CalendarDate?
    public var text: String
    public var target: RecordTarget?
    /// The group's name, for group memberships and posts in groups.
    public var group: String?
    /// Who wrote the record, when the input says so (`author` in JSON lines, a WhatsApp sender).
    /// Never judged; the batch store keeps it only pseudonymized unless it is a listed subject.
    public var author: String?
    public var source: SourceLocation

    @inlinable
    public init(id: String?, kind: RecordKind = .post, createdAt: String? = nil, date: CalendarDate? = nil,
                text: String, target: RecordTarget? = nil, group: String? = nil, author: String? = nil, source: SourceLocation) {
        self.id = id
        self.author = author
        self.kind = kind
        self.createdAt = createdAt
        self.date = date
        self.text = text
        self.target = target
        self.group = group
        self.source = source
    }

    /// The name used in output: the record's id, or `PATH:LINE` when it has none.
    public var displayID: String { id ?? "\(source.path):\(source.line)" }

    /// The texts to judge, each with the field name used in evidence (`text`, `target.text`,
    /// `target.author`, `group`). A share is judged by its caption and by what it shares; a like,
    /// follow or membership by what it points at. Empty fields are left out.
    public var judgedFields: [(field: String, text: String)] {
        // Typed as the result, so no element is cast on return.
        var fields: [(field: String, text: String)] = []
        forEachJudgedField { fields.append(($0, $1)) }
        return fields
    }

    /// Calls `body` with each of ``judgedFields`` in order, without building the array.
    @inline(__always) public func forEachJudgedField(_ body: (_ field: String, _ text: String) throws -> Void) rethrows {
        if !text.isEmpty { try body("text", text) }
        if !kind.judgesOwnText || kind == .share {
            if let t = target?.text, !t.isEmpty { try body("target.text", t) }
            if let a = target?.author, !a.isEmpty { try body("target.author", a) }
            if kind != .share, let g = group, !g.isEmpty { try body("group", g) }
        }
    }

    /// Whether ``judgedFields`` is not empty, without building it.
    public var hasJudgedFields: Bool {
        if !text.isEmpty { return true }
        guard !kind.judgesOwnText || kind == .share else { return false }
        if let t = target?.text, !t.isEmpty { return true }
        if let a = target?.author, !a.isEmpty { return true }
        if kind != .share, let g = group, !g.isEmpty { return true }
        return false
    }
}

/// A date without time, compared as (year, month, day).
public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD` (the first ten characters of an ISO 8601 timestamp are enough).
    /// Reads the bytes in place (the scanner parses a date per record).
    public init?(iso text: Substring) {
        let parsed = text.utf8.withContiguousStorageIfAvailable(Self.iso) ?? Array(text.utf8.prefix(10)).withUnsafeBufferPointer(Self.iso)
        guard let parsed else { return nil }
        self = parsed
    }

    /// `YYYY-MM-DD` at the start of `bytes`.
    private static func iso(_ bytes: UnsafeBufferPointer<UInt8>) -> CalendarDate? {
        guard bytes.count >= 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = number(bytes, 0..<4), let month = number(bytes, 5..<7), let day = number(bytes, 8..<10),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        return CalendarDate(year: year, month: month, day: day)
    }

    /// The decimal number written by the ASCII digits `bytes[range]`, or nil when one is not a digit.
    private static func number(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        var value = 0
        for k in range {
            guard bytes[k] >= 48, bytes[k] <= 57 else { return nil }
            value = value * 10 + Int(bytes[k] &- 48)
        }
        return value
    }

    /// Parses the date of X/Twitter's `created_at` form, `Sun Jun 23 13:36:08 +0000 2024`, as written.
    public init?(twitter text: Substring) {
        if let date = Self.exactTwitter(text) ?? Self.splitTwitter(text) { self = date } else { return nil }
    }

    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The form exactly as X writes it (30 printable ASCII bytes, single spaces), read from the
    /// bytes; nil for anything else, which `splitTwitter` then judges. Where this gives a
    /// date, `splitTwitter` gives the same one.
    static func exactTwitter(_ text: Substring) -> CalendarDate? {
        let date = text.utf8.withContiguousStorageIfAvailable { b -> CalendarDate? in
            guard b.count == 30 else { return nil }
            for k in 0..<30 {
                let space = k == 3 || k == 7 || k == 10 || k == 19 || k == 25
                guard space ? b[k] == 0x20 : (b[k] > 0x20 && b[k] < 0x7F) else { return nil }
            }
            guard let month = monthNames.firstIndex(where: { $0.utf8.elementsEqual(b[4..<7]) }),
                  let day = number(b, 8..<10), (1...31).contains(day), let year = number(b, 26..<30) else { return nil }
            return CalendarDate(year: year, month: month + 1, day: day)
        }
        return date ?? nil
    }

    /// The general reading of the X form: six fields separated by spaces.
    static func splitTwitter(_ text: Substring) -> CalendarDate? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, let m = monthNames.firstIndex(of: String(parts[1])), let d = Int(parts[2]),
              let y = Int(parts[5]), (1...31).contains(d), parts[3].count == 8, parts[4].count == 5 else { return nil }
        return CalendarDate(year: y, month: m + 1, day: d)
    }

    /// The civil date of a unix timestamp in the given UTC offset (seconds).
    public init(unixSeconds: Int64, utcOffsetSeconds: Int64) {
        // Days since 1970-01-01, then the civil-from-days algorithm (proleptic Gregorian).
        let secs = unixSeconds + utcOffsetSeconds
        var days = secs / 86_400
        if secs % 86_400 < 0 { days -= 1 }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: Int(yoe + era * 400 + (m <= 2 ? 1 : 0)), month: Int(m), day: Int(d))
    }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    public var description: String {
        func pad(_ v: Int, _ n: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, n - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }
}
