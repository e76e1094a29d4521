import NetraCore
import Testing

// Record.judgedFields and its allocation-free test hasJudgedFields, against the plain definition.
@Suite struct JudgedFieldsTests {
    /// The definition as first written: every candidate field, then the empty ones dropped.
    static func oracle(_ r: Record) -> [String] {
        var fields: [(String, String)] = []
        if r.kind.judgesOwnText || !r.text.isEmpty { fields.append(("text", r.text)) }
        if !r.kind.judgesOwnText || r.kind == .share {
            if let t = r.target?.text { fields.append(("target.text", t)) }
            if let a = r.target?.author { fields.append(("target.author", a)) }
            if r.kind != .share, let g = r.group { fields.append(("group", g)) }
        }
        return fields.filter { !$0.1.isEmpty }.map { "\($0.0)=\($0.1)" }
    }

    @Test(arguments: RecordKind.allCases)
    func everyCombinationAgreesWithTheDefinition(_ kind: RecordKind) {
        let texts: [String?] = [nil, "", "x"]
        for text in ["", "post"] {
            for targetText in texts {
                for targetAuthor in texts {
                    for group in texts {
                        let target = targetText == nil && targetAuthor == nil ? nil : RecordTarget(author: targetAuthor, text: targetText)
                        let record = Record(id: nil, kind: kind, text: text, target: target, group: group,
                                            source: SourceLocation(path: "t", line: 1))
                        let fields = record.judgedFields.map { "\($0.field)=\($0.text)" }
                        #expect(fields == Self.oracle(record), "\(kind) \(text) \(String(describing: targetText)) \(String(describing: targetAuthor)) \(String(describing: group))")
                        #expect(record.hasJudgedFields == !fields.isEmpty)
                    }
                }
            }
        }
    }
}
