import NetraCore

/// Output formats of `netra scan` (DESIGN.md §3.1, §3.3).
public enum OutputFormat: String, Sendable, CaseIterable {
    case ndjson, text
}

/// Writes findings as NDJSON lines with the keys and order of DESIGN.md §3.3.
public enum NDJSONPrinter {
    /// Appends one line (with its newline) for `finding`.
    public static func append(_ finding: Finding, lexiconVersion: String, to out: inout [UInt8]) {
        let record = finding.record
        out.append(contentsOf: #"{"id":"#.utf8)
        if let id = record.id { appendString(id, to: &out) } else { appendString(record.displayID, to: &out) }
        out.append(contentsOf: #","source":{"path":"#.utf8); appendString(record.source.path, to: &out)
        out.append(contentsOf: #","line":"#.utf8); appendInteger(record.source.line, to: &out)
        out.append(contentsOf: #"},"kind":"#.utf8); appendString(record.kind.rawValue, to: &out)
        out.append(contentsOf: #","created_at":"#.utf8)
        if let c = record.createdAt { appendString(c, to: &out) } else { out.append(contentsOf: "null".utf8) }
        out.append(contentsOf: finding.flagged ? #","flagged":true,"flags":["#.utf8 : #","flagged":false,"flags":["#.utf8)
        for (i, flag) in finding.flags.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"rule":"#.utf8); appendString(flag.rule, to: &out)
            out.append(contentsOf: #","category":"#.utf8); appendString(flag.category, to: &out)
            out.append(contentsOf: #","contest":"#.utf8); appendString(flag.contest, to: &out)
            out.append(contentsOf: #","pair":"#.utf8); appendString(flag.pair, to: &out)
            out.append(contentsOf: #","stance":"#.utf8); appendString(flag.stance.rawValue, to: &out)
            out.append(contentsOf: #","severity":"#.utf8); appendString(flag.severity, to: &out)
            out.append(contentsOf: #","score":"#.utf8); out.append(contentsOf: formatScore(flag.score).utf8)
            out.append(contentsOf: #","basis":["#.utf8)
            for (j, b) in flag.basis.enumerated() {
                if j > 0 { out.append(UInt8(ascii: ",")) }
                appendString(b, to: &out)
            }
            out.append(contentsOf: #"],"evidence":["#.utf8)
            for (j, e) in flag.evidence.enumerated() {
                if j > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: #"{"start":"#.utf8); appendInteger(e.span.start, to: &out)
                out.append(contentsOf: #","end":"#.utf8); appendInteger(e.span.end, to: &out)
                out.append(contentsOf: #","text":"#.utf8); appendString(e.text, to: &out)
                out.append(contentsOf: #","term":"#.utf8); appendString(e.term, to: &out)
                out.append(contentsOf: #","field":"#.utf8); appendString(e.field, to: &out)
                out.append(UInt8(ascii: "}"))
            }
            out.append(contentsOf: "]}".utf8)
        }
        out.append(contentsOf: #"],"lexicon_version":"#.utf8); appendString(lexiconVersion, to: &out)
        out.append(contentsOf: "}\n".utf8)
    }

    /// Appends `value` in decimal.
    static func appendInteger(_ value: Int, to out: inout [UInt8]) {
        if value < 0 {
            out.append(UInt8(ascii: "-"))
            appendInteger(0 - value, to: &out)
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // up to 24 digits, written backwards
        var count = 0
        var v = UInt64(value)
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[23 - count] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
                count += 1
            } while v > 0
            out.append(contentsOf: buffer[(24 - count)...])
        }
    }

    /// A score in [0, 1] with two decimals ("0.8", "0.91", "1").
    public static func formatScore(_ score: Double) -> String {
        let hundredths = Int((min(1, max(0, score)) * 100).rounded())
        if hundredths == 100 { return "1" }
        if hundredths == 0 { return "0" }
        let digits = hundredths < 10 ? "0\(hundredths)" : String(hundredths)
        return "0." + (digits.hasSuffix("0") ? String(digits.dropLast()) : digits)
    }

    /// Appends `s` as a JSON string literal (RFC 8259 escaping; non-ASCII left as UTF-8).
    public static func appendString(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { appendString(bytes: $0, to: &out) }
    }

    /// Appends the UTF-8 `bytes` as a JSON string literal.
    static func appendString(bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Runs that need no escape are appended whole.
        var from = 0
        for (i, b) in bytes.enumerated() where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b == 0x7F {
            if i > from { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[from..<i])) }
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            default:
                let hex: StaticString = "0123456789abcdef"
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                        hex.utf8Start[Int(b >> 4)], hex.utf8Start[Int(b & 0xF)]])
            }
            from = i + 1
        }
        if bytes.count > from { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[from...])) }
        out.append(UInt8(ascii: "\""))
    }
}

/// Writes findings for people reading a terminal: one header line per record, one line per flag.
public enum TextPrinter {
    public static func append(_ finding: Finding, to out: inout [UInt8]) {
        let r = finding.record
        var s = "\(r.source.path):\(r.source.line) \(r.displayID) [\(r.kind.rawValue)\(r.createdAt.map { " " + $0 } ?? "")] "
        // Who wrote it, when the input says so: in a chat export, the exporter's own messages and
        // other members' look alike otherwise.
        if let author = r.author, !author.isEmpty { s += "by \(author) " }
        s += finding.flagged ? "FLAGGED\n" : "clean\n"
        for flag in finding.flags {
            s += "  \(flag.rule) \(flag.category) · \(flag.contest) pair \(flag.pair) · \(flag.stance.rawValue) · \(flag.severity) · score \(NDJSONPrinter.formatScore(flag.score))\n"
            let shown = flag.evidence.map { e in "«\(e.text)»\(e.field == "text" ? "" : " in \(e.field)") [\(e.start)-\(e.end)]" }
            s += "    evidence: " + shown.joined(separator: ", ") + "\n"
            s += "    basis: " + flag.basis.joined(separator: "; ") + "\n"
        }
        out += Array(s.utf8)
    }
}

extension Evidence {
    var start: Int { span.start }
    var end: Int { span.end }
}
