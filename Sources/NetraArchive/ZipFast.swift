#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import CZlib
import Dispatch

/// libdeflate's whole-buffer DEFLATE decoder, loaded at run time (`libdeflate.so.0`, Debian's
/// libdeflate0) when the system has it: about twice zlib's speed on export JSON. Without it
/// (or if a symbol is missing) zip entries are inflated by zlib through ZIPFoundation, as before;
/// the records are the same either way. No header or link-time dependency is needed.
final class Libdeflate: @unchecked Sendable {
    typealias Alloc = @convention(c) () -> OpaquePointer?
    typealias Decompress = @convention(c) (OpaquePointer?, UnsafeRawPointer?, Int, UnsafeMutableRawPointer?, Int,
                                           UnsafeMutablePointer<Int>?) -> Int32
    typealias Free = @convention(c) (OpaquePointer?) -> Void
    typealias CRC32 = @convention(c) (UInt32, UnsafeRawPointer?, Int) -> UInt32

    let alloc: Alloc
    let decompress: Decompress
    let free: Free
    /// libdeflate's CRC-32 (carry-less multiplication where the CPU has it), if exported.
    let crc32: CRC32?

    /// The library, or nil when it cannot be loaded. `NETRA_NO_LIBDEFLATE=1` turns it off (to
    /// compare, or to measure zlib).
    static let shared: Libdeflate? = {
        if let off = getenv("NETRA_NO_LIBDEFLATE"), String(cString: off) == "1" { return nil }
        guard let handle = dlopen("libdeflate.so.0", RTLD_NOW | RTLD_LOCAL) else { return nil }
        guard let a = dlsym(handle, "libdeflate_alloc_decompressor"),
              let d = dlsym(handle, "libdeflate_deflate_decompress"),
              let f = dlsym(handle, "libdeflate_free_decompressor") else { return nil }
        return Libdeflate(alloc: unsafeBitCast(a, to: Alloc.self), decompress: unsafeBitCast(d, to: Decompress.self),
                          free: unsafeBitCast(f, to: Free.self), crc32: dlsym(handle, "libdeflate_crc32").map { unsafeBitCast($0, to: CRC32.self) })
    }()

    private init(alloc: @escaping Alloc, decompress: @escaping Decompress, free: @escaping Free, crc32: CRC32?) {
        self.alloc = alloc
        self.decompress = decompress
        self.free = free
        self.crc32 = crc32
    }
}

/// Where each entry's compressed bytes are in a zip file, from its central directory and local
/// headers, for the whole-entry fast path (``ZipEntrySource``). Only the plain case is handled
/// (no ZIP64, no encryption, stored or deflated); anything else, or any record that does not
/// agree with what ZIPFoundation listed, has no location and is read by ZIPFoundation as before.
///
/// Immutable once made (the file is read with pread(2), and each inflation allocates its own
/// libdeflate decompressor), so one entry can be inflated ahead on another thread
/// (``EntryPrefetch``) while the reader parses the one before.
final class ZipLocator: @unchecked Sendable {
    struct Location {
        /// 0 stored, 8 deflated.
        var method: UInt16
        var dataOffset: Int
        var compressedSize: Int
        var uncompressedSize: Int
        var crc32: UInt32
    }

    private let fd: Int32
    private let fileSize: Int
    /// Central directory records in order: method, flags, crc, sizes, local header offset.
    private var records: [(method: UInt16, flags: UInt16, crc: UInt32, compressed: UInt32, uncompressed: UInt32, local: UInt32)] = []

