import Foundation
import ZIPFoundation

/// Where the bytes of one export file come from: a file on disk, a zip entry inflated on the fly,
/// or memory (tests, fuzzing). A source can be read more than once (the WhatsApp reader makes two
/// passes); every pass counts against the budgets.
protocol ByteSource {
    /// Calls `body` with consecutive chunks of at most the configured buffer size.
    func forEachChunk(_ body: (UnsafeRawBufferPointer) throws -> Void) throws
    /// The expected size (a file's size, a zip entry's declared size): only a capacity hint.
    var sizeHint: Int { get }
    /// Every byte, at most `limit` of them, into `all` (which keeps its capacity: one buffer
    /// serves every file of a folder or zip in turn). `firstBytesCheck` sees each chunk until it
    /// returns true (it has seen enough to decide) or throws (the content is refused before more
    /// is read). The default reads chunk by chunk (``streamAll(limit:firstBytesCheck:into:)``).
    func readAll(limit: Int, firstBytesCheck: ((UnsafeRawBufferPointer) throws -> Bool)?, into all: inout [UInt8]) throws
}

/// A limit hit while reading; the file (or the whole archive) is not read further.
struct BudgetExceeded: Error {
    var reason: String
    var message: String
}

extension ByteSource {
    /// Every byte, at most `limit` of them. The buffer is reserved once from the size hint
    /// (capped by `limit`), so an honest file is never copied while it grows; untouched reserved
    /// pages cost no memory.
    ///
    /// `firstBytesCheck` sees each chunk until it returns true (it has seen enough to decide) or
    /// throws (the content is refused before more is inflated).
    func readAll(limit: Int, firstBytesCheck: ((UnsafeRawBufferPointer) throws -> Bool)? = nil) throws -> [UInt8] {
        var all: [UInt8] = []
        try readAll(limit: limit, firstBytesCheck: firstBytesCheck, into: &all)
        return all
    }

    func readAll(limit: Int, firstBytesCheck: ((UnsafeRawBufferPointer) throws -> Bool)?, into all: inout [UInt8]) throws {
        try streamAll(limit: limit, firstBytesCheck: firstBytesCheck, into: &all)
    }

    /// ``readAll(limit:firstBytesCheck:into:)`` chunk by chunk.
    func streamAll(limit: Int, firstBytesCheck: ((UnsafeRawBufferPointer) throws -> Bool)?, into all: inout [UInt8]) throws {
        all.removeAll(keepingCapacity: true)
        all.reserveCapacity(min(limit, max(0, sizeHint)) + 1)
        var decided = firstBytesCheck == nil
        try forEachChunk { chunk in
            if !decided, let firstBytesCheck { decided = try firstBytesCheck(chunk) }
            guard all.count + chunk.count <= limit else {
                throw BudgetExceeded(reason: "entry_budget", message: "more than \(limit) bytes; the per-file budget was hit")
            }
            all.append(contentsOf: chunk)
        }
    }
}

/// Bytes held in memory.
struct MemorySource: ByteSource {
    var bytes: [UInt8]
    var bufferSize: Int
    var sizeHint: Int { bytes.count }

    func forEachChunk(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let end = min(raw.count, offset + max(1, bufferSize))
                try body(UnsafeRawBufferPointer(rebasing: raw[offset..<end]))
                offset = end
            }
        }
    }
}

/// A regular file, read with read(2) in chunks of `bufferSize`, at most `maxBytes` in all.
struct FileSource: ByteSource {
    var path: String
    var bufferSize: Int
    var maxBytes: Int

    var sizeHint: Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    /// A regular file within the budget is read straight into `all` (one copy, from the page
    /// cache): in chunks of the buffer size until `firstBytesCheck` has decided, then the rest at
    /// once. A file that is not as fstat(2) described it (it grew or shrank, a read failed) is
    /// read again chunk by chunk (``streamAll(limit:firstBytesCheck:into:)``), which reports it.
    func readAll(limit: Int, firstBytesCheck: ((UnsafeRawBufferPointer) throws -> Bool)?, into all: inout [UInt8]) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return try streamAll(limit: limit, firstBytesCheck: firstBytesCheck, into: &all) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, Int(info.st_size) <= min(limit, maxBytes) else {
            return try streamAll(limit: limit, firstBytesCheck: firstBytesCheck, into: &all)
        }
        let size = Int(info.st_size)
        all.removeAll(keepingCapacity: true)
        all.append(contentsOf: repeatElement(0, count: size))
        var decided = firstBytesCheck == nil
        let chunk = max(1, bufferSize)
        let complete: Bool = try all.withUnsafeMutableBytes { raw in
            var done = 0
            while done < size {
                let n = read(fd, raw.baseAddress! + done, decided ? size - done : min(chunk, size - done))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                if !decided, let firstBytesCheck { decided = try firstBytesCheck(UnsafeRawBufferPointer(rebasing: raw[done..<(done + n)])) }
                done += n
            }
            var more: UInt8 = 0
            return read(fd, &more, 1) == 0
        }
        if !complete { try streamAll(limit: limit, firstBytesCheck: firstBytesCheck, into: &all) }
    }

    func forEachChunk(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw BudgetExceeded(reason: "unreadable", message: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let size = max(1, bufferSize)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 1)
        defer { buffer.deallocate() }
        var total = 0
        while true {
            let n = read(fd, buffer.baseAddress, size)
            if n < 0 {
                if errno == EINTR { continue }
                throw BudgetExceeded(reason: "read_error", message: "read error: \(String(cString: strerror(errno)))")
            }
            if n == 0 { return }
            total += n
            guard total <= maxBytes else {
                throw BudgetExceeded(reason: "entry_budget", message: "more than \(maxBytes) bytes; the per-file budget was hit")
            }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }
}

