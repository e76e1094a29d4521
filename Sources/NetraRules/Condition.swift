/// A reference to a set of terms inside a rule condition.
public enum SetReference: Sendable, Hashable, CustomStringConvertible {
    /// A named term list from `Lexicons/terms/`.
    case terms(String)
    /// A field of the pair being judged (`pair.name`, `pair.number`, …).
    case pair(PairField)
    /// The contest's own keywords (region and contest names).
    case contestKeyword
    /// True when every pair of a contest with two or more pairs is named: a balanced listing,
    /// typical of official posts.
    case contestAllPairs

    public var description: String {
        switch self {
        case .terms(let name): return name
        case .pair(let field): return "pair.\(field.rawValue)"
        case .contestKeyword: return "contest.keyword"
        case .contestAllPairs: return "contest.all_pairs"
        }
    }
}

/// The fields of a pair a condition can name.
public enum PairField: String, Sendable, CaseIterable {
    /// Members' full names and aliases.
    case name
    case acronym
    /// Hashtags, matched with their `#`.
    case hashtag
    case slogan
    case team
    case gesture
    /// Number phrases ("nomor 2", "no urut 2", "paslon 2", and two-digit labels such as "02").
    /// A phrase shared with another contest judged for the same record counts only when the
    /// record also names this contest (a keyword, or a name, hashtag or team of one of its pairs).
    case number
    /// The bare ballot label ("02", "2"), under the same contest rule as `number`.
    case label
    case opposition
    /// Nicknames that point at the pair without a stance ("gemoy", "abah"); never in `ident`.
    case nickname
    /// Any specific identifier: name, hashtag, team or number.
    case ident

    /// The fields `ident` stands for, in the order their hits are listed.
    static let identMembers: [PairField] = [.name, .hashtag, .team, .number]
}

/// A rule condition (DESIGN.md §3.5): set references combined with `and`, `or`, `not`,
/// `k of (…)`, and the positional `a near b within N` / `a before b within N`, where N counts
/// the tokens between the two hits; `within sentence` asks for the same sentence instead.
public indirect enum Condition: Sendable, Hashable, CustomStringConvertible {
    case set(SetReference)
    /// `within: Condition.sameSentence` means "in the same sentence".
    case near(Condition, Condition, within: Int)
    case before(Condition, Condition, within: Int)

    /// The `within` value of `within sentence`.
    public static let sameSentence = -1
    case atLeast(Int, [Condition])
    case and([Condition])
    case or([Condition])
    case not(Condition)

    public var description: String {
        switch self {
        case .set(let ref): return ref.description
        case .near(let a, let b, let n): return "(\(a) near \(b) within \(n == Self.sameSentence ? "sentence" : String(n)))"
        case .before(let a, let b, let n): return "(\(a) before \(b) within \(n == Self.sameSentence ? "sentence" : String(n)))"
        case .atLeast(let k, let items): return "\(k) of (\(items.map(\.description).joined(separator: ", ")))"
        case .and(let items): return "(" + items.map(\.description).joined(separator: " and ") + ")"
        case .or(let items): return "(" + items.map(\.description).joined(separator: " or ") + ")"
        case .not(let a): return "not \(a)"
        }
    }

    /// Every set reference inside the condition.
    public var references: [SetReference] {
        switch self {
        case .set(let ref): return [ref]
        case .near(let a, let b, _), .before(let a, let b, _): return a.references + b.references
        case .atLeast(_, let items), .and(let items), .or(let items): return items.flatMap(\.references)
        case .not(let a): return a.references
        }
    }
}

/// A syntax error in a condition, with the character column where it was found.
public struct ConditionSyntaxError: Error, Sendable, CustomStringConvertible {
    public var column: Int
    public var message: String
    public var description: String { "column \(column): \(message)" }
}

/// Parses the condition language. Grammar (lowest precedence first):
///
///     or    := and ('or' and)*
///     and   := not ('and' not)*
///     not   := 'not' not | prox
///     prox  := atom (('near' | 'before') atom 'within' (INT | 'sentence'))?
///     atom  := NAME | INT 'of' '(' or (',' or)* ')' | '(' or ')'
public struct ConditionParser {
    private enum Token: Equatable {
        case word(String), number(Int), open, close, comma, end
    }

    private var tokens: [(Token, Int)] = []
    private var position = 0

    public static func parse(_ text: String) throws(ConditionSyntaxError) -> Condition {
        var parser = try ConditionParser(text)
        let condition = try parser.parseOr()
        if parser.peek != .end { throw parser.error("unexpected '\(parser.peekText)'") }
        return condition
    }

