/// Eight bytes at a time (SWAR), read little-endian from a `UInt64`: masks with the high bit of
/// each byte that passes a test. In every mask the lowest flagged byte really passes it (a
/// borrow can flag only bytes above one that does), and no byte that passes is missed, so a
/// scan may stop at `mask.trailingZeroBitCount >> 3` and look at that byte.
public enum WordBytes {
    /// The high bit of every byte (also the mask of bytes ≥ 0x80: `w & high`).
    public static let high: UInt64 = 0x8080_8080_8080_8080
    static let ones: UInt64 = 0x0101_0101_0101_0101

    /// The bytes of `w` equal to `byte`.
    @inline(__always) public static func equal(_ w: UInt64, _ byte: UInt8) -> UInt64 {
        let x = w ^ (ones &* UInt64(byte))
        return (x &- ones) & ~x & high
    }

    /// The bytes of `w` below `limit` (at most 0x80).
    @inline(__always) public static func below(_ w: UInt64, _ limit: UInt8) -> UInt64 {
        (w &- ones &* UInt64(limit)) & ~w & high
    }
}
