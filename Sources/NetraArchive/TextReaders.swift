import NetraCore
import NetraText

/// Splits a byte stream into lines across chunk boundaries (LF or CRLF), at most `maxLineBytes`
/// per line; longer lines are reported by number and length, not kept.
struct LineSplitter {
    enum Event {
        case line([UInt8], number: Int)
        case tooLong(number: Int, length: Int)
    }

    let maxLineBytes: Int
    private var pending: [UInt8] = []
    private var pendingLength = 0
    private var number = 0

    init(maxLineBytes: Int) { self.maxLineBytes = maxLineBytes }

    mutating func feed(_ chunk: UnsafeRawBufferPointer, _ body: (Event) throws -> Void) rethrows {
        var start = 0
        let bytes = chunk.bindMemory(to: UInt8.self)
        while start < bytes.count {
            if let newline = bytes[start...].firstIndex(of: 0x0A) {
                append(bytes, start, newline)
                try emit(body)
                start = newline + 1
            } else {
                append(bytes, start, bytes.count)
                start = bytes.count
            }
        }
    }

    /// The last line, if the input did not end with a newline.
    mutating func finish(_ body: (Event) throws -> Void) rethrows {
        if pendingLength > 0 { try emit(body) }
    }

    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) {
        pendingLength += to - from
        if pendingLength <= maxLineBytes + 1 { pending.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[from..<to])) }
    }

    private mutating func emit(_ body: (Event) throws -> Void) rethrows {
        number += 1
        var length = pendingLength
        if pending.last == 0x0D && length <= maxLineBytes + 1 { pending.removeLast(); length -= 1 }
        if length > maxLineBytes {
            try body(.tooLong(number: number, length: length))
        } else {
            // An exact-size copy: handing out `pending` itself would make the next line allocate a
            // buffer of the largest capacity seen, and a consumer holding many lines (the batch's
            // chunks) would hold that much per line.
            try body(.line(pending.withUnsafeBufferPointer { [UInt8]($0) }, number: number))
        }
        pending.removeAll(keepingCapacity: true)
        pendingLength = 0
    }
}

/// WhatsApp chat exports (`.txt`), Android and iOS, as Indonesian phones write them (FORMATS.md §5):
/// `02/01/24 07.35 - Name: text` and `[26/01/21 21.05.53] Name: text`, CRLF, U+200E marks,
/// multi-line messages. System lines, media placeholders and deleted messages are counted, not judged.
///
/// Two passes over the source: the first decides whether dates are day-first (any first
/// component above 12) or month-first (any second component above 12; Indonesian default: day-first).
enum WhatsAppReader {
    struct Header {
        var first: Int, second: Int, year: Int, hour: Int, minute: Int, second2: Int
        /// Offset of the text after the header (`Name: text` or a system line).
        var bodyStart: Int
    }

