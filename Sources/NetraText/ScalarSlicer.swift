import CNetraBytes
import NetraCore

/// Cuts one text at Unicode-scalar offsets (evidence spans) without walking it from the start
/// for every cut: on its UTF-8 bytes directly when it is ASCII, through a table of the byte
/// offset of every scalar otherwise (built once per text). `String.scalarSubstring` is the slow,
/// obvious definition; both give the same substring, clamped to the text.
public struct ScalarSlicer {
    public private(set) var text: String = ""
    private var bytes: [UInt8] = []
    /// For non-ASCII text: the byte offset where each scalar starts, and the byte count last.
    private var offsets: [Int32] = []
    private var ascii = true

    public init() {}

    /// Makes the slicer cut `text`; keeps the work when it already does.
    public mutating func reset(_ text: String) {
        if text == self.text && !(bytes.isEmpty && !text.isEmpty) { return }
        self.text = text
        bytes.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: text.utf8)
        let firstNonASCII = bytes.withUnsafeBufferPointer { netra_first_non_ascii($0.baseAddress, 0, $0.count) }
        ascii = firstNonASCII == bytes.count
        offsets.removeAll(keepingCapacity: true)
        if !ascii {
            // Scalars before the first non-ASCII byte are one byte each.
            offsets.reserveCapacity(bytes.count + 1)
            for i in 0..<firstNonASCII { offsets.append(Int32(truncatingIfNeeded: i)) }
            for i in firstNonASCII..<bytes.count where bytes[i] & 0xC0 != 0x80 { offsets.append(Int32(truncatingIfNeeded: i)) }
            offsets.append(Int32(truncatingIfNeeded: bytes.count))
        }
    }

    /// The substring at scalar offsets `span`, clamped to the text.
    public func substring(_ span: Span) -> String {
        let count = ascii ? bytes.count : offsets.count - 1
        let start = min(max(0, span.start), count), end = min(max(start, span.end), count)
        let from = ascii ? start : Int(offsets[start]), to = ascii ? end : Int(offsets[end])
        return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[from..<to]), as: UTF8.self) }
    }
}
