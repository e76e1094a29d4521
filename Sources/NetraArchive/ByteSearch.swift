/// Plain substring search over UTF-8 bytes, for the readers' hot paths (Foundation's
/// `range(of:)` goes through NSString and dominated reading time).
enum ByteSearch {
    /// The offset of the first occurrence of `needle` in `haystack` at or after `from`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int = 0, to end: Int? = nil) -> Int? {
        let limit = end ?? haystack.count
        guard !needle.isEmpty, limit - from >= needle.count, from >= 0 else { return nil }
        let first = needle[0]
        var i = from
        let last = limit - needle.count
        while i <= last {
            if haystack[i] == first {
                var k = 1
                while k < needle.count, haystack[i + k] == needle[k] { k += 1 }
                if k == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    static func contains(_ needle: String, in text: String) -> Bool {
        find(Array(needle.utf8), in: Array(text.utf8)) != nil
    }
}
