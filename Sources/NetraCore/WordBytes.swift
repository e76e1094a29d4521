/// Eight bytes at a time (SWAR): classification masks with the high bit of each byte set.
/// Used by the normalizer's word runs and the JSON-lines reader's string scan.
public enum WordBytes {
    public static let ones: UInt64 = 0x0101_0101_0101_0101
    public static let high: UInt64 = 0x8080_8080_8080_8080

    /// The high bit of every byte b with lo ≤ b ≤ hi and b < 0x80 (0 < lo ≤ hi < 0x7F).
    @inlinable @inline(__always)
    public static func between(_ x: UInt64, _ lo: UInt8, _ hi: UInt8) -> UInt64 {
        let low7 = x & (ones &* 0x7F)
        let belowEnd = (ones &* (0x7F + UInt64(hi) + 1)) &- low7      // high bit: b ≤ hi
        let aboveStart = low7 &+ ones &* (0x7F - UInt64(lo) + 1)      // high bit: b ≥ lo
        return belowEnd & aboveStart & ~x & high
    }

    /// The high bit of every byte below `n` (1 ≤ n ≤ 0x80; bytes ≥ 0x80 never count).
    @inlinable @inline(__always)
    public static func below(_ x: UInt64, _ n: UInt8) -> UInt64 {
        ~(((x & (ones &* 0x7F)) &+ ones &* UInt64(0x80 - n)) | x) & high
    }

    /// The high bit of every zero byte (exact, no false positives).
    @inlinable @inline(__always)
    public static func zeroBytes(_ x: UInt64) -> UInt64 { below(x, 1) }

    /// The last `count` (< 8) bytes at `p`, zero-padded.
    @inlinable @inline(__always)
    public static func loadTail(_ p: UnsafePointer<UInt8>, count: Int) -> UInt64 {
        var x: UInt64 = 0
        for k in 0..<count { x |= UInt64(p[k]) << UInt64(8 * k) }
        return x
    }
}