/// Bytes inflated from all entries of one archive so far (shared by its entry sources).
final class ArchiveBudget {
    let limit: Int
    var inflated = 0
    init(limit: Int) { self.limit = limit }
}

/// One zip entry, inflated chunk by chunk from the archive file (never `Archive(data:)`, never to
/// disk). Counts the bytes actually inflated against the entry and archive budgets.
struct ZipEntrySource: ByteSource {
    let archive: Archive
    let entry: Entry
    let bufferSize: Int
    let maxEntryBytes: Int
    let budget: ArchiveBudget
    /// Where the entry's bytes are, for inflating it whole (libdeflate), or nil.
    var locator: ZipLocator? = nil
    var location: ZipLocator.Location? = nil
    /// The entry inflated ahead on another thread (JSON entries, read with a first-bytes check).
    var prefetch: EntryPrefetch? = nil

    var sizeHint: Int { Int(clamping: entry.uncompressedSize) }

    /// An entry as its central directory describes it, whose compressed and inflated bytes
    /// together fit the per-entry budget (so memory never holds more than a largest entry read
    /// chunk by chunk would) and whose size fits what is left of the archive budget, is inflated
    /// whole by libdeflate into `all` and checked (size, CRC-32, first bytes); any other entry, or
    /// one that fails a check, is read chunk by chunk through ZIPFoundation as before, which
    /// reports it. The events are the same either way, and the same when the entry was inflated
    /// ahead (`prefetch`, made with ``ExportReader/checkJSONStart(_:)`` as its first-bytes check,
    /// the check every whole JSON read passes).
    func readAll(limit: Int, firstBytesCheck: ((UnsafeRawBufferPointer) throws -> Bool)?, into all: inout [UInt8]) throws {
        if let locator, let location,
           location.compressedSize + location.uncompressedSize <= min(limit, maxEntryBytes),
           budget.inflated + location.uncompressedSize <= budget.limit,
           prefetch != nil && firstBytesCheck != nil ? prefetch!.take(into: &all)
                                                     : locator.inflateWhole(location, firstBytes: firstBytesCheck, into: &all) {
            budget.inflated += all.count
            return
        }
        try streamAll(limit: limit, firstBytesCheck: firstBytesCheck, into: &all)
    }

    func forEachChunk(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var entryBytes = 0
        let declared = entry.uncompressedSize
        // An entry must inflate to exactly its declared size (checked below), so one declaring more
        // than the budget is refused before a byte is inflated.
        if declared > UInt64(maxEntryBytes) {
            throw BudgetExceeded(reason: "entry_budget",
                                 message: "declares \(declared) bytes, more than the per-entry budget of \(maxEntryBytes); refused")
        }
        var crc = CRC32()
        _ = try archive.extract(entry, bufferSize: max(1, bufferSize), skipCRC32: true) { data in
            entryBytes += data.count
            if UInt64(entryBytes) > declared {
                throw BudgetExceeded(reason: "size_mismatch",
                                     message: "inflates to more than its declared \(declared) bytes (a lying or damaged entry); refused")
            }
            budget.inflated += data.count
            if entryBytes > maxEntryBytes {
                throw BudgetExceeded(reason: "entry_budget",
                                     message: "inflates to more than \(maxEntryBytes) bytes (declared \(entry.uncompressedSize)); the per-entry budget was hit")
            }
            if budget.inflated > budget.limit {
                throw BudgetExceeded(reason: "archive_budget",
                                     message: "the archive inflates to more than \(budget.limit) bytes; the per-archive budget was hit")
            }
            try data.withUnsafeBytes { raw in
                crc.update(raw)
                try body(raw)
            }
        }
        if UInt64(entryBytes) != declared {
            throw BudgetExceeded(reason: "size_mismatch", message: "inflated to \(entryBytes) bytes, not the declared \(declared); damaged entry")
        }
        if crc.value != entry.checksum {
            throw BudgetExceeded(reason: "crc_mismatch", message: "CRC-32 does not match (a damaged or altered entry)")
        }
    }
}
