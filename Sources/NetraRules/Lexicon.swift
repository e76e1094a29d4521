import Foundation
import NetraCore
import NetraText

/// Everything a scan needs from `Lexicons/`: contests, term lists and rules, validated.
public struct Lexicon: Sendable {
    public var directory: String
    public var contests: [Contest]
    public var termSets: [TermSet]
    public var rules: [Rule]
    /// A fingerprint of every file loaded, the normalizer version and the ICU version.
    public var version: String
    /// Problems that do not stop a scan (unused term lists, duplicated terms …).
    public var warnings: [LexiconIssue]
    /// Slang and word-list data for the normalizer, from `normalization/` (optional).
    public var normalization: NormalizerConfiguration

    /// The largest lexicon file read (YAML is expanded in memory; lexicon files are small).
    public static let maxFileBytes = 4 << 20

    /// Loads and validates a lexicon directory (`contests/`, `terms/`, `rules/`).
    ///
    /// - Parameter selectors: contest ids from `directory/contests`, or paths to contest files.
    ///   Empty: every contest in the directory.
    /// - Throws: every problem found, each as `file:line: message`.
    public static func load(directory: String, contests selectors: [String] = []) throws(LexiconLoadError) -> Lexicon {
        var issues: [LexiconIssue] = []
        var fingerprint = FNV1a64()
        func read(_ path: String) -> String? {
            guard let data = FileManager.default.contents(atPath: path) else {
                issues.append(LexiconIssue(file: path, line: 0, message: "cannot read the file"))
                return nil
            }
            guard data.count <= maxFileBytes else {
                issues.append(LexiconIssue(file: path, line: 0, message: "file larger than \(maxFileBytes) bytes"))
                return nil
            }
            guard let text = String(data: data, encoding: .utf8) else {
                issues.append(LexiconIssue(file: path, line: 0, message: "the file is not valid UTF-8"))
                return nil
            }
            fingerprint.add(Array(((path as NSString).lastPathComponent).utf8))
            fingerprint.add(Array(data))
            return text
        }
        func yamlFiles(_ sub: String) -> [String] {
            let dir = (directory as NSString).appendingPathComponent(sub)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else {
                issues.append(LexiconIssue(file: dir, line: 0, message: "missing directory (a lexicon needs contests/, terms/ and rules/)"))
                return []
            }
            return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
                .map { (dir as NSString).appendingPathComponent($0) }
        }

        // Contests: the bundled ones by id, or files named on the command line.
        var bundled: [String: String] = [:]  // id -> path
        var contests: [Contest] = []
        func loadContest(_ path: String) -> Contest? {
            guard let text = read(path) else { return nil }
            var reader = YAMLReader(file: path)
            let contest = Contest.parse(text, reader: &reader)
            issues += reader.issues
            return contest
        }
        let contestPaths = yamlFiles("contests")
        if selectors.isEmpty {
            contests = contestPaths.compactMap(loadContest)
        } else {
            for path in contestPaths {
                let id = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
                bundled[id] = path
            }
            for selector in selectors {
                let looksLikePath = selector.contains("/") || selector.hasSuffix(".yaml") || selector.hasSuffix(".yml")
                if looksLikePath {
                    if let c = loadContest(selector) { contests.append(c) }
                } else if let path = bundled[selector] {
                    if let c = loadContest(path) {
                        if c.id != selector {
                            issues.append(LexiconIssue(file: path, line: 1, message: "contest id '\(c.id)' differs from its file name"))
                        }
                        contests.append(c)
                    }
                } else {
                    issues.append(LexiconIssue(file: selector, line: 0,
                                               message: "unknown contest '\(selector)' (bundled: \(bundled.keys.sorted().joined(separator: ", ")); or give a path to a contest file)"))
                }
            }
        }
        var seenContests: [String: String] = [:]
        for c in contests {
            if let other = seenContests[c.id] {
                issues.append(LexiconIssue(file: c.file, line: 1, message: "contest id '\(c.id)' is also defined in \(other)"))
            }
            seenContests[c.id] = c.file
        }

        let normalization = loadNormalization(directory: directory, contests: contests, read: read, issues: &issues)

        var termSets: [TermSet] = []
        for path in yamlFiles("terms") {
            guard let text = read(path) else { continue }
            var reader = YAMLReader(file: path)
            termSets += TermSet.parseFile(text, reader: &reader)
            issues += reader.issues
        }
        var rules: [Rule] = []
        for path in yamlFiles("rules") {
            guard let text = read(path) else { continue }
            var reader = YAMLReader(file: path)
            rules += Rule.parseFile(text, reader: &reader)
            issues += reader.issues
        }

        issues += validate(contests: contests, termSets: termSets, rules: rules, normalization: normalization)
        let errors = issues.filter { $0.severity == .error }
        if !errors.isEmpty { throw LexiconLoadError(errors) }
        let version = "lex-\(fingerprint.hex)+\(Normalizer.version)+\(Screener.semanticsVersion)+icu-\(icuVersion)"
        return Lexicon(directory: directory, contests: contests, termSets: termSets, rules: rules, version: version,
                       warnings: issues.filter { $0.severity == .warning }, normalization: normalization)
    }

