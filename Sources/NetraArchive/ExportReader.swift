import Foundation
import NetraCore
import ZIPFoundation

/// Turns an export — a folder, a `.zip`, or a single file — into ``ExportEvent``s, in a stable
/// order (folder files and zip entries sorted by path).
///
/// Files are recognised by their *name* (never the full path, which changes with the export's
/// year) and, when the name is not enough, by their content. Zips are read entry by entry from
/// the file with ZIPFoundation's file-backed `Archive(url:)`; nothing is extracted to disk. The
/// budgets of ``ReadLimits`` count bytes actually inflated. Entries with `..`, absolute or `//`
/// names, symlinks, duplicate names and nested zips are refused; a budget violation ends that
/// archive. Problems are reported as ``ExportEvent/problem(_:)`` and reading goes on with the
/// next file or entry where that is safe.
public struct ExportReader: Sendable {
    public var limits: ReadLimits
    /// Read every file with this reader instead of detecting (`netra scan --from`).
    public var forced: ExportFormat?
    /// Build each JSON item as a tree of ``JSONValue`` (the slower reference form, `netra scan
    /// --reference`) instead of the tape the fast path reads; both must give the same events.
    public var reference = false

    public init(limits: ReadLimits = ReadLimits(), forced: ExportFormat? = nil) {
        self.limits = limits
        self.forced = forced
    }

    /// What a file is, decided from its name (and content, when the name is not enough).
    public enum FileKind: Sendable, Equatable {
        case meta(ExportFormat)   // facebook or instagram JSON (one reader)
        case x, tiktok, whatsapp, csv, jsonl
        /// A zip inside the input (not opened).
        case nestedZip
        /// Not an export file the readers know (media, HTML, unknown JSON).
        case other
    }

