import NetraCore

/// Output formats of `netra scan` (DESIGN.md §3.1, §3.3).
public enum OutputFormat: String, Sendable, CaseIterable {
    case ndjson, text
}

extension Buffer where Element == UInt8 {
    /// Appends a literal's UTF-8 bytes.
    @inline(__always)
    mutating func append(_ literal: StaticString) {
        append(literal.utf8Start, count: literal.utf8CodeUnitCount)
    }
}

/// Writes findings as NDJSON lines with the keys and order of DESIGN.md §3.3.
public enum NDJSONPrinter {
    /// Appends one line (with its newline) for `finding`.
    /// The line is written into one `Buffer` and appended to `out` whole (a flagged record's
    /// line is some sixty pieces, each an `Array` append with its own checks otherwise).
    public static func append(_ finding: Finding, lexiconVersion: String, to out: inout [UInt8]) {
        var w = Buffer<UInt8>(capacity: 2048)
        defer { w.free() }
        write(finding, lexiconVersion: lexiconVersion, to: &w)
        out.append(contentsOf: w.view)
    }

    static func write(_ finding: Finding, lexiconVersion: String, to w: inout Buffer<UInt8>) {
        let record = finding.record
        w.append(#"{"id":"#)
        if let id = record.id { appendString(id, to: &w) } else { appendString(record.displayID, to: &w) }
        w.append(#","source":{"path":"#); appendString(record.source.path, to: &w)
        w.append(#","line":"#); appendInteger(record.source.line, to: &w)
        w.append(#"},"kind":"#); appendString(record.kind.rawValue, to: &w)
        w.append(#","created_at":"#)
        if let c = record.createdAt { appendString(c, to: &w) } else { w.append("null") }
        w.append(finding.flagged ? #","flagged":true,"flags":["# : #","flagged":false,"flags":["#)
        for (i, flag) in finding.flags.enumerated() {
            if i > 0 { w.append(UInt8(ascii: ",")) }
            w.append(#"{"rule":"#); appendString(flag.rule, to: &w)
            w.append(#","category":"#); appendString(flag.category, to: &w)
            w.append(#","contest":"#); appendString(flag.contest, to: &w)
            w.append(#","pair":"#); appendString(flag.pair, to: &w)
            w.append(#","stance":"#); appendString(flag.stance.rawValue, to: &w)
            w.append(#","severity":"#); appendString(flag.severity, to: &w)
            w.append(#","score":"#); appendScore(flag.score, to: &w)
            w.append(#","basis":["#)
            for (j, b) in flag.basis.enumerated() {
                if j > 0 { w.append(UInt8(ascii: ",")) }
                appendString(b, to: &w)
            }
            w.append(#"],"evidence":["#)
            for (j, e) in flag.evidence.enumerated() {
                if j > 0 { w.append(UInt8(ascii: ",")) }
                w.append(#"{"start":"#); appendInteger(e.span.start, to: &w)
                w.append(#","end":"#); appendInteger(e.span.end, to: &w)
                w.append(#","text":"#); appendString(e.text, to: &w)
                w.append(#","term":"#); appendString(e.term, to: &w)
                w.append(#","field":"#); appendString(e.field, to: &w)
                w.append(UInt8(ascii: "}"))
            }
            w.append("]}")
        }
        w.append(#"],"lexicon_version":"#); appendString(lexiconVersion, to: &w)
        w.append("}\n")
    }

    /// Appends `value` in decimal.
    static func appendInteger(_ value: Int, to w: inout Buffer<UInt8>) {
        if value < 0 {
            w.append(UInt8(ascii: "-"))
            appendDigits(UInt64(value.magnitude), to: &w)  // -Int.min does not fit an Int
        } else {
            appendDigits(UInt64(value), to: &w)
        }
    }

    @inline(__always)
    private static func appendDigits(_ value: UInt64, to w: inout Buffer<UInt8>) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // up to 24 digits, written backwards
        var count = 0
        var v = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            let p = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            repeat {
                p[23 - count] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
                count += 1
            } while v > 0
            w.append(p + (24 - count), count: count)
        }
    }

    /// A score in [0, 1] with two decimals ("0.8", "0.91", "1").
    public static func formatScore(_ score: Double) -> String {
        var w = Buffer<UInt8>(capacity: 8)
        defer { w.free() }
        appendScore(score, to: &w)
        return String(decoding: w.view, as: UTF8.self)
    }

    static func appendScore(_ score: Double, to w: inout Buffer<UInt8>) {
        let hundredths = Int((min(1, max(0, score)) * 100).rounded())
        if hundredths == 100 { w.append(UInt8(ascii: "1")); return }
        if hundredths == 0 { w.append(UInt8(ascii: "0")); return }
        w.append("0.")
        w.append(UInt8(ascii: "0") + UInt8(hundredths / 10))
        if hundredths % 10 != 0 { w.append(UInt8(ascii: "0") + UInt8(hundredths % 10)) }
    }

    /// Appends `s` as a JSON string literal (RFC 8259 escaping; non-ASCII left as UTF-8).
    public static func appendString(_ s: String, to out: inout [UInt8]) {
        var w = Buffer<UInt8>(capacity: s.utf8.count + 16)
        defer { w.free() }
        appendString(s, to: &w)
        out.append(contentsOf: w.view)
    }

    static func appendString(_ s: String, to w: inout Buffer<UInt8>) {
        // Native and small strings lend their bytes without a copy of the string.
        if s.utf8.withContiguousStorageIfAvailable({ appendString(bytes: $0, to: &w) }) != nil { return }
        var s = s
        s.withUTF8 { appendString(bytes: $0, to: &w) }
    }

    /// Appends the UTF-8 `bytes` as a JSON string literal to `out`.
    static func appendString(bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var w = Buffer<UInt8>(capacity: bytes.count + 16)
        defer { w.free() }
        appendString(bytes: bytes, to: &w)
        out.append(contentsOf: w.view)
    }

    /// Appends the UTF-8 `bytes` as a JSON string literal: the runs that need no escape are found
    /// eight bytes at a time (`firstEscape`) and appended whole, so a string with nothing to
    /// escape (most are) is one copy (``appendStringReference(bytes:to:)`` is the same byte by
    /// byte).
    static func appendString(bytes: UnsafeBufferPointer<UInt8>, to w: inout Buffer<UInt8>) {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            w.append("\"\"")
            return
        }
        let n = bytes.count
        // Room for the quotes and the string as it is; escapes grow the buffer as they come.
        w.reserve(w.count &+ n &+ 2)
        var stop = firstEscape(base, n)
        if stop == n {
            // Nothing to escape: the quotes and one copy, written in place.
            let o = w.pointer + w.count
            o[0] = UInt8(ascii: "\"")
            (o + 1).update(from: base, count: n)
            o[n &+ 1] = UInt8(ascii: "\"")
            w.count &+= n &+ 2
            return
        }
        w.append(UInt8(ascii: "\""))
        var from = 0
        while true {
            if stop > from { w.append(base + from, count: stop &- from) }
            guard stop < n else { break }
            appendEscape(base[stop], to: &w)
            from = stop &+ 1
            stop = from &+ firstEscape(base + from, n &- from)
        }
        w.append(UInt8(ascii: "\""))
    }

    /// The offset of the first of the `n` bytes at `base` that needs an escape, or `n`: eight
    /// bytes at a time, the last few through one load that ends at the last byte (or, for fewer
    /// than eight bytes, gathered into one word padded with letters), never reading outside.
    @inline(__always)
    static func firstEscape(_ base: UnsafePointer<UInt8>, _ n: Int) -> Int {
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i &+ 8 <= n {
            let flagged = escapeMask(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self).littleEndian)
            if flagged != 0 { return i &+ flagged.trailingZeroBitCount &>> 3 }
            i &+= 8
        }
        if i == n { return n }
        if n >= 8 {
            // Bytes n-8 ..< i were found clean: only the flags above them count (a borrow can
            // flag only bytes above one that really needs an escape, so the lowest is real).
            let seen = UInt64(truncatingIfNeeded: 8 &* (i &- (n &- 8)))
            let flagged = escapeMask(raw.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self).littleEndian) & (~0 &<< seen)
            return flagged != 0 ? n &- 8 &+ flagged.trailingZeroBitCount &>> 3 : n
        }
        var word: UInt64 = 0, k = 0
        if n & 4 != 0 {
            word = UInt64(raw.loadUnaligned(as: UInt32.self).littleEndian)
            k = 4
        }
        if n & 2 != 0 {
            word |= UInt64(raw.loadUnaligned(fromByteOffset: k, as: UInt16.self).littleEndian) &<< UInt64(truncatingIfNeeded: 8 &* k)
            k &+= 2
        }
        if n & 1 != 0 { word |= UInt64(base[k]) &<< UInt64(truncatingIfNeeded: 8 &* k) }
        word |= 0x6161_6161_6161_6161 & (~0 &<< UInt64(truncatingIfNeeded: 8 &* n))
        let flagged = escapeMask(word)
        return flagged != 0 ? flagged.trailingZeroBitCount &>> 3 : n
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
    static func appendEscape(_ b: UInt8, to w: inout Buffer<UInt8>) {
        w.append(0x5C)
        switch b {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): w.append(b)
        case 0x0A: w.append(UInt8(ascii: "n"))
        case 0x0D: w.append(UInt8(ascii: "r"))
        case 0x09: w.append(UInt8(ascii: "t"))
        default:
            let hex: StaticString = "0123456789abcdef"
            w.append("u00")
            w.append(hex.utf8Start[Int(b >> 4)]); w.append(hex.utf8Start[Int(b & 0xF)])
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
