import Foundation

/// One screened civil servant (ASN) from the operator's `--subjects` file, so that findings can
/// be routed to the right superior (tiered supervision).
public struct Subject: Sendable, Hashable {
    /// The account name or handle the ASN uses (matched without case and without a leading `@`).
    public var account: String
    /// Nomor Induk Pegawai.
    public var nip: String?
    public var name: String?
    /// Unit kerja / OPD.
    public var unit: String?
    /// The superior (atasan langsung) who receives confirmed findings.
    public var superior: String?
    /// Other names the ASN's records show as author (a WhatsApp display name, a second handle).
    public var aliases: [String]

    public init(account: String, nip: String? = nil, name: String? = nil, unit: String? = nil, superior: String? = nil,
                aliases: [String] = []) {
        self.account = account
        self.aliases = aliases
        self.nip = nip
        self.name = name
        self.unit = unit
        self.superior = superior
    }
}

/// A problem in the subjects file, with its line.
public struct SubjectsError: Error, CustomStringConvertible {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }
}

/// The subjects of a batch and how records are attributed to them.
///
/// A record belongs to a subject when its `author` is the subject's account, NIP or an alias; a record
/// without an author (an ASN's own export) belongs to the subject its inbox entry is named after:
/// the entry's name starts with the account or NIP followed by a separator or the end
/// (`199001012015032001_facebook.zip`, `rina.w-instagram.zip`); the longest such match wins.
public struct Subjects: Sendable {
    public let all: [Subject]
    private let byKey: [String: Int]

    public init(_ subjects: [Subject]) {
        all = subjects
        var keys: [String: Int] = [:]
        for (index, subject) in subjects.enumerated() {
            keys[Self.canonical(subject.account)] = keys[Self.canonical(subject.account)] ?? index
            for key in [subject.nip].compactMap({ $0 }) + subject.aliases where !key.isEmpty {
                keys[Self.canonical(key)] = keys[Self.canonical(key)] ?? index
            }
        }
        byKey = keys
    }

    /// Names compared as the store compares them: trimmed, a leading `@` dropped, lower-cased.
    public static func canonical(_ name: String) -> String {
        var s = Substring(name)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        if s.first == "@" { s = s.dropFirst() }
        return s.lowercased()
    }

    /// The subject whose account or NIP is `author`, if any.
    public func subject(forAuthor author: String) -> Subject? {
        byKey[Self.canonical(author)].map { all[$0] }
    }

    /// The subject an inbox entry is named after, if any.
    public func subject(forEntryName entry: String) -> Subject? {
        let name = entry.lowercased()
        var best: (length: Int, index: Int)?
        for (key, index) in byKey where !key.isEmpty && name.hasPrefix(key) {
            let rest = name.dropFirst(key.count)
            if let next = rest.first, next.isLetter || next.isNumber { continue }
            if best == nil || key.count > best!.length || (key.count == best!.length && index < best!.index) { best = (key.count, index) }
        }
        return best.map { all[$0.index] }
    }

    /// Reads a subjects table: a header row with an `account` column (or `akun`) and optional
    /// `nip`, `name`/`nama`, `unit`/`opd`/`unit_kerja`, `superior`/`atasan` and `aliases`/`alias`
    /// (names separated by `;` or `|`) columns, then one row per ASN. Rows without an account are
    /// errors, as are duplicated accounts.
    public static func fromRows(_ rows: [(fields: [String], line: Int)]) throws -> Subjects {
        guard let header = rows.first else { throw SubjectsError(line: 1, message: "the file is empty; it needs a header row with an 'account' column") }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        func column(_ aliases: [String]) -> Int? { aliases.lazy.compactMap { names.firstIndex(of: $0) }.first }
        guard let account = column(["account", "akun"]) else {
            throw SubjectsError(line: header.line, message: "the header names no 'account' column (found: \(names.joined(separator: ", ")))")
        }
        let nip = column(["nip"]), name = column(["name", "nama"]), unit = column(["unit", "opd", "unit_kerja"])
        let superior = column(["superior", "atasan"]), aliases = column(["aliases", "alias", "alias_akun"])
        var subjects: [Subject] = []
        var seen: [String: Int] = [:]
        for row in rows.dropFirst() {
            func field(_ index: Int?) -> String? {
                guard let index, index < row.fields.count else { return nil }
                let value = row.fields[index].trimmingCharacters(in: .whitespaces)
                return value.isEmpty ? nil : value
            }
            guard let handle = field(account) else { throw SubjectsError(line: row.line, message: "no account in this row") }
            if let earlier = seen[canonical(handle)] {
                throw SubjectsError(line: row.line, message: "account '\(handle)' is listed twice (first on line \(earlier))")
            }
            seen[canonical(handle)] = row.line
            let otherNames = (field(aliases) ?? "").split(whereSeparator: { $0 == ";" || $0 == "|" })
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            subjects.append(Subject(account: handle, nip: field(nip), name: field(name), unit: field(unit), superior: field(superior),
                                    aliases: otherNames))
        }
        return Subjects(subjects)
    }
}