    /// Parses a message header at the start of `line` (after any U+200E and BOM). Plain byte
    /// scanning, no regular expressions.
    static func header(_ line: [UInt8]) -> Header? {
        var i = 0
        func skipMarks() {
            while true {
                if i + 2 < line.count, line[i] == 0xE2, line[i + 1] == 0x80, line[i + 2] == 0x8E || line[i + 2] == 0x8F { i += 3; continue }
                if i + 2 < line.count, line[i] == 0xEF, line[i + 1] == 0xBB, line[i + 2] == 0xBF { i += 3; continue }
                return
            }
        }
        func number(_ minDigits: Int, _ maxDigits: Int) -> Int? {
            var value = 0, digits = 0
            while i < line.count, digits < maxDigits, line[i] >= 0x30, line[i] <= 0x39 {
                value = value * 10 + Int(line[i] - 0x30)
                digits += 1
                i += 1
            }
            return digits >= minDigits ? value : nil
        }
        func take(_ byte: UInt8) -> Bool {
            if i < line.count, line[i] == byte { i += 1; return true }
            return false
        }
        func takeAny(_ bytes: [UInt8]) -> Bool {
            if i < line.count, bytes.contains(line[i]) { i += 1; return true }
            return false
        }
        skipMarks()
        let bracket = take(UInt8(ascii: "["))
        let dateSeparators: [UInt8] = [UInt8(ascii: "/"), UInt8(ascii: "."), UInt8(ascii: "-")]
        guard let a = number(1, 2), takeAny(dateSeparators), let b = number(1, 2), takeAny(dateSeparators),
              let y = number(2, 4) else { return nil }
        _ = take(UInt8(ascii: ","))
        guard take(0x20), let hour = number(1, 2), takeAny([UInt8(ascii: "."), UInt8(ascii: ":")]), let minute = number(2, 2) else { return nil }
        var seconds = 0
        if takeAny([UInt8(ascii: "."), UInt8(ascii: ":")]) {
            guard let s = number(2, 2) else { return nil }
            seconds = s
        }
        var hour24 = hour
        // "AM"/"PM" after a space or U+202F.
        let save = i
        if take(0x20) || (i + 2 < line.count && line[i] == 0xE2 && line[i + 1] == 0x80 && line[i + 2] == 0xAF && { i += 3; return true }()) {
            if i + 1 < line.count, line[i + 1] == UInt8(ascii: "M") || line[i + 1] == UInt8(ascii: "m") {
                let p = line[i] | 0x20
                if p == UInt8(ascii: "a") || p == UInt8(ascii: "p") {
                    i += 2
                    if hour == 12 { hour24 = p == UInt8(ascii: "a") ? 0 : 12 } else if p == UInt8(ascii: "p") { hour24 = hour + 12 }
                } else { i = save }
            } else { i = save }
        }
        if bracket {
            guard take(UInt8(ascii: "]")), take(0x20) else { return nil }
        } else {
            guard take(0x20), take(UInt8(ascii: "-")), take(0x20) else { return nil }
        }
        guard hour24 < 24, minute < 60, seconds < 60, (1...31).contains(a), (1...31).contains(b), a <= 12 || b <= 12 else { return nil }
        return Header(first: a, second: b, year: y < 100 ? 2000 + y : y, hour: hour24, minute: minute, second2: seconds, bodyStart: i)
    }

    /// The encryption notice (iOS shows it with the group or partner as sender).
    static let encryptionNotices = ["terenkripsi secara end-to-end", "diamankan dengan enkripsi end-to-end", "end-to-end encrypted"].map { Array($0.utf8) }
    static let colonSpace = Array(": ".utf8)
    static let deletedBodies: Set<String> = ["Pesan ini telah dihapus", "Anda menghapus pesan ini.", "Pesan ini dihapus",
                                             "This message was deleted", "You deleted this message"]