    init?(path: String) {
        guard Libdeflate.shared != nil else { return nil }
        fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            return nil
        }
        fileSize = Int(info.st_size)
        guard readDirectory() else {
            close(fd)
            return nil
        }
    }

    deinit {
        close(fd)
    }

    /// `count` bytes at `offset`, or nil.
    private func read(_ offset: Int, _ count: Int) -> [UInt8]? {
        guard offset >= 0, count >= 0, offset <= fileSize, count <= fileSize - offset else { return nil }
        var ok = true
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count {
                let n = pread(fd, buffer.baseAddress! + done, count - done, off_t(offset + done))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                done += n
            }
            ok = done == count
            initialized = done
        }
        return ok ? bytes : nil
    }

    /// The largest central directory read whole.
    static let maxDirectoryBytes = 32 << 20

    private static func u16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    private static func u32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }

    /// The central directory, from the end-of-central-directory record (the last one in the
    /// file's final 64 KiB + 22 bytes, as ZIPFoundation finds it).
    private func readDirectory() -> Bool {
        let tail = min(fileSize, 22 + 0xFFFF)
        guard let end = read(fileSize - tail, tail), end.count >= 22 else { return false }
        var at = -1
        var i = end.count - 22
        while i >= 0 {
            if end[i] == 0x50 && end[i + 1] == 0x4B && end[i + 2] == 0x05 && end[i + 3] == 0x06 { at = i; break }
            i -= 1
        }
        guard at >= 0 else { return false }
        let count = Int(Self.u16(end, at + 10))
        let size = Int(Self.u32(end, at + 12))
        let offset = Int(Self.u32(end, at + 16))
        // ZIP64 markers, and central directories larger than any honest export's (100,000
        // entries take about 15 MB), are left to ZIPFoundation, which reads them as it goes.
        guard count != 0xFFFF, size != 0xFFFF_FFFF, offset != 0xFFFF_FFFF, size <= Self.maxDirectoryBytes,
              let directory = read(offset, size) else { return false }
        var p = 0
        for _ in 0..<count {
            guard p + 46 <= directory.count, Self.u32(directory, p) == 0x0201_4B50 else { return false }
            let record = (method: Self.u16(directory, p + 10), flags: Self.u16(directory, p + 8), crc: Self.u32(directory, p + 16),
                          compressed: Self.u32(directory, p + 20), uncompressed: Self.u32(directory, p + 24), local: Self.u32(directory, p + 42))
            records.append(record)
            p += 46 + Int(Self.u16(directory, p + 28)) + Int(Self.u16(directory, p + 30)) + Int(Self.u16(directory, p + 32))
        }
        return true
    }

    /// Up to `count` bytes from the start of a raw DEFLATE stream (zlib, streaming).
    static func inflatedHead(_ compressed: [UInt8], count: Int) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return [] }
        defer { inflateEnd(&stream) }
        var head = [UInt8](repeating: 0, count: count)
        let produced: Int = compressed.withUnsafeBufferPointer { input in
            head.withUnsafeMutableBufferPointer { output in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = UInt32(min(input.count, Int(UInt32.max)))
                stream.next_out = output.baseAddress
                stream.avail_out = UInt32(count)
                let result = inflate(&stream, Z_SYNC_FLUSH)
                return result == Z_OK || result == Z_STREAM_END || result == Z_BUF_ERROR ? count - Int(stream.avail_out) : 0
            }
        }
        return Array(head.prefix(produced))
    }

    /// The location of the `index`-th entry of the central directory, if it is the plain case and
    /// agrees with what ZIPFoundation listed for it (its checksum and sizes).
    func location(index: Int, crc32: UInt32, compressedSize: UInt64, uncompressedSize: UInt64) -> Location? {
        guard index >= 0, index < records.count else { return nil }
        let r = records[index]
        guard r.method == 0 || r.method == 8, r.flags & 0x1 == 0, r.crc == crc32, UInt64(r.compressed) == compressedSize,
              UInt64(r.uncompressed) == uncompressedSize, r.compressed != 0xFFFF_FFFF, r.uncompressed != 0xFFFF_FFFF,
              r.local != 0xFFFF_FFFF, let header = read(Int(r.local), 30), Self.u32(header, 0) == 0x0403_4B50,
              Self.u16(header, 8) == r.method else { return nil }
        let dataOffset = Int(r.local) + 30 + Int(Self.u16(header, 26)) + Int(Self.u16(header, 28))
        guard dataOffset <= fileSize, Int(r.compressed) <= fileSize - dataOffset else { return nil }
        return Location(method: r.method, dataOffset: dataOffset, compressedSize: Int(r.compressed),
                        uncompressedSize: Int(r.uncompressed), crc32: r.crc)
    }

    /// The entry at `location` inflated into `out` (which keeps its capacity), or false when
    /// anything is not as its central directory says (bad data, other size, other checksum) or
    /// `firstBytes` does not accept its first bytes: then nothing was decided and the entry is
    /// read by ZIPFoundation, which reports it as before.
    ///
    /// `firstBytes` sees up to the first 4 KiB, inflated by zlib from the start of the entry,
    /// before the whole entry is: a zip bomb's zeros are still refused before they are inflated.
    func inflateWhole(_ location: Location, firstBytes: ((UnsafeRawBufferPointer) throws -> Bool)?, into out: inout [UInt8]) -> Bool {
        guard let library = Libdeflate.shared, let compressed = read(location.dataOffset, location.compressedSize) else { return false }
        if let firstBytes {
            let head = location.method == 0 ? Array(compressed.prefix(4096)) : Self.inflatedHead(compressed, count: 4096)
            let accepted = (try? head.withUnsafeBytes { try firstBytes($0) }) ?? false
            guard accepted else { return false }
        }
        out.removeAll(keepingCapacity: true)
        let size = location.uncompressedSize
        if location.method == 0 {
            guard compressed.count == size else { return false }
            out.append(contentsOf: compressed)
        } else {
            // One more byte than declared: an entry that inflates to more is told apart. The
            // buffer keeps its pages from entry to entry (zeroing them is cheaper than faulting
            // in new ones).
            out.append(contentsOf: repeatElement(0, count: size + 1))
            guard let decompressor = library.alloc() else {
                out.removeAll(keepingCapacity: true)
                return false
            }
            defer { library.free(decompressor) }
            var actual = 0
            let result: Int32 = compressed.withUnsafeBytes { input in
                out.withUnsafeMutableBytes { output in
                    library.decompress(decompressor, input.baseAddress, input.count, output.baseAddress, output.count, &actual)
                }
            }
            guard result == 0, actual == size else {
                out.removeAll(keepingCapacity: true)
                return false
            }
            out.removeLast()
        }
        let crc: UInt32 = out.withUnsafeBytes { raw in
            if let crc32 = library.crc32 { return crc32(0, raw.baseAddress, raw.count) }
            var zlib = NetraArchive.CRC32()
            zlib.update(raw)
            return zlib.value
        }
        return crc == location.crc32
    }
}

