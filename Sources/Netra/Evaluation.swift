import Foundation
import NetraCore
import NetraRules

/// A labelled record for `netra eval`: the expected answer to "would this breach neutrality if
/// an ASN posted it?" (../shared/corpora/dev/GUIDE.md).
public struct Label: Sendable {
    public var violation: Bool
    public var contest: String?
    /// The pair label the text is about (for violations).
    public var target: String?
    public var stance: String?
    public var categories: [String]
    /// "low" rows are genuinely ambiguous and left out of scores unless asked for.
    public var confidence: String?
}

/// Precision, recall and F1 from counts.
public struct Score: Sendable, Equatable {
    public var truePositives = 0
    public var falsePositives = 0
    public var falseNegatives = 0
    public var trueNegatives = 0

    public init() {}

    public var precision: Double? {
        truePositives + falsePositives == 0 ? nil : Double(truePositives) / Double(truePositives + falsePositives)
    }
    public var recall: Double? {
        truePositives + falseNegatives == 0 ? nil : Double(truePositives) / Double(truePositives + falseNegatives)
    }
    public var f1: Double? {
        guard let p = precision, let r = recall, p + r > 0 else { return nil }
        return 2 * p * r / (p + r)
    }
    public var total: Int { truePositives + falsePositives + falseNegatives + trueNegatives }

    mutating func add(expected: Bool, predicted: Bool) {
        switch (expected, predicted) {
        case (true, true): truePositives += 1
        case (false, true): falsePositives += 1
        case (true, false): falseNegatives += 1
        case (false, false): trueNegatives += 1
        }
    }
}

/// The result of `netra eval`.
public struct EvaluationReport: Sendable {
    public var overall = Score()
    /// Among true positives: how many name the labelled contest and pair.
    public var pairCorrect = 0
    public var byContest: [String: Score] = [:]
    public var byCategory: [String: Score] = [:]
    public var bySource: [String: Score] = [:]
    /// Rows left out: low confidence, or unreadable (with reasons).
    public var leftOut: [String: Int] = [:]
    /// The rows that were wrong, for reading: id, expected, flags.
    public var errors: [(id: String, expected: Bool, flags: [String], text: String)] = []

    public init() {}
}

/// Scores the screener against labelled JSON lines.
public enum Evaluation {
    /// Rule categories as the labelling guide names them.
    public static func labelCategory(ofRule rule: String) -> String {
        switch rule {
        case "NET-SM-08": return "call_to_vote"
        case "NET-SM-09": return "negative_campaign"
        case let r where r.hasPrefix("NET-CR-01"): return "money_politics"
        case let r where r.hasPrefix("NET-CR-02"): return "intimidation"
        case let r where r.hasPrefix("NET-CR-03"): return "hate_sara"
        case let r where r.hasPrefix("NET-CR-04"): return "hoax"
        default: return "support"
        }
    }

    static func parseLabel(_ object: [String: Any]) -> Label? {
        guard let l = object["label"] as? [String: Any], let violation = l["violation"] as? Bool else { return nil }
        return Label(violation: violation, contest: l["contest"] as? String, target: l["target"] as? String,
                     stance: l["stance"] as? String, categories: l["categories"] as? [String] ?? [],
                     confidence: l["confidence"] as? String)
    }

    /// Evaluates every labelled line of `data` (JSON lines).
    public static func run(_ data: Data, path: String, compiled: CompiledLexicon, includeLowConfidence: Bool = false) -> EvaluationReport {
        var report = EvaluationReport()
        var screener = Screener(compiled)
        for (index, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            let source = SourceLocation(path: path, line: index + 1)
            guard let object = (try? JSONSerialization.jsonObject(with: line)) as? [String: Any] else {
                report.leftOut["malformed_json", default: 0] += 1
                continue
            }
            guard let label = parseLabel(object) else {
                report.leftOut["no_label", default: 0] += 1
                continue
            }
            if label.confidence == "low" && !includeLowConfidence {
                report.leftOut["low_confidence", default: 0] += 1
                continue
            }
            let decoded = Data(line).withUnsafeBytes { raw in
                RecordDecoder.decode(raw.bindMemory(to: UInt8.self), source: source)
            }
            guard case .success(let (record, _)) = decoded else {
                report.leftOut["unreadable_record", default: 0] += 1
                continue
            }
            let flags = screener.screen(record)
            let predicted = !flags.isEmpty
            report.overall.add(expected: label.violation, predicted: predicted)
            if label.violation && predicted,
               flags.contains(where: { $0.contest == label.contest && $0.pair == label.target }) {
                report.pairCorrect += 1
            }
            let dataset = object["source"] as? String ?? "(none)"
            report.bySource[dataset, default: Score()].add(expected: label.violation, predicted: predicted)
            // Contest: the labelled one for violations, the flagged ones for false alarms.
            var contests = Set(label.violation ? [label.contest ?? "(none)"] : [])
            if !label.violation { contests.formUnion(flags.map(\.contest)) }
            for contest in contests {
                let hit = label.violation ? flags.contains { $0.contest == contest } : true
                report.byContest[contest, default: Score()].add(expected: label.violation, predicted: hit)
            }
            var categories = Set(label.categories)
            categories.formUnion(flags.map { labelCategory(ofRule: $0.rule) })
            for category in categories {
                let expected = label.categories.contains(category)
                let hit = flags.contains { labelCategory(ofRule: $0.rule) == category } || (expected && predicted)
                report.byCategory[category, default: Score()].add(expected: expected && label.violation, predicted: hit)
            }
            if label.violation != predicted {
                let id = (object["id"] as? String) ?? "\(path):\(index + 1)"
                report.errors.append((id, label.violation, flags.map { "\($0.rule) \($0.contest)/\($0.pair)" }, record.text))
            }
        }
        return report
    }
}