    /// Reads `normalization/`: `*.csv` in IndoCollex's layout (`no,informal,formal,type`; rows of
    /// type `acronym` skipped), `*.tsv` as `informal<TAB>formal`, `*.txt` as a word list. Every
    /// token a contest names is protected from slang expansion.
    static func loadNormalization(directory: String, contests: [Contest], read: (String) -> String?,
                                  issues: inout [LexiconIssue]) -> NormalizerConfiguration {
        let dir = (directory as NSString).appendingPathComponent("normalization")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return .plain }
        var slang: [String: String] = [:]
        var words: [String] = []
        for name in names.sorted() {
            let path = (dir as NSString).appendingPathComponent(name)
            if name.hasSuffix(".csv") || name.hasSuffix(".tsv") {
                guard let text = read(path) else { continue }
                // Split on bytes, not Characters (tens of thousands of rows at every start-up).
                let separator = name.hasSuffix(".csv") ? UInt8(ascii: ",") : UInt8(ascii: "\t")
                for (index, line) in text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
                    let row = line.last == 0x0D ? line.dropLast() : line
                    if row.isEmpty || (index == 0 && name.hasSuffix(".csv")) { continue }
                    let fields = row.split(separator: separator, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
                    if name.hasSuffix(".csv") {
                        guard fields.count == 4 else {
                            issues.append(LexiconIssue(file: path, line: index + 1, message: "expected 4 columns (no,informal,formal,type); row skipped", severity: .warning))
                            continue
                        }
                        if fields[3] == "acronym" { continue }
                        slang[fields[1]] = fields[2]
                    } else if fields.count == 2 {
                        slang[fields[0]] = fields[1]
                    }
                }
            } else if name.hasSuffix(".txt") {
                guard let text = read(path) else { continue }
                words += text.utf8.split(whereSeparator: { $0 == 0x0A || $0 == 0x0D }).map { String(decoding: $0, as: UTF8.self) }
            }
        }
        let plain = Normalizer()
        var protected: Set<String> = []
        for contest in contests {
            var terms = contest.keywords
            for pair in contest.pairs {
                terms += pair.members + pair.aliases + pair.hashtags + pair.slogans + pair.teams + pair.gestures + pair.opposition + pair.nicknames
                if let acronym = pair.acronym { terms.append(acronym) }
            }
            for term in terms {
                for token in plain.normalizeTerm(term).split(separator: 0x20) { protected.insert(String(decoding: token, as: UTF8.self)) }
            }
        }
        return NormalizerConfiguration(slang: slang, words: words, protected: protected)
    }

    /// Cross-file checks: names resolve, ids are unique, terms survive normalization.
    static func validate(contests: [Contest], termSets: [TermSet], rules: [Rule],
                         normalization: NormalizerConfiguration) -> [LexiconIssue] {
        var issues: [LexiconIssue] = []
        let normalizer = Normalizer(configuration: normalization)
        var setFiles: [String: TermSet] = [:]
        for set in termSets {
            if let other = setFiles[set.name] {
                issues.append(LexiconIssue(file: set.file, line: set.line, message: "term list '\(set.name)' is also defined in \(other.file):\(other.line)"))
            }
            setFiles[set.name] = set
            if set.terms.isEmpty {
                issues.append(LexiconIssue(file: set.file, line: set.line, message: "term list '\(set.name)' has no terms"))
            }
            var seen: [[UInt8]: Int] = [:]
            for (term, line) in zip(set.terms, set.termLines) {
                let normalized = normalizer.normalizeTerm(term)
                if normalized.isEmpty {
                    issues.append(LexiconIssue(file: set.file, line: line, message: "term '\(term)' of '\(set.name)' normalizes to nothing"))
                } else if let first = seen[normalized] {
                    issues.append(LexiconIssue(file: set.file, line: line, message: "term '\(term)' of '\(set.name)' repeats line \(first) after normalization", severity: .warning))
                } else {
                    seen[normalized] = line
                }
            }
        }
        for contest in contests {
            for pair in contest.pairs {
                for term in pair.members + pair.aliases + pair.hashtags + pair.slogans + pair.teams + pair.gestures + pair.opposition + pair.nicknames
                    where normalizer.normalizeTerm(term).isEmpty {
                    issues.append(LexiconIssue(file: contest.file, line: pair.line, message: "pair '\(pair.label)': '\(term)' normalizes to nothing"))
                }
            }
        }
        var used: Set<String> = []
        var ruleLines: [String: Int] = [:]
        for rule in rules {
            if let first = ruleLines[rule.id] {
                issues.append(LexiconIssue(file: rule.file, line: rule.line, message: "rule id '\(rule.id)' already used at line \(first)"))
            }
            ruleLines[rule.id] = rule.line
            let conditions = [rule.when] + (rule.unless.map { [$0] } ?? []) + (rule.target.map { [$0] } ?? [])
                + rule.boosts.map(\.condition)
            for case .terms(let name) in conditions.flatMap(\.references) {
                used.insert(name)
                if setFiles[name] == nil {
                    issues.append(LexiconIssue(file: rule.file, line: rule.line, message: "rule \(rule.id): unknown term list '\(name)'"))
                }
            }
            if rule.target != nil, !rule.hitExamples.contains(where: { $0.target != nil }) {
                issues.append(LexiconIssue(file: rule.file, line: rule.line, message: "rule \(rule.id) judges comments with their target but no hit example gives a 'target'", severity: .warning))
            }
            if rule.hitExamples.isEmpty || rule.missExamples.isEmpty {
                issues.append(LexiconIssue(file: rule.file, line: rule.line, message: "rule \(rule.id) has no \(rule.hitExamples.isEmpty ? "hit" : "miss") examples", severity: .warning))
            }
        }
        for set in termSets where !used.contains(set.name) {
            issues.append(LexiconIssue(file: set.file, line: set.line, message: "term list '\(set.name)' is not used by any rule", severity: .warning))
        }
        return issues
    }
}
