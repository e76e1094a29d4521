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
        appendLiteral(#"{"id":"#, to: &out)
        if let id = record.id { appendString(id, to: &out) } else { appendString(record.displayID, to: &out) }
        appendLiteral(#","source":{"path":"#, to: &out); appendString(record.source.path, to: &out)
        appendLiteral(#","line":"#, to: &out); appendInteger(record.source.line, to: &out)
        appendLiteral(#"},"kind":"#, to: &out); appendString(record.kind.rawValue, to: &out)
        appendLiteral(#","created_at":"#, to: &out)
        if let c = record.createdAt { appendString(c, to: &out) } else { appendLiteral("null", to: &out) }
        appendLiteral(finding.flagged ? #","flagged":true,"flags":["# : #","flagged":false,"flags":["#, to: &out)
        for (i, flag) in finding.flags.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendLiteral(#"{"rule":"#, to: &out); appendString(flag.rule, to: &out)
            appendLiteral(#","category":"#, to: &out); appendString(flag.category, to: &out)
            appendLiteral(#","contest":"#, to: &out); appendString(flag.contest, to: &out)
            appendLiteral(#","pair":"#, to: &out); appendString(flag.pair, to: &out)
            appendLiteral(#","stance":"#, to: &out); appendString(flag.stance.rawValue, to: &out)
            appendLiteral(#","severity":"#, to: &out); appendString(flag.severity, to: &out)
            appendLiteral(#","score":"#, to: &out); out.append(contentsOf: formatScore(flag.score).utf8)
            appendLiteral(#","basis":["#, to: &out)
            for (j, b) in flag.basis.enumerated() {
                if j > 0 { out.append(UInt8(ascii: ",")) }
                appendString(b, to: &out)
            }
            appendLiteral(#"],"evidence":["#, to: &out)
            for (j, e) in flag.evidence.enumerated() {
                if j > 0 { out.append(UInt8(ascii: ",")) }
                appendLiteral(#"{"start":"#, to: &out); appendInteger(e.span.start, to: &out)
                appendLiteral(#","end":"#, to: &out); appendInteger(e.span.end, to: &out)
                appendLiteral(#","text":"#, to: &out); appendString(e.text, to: &out)
                appendLiteral(#","term":"#, to: &out); appendString(e.term, to: &out)
                appendLiteral(#","field":"#, to: &out); appendString(e.field, to: &out)
                out.append(UInt8(ascii: "}"))
            }
            appendLiteral("]}", to: &out)
        }
        appendLiteral(#"],"lexicon_version":"#, to: &out); appendString(lexiconVersion, to: &out)
        appendLiteral("}\n", to: &out)
    }

    /// Appends a literal's UTF-8 bytes (a `String`'s `utf8` view goes through a generic path).
    @inline(__always) static func appendLiteral(_ literal: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
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

    /// Appends the UTF-8 `bytes` as a JSON string literal: runs that need no escape are found
    /// eight bytes at a time and appended whole (``appendStringReference(bytes:to:)`` is the same
    /// byte by byte).
    static func appendString(bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        guard let base = bytes.baseAddress else {
            out.append(UInt8(ascii: "\""))
            return
        }
        let n = bytes.count
        var from = 0, i = 0
        while i < n {
            while i + 8 <= n {
                let flagged = escapeMask(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self).littleEndian)
                if flagged != 0 {
                    i += flagged.trailingZeroBitCount >> 3
                    break
                }
                i += 8
            }
            guard i < n else { break }
            let b = base[i]
            if needsEscape(b) {
                if i > from { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[from..<i])) }
                appendEscape(b, to: &out)
                from = i + 1
            }
            i += 1
        }
        if n > from { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[from...])) }
        out.append(UInt8(ascii: "\""))
    }

    @inline(__always) static func needsEscape(_ b: UInt8) -> Bool {
        b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b == 0x7F
    }

    /// The high bits of those of the eight bytes of `w` (read little-endian) that may need an
    /// escape (a quote, a backslash, a control byte, DEL): the lowest one flagged always does
    /// (a borrow can flag only bytes above one that really matches), and none is missed.
    @inline(__always) static func escapeMask(_ w: UInt64) -> UInt64 {
        WordBytes.equal(w, UInt8(ascii: "\"")) | WordBytes.equal(w, UInt8(ascii: "\\")) | WordBytes.equal(w, 0x7F)
            | WordBytes.below(w, 0x20)
    }

    /// The escape for one byte that ``needsEscape(_:)``.
    static func appendEscape(_ b: UInt8, to out: inout [UInt8]) {
        out.append(0x5C)
        switch b {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(b)
        case 0x0A: out.append(UInt8(ascii: "n"))
        case 0x0D: out.append(UInt8(ascii: "r"))
        case 0x09: out.append(UInt8(ascii: "t"))
        default:
            let hex: StaticString = "0123456789abcdef"
            out.append(UInt8(ascii: "u")); out.append(UInt8(ascii: "0")); out.append(UInt8(ascii: "0"))
            out.append(hex.utf8Start[Int(b >> 4)]); out.append(hex.utf8Start[Int(b & 0xF)])
        }
    }

    /// ``appendString(bytes:to:)`` byte by byte: the obvious form, kept as the tests' oracle.
    static func appendStringReference(bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
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
