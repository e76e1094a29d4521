/// JSON's one-letter string escapes (RFC 8259 §7), shared by the JSON-lines reader and the
/// export readers.
public enum JSONEscape {
    /// The byte the escape `\e` stands for (`n` → 0x0A, `"` → 0x22, …), or nil when `\e` is not
    /// a one-letter JSON escape (`u` included: it takes four hex digits).
    public static func simple(_ e: UInt8) -> UInt8? {
        switch e {
        case UInt8(ascii: "\""): return 0x22
        case UInt8(ascii: "\\"): return 0x5C
        case UInt8(ascii: "/"): return 0x2F
        case UInt8(ascii: "b"): return 0x08
        case UInt8(ascii: "f"): return 0x0C
        case UInt8(ascii: "n"): return 0x0A
        case UInt8(ascii: "r"): return 0x0D
        case UInt8(ascii: "t"): return 0x09
        default: return nil
        }
    }
}

/// Hexadecimal digits, for `\uXXXX` in JSON and `\xHH` escape text.
public enum HexDigit {
    /// The value of the ASCII hex digit `b` (`0`–`9`, `a`–`f`, `A`–`F`), or nil.
    public static func value(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x61...0x66: return b - 0x61 + 10
        case 0x41...0x46: return b - 0x41 + 10
        default: return nil
        }
    }
}
