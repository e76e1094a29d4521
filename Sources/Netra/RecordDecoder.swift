import CNetraBytes
import Foundation
import NetraCore
import NetraText

/// Turns one JSON line into a `Record` (DESIGN.md §3.2), or says exactly why it cannot.
///
/// Strict path: the line is checked for valid UTF-8 first (with the offset of the first bad
/// byte), then parsed by Foundation's `JSONSerialization`. A fast path is a later issue.
public enum RecordDecoder {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case invalidUTF8(byteOffset: Int)
        case malformedJSON(String)
        case notAnObject
        case missingText
        case badField(String, String)
        case unknownKind(String)

        /// A short machine-friendly reason, used as the key in `--stats`.
        public var reason: String {
            switch self {
            case .invalidUTF8: return "invalid_utf8"
            case .malformedJSON: return "malformed_json"
            case .notAnObject: return "not_an_object"
            case .missingText: return "missing_text"
            case .badField: return "bad_field"
            case .unknownKind: return "unknown_kind"
            }
        }

        public var description: String {
            switch self {
            case .invalidUTF8(let offset): return "invalid UTF-8 at byte \(offset + 1)"
            case .malformedJSON(let detail): return "malformed JSON: \(detail)"
            case .notAnObject: return "not a JSON object"
            case .missingText: return "no 'text' field (required)"
            case .badField(let key, let detail): return "field '\(key)': \(detail)"
            case .unknownKind(let kind): return "unknown kind '\(kind)' (known: \(RecordKind.allCases.map(\.rawValue).joined(separator: ", ")))"
            }
        }
    }

    /// A non-fatal remark about a decoded record (it is still screened).
    public enum Remark: Equatable, CustomStringConvertible {
        case unparsedDate(String)
        public var description: String {
            switch self {
            case .unparsedDate(let s): return "created_at '\(s)' is not ISO 8601, X's date form or unix seconds; judged as undated"
            }
        }
    }

    /// The byte offset of the first invalid UTF-8 sequence, or nil when `bytes` is valid.
    /// ASCII runs are skipped 32 bytes at a time (`netra_first_non_ascii`).
    public static func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let n = bytes.count
        var i = 0
        while true {
            i = netra_first_non_ascii(base, i, n)
            if i >= n { return nil }
            let b = base[i]
            let len: Int
            var minimum: UInt32
            var value: UInt32
            if b >= 0xC2 && b <= 0xDF { len = 2; value = UInt32(b & 0x1F); minimum = 0x80 }
            else if b >= 0xE0 && b <= 0xEF { len = 3; value = UInt32(b & 0x0F); minimum = 0x800 }
            else if b >= 0xF0 && b <= 0xF4 { len = 4; value = UInt32(b & 0x07); minimum = 0x10000 }
            else { return i }
            guard i + len <= n else { return i }
            for k in 1..<len {
                let c = base[i + k]
                guard c & 0xC0 == 0x80 else { return i }
                value = (value << 6) | UInt32(c & 0x3F)
            }
            if value < minimum || value > 0x10FFFF || (0xD800...0xDFFF).contains(value) { return i }
            i += len
        }
    }

    public static func decode(_ bytes: UnsafeBufferPointer<UInt8>, source: SourceLocation) -> Result<(Record, [Remark]), Failure> {
        result(bytes, source: source, strictly: false)
    }

    /// Foundation's parser only (the oracle for the fast path; also used for unusual lines).
    public static func decodeStrictly(_ bytes: UnsafeBufferPointer<UInt8>, source: SourceLocation) -> Result<(Record, [Remark]), Failure> {
        result(bytes, source: source, strictly: true)
    }

    /// `decodeRecord` as a `Result` with its remarks.
    private static func result(_ bytes: UnsafeBufferPointer<UInt8>, source: SourceLocation, strictly: Bool) -> Result<(Record, [Remark]), Failure> {
        var remarks: [Remark] = []
        do throws(Failure) {
            let record = try decodeRecord(bytes, source: source, strictly: strictly, remarks: &remarks)
            return .success((record, remarks))
        } catch {
            return .failure(error)
        }
    }

    /// `decode` (or with `strictly`, `decodeStrictly`) returning the record itself, with the
    /// remarks appended to `remarks`: the scanner's path, without a `Result` and a remarks array
    /// made per record.
    static func decodeRecord(_ bytes: UnsafeBufferPointer<UInt8>, source: SourceLocation, strictly: Bool,
                             remarks: inout [Remark]) throws(Failure) -> Record {
        var record = Record(id: nil, text: "", source: source)
        try decodeRecord(bytes, source: source, strictly: strictly, remarks: &remarks, into: &record)
        return record
    }

    /// `decodeRecord` into `record`, every field of which it sets when it succeeds (when it
    /// throws, `record` holds a mix of old and new fields). The scanner decodes every line into
    /// one record: a record returned by value was built in a temporary and copied, which cost a
    /// retain and a release of each of its strings.
    static func decodeRecord(_ bytes: UnsafeBufferPointer<UInt8>, source: SourceLocation, strictly: Bool,
                             remarks: inout [Remark], into record: inout Record) throws(Failure) {
        if let bad = firstInvalidUTF8(bytes) { throw .invalidUTF8(byteOffset: bad) }
        // The byte-level reader handles ordinary lines; anything unusual goes to Foundation.
        var parsed = RecordFields()
        if !strictly, FastJSONFields.parse(bytes, into: &parsed) {
            try fields(&parsed, source: source, remarks: &remarks, into: &record)
            return
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(buffer: bytes), options: [])
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error.localizedDescription)"
            throw .malformedJSON(detail)
        }
        guard let dict = object as? [String: Any] else { throw .notAnObject }
        var foundationFields = RecordFields(foundation: dict)
        try fields(&foundationFields, source: source, remarks: &remarks, into: &record)
    }

    /// JSON `true`/`false` arrive as NSNumber; their ObjC type is `c` (char).
    static func isBoolean(_ n: NSNumber) -> Bool { n.objCType.pointee == CChar(UInt8(ascii: "c")) }

    /// The record `f` describes, judged field by field, into `record` (every field set). The
    /// values are taken out of `f` (moved, not copied: a copy of each string was a retain here
    /// and a release when `f` was dropped).
    static func fields(_ f: inout RecordFields, source: SourceLocation, remarks: inout [Remark], into record: inout Record) throws(Failure) {
        // id: string or number
        var id: String?
        switch f.id.take() {
        case nil, .null?: id = nil
        case .string(let s)?: id = s
        case .number(let n)?: id = n.stringValue
        default: throw .badField("id", "must be a string or a number")
        }
        var kind = RecordKind.post
        switch f.kind.take() {
        case nil, .null?: break
        case .string(let k)?:
            guard let parsed = RecordKind(rawValue: k) else { throw .unknownKind(k) }
            kind = parsed
        default: throw .badField("kind", "must be a string or null")
        }
        var target: RecordTarget?
        switch f.target.take() {
        case nil, .null?: break
        case .string(let s)?: target = RecordTarget(author: nil, text: s)
        case .object(let t)?:
            for key in ["author", "text"] {
                switch t[key] {
                case nil, .null?, .string?: break
                default: throw .badField("target.\(key)", "must be a string")
                }
            }
            target = RecordTarget(author: t["author"]?.string, text: t["text"]?.string)
        default: throw .badField("target", "must be an object, a string or null")
        }
        var group: String?
        switch f.group.take() {
        case nil, .null?: break
        case .string(let s)?: group = s
        case .object(let g)?: group = g["name"]?.string
        default: throw .badField("group", "must be a string, an object with 'name', or null")
        }
        var author: String?
        switch f.author.take() {
        case nil, .null?: break
        case .string(let s)?: author = s
        default: throw .badField("author", "must be a string or null")
        }
        var text = ""
        switch f.text.take() {
        case .string(let s)?: text = s
        case nil, .null?:
            // Likes, follows and memberships carry their meaning in what they point at.
            guard !kind.judgesOwnText, target != nil || group != nil else { throw .missingText }
        default: throw .badField("text", "must be a string")
        }
        var createdAt: String?
        var date: CalendarDate?
        switch f.createdAt.take() {
        case nil, .null?: break
        case .string(let s)?:
            createdAt = s
            date = CalendarDate(iso: Substring(s)) ?? CalendarDate(twitter: Substring(s))
            if date == nil, let seconds = Int64(s) { date = CalendarDate(unixSeconds: seconds, utcOffsetSeconds: 7 * 3600) }
            if date == nil { remarks.append(.unparsedDate(s)) }
        case .number(let n)?:
            createdAt = n.stringValue
            date = CalendarDate(unixSeconds: n.int64Value, utcOffsetSeconds: 7 * 3600)
        default: throw .badField("created_at", "must be an ISO 8601 string or unix seconds")
        }
        // Encoding damage (Meta's byte escapes, double-encoded UTF-8, literal \x escapes) is repaired
        // before anything is judged; evidence spans refer to the repaired text.
        if let t = target {
            target = RecordTarget(author: t.author.map(MojibakeRepair.repair), text: t.text.map(MojibakeRepair.repair))
        }
        record.id = id
        record.kind = kind
        record.createdAt = createdAt
        record.date = date
        record.text = MojibakeRepair.repair(text)
        record.target = target
        record.group = group.map(MojibakeRepair.repair)
        record.author = author.map(MojibakeRepair.repair)
        record.source = source
    }
}