/// One zip entry inflated whole on another thread while the reader parses the entry before it
/// (``ExportReader``'s zip loop starts at most one). Only bytes move between the threads: the
/// reader takes them when it reaches the entry, and only if the entry passes the same budget
/// checks it would have passed when inflated in place, so the events are the same either way.
final class EntryPrefetch: @unchecked Sendable {
    /// The entry's place in the zip loop's order.
    let index: Int
    let location: ZipLocator.Location
    private let done = DispatchSemaphore(value: 0)
    /// Written by the inflating thread before `done` is signalled, read after.
    private var bytes: [UInt8] = []
    private var inflated = false

    init(index: Int, locator: ZipLocator, location: ZipLocator.Location, firstBytes: @escaping @Sendable (UnsafeRawBufferPointer) throws -> Bool) {
        self.index = index
        self.location = location
        DispatchQueue.global().async {
            self.inflated = locator.inflateWhole(location, firstBytes: firstBytes, into: &self.bytes)
            self.done.signal()
        }
    }

    /// Waits for the inflation; true with the entry's bytes in `out` (its old buffer is dropped),
    /// or false when ``ZipLocator/inflateWhole(_:firstBytes:into:)`` refused the entry.
    func take(into out: inout [UInt8]) -> Bool {
        done.wait()
        done.signal()
        guard inflated else { return false }
        swap(&out, &bytes)
        bytes = []
        return true
    }

    /// Waits until the inflating thread is done with it.
    func finish() {
        done.wait()
        done.signal()
    }
}
