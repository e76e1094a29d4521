/// Eight bytes at a time (SWAR): the high bit of each byte, for the UTF-8 check's ASCII skip.
public enum WordBytes {
    public static let high: UInt64 = 0x8080_8080_8080_8080
}
