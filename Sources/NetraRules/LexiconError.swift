import Yams

/// A problem in a lexicon file, located as `file:line: message`.
public struct LexiconIssue: Error, Sendable, CustomStringConvertible, Hashable {
    public enum Severity: String, Sendable { case error, warning }
    public var file: String
    public var line: Int
    public var message: String
    public var severity: Severity

    public init(file: String, line: Int, message: String, severity: Severity = .error) {
        self.file = file
        self.line = line
        self.message = message
        self.severity = severity
    }

    public var description: String {
        "\(file):\(line): \(severity == .warning ? "warning: " : "")\(message)"
    }
}

/// Every error found while loading a lexicon (loading validates everything before the first record).
public struct LexiconLoadError: Error, Sendable, CustomStringConvertible {
    public var issues: [LexiconIssue]
    public init(_ issues: [LexiconIssue]) { self.issues = issues }
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

/// Typed access to a composed YAML tree that reports `file:line` for every problem.
struct YAMLReader {
    let file: String
    var issues: [LexiconIssue] = []

    init(file: String) { self.file = file }

    static func line(_ node: Node?) -> Int { node?.mark?.line ?? 1 }

    mutating func fail(_ node: Node?, _ message: String) {
        issues.append(LexiconIssue(file: file, line: Self.line(node), message: message))
    }

    mutating func warn(_ node: Node?, _ message: String) {
        issues.append(LexiconIssue(file: file, line: Self.line(node), message: message, severity: .warning))
    }

    /// Parses `text`; a syntax error becomes an issue at its line.
    mutating func compose(_ text: String) -> Node? {
        do {
            guard let root = try Yams.compose(yaml: text) else {
                issues.append(LexiconIssue(file: file, line: 1, message: "the file is empty"))
                return nil
            }
            return root
        } catch let error as YamlError {
            issues.append(LexiconIssue(file: file, line: Self.errorLine(error), message: "YAML syntax: \(Self.errorText(error))"))
        } catch {
            issues.append(LexiconIssue(file: file, line: 1, message: "YAML: \(error)"))
        }
        return nil
    }

    private static func errorLine(_ error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        case .duplicatedKeysInMapping(_, let context): return context.mark.line
        default: return 1
        }
    }

    private static func errorText(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _),
             .composer(let context, let problem, _, _):
            return [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
        case .duplicatedKeysInMapping(let duplicates, _):
            return "duplicated keys \(duplicates.joined(separator: ", "))"
        default:
            return String(describing: error).split(separator: "\n").first.map(String.init) ?? "error"
        }
    }

    /// The key/value pairs of a mapping; reports unknown keys when `known` is given.
    mutating func mapping(_ node: Node, _ what: String, known: Set<String>? = nil) -> [(key: String, value: Node)]? {
        guard let map = node.mapping else {
            fail(node, "\(what) must be a mapping")
            return nil
        }
        var pairs: [(String, Node)] = []
        for (k, v) in map {
            guard let key = k.scalar?.string else {
                fail(k, "\(what): keys must be plain words")
                continue
            }
            if let known, !known.contains(key) {
                fail(k, "\(what): unknown key '\(key)' (expected one of: \(known.sorted().joined(separator: ", ")))")
                continue
            }
            pairs.append((key, v))
        }
        return pairs
    }

    mutating func string(_ node: Node, _ what: String) -> String? {
        guard let s = node.scalar?.string else {
            fail(node, "\(what) must be a single value")
            return nil
        }
        return s
    }

    /// A list of strings; a single scalar counts as a list of one.
    mutating func strings(_ node: Node, _ what: String) -> [(String, Node)] {
        if let s = node.scalar {
            return s.string.isEmpty ? [] : [(s.string, node)]
        }
        guard let seq = node.sequence else {
            fail(node, "\(what) must be a list")
            return []
        }
        var out: [(String, Node)] = []
        for item in seq {
            if let s = item.scalar?.string { out.append((s, item)) } else { fail(item, "\(what): every item must be a single value") }
        }
        return out
    }

    mutating func int(_ node: Node, _ what: String) -> Int? {
        guard let s = node.scalar?.string, let v = Int(s) else {
            fail(node, "\(what) must be a whole number")
            return nil
        }
        return v
    }

    mutating func double(_ node: Node, _ what: String) -> Double? {
        guard let s = node.scalar?.string, let v = Double(s) else {
            fail(node, "\(what) must be a number")
            return nil
        }
        return v
    }
}
