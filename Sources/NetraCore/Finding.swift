/// A half-open range of Unicode-scalar offsets into one field of the original record.
public struct Span: Sendable, Hashable, Comparable {
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    public static func < (a: Span, b: Span) -> Bool { (a.start, a.end) < (b.start, b.end) }
}

/// One piece of evidence: the original text a term matched, where it is, and which term.
public struct Evidence: Sendable, Hashable {
    /// Scalar offsets into the field `field` of the original record.
    public var span: Span
    /// The original text at `span`, exactly as the person wrote it.
    public var text: String
    /// The lexicon term (normalized) that matched.
    public var term: String
    /// The record field: `text`, `target.text`, `target.author` or `group`.
    public var field: String

    public init(span: Span, text: String, term: String, field: String) {
        self.span = span
        self.text = text
        self.term = term
        self.field = field
    }
}

/// Support for or opposition to the pair a flag names.
public enum Stance: String, Sendable, Codable {
    case support, oppose
}

/// One rule that fired for one record, contest and pair.
public struct Flag: Sendable, Hashable {
    public var rule: String
    public var category: String
    public var contest: String
    public var pair: String
    public var stance: Stance
    public var severity: String
    public var score: Double
    public var basis: [String]
    public var evidence: [Evidence]

    public init(rule: String, category: String, contest: String, pair: String, stance: Stance,
                severity: String, score: Double, basis: [String], evidence: [Evidence]) {
        self.rule = rule
        self.category = category
        self.contest = contest
        self.pair = pair
        self.stance = stance
        self.severity = severity
        self.score = score
        self.basis = basis
        self.evidence = evidence
    }
}

/// The verdict on one record: its flags (empty when clean).
public struct Finding: Sendable {
    public var record: Record
    public var flags: [Flag]

    public init(record: Record, flags: [Flag]) {
        self.record = record
        self.flags = flags
    }

    public var flagged: Bool { !flags.isEmpty }
}
