import Crypto
import Foundation

/// SHA-256 over bytes (swift-crypto), for content hashes of inputs and records.
public struct SHA256Hasher {
    private var hasher = Crypto.SHA256()

    public init() {}

    /// Adds `bytes` to the message.
    public mutating func update<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        if let done: Void = bytes.withContiguousStorageIfAvailable({ hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }) {
            return done
        }
        hasher.update(data: Array(bytes))
    }

    /// Adds the bytes in `buffer`.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) { hasher.update(bufferPointer: buffer) }

    /// The digest as 64 lowercase hex digits.
    public mutating func finalizeHex() -> String { Hex.string(hasher.finalize()) }

    /// The SHA-256 of `bytes` as hex.
    public static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var hasher = SHA256Hasher()
        hasher.update(bytes)
        return hasher.finalizeHex()
    }
}

enum Hex {
    static func string<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Keyed pseudonyms for people other than the screened ASN (commenters, the authors of posts they
/// answered, other members of a chat): `anon-` and the first 16 hex digits of
/// HMAC-SHA-256(key, the name trimmed and lower-cased). The same person gets the same pseudonym in
/// every run with the same key, so a reviewer can follow one account without learning its name;
/// whoever holds the key can check a suspected name by computing its pseudonym.
public struct Pseudonymizer: Sendable {
    /// The raw key (SymmetricKey is not Sendable; one is made per use).
    private let keyBytes: [UInt8]

    /// A pseudonymizer with raw key bytes (at least 16).
    public init(keyBytes: [UInt8]) {
        precondition(keyBytes.count >= 16, "a pseudonym key needs at least 16 bytes")
        self.keyBytes = keyBytes
    }

    /// The pseudonym of `name`.
    public func pseudonym(_ name: String) -> String {
        let canonical = Subjects.canonical(name)
        let mac = HMAC<Crypto.SHA256>.authenticationCode(for: Array(canonical.utf8), using: SymmetricKey(data: keyBytes))
        return "anon-" + Hex.string(Array(mac).prefix(8))
    }

    /// Whether `value` looks like a pseudonym this type writes.
    public static func isPseudonym(_ value: String) -> Bool {
        value.hasPrefix("anon-") && value.utf8.count == 21
    }

    /// Reads the key file at `path` (32 random bytes), creating it with mode 0600 when missing.
    /// Errors name the file.
    public static func loadOrCreateKey(at path: String) throws -> Pseudonymizer {
        if let data = FileManager.default.contents(atPath: path) {
            guard data.count >= 16 else { throw KeyError(path: path, message: "the pseudonym key must hold at least 16 bytes, it has \(data.count)") }
            return Pseudonymizer(keyBytes: Array(data))
        }
        let key = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            // Another run may have just created it.
            if errno == EEXIST, let data = FileManager.default.contents(atPath: path), data.count >= 16 { return Pseudonymizer(keyBytes: Array(data)) }
            throw KeyError(path: path, message: "cannot create the pseudonym key: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let written = key.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == key.count, fsync(fd) == 0 else {
            unlink(path)
            throw KeyError(path: path, message: "cannot write the pseudonym key: \(String(cString: strerror(errno)))")
        }
        return Pseudonymizer(keyBytes: key)
    }

    public struct KeyError: Error, CustomStringConvertible {
        public var path: String
        public var message: String
        public var description: String { "\(path): \(message)" }
    }
}

/// The identity of an inbox input: SHA-256 of a file's bytes, or of a folder's sorted relative
/// file paths and contents; read in 1 MiB pieces, so memory stays flat for large inputs.
public enum InputHash {
    public static func of(path: String) throws -> (hash: String, size: Int64) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw StoreError(message: "\(path): no such file or folder")
        }
        var hasher = SHA256Hasher()
        var size: Int64 = 0
        if isDirectory.boolValue {
            var files: [String] = []
            if let walker = FileManager.default.enumerator(atPath: path) {
                while let relative = walker.nextObject() as? String {
                    if (walker.fileAttributes?[.type] as? FileAttributeType) == .typeRegular { files.append(relative) }
                }
            }
            for relative in files.sorted() {
                hasher.update(relative.utf8)
                hasher.update([0])
                size += try add(file: (path as NSString).appendingPathComponent(relative), to: &hasher)
            }
        } else {
            size = try add(file: path, to: &hasher)
        }
        return (hasher.finalizeHex(), size)
    }

    private static func add(file: String, to hasher: inout SHA256Hasher) throws -> Int64 {
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError(message: "\(file): cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var total: Int64 = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw StoreError(message: "\(file): read error: \(String(cString: strerror(errno)))")
            }
            if n == 0 { return total }
            buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            total += Int64(n)
        }
    }
}