    @discardableResult
    static func read(_ source: any ByteSource, path: String, limits: ReadLimits, emit: (ExportEvent) -> Void) throws -> Int {
        // Pass 1: date order.
        var sawFirstOver12 = false, sawSecondOver12 = false
        var splitter = LineSplitter(maxLineBytes: limits.maxRecordBytes)
        func scan(_ event: LineSplitter.Event) {
            if case .line(let bytes, _) = event, let h = header(bytes) {
                if h.first > 12 { sawFirstOver12 = true }
                if h.second > 12 { sawSecondOver12 = true }
            }
        }
        try source.forEachChunk { splitter.feed($0, scan) }
        splitter.finish(scan)
        let dayFirst = sawFirstOver12 || !sawSecondOver12

        // Pass 2: messages.
        var count = 0
        var current: (header: Header, line: Int, bytes: [UInt8])?
        var currentTooLong = false
        func flush() {
            guard let message = current else { return }
            current = nil
            count += 1
            let location = SourceLocation(path: path, line: message.line)
            if currentTooLong {
                currentTooLong = false
                emit(.skipped(reason: "too_long", message: "message over the limit of \(limits.maxRecordBytes) bytes", location))
                return
            }
            emit(convert(message.header, message.bytes, dayFirst: dayFirst, source: location))
        }
        splitter = LineSplitter(maxLineBytes: limits.maxRecordBytes)
        func handle(_ event: LineSplitter.Event) {
            switch event {
            case .tooLong(let number, let length):
                if current != nil {
                    currentTooLong = true
                } else {
                    count += 1
                    emit(.skipped(reason: "too_long", message: "line of \(length) bytes is over the limit of \(limits.maxRecordBytes) bytes",
                                  SourceLocation(path: path, line: number)))
                }
            case .line(let bytes, let number):
                if let h = header(bytes) {
                    flush()
                    current = (h, number, Array(bytes[h.bodyStart...]))
                } else if current != nil {
                    current!.bytes.append(0x0A)
                    current!.bytes.append(contentsOf: bytes)
                    if current!.bytes.count > limits.maxRecordBytes {
                        currentTooLong = true
                        current!.bytes.removeAll()
                    }
                } else if !bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                    count += 1
                    emit(.notJudged(reason: "whatsapp_text_before_first_message", SourceLocation(path: path, line: number)))
                }
            }
        }
        try source.forEachChunk { splitter.feed($0, handle) }
        splitter.finish(handle)
        flush()
        return count
    }

    static func convert(_ h: Header, _ body: [UInt8], dayFirst: Bool, source: SourceLocation) -> ExportEvent {
        // U+200E / U+200F marks carry no text.
        let text = String(decoding: body, as: UTF8.self).replacingMarks()
        let bytes = Array(text.utf8)
        guard let colon = ByteSearch.find(colonSpace, in: bytes) else { return .notJudged(reason: "whatsapp_system_line", source) }
        if encryptionNotices.contains(where: { ByteSearch.find($0, in: bytes, from: colon) != nil }) {
            return .notJudged(reason: "whatsapp_system_line", source)
        }
        let sender = String(decoding: bytes[..<colon], as: UTF8.self)
        var message = String(decoding: bytes[(colon + 2)...], as: UTF8.self)
        for suffix in [" <Pesan ini telah diedit>", "<Pesan ini telah diedit>", " <This message was edited>"] where message.hasSuffix(suffix) {
            message.removeLast(suffix.count)
            break
        }
        if deletedBodies.contains(message) { return .notJudged(reason: "whatsapp_deleted", source) }
        // Attachments: "<Media tidak disertakan>", "gambar tidak disertakan", "IMG-….jpg (file terlampir)"
        // (its caption, if any, follows on the next lines).
        var lines = message.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let first = lines.first, first == "<Media tidak disertakan>" || first == "<Media omitted>" || first.hasSuffix("tidak disertakan")
            || first.hasSuffix("(file terlampir)") || first.hasSuffix("(file attached)") {
            lines.removeFirst()
        }
        message = lines.joined(separator: "\n")
        if message.allSatisfy({ $0 == " " || $0 == "\n" }) { return .notJudged(reason: "whatsapp_media", source) }
        let (day, month) = dayFirst ? (h.first, h.second) : (h.second, h.first)
        guard (1...12).contains(month) else {
            return .record(Record(id: nil, kind: .message, text: MojibakeRepair.repair(message), author: MojibakeRepair.repair(sender), source: source))
        }
        func pad(_ v: Int, _ n: Int = 2) -> String { String(repeating: "0", count: max(0, n - String(v).count)) + String(v) }
        let createdAt = "\(pad(h.year, 4))-\(pad(month))-\(pad(day))T\(pad(h.hour)):\(pad(h.minute)):\(pad(h.second2))"
        return .record(Record(id: nil, kind: .message, createdAt: createdAt,
                              date: CalendarDate(year: h.year, month: month, day: day),
                              text: MojibakeRepair.repair(message), author: MojibakeRepair.repair(sender), source: source))
    }

    /// True when the first non-blank line of `prefix` is a WhatsApp message header.
    static func looksLikeChat(_ prefix: [UInt8]) -> Bool {
        let line = prefix.split(separator: 0x0A, maxSplits: 1, omittingEmptySubsequences: true).first.map(Array.init) ?? []
        return header(line) != nil
    }
}

