#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A buffered writer on a file descriptor that notices a closed pipe (`| head`).
///
/// SIGPIPE should be ignored by the process (the executable does so); a write that fails with
/// EPIPE marks the channel closed so the scan can stop quietly, as ripgrep does.
public final class OutputChannel {
    public let fd: Int32
    private var buffer: [UInt8] = []
    private let flushThreshold: Int
    /// True once the reader of this descriptor has gone away.
    public private(set) var closed = false
    /// The errno of a write failure other than EPIPE, if any.
    public private(set) var failure: Int32?

    public init(fd: Int32, flushThreshold: Int = 64 << 10) {
        self.fd = fd
        self.flushThreshold = flushThreshold
        buffer.reserveCapacity(flushThreshold + 4096)
    }

    /// Appends bytes; flushes when the buffer passes the threshold.
    public func write(_ bytes: [UInt8]) {
        guard !closed else { return }
        buffer += bytes
        if buffer.count >= flushThreshold { flush() }
    }

    public func write(_ text: String) { write(Array(text.utf8)) }

    /// Gives direct access to the buffer for printers that append in place.
    public func append(_ body: (inout [UInt8]) -> Void) {
        guard !closed else { return }
        body(&buffer)
        if buffer.count >= flushThreshold { flush() }
    }

    public func flush() {
        var offset = 0
        while offset < buffer.count && !closed {
            let n = buffer.withUnsafeBytes { raw in
                systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE { closed = true } else { failure = errno; closed = true }
                break
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    deinit { flush() }
}

@inline(__always)
private func systemWrite(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, pointer, count)
}