    /// A regular file named as JSON lines (`.jsonl`, `.ndjson`): read line by line as `netra scan`
    /// reads standard input, without the export readers.
    public static func isJSONLinesFile(path: String) -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { return false }
        return kind(forFileName: lastComponent(path)) == .jsonl
    }

    /// Classifies a file by its name alone; `nil` means the content must decide.
    public static func kind(forFileName name: String) -> FileKind? {
        let lower = name.lowercased()
        func ext(_ e: String) -> Bool { lower.hasSuffix(e) }
        if ext(".jsonl") || ext(".ndjson") { return .jsonl }
        if ext(".csv") { return .csv }
        if ext(".zip") { return .nestedZip }
        if ext(".js") { return lower.hasPrefix("tweet") || lower.hasPrefix("like") || lower.hasPrefix("following")
                || lower.hasPrefix("note-tweet") ? .x : nil }
        if lower == "user_data_tiktok.json" || lower == "user_data.json" { return .tiktok }
        if ext(".json") {
            let instagram = ["posts_", "post_comments", "reels_comments", "liked_posts", "following.json", "liked_comments"]
            let facebook = ["your_posts", "posts_on_other", "comments.json", "likes_and_reactions", "your_group_membership",
                            "group_posts_and_comments", "your_comments_in_groups", "pages_", "who_you", "profile_information",
                            "posts_and_comments", "your_groups", "followers"]
            if facebook.contains(where: { lower.hasPrefix($0) || lower == $0 }) { return .meta(.facebook) }
            if instagram.contains(where: { lower.hasPrefix($0) || lower == $0 }) { return .meta(.instagram) }
            return nil
        }
        if ext(".txt") {
            if lower == "_chat.txt" || lower.hasPrefix("chat whatsapp") || lower.hasPrefix("whatsapp chat") { return .whatsapp }
            return nil
        }
        return .other
    }

    /// Classifies by the first bytes when the name did not decide.
    static func kind(forContent prefix: [UInt8], fileName: String) -> FileKind {
        let lower = fileName.lowercased()
        if XReader.sectionName(prefix) != nil { return .x }
        if lower.hasSuffix(".txt") { return WhatsAppReader.looksLikeChat(prefix) ? .whatsapp : .other }
        if lower.hasSuffix(".json") {
            // TikTok's top-level sections, else any Meta JSON (recognised by its wrapper keys or item shapes).
            let text = String(decoding: prefix.prefix(4096), as: UTF8.self)
            if TikTokReader.sectionNames.contains(where: { text.contains("\"\($0)\"") }), text.contains("\"Profile") || text.contains("Activity\"") {
                return .tiktok
            }
            return .meta(.facebook)
        }
        return .other
    }

    func forcedKind(_ format: ExportFormat) -> FileKind {
        switch format {
        case .facebook, .instagram: return .meta(format)
        case .x: return .x
        case .tiktok: return .tiktok
        case .whatsapp: return .whatsapp
        case .csv: return .csv
        case .jsonl: return .jsonl
        }
    }

    /// True when `path` is a zip by its first bytes (`PK\3\4` or an empty archive's `PK\5\6`).
    public static func isZip(path: String) -> Bool {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var magic = [UInt8](repeating: 0, count: 4)
        let n = Glibc.read(fd, &magic, 4)
        return n == 4 && magic[0] == 0x50 && magic[1] == 0x4B && (magic[2] == 3 || magic[2] == 5) && (magic[3] == 4 || magic[3] == 6)
    }

    /// True when `path` (a command-line argument) should be read by the export readers rather than
    /// as JSON lines: a folder, a zip, or a file recognised as a platform export by its name or
    /// its first bytes (X's `window.YTD.` prefix, a WhatsApp header, a JSON document rather than
    /// one object per line).
    public static func handles(path: String) -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return false }
        if isDirectory.boolValue || isZip(path: path) || path.lowercased().hasSuffix(".zip") { return true }
        let name = Self.lastComponent(path)
        if let kind = kind(forFileName: name) { return kind != .jsonl && kind != .other }
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let prefix = [UInt8](handle.readData(ofLength: 8192))
        if XReader.sectionName(prefix) != nil { return true }
        let lower = name.lowercased()
        if lower.hasSuffix(".txt") { return WhatsAppReader.looksLikeChat(prefix) }
        if lower.hasSuffix(".json") {
            // A JSON document (an array, or an object whose first line is just "{") rather than
            // one object per line.
            guard let first = prefix.firstIndex(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }) else { return false }
            if prefix[first] == UInt8(ascii: "[") { return true }
            if prefix[first] == UInt8(ascii: "{") {
                let lineEnd = prefix[first...].firstIndex(of: 0x0A) ?? prefix.endIndex
                return prefix[(first + 1)..<lineEnd].allSatisfy { $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }
            }
        }
        return false
    }

    // MARK: Inputs

    /// Reads a folder, a zip or a single file. Returns false when `emit` asked to stop.
    public func read(path: String, emit: (ExportEvent) -> Bool) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            _ = emit(.problem(ReadProblem(path: path, reason: "unreadable", message: "cannot open: no such file or directory")))
            return
        }
        if isDirectory.boolValue {
            readFolder(path, emit: emit)
        } else if path.lowercased().hasSuffix(".zip") || Self.isZip(path: path) {
            readZip(path, emit: emit)
        } else {
            let name = Self.lastComponent(path)
            let source = FileSource(path: path, bufferSize: limits.bufferSize, maxBytes: limits.maxEntryBytes)
            readFile(name: name, displayPath: path, source: source, explicitlyGiven: true, emit: emit)
        }
    }

    /// Every regular file under `folder`, sorted; symlinks are not followed.
    func readFolder(_ folder: String, emit: (ExportEvent) -> Bool) {
        var files: [String] = []
        guard let walker = FileManager.default.enumerator(atPath: folder) else {
            _ = emit(.problem(ReadProblem(path: folder, reason: "unreadable", message: "cannot list the folder")))
            return
        }
        while let relative = walker.nextObject() as? String {
            let type = walker.fileAttributes?[.type] as? FileAttributeType
            if type == .typeRegular { files.append(relative) }
        }
        let base = folder.hasSuffix("/") ? folder : folder + "/"
        let buffer = FileBuffer()
        for relative in files.sorted() {
            let full = base + relative
            let name = Self.lastComponent(relative)
            if name.lowercased().hasSuffix(".zip") {
                // A zip inside an export folder is read as an archive of its own.
                var stopped = false
                readZip(full) { event in
                    let go = emit(event)
                    if !go { stopped = true }
                    return go
                }
                if stopped { return }
                continue
            }
            let source = FileSource(path: full, bufferSize: limits.bufferSize, maxBytes: limits.maxEntryBytes)
            if !readFile(name: name, displayPath: full, source: source, explicitlyGiven: false, buffer: buffer, emit: emit) { return }
        }
    }

    /// The last non-empty component of a `/` or `\\` separated path. Plain byte splitting:
    /// Foundation's `lastPathComponent` traps on some malformed zip names (found by fuzzing).
    static func lastComponent(_ path: String) -> String {
        let bytes = Array(path.utf8)
        var end = bytes.count
        while end > 0, bytes[end - 1] == UInt8(ascii: "/") || bytes[end - 1] == UInt8(ascii: "\\") { end -= 1 }
        var start = end
        while start > 0, bytes[start - 1] != UInt8(ascii: "/"), bytes[start - 1] != UInt8(ascii: "\\") { start -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// Why an entry name is refused, or nil when it is safe.
    static func unsafeEntryName(_ name: String) -> String? {
        if name.isEmpty { return "an empty entry name" }
        if name.hasPrefix("/") || name.hasPrefix("\\") { return "an absolute entry name" }
        if name.utf8.count > 2 {
            let b = Array(name.utf8.prefix(3))
            if ((b[0] | 0x20) >= 0x61 && (b[0] | 0x20) <= 0x7A) && b[1] == UInt8(ascii: ":") { return "an absolute (drive) entry name" }
        }
        let parts = name.split(whereSeparator: { $0 == "/" || $0 == "\\" })
        if parts.contains("..") { return "path traversal ('..') in the entry name" }
        if name.unicodeScalars.contains(where: { $0.value == 0 }) { return "a NUL in the entry name" }
        return nil
    }

    /// Reads the entries of a zip file one by one.
    func readZip(_ path: String, emit: (ExportEvent) -> Bool) {
        func problem(_ entry: String?, _ reason: String, _ message: String) -> Bool {
            emit(.problem(ReadProblem(path: entry.map { "\(path)!/\($0)" } ?? path, reason: reason, message: message)))
        }
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            _ = problem(nil, "not_a_zip", "not a readable zip archive (\(error)); nothing in it was screened")
            return
        }
        // The central directory is listed first (names only), so names are checked before any
        // byte is inflated, and the entries are read in a stable order.
        var entries: [Entry] = []
        // Each entry's place in the central directory, for locating its bytes.
        var order: [[UInt8]: Int] = [:]
        // Names are compared as UTF-8 bytes: zip names are arbitrary bytes, and the stdlib's
        // Unicode-aware comparison has trapped on some of them under fuzzing.
        var seen = Set<[UInt8]>()
        for entry in archive {
            order[Array(entry.path.utf8)] = entries.count
            entries.append(entry)
            if entries.count > limits.maxEntries {
                _ = problem(nil, "entry_count", "more than \(limits.maxEntries) entries; the archive was refused")
                return
            }
        }
        if entries.isEmpty {
            _ = problem(nil, "empty_zip", "no entries could be read (an empty or damaged zip)")
            return
        }
        for entry in entries {
            // The same name twice is how overlapping-entry bombs look; no honest export has it.
            if !seen.insert(Array(entry.path.utf8)).inserted {
                _ = problem(entry.path, "duplicate_entry",
                            "the name appears more than once (overlapping entries, a zip bomb shape); the archive was refused")
                return
            }
        }
        let budget = ArchiveBudget(limit: limits.maxArchiveBytes)
        let buffer = FileBuffer()
        // The reference path reads every entry through ZIPFoundation, chunk by chunk.
        let locator = reference ? nil : ZipLocator(path: path)
        let links = entries.filter { $0.type == .symlink }.map { Array($0.path.utf8) + (Array($0.path.utf8).last == UInt8(ascii: "/") ? [] : [UInt8(ascii: "/")]) }
        let named = entries.map { (entry: $0, bytes: Array($0.path.utf8)) }.sorted(by: { $0.bytes.lexicographicallyPrecedes($1.bytes) })
        // Where each file entry's bytes are, for inflating it whole (nil: ZIPFoundation reads it).
        func location(_ k: Int) -> ZipLocator.Location? {
            guard let locator, let index = order[named[k].bytes] else { return nil }
            let entry = named[k].entry
            return locator.location(index: index, crc32: entry.checksum, compressedSize: entry.compressedSize,
                                    uncompressedSize: entry.uncompressedSize)
        }
        // The next entry is inflated on another thread while this one is parsed, when both are
        // JSON read whole and their bytes together fit the per-entry budget.
        var prefetch: EntryPrefetch? = nil
        defer { prefetch?.finish() }
        func prefetchable(_ k: Int) -> Bool {
            guard forced == nil, k < named.count, named[k].entry.type == .file, Self.unsafeEntryName(named[k].entry.path) == nil,
                  !links.contains(where: { named[k].bytes.starts(with: $0) }) else { return false }
            let fileName = Self.lastComponent(named[k].entry.path)
            switch Self.kind(forFileName: fileName) {
            case .meta?, .x?, .tiktok?: return true
            case nil: return fileName.lowercased().hasSuffix(".json")
            default: return false
            }
        }
        for (k, (entry, nameBytes)) in named.enumerated() {
            let name = entry.path
            if let unsafe = Self.unsafeEntryName(name) {
                if !problem(name, "unsafe_entry_name", "refused: \(unsafe)") { return }
                continue
            }
            if let link = links.first(where: { nameBytes.starts(with: $0) }) {
                if !problem(name, "through_symlink", "refused: the name goes through the symbolic link entry '\(String(decoding: link.dropLast(), as: UTF8.self))'") { return }
                continue
            }
            switch entry.type {
            case .directory: continue
            case .symlink:
                if !problem(name, "symlink_entry", "refused: a symbolic link entry") { return }
                continue
            case .file: break
            }
            let fileName = Self.lastComponent(name)
            var source = ZipEntrySource(archive: archive, entry: entry, bufferSize: limits.bufferSize,
                                        maxEntryBytes: limits.maxEntryBytes, budget: budget)
            if let locator {
                source.locator = locator
                if let ahead = prefetch, ahead.index == k {
                    source.location = ahead.location
                    source.prefetch = ahead
                    prefetch = nil
                } else {
                    source.location = location(k)
                }
                // The next entry that is not a folder.
                var j = k + 1
                while j < named.count && named[j].entry.type == .directory { j += 1 }
                if prefetchable(j), let here = source.location, let next = location(j),
                   here.compressedSize + here.uncompressedSize + next.compressedSize + next.uncompressedSize <= limits.maxEntryBytes {
                    prefetch = EntryPrefetch(index: j, locator: locator, location: next) { try Self.checkJSONStart($0) }
                }
            }
            var archiveBudgetHit = false
            let go = readFile(name: fileName, displayPath: "\(path)!/\(name)", source: source, explicitlyGiven: false, buffer: buffer) { event in
                if case .problem(let p) = event, p.reason == "archive_budget" { archiveBudgetHit = true }
                return emit(event)
            }
            if !go { return }
            if archiveBudgetHit {
                _ = problem(nil, "archive_budget", "the rest of the archive was not read")
                return
            }
        }
    }

    // MARK: Files

    /// Reads one file or entry. Returns false when `emit` asked to stop.
    @discardableResult
    func readFile(name: String, displayPath: String, source: any ByteSource, explicitlyGiven: Bool,
                  buffer: FileBuffer = FileBuffer(), emit: (ExportEvent) -> Bool) -> Bool {
        var stopped = false
        func send(_ event: ExportEvent) {
            if !stopped, !emit(event) { stopped = true }
        }
        var kind = Self.kind(forFileName: name)
        if let forced {
            let wanted = forcedKind(forced)
            if explicitlyGiven {
                kind = wanted
            } else if let k = kind, k != .other, k != .nestedZip, !(k == wanted || (isMeta(k) && isMeta(wanted))) {
                return true // another platform's file: --from restricts what is read
            } else if kind == nil || isMeta(kind!) {
                kind = wanted
            }
        }
        if kind == .nestedZip {
            send(.problem(ReadProblem(path: displayPath, reason: "nested_archive",
                                      message: "a zip inside the archive is not opened (nesting limit \(limits.maxArchiveNesting)); its content was not screened")))
            return !stopped
        }
        if kind == .other { return true }
        do {
            if kind == .csv {
                try CSVReader.read(source, path: displayPath, limits: limits, emit: send)
            } else if kind == .whatsapp {
                try WhatsAppReader.read(source, path: displayPath, limits: limits, emit: send)
            } else if kind == .jsonl {
                var splitter = LineSplitter(maxLineBytes: limits.maxRecordBytes)
                func handle(_ event: LineSplitter.Event) {
                    switch event {
                    case .line(let bytes, let number):
                        send(.jsonLine(bytes, SourceLocation(path: displayPath, line: number)))
                    case .tooLong(let number, let length):
                        send(.skipped(reason: "too_long", message: "record skipped: \(length) bytes is over the limit of \(limits.maxRecordBytes) bytes",
                                      SourceLocation(path: displayPath, line: number)))
                    }
                }
                try source.forEachChunk { splitter.feed($0, handle) }
                splitter.finish(handle)
            } else if kind == nil, name.lowercased().hasSuffix(".txt") {
                // A text file of unknown name: a chat if its first line is a WhatsApp header.
                let bytes = try source.readAll(limit: limits.maxEntryBytes)
                if WhatsAppReader.looksLikeChat(Array(bytes.prefix(8192))) {
                    try WhatsAppReader.read(MemorySource(bytes: bytes, bufferSize: limits.bufferSize), path: displayPath, limits: limits, emit: send)
                }
            } else {
                // JSON exports are single documents: read whole (bounded by the entry budget).
                try source.readAll(limit: limits.maxEntryBytes, firstBytesCheck: Self.checkJSONStart, into: &buffer.bytes)
                let bytes = buffer.bytes
                let resolved = kind ?? Self.kind(forContent: Array(bytes.prefix(8192)), fileName: name)
                switch resolved {
                case .x: try XReader.read(bytes, fileName: name, path: displayPath, limits: limits, reference: reference, emit: send)
                case .tiktok: try TikTokReader.read(bytes, path: displayPath, limits: limits, reference: reference, emit: send)
                case .meta: try MetaReader.read(bytes, fileName: name, path: displayPath, limits: limits, reference: reference, emit: send)
                case .whatsapp: try WhatsAppReader.read(MemorySource(bytes: bytes, bufferSize: limits.bufferSize), path: displayPath, limits: limits, emit: send)
                default: break
                }
            }
        } catch let e as BudgetExceeded {
            send(.problem(ReadProblem(path: displayPath, reason: e.reason, message: e.message + "; the rest of this file was not screened")))
        } catch let e as JSONSyntaxError {
            send(.problem(ReadProblem(path: displayPath, reason: "malformed_json",
                                      message: "not valid JSON: \(e.message) at byte \(e.offset); the rest of this file was not screened")))
        } catch let e as ReadProblem {
            send(.problem(e))
        } catch {
            send(.problem(ReadProblem(path: displayPath, reason: "read_error", message: "cannot read: \(error); the rest of this file was not screened")))
        }
        return !stopped
    }

    /// A JSON export (or X's `window.YTD` file) starts with a blank, a BOM, `{`, `[` or `w`;
    /// anything else (a zip bomb's zeros) is refused before more is inflated.
    /// Returns true once a first non-blank byte was seen and accepted.
    static func checkJSONStart(_ chunk: UnsafeRawBufferPointer) throws -> Bool {
        for b in chunk {
            switch b {
            case 0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF: continue
            case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "w"): return true
            default:
                throw BudgetExceeded(reason: "not_json", message: "does not start like JSON (byte 0x\(String(b, radix: 16))); refused")
            }
        }
        return false
    }

    private func isMeta(_ k: FileKind) -> Bool {
        if case .meta = k { return true }
        return false
    }

    // MARK: Convenience

    /// The bytes of the JSON file being read, kept from file to file of one folder or zip so its
    /// pages are faulted in once (it holds the largest file read so far, at most the entry budget).
    final class FileBuffer {
        var bytes: [UInt8] = []
    }

    /// Reads a single export file held in memory (tests, fuzzing): `name` decides the reader as a
    /// file name would.
    public func read(bytes: [UInt8], name: String, displayPath: String? = nil, emit: (ExportEvent) -> Void) {
        let source = MemorySource(bytes: bytes, bufferSize: limits.bufferSize)
        readFile(name: Self.lastComponent(name), displayPath: displayPath ?? name, source: source,
                 explicitlyGiven: true) { emit($0); return true }
    }
}