extension String {
    fileprivate func replacingMarks() -> String {
        guard unicodeScalars.contains(where: { $0.value == 0x200E || $0.value == 0x200F }) else { return self }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: unicodeScalars.filter { $0.value != 0x200E && $0.value != 0x200F })
        return String(scalars)
    }
}

/// RFC 4180 rows of a small CSV file held in memory (the batch's `--subjects` file), with the
/// same quoting rules and separator choice as the CSV export reader.
public enum CSVRows {
    /// One row: its fields as text and the line it starts on.
    public struct Row: Sendable, Equatable {
        public var fields: [String]
        public var line: Int
    }

    /// Every non-empty row of `bytes`, the header first; a leading byte-order mark is dropped.
    public static func parse(_ bytes: [UInt8]) -> [Row] {
        var parser = CSVReader.Parser(maxRecordBytes: Int.max)
        var rows: [Row] = []
        func take(_ fields: [[UInt8]], _ line: Int, _ tooLong: Bool) {
            var texts = fields.map { String(decoding: $0, as: UTF8.self) }
            if rows.isEmpty, let first = texts.first, first.hasPrefix("\u{FEFF}") { texts[0] = String(first.dropFirst()) }
            rows.append(Row(fields: texts, line: line))
        }
        bytes.withUnsafeBytes { parser.feed($0, take) }
        parser.finish(take)
        return rows
    }
}

/// CSV with a header row naming the text column (`text`, `full_text`, `content`, `message`,
/// `comment`, `caption`, `tweet`, `isi`, `teks`); optional `id`, `kind` and `created_at`/`date`
/// columns. RFC 4180 quoting, fields across lines; `;` as separator when the header has no comma.
enum CSVReader {
    static let textColumns = ["text", "full_text", "content", "message", "comment", "caption", "tweet", "body", "isi", "teks", "konten"]
    static let dateColumns = ["created_at", "date", "timestamp", "time", "tanggal", "waktu"]

    struct Parser {
        var separator: UInt8? = nil
        var inQuotes = false
        var quoteJustClosed = false
        var field: [UInt8] = []
        var fields: [[UInt8]] = []
        var line = 1
        var rowStart = 1
        var rowBytes = 0
        var tooLong = false
        let maxRecordBytes: Int

        /// Calls `row` for every complete row with the line it started on.
        mutating func feed(_ chunk: UnsafeRawBufferPointer, _ row: ([[UInt8]], Int, Bool) throws -> Void) rethrows {
            for b in chunk {
                if separator == nil {
                    // Decided on the header: ',' unless the first line has ';' and no ','.
                    field.append(b)
                    if b == 0x0A {
                        let header = field
                        field = []
                        separator = header.contains(UInt8(ascii: ",")) || !header.contains(UInt8(ascii: ";")) ? UInt8(ascii: ",") : UInt8(ascii: ";")
                        for c in header { try step(c, row) }
                    }
                    continue
                }
                try step(b, row)
            }
        }

        mutating func finish(_ row: ([[UInt8]], Int, Bool) throws -> Void) rethrows {
            if separator == nil {
                let header = field
                field = []
                separator = header.contains(UInt8(ascii: ",")) || !header.contains(UInt8(ascii: ";")) ? UInt8(ascii: ",") : UInt8(ascii: ";")
                for c in header { try step(c, row) }
            }
            if !field.isEmpty || !fields.isEmpty { try endRow(row) }
        }

