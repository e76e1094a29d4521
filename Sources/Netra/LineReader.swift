#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file descriptor as newline-separated records through one reusable buffer.
///
/// A line longer than `maxLineBytes` is not buffered: the reader skips to its newline and
/// reports it as `.tooLong`, so memory stays flat whatever the input.
public struct LineReader: ~Copyable {
    public enum Event {
        /// A complete line (without its `\n`; a trailing `\r` is kept) and its 1-based number.
        case line(UnsafeBufferPointer<UInt8>, number: Int)
        /// A line over the limit: its number and how many bytes it had.
        case tooLong(number: Int, bytes: Int)
    }

    public struct ReadError: Error, CustomStringConvertible {
        public var errno: Int32
        public var description: String { String(cString: strerror(errno)) }
    }

    private let fd: Int32
    private let maxLineBytes: Int
    private var buffer: UnsafeMutableBufferPointer<UInt8>
    private var start = 0      // first unconsumed byte
    private var end = 0        // one past the last valid byte
    private var lineNumber = 0
    private var skipping = false
    private var skippedBytes = 0
    private var eof = false

    /// - Parameters:
    ///   - chunkBytes: the read size; the buffer holds one chunk plus one maximal line.
    public init(fd: Int32, maxLineBytes: Int, chunkBytes: Int = 1 << 20) {
        self.fd = fd
        self.maxLineBytes = maxLineBytes
        buffer = .allocate(capacity: max(chunkBytes, 1) + maxLineBytes + 1)
    }

    deinit { buffer.deallocate() }

    /// Calls `body` for every line until the input ends or `body` returns false.
    public mutating func forEach(_ body: (Event) -> Bool) throws(ReadError) {
        while true {
            // Hand out every complete line in the buffer.
            while start < end {
                let base = buffer.baseAddress!
                let remaining = end - start
                guard let nl = memchr(base + start, 0x0A, remaining) else { break }
                let lineEnd = base.distance(to: nl.assumingMemoryBound(to: UInt8.self))
                lineNumber += 1
                let length = lineEnd - start
                let ok: Bool
                if skipping {
                    ok = body(.tooLong(number: lineNumber, bytes: skippedBytes + length))
                    skipping = false
                    skippedBytes = 0
                } else if length > maxLineBytes {
                    ok = body(.tooLong(number: lineNumber, bytes: length))
                } else {
                    ok = body(.line(UnsafeBufferPointer(start: base + start, count: length), number: lineNumber))
                }
                start = lineEnd + 1
                if !ok { return }
            }
            if eof {
                if start < end || skipping {
                    lineNumber += 1
                    let length = end - start
                    if skipping {
                        _ = body(.tooLong(number: lineNumber, bytes: skippedBytes + length))
                    } else if length > maxLineBytes {
                        _ = body(.tooLong(number: lineNumber, bytes: length))
                    } else {
                        _ = body(.line(UnsafeBufferPointer(start: buffer.baseAddress! + start, count: length), number: lineNumber))
                    }
                }
                return
            }
            // Partial line: over the limit -> drop it and remember we are skipping.
            if end - start > maxLineBytes {
                skippedBytes += end - start
                skipping = true
                start = 0
                end = 0
            }
            // Move the partial line to the front and read more.
            if start > 0 {
                let count = end - start
                if count > 0 { memmove(buffer.baseAddress!, buffer.baseAddress! + start, count) }
                start = 0
                end = count
            }
            let room = buffer.count - end
            var n: Int
            repeat {
                n = read(fd, buffer.baseAddress! + end, room)
            } while n < 0 && errno == EINTR
            if n < 0 { throw ReadError(errno: errno) }
            if n == 0 { eof = true } else { end += n }
        }
    }
}