    private init(_ text: String) throws(ConditionSyntaxError) {
        let chars = Array(text.unicodeScalars)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == " " || c == "\t" || c == "\n" { i += 1; continue }
            let column = i + 1
            if c == "(" { tokens.append((.open, column)); i += 1; continue }
            if c == ")" { tokens.append((.close, column)); i += 1; continue }
            if c == "," { tokens.append((.comma, column)); i += 1; continue }
            if ("0"..."9").contains(c) {
                var v = 0
                while i < chars.count, ("0"..."9").contains(chars[i]) {
                    v = v * 10 + Int(chars[i].value - 48)
                    if v > 1_000_000 { throw ConditionSyntaxError(column: column, message: "number too large") }
                    i += 1
                }
                tokens.append((.number(v), column))
                continue
            }
            if ("a"..."z").contains(c) || c == "_" {
                var word = ""
                while i < chars.count, ("a"..."z").contains(chars[i]) || ("0"..."9").contains(chars[i])
                        || chars[i] == "_" || chars[i] == "." || chars[i] == "-" {
                    word.unicodeScalars.append(chars[i])
                    i += 1
                }
                tokens.append((.word(word), column))
                continue
            }
            throw ConditionSyntaxError(column: column, message: "unexpected character '\(c)' (names are lowercase)")
        }
        tokens.append((.end, chars.count + 1))
    }

    private var peek: Token { tokens[position].0 }
    private var peekText: String {
        switch peek {
        case .word(let w): return w
        case .number(let n): return String(n)
        case .open: return "("
        case .close: return ")"
        case .comma: return ","
        case .end: return "end of condition"
        }
    }

    private func error(_ message: String) -> ConditionSyntaxError {
        ConditionSyntaxError(column: tokens[position].1, message: message)
    }

    private mutating func keyword(_ word: String) -> Bool {
        if peek == .word(word) { position += 1; return true }
        return false
    }

    private mutating func parseOr() throws(ConditionSyntaxError) -> Condition {
        var items = [try parseAnd()]
        while keyword("or") { items.append(try parseAnd()) }
        return items.count == 1 ? items[0] : .or(items)
    }

    private mutating func parseAnd() throws(ConditionSyntaxError) -> Condition {
        var items = [try parseNot()]
        while keyword("and") { items.append(try parseNot()) }
        return items.count == 1 ? items[0] : .and(items)
    }

    private mutating func parseNot() throws(ConditionSyntaxError) -> Condition {
        if keyword("not") { return .not(try parseNot()) }
        return try parseProximity()
    }

    private mutating func parseProximity() throws(ConditionSyntaxError) -> Condition {
        let left = try parseAtom()
        let isNear = peek == .word("near"), isBefore = peek == .word("before")
        guard isNear || isBefore else { return left }
        position += 1
        let right = try parseAtom()
        guard keyword("within") else { throw error("expected 'within N' after '\(isNear ? "near" : "before")'") }
        if keyword("sentence") {
            return isNear ? .near(left, right, within: Condition.sameSentence) : .before(left, right, within: Condition.sameSentence)
        }
        guard case .number(let n) = peek else { throw error("expected a number of tokens or 'sentence' after 'within'") }
        position += 1
        return isNear ? .near(left, right, within: n) : .before(left, right, within: n)
    }

    private static let reserved: Set<String> = ["and", "or", "not", "near", "before", "within", "of", "sentence"]

    private mutating func parseAtom() throws(ConditionSyntaxError) -> Condition {
        switch peek {
        case .open:
            position += 1
            let inner = try parseOr()
            guard peek == .close else { throw error("expected ')'") }
            position += 1
            return inner
        case .number(let k):
            position += 1
            guard keyword("of") else { throw error("expected 'of' after \(k)") }
            guard peek == .open else { throw error("expected '(' after '\(k) of'") }
            position += 1
            var items = [try parseOr()]
            while peek == .comma {
                position += 1
                items.append(try parseOr())
            }
            guard peek == .close else { throw error("expected ')' or ','") }
            position += 1
            guard k >= 1 && k <= items.count else { throw error("'\(k) of' needs between 1 and \(items.count)") }
            return .atLeast(k, items)
        case .word(let w) where !Self.reserved.contains(w):
            let column = tokens[position].1
            position += 1
            return .set(try Self.reference(w, column: column))
        default:
            throw error("expected a term list name, '(' or 'N of (…)' but found '\(peekText)'")
        }
    }

    private static func reference(_ word: String, column: Int) throws(ConditionSyntaxError) -> SetReference {
        if word.hasPrefix("pair.") {
            let field = String(word.dropFirst(5))
            guard let f = PairField(rawValue: field) else {
                throw ConditionSyntaxError(column: column, message: "unknown pair field '\(field)' (known: \(PairField.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return .pair(f)
        }
        if word == "contest.keyword" { return .contestKeyword }
        if word == "contest.all_pairs" { return .contestAllPairs }
        if word.contains(".") {
            throw ConditionSyntaxError(column: column, message: "unknown name '\(word)' (use pair.FIELD, contest.keyword, contest.all_pairs or a term list name)")
        }
        return .terms(word)
    }
}