        private mutating func step(_ b: UInt8, _ row: ([[UInt8]], Int, Bool) throws -> Void) rethrows {
            rowBytes += 1
            if rowBytes > maxRecordBytes { tooLong = true }
            if inQuotes {
                if b == UInt8(ascii: "\"") { inQuotes = false; quoteJustClosed = true; return }
                if b == 0x0A { line += 1 }
                if !tooLong { field.append(b) }
                return
            }
            if b == UInt8(ascii: "\"") {
                // A doubled quote inside a quoted field, or the opening quote.
                if quoteJustClosed { field.append(b) }
                inQuotes = true
                quoteJustClosed = false
                return
            }
            quoteJustClosed = false
            if b == separator {
                fields.append(field)
                field = []
            } else if b == 0x0A {
                if field.last == 0x0D { field.removeLast() }
                try endRow(row)
                line += 1
                rowStart = line
            } else if !tooLong {
                field.append(b)
            }
        }

        private mutating func endRow(_ row: ([[UInt8]], Int, Bool) throws -> Void) rethrows {
            fields.append(field)
            field = []
            let done = fields
            fields = []
            let wasTooLong = tooLong
            tooLong = false
            rowBytes = 0
            if done.count == 1 && done[0].isEmpty { return }
            try row(done, rowStart, wasTooLong)
        }
    }

    @discardableResult
    static func read(_ source: any ByteSource, path: String, limits: ReadLimits, emit: (ExportEvent) -> Void) throws -> Int {
        var parser = Parser(maxRecordBytes: limits.maxRecordBytes)
        var columns: (text: Int, id: Int?, kind: Int?, date: Int?, author: Int?)?
        var count = 0
        var refused: ReadProblem?
        func handle(_ fields: [[UInt8]], _ line: Int, _ tooLong: Bool) {
            if refused != nil { return }
            guard let c = columns else {
                var names = fields.map { String(decoding: $0, as: UTF8.self).lowercased().trimmingSpaces() }
                if let first = names.first, first.hasPrefix("\u{FEFF}") { names[0] = String(first.dropFirst()) }
                guard let text = textColumns.lazy.compactMap({ names.firstIndex(of: $0) }).first else {
                    refused = ReadProblem(path: path, line: line, reason: "csv_no_text_column",
                                          message: "the header names no text column (one of: \(textColumns.joined(separator: ", ")))")
                    return
                }
                columns = (text, names.firstIndex(of: "id"), names.firstIndex(of: "kind"),
                           dateColumns.lazy.compactMap { names.firstIndex(of: $0) }.first, names.firstIndex(of: "author"))
                return
            }
            count += 1
            let location = SourceLocation(path: path, line: line)
            if tooLong {
                emit(.skipped(reason: "too_long", message: "row over the limit of \(limits.maxRecordBytes) bytes", location))
                return
            }
            guard c.text < fields.count else {
                emit(.skipped(reason: "malformed_csv", message: "row has \(fields.count) fields; the text column is number \(c.text + 1)", location))
                return
            }
            func field(_ i: Int?) -> String? {
                guard let i, i < fields.count, !fields[i].isEmpty else { return nil }
                return String(decoding: fields[i], as: UTF8.self)
            }
            var kind = RecordKind.post
            if let k = field(c.kind) {
                guard let parsed = RecordKind(rawValue: k.trimmingSpaces()) else {
                    emit(.skipped(reason: "unknown_kind", message: "unknown kind '\(k)'", location))
                    return
                }
                kind = parsed
            }
            let createdAt = field(c.date)
            var date = createdAt.flatMap { CalendarDate(iso: Substring($0)) ?? CalendarDate(twitter: Substring($0)) }
            if date == nil, let s = createdAt, let seconds = Int64(s) { date = CalendarDate(unixSeconds: seconds, utcOffsetSeconds: 7 * 3600) }
            emit(.record(Record(id: field(c.id), kind: kind, createdAt: createdAt, date: date,
                                text: MojibakeRepair.repair(String(decoding: fields[c.text], as: UTF8.self)),
                                author: field(c.author).map(MojibakeRepair.repair), source: location)))
        }
        try source.forEachChunk { parser.feed($0, handle) }
        parser.finish(handle)
        if let refused { throw refused }
        return count
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
