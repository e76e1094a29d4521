import Foundation
import NetraArchive
import NetraCore
import NetraRules

/// How reading one batch input ended.
public struct InputScreeningOutcome: Sendable {
    /// Records screened: delivered with their flags, or clean.
    public var screened = 0
    /// Records screened without a flag (not delivered).
    public var clean = 0
    /// Records read but not screened: skipped with a reason, or with nothing to judge.
    public var unscreened = 0
    /// Problems in input order (`PATH:LINE: message`): malformed lines, refused entries, limits hit.
    public var problems: [String] = []

    /// Why the input is quarantined, or nil when it was read cleanly (at most three problems named).
    public var quarantineReason: String? {
        if !problems.isEmpty {
            return problems.prefix(3).joined(separator: "; ") + (problems.count > 3 ? "; and \(problems.count - 3) more" : "")
        }
        return screened == 0 && unscreened == 0 ? "no record could be read" : nil
    }
}

/// Screens one inbox input of `netra batch` (a JSON-lines file, an export folder, file or zip) on
/// several threads while the caller stores what is done.
///
/// Events from ``ExportReader`` are gathered into chunks in input order; a chunk is decoded,
/// screened and hashed on the workers (each slice with its own ``Screener``) while the reader
/// fills the next; each flagged record is turned into what the caller stores by `prepare`, on
/// the workers too (clean records are only counted); `deliver` is called on the calling thread
/// with each chunk's prepared records in input order, so the store sees the same sequence as on
/// one thread.
public final class InputScreening<Prepared: Sendable> {
    public let compiled: CompiledLexicon
    public let reader: ExportReader
    public let threads: Int
    /// Two sets of slices: one chunk is screened on one set while the next waits on the other, so
    /// the workers never wait for the reader and the store between chunks.
    private let sliceSets: [[SliceWorker<Prepared>]]
    /// A chunk is dispatched at this many items or bytes.
    let chunkItems = 4096
    let chunkBytes = 4 << 20

    public init(compiled: CompiledLexicon, reader: ExportReader, threads: Int) {
        self.compiled = compiled
        self.reader = reader
        self.threads = max(1, threads)
        sliceSets = (0..<(threads > 1 ? 2 : 1)).map { _ in (0..<(threads > 1 ? threads * 4 : 1)).map { _ in SliceWorker(compiled) } }
    }

    /// Reads and screens the input at `path`, handing flagged records, prepared, to `deliver` in
    /// input order. If `deliver` throws, reading stops and the error is rethrown.
    public func screen(path: String, prepare: @escaping @Sendable (Record, [Flag]) -> Prepared,
                       deliver: ([Prepared]) throws -> Void) throws -> InputScreeningOutcome {
        var outcome = InputScreeningOutcome()
        var pending: [Work] = []
        var pendingBytes = 0
        /// The bytes of the pending JSON lines, one after another.
        var storage: [UInt8] = []
        /// Chunks being screened, oldest first.
        var inFlight: [Flight] = []
        /// Buffers of finished chunks, reused so that each chunk does not map fresh pages.
        var spareWork: [[Work]] = []
        var spareBytes: [[UInt8]] = []
        var nextSet = 0
        var failure: Error?

        /// Waits for the oldest chunk being screened and takes its results out of its slices.
        func finishOldest() -> [[Prepared]] {
            guard !inFlight.isEmpty else { return [] }
            var flight = inFlight.removeFirst()
            flight.group.wait()
            var work: [Work] = [], bytes: [UInt8] = []
            swap(&work, &flight.work)
            swap(&bytes, &flight.bytes)
            work.removeAll(keepingCapacity: true)
            bytes.removeAll(keepingCapacity: true)
            spareWork.append(work)
            spareBytes.append(bytes)
            var results: [[Prepared]] = []
            for slice in sliceSets[flight.set].prefix(flight.count) {
                outcome.screened += slice.screened.count + slice.clean
                outcome.clean += slice.clean
                outcome.unscreened += slice.unscreened
                outcome.problems += slice.problems
                results.append(slice.takeScreened())
                slice.reset()
            }
            return results
        }
        func deliverAll(_ results: [[Prepared]]) throws {
            for batch in results where !batch.isEmpty { try deliver(batch) }
        }
        /// Starts screening the pending items; when every slice set is busy, first waits for the
        /// oldest chunk, and stores it while the newer ones are screened.
        func dispatch() throws {
            guard !pending.isEmpty else { return }
            let previous = inFlight.count == sliceSets.count ? finishOldest() : []
            let work = pending, bytes = storage
            pendingBytes = 0
            // Other buffers: the workers still read these.
            pending = spareWork.popLast() ?? []
            storage = spareBytes.popLast() ?? []
            if storage.capacity == 0 {
                storage.reserveCapacity(bytes.count + (bytes.count >> 3))
                pending.reserveCapacity(work.count)
            }
            let slices = sliceSets[nextSet]
            let count = work.count < 64 ? 1 : slices.count
            let per = (work.count + count - 1) / count
            let group = DispatchGroup()
            inFlight.append(Flight(group: group, set: nextSet, count: count, work: work, bytes: bytes))
            nextSet = (nextSet + 1) % sliceSets.count
            if threads == 1 {
                slices[0].process(work[...], storage: bytes, path: path, prepare: prepare)
            } else {
                group.enter()
                DispatchQueue.global().async {
                    DispatchQueue.concurrentPerform(iterations: count) { s in
                        let start = min(work.count, s * per), end = min(work.count, start + per)
                        slices[s].process(work[start..<end], storage: bytes, path: path, prepare: prepare)
                    }
                    group.leave()
                }
            }
            try deliverAll(previous)
        }

        func full() -> Bool { pending.count >= chunkItems || pendingBytes >= chunkBytes }
        if ExportReader.isJSONLinesFile(path: path) {
            // Plain JSON lines, read as `netra scan` reads them: big reads, lines copied into
            // one buffer per chunk.
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                outcome.problems.append("\(path): cannot open: \(String(cString: strerror(errno)))")
                return outcome
            }
            defer { close(fd) }
            var lines = LineReader(fd: fd, maxLineBytes: reader.limits.maxRecordBytes)
            do {
                try lines.forEach { event in
                    switch event {
                    case .line(let bytes, let number):
                        let start = storage.count
                        storage.append(contentsOf: bytes)
                        pendingBytes += bytes.count
                        pending.append(.line(start: start, end: storage.count, number: number))
                    case .tooLong(let number, let length):
                        pending.append(.unscreened(problem: "\(path):\(number): " + ScanWorker.tooLongMessage(length, limit: reader.limits.maxRecordBytes)))
                    }
                    if full() {
                        do { try dispatch() } catch {
                            failure = error
                            return false
                        }
                    }
                    return true
                }
            } catch {
                pending.append(.problem("\(path): read error: \(error.description); the rest of this input was not screened"))
            }
        } else {
            reader.read(path: path) { event in
                switch event {
                case .record(let record):
                    pendingBytes += record.text.utf8.count
                    pending.append(.record(record))
                case .jsonLine(let bytes, let source):
                    pendingBytes += bytes.count
                    pending.append(.jsonLine(bytes, source))
                case .notJudged:
                    pending.append(.unscreened(problem: nil))
                case .skipped(_, let message, let source):
                    pending.append(.unscreened(problem: "\(source.path):\(source.line): \(message)"))
                case .problem(let problem):
                    pending.append(.problem(problem.description))
                }
                if full() {
                    do { try dispatch() } catch {
                        failure = error
                        return false
                    }
                }
                return true
            }
        }
        if let failure {
            while !inFlight.isEmpty { _ = finishOldest() }
            throw failure
        }
        try dispatch()
        while !inFlight.isEmpty { try deliverAll(finishOldest()) }
        return outcome
    }
}

/// A chunk being screened: the slice set it uses, how many slices, and its buffers (taken back
/// for later chunks once it is done).
struct Flight {
    var group: DispatchGroup
    var set: Int
    var count: Int
    var work: [Work]
    var bytes: [UInt8]
}

/// One item of a chunk, in input order.
enum Work: Sendable {
    /// Boxed, so that a chunk of JSON lines is an array of small items.
    indirect case record(Record)
    case jsonLine([UInt8], SourceLocation)
    /// A line of a JSON-lines file: bytes `start..<end` of the chunk's storage.
    case line(start: Int, end: Int, number: Int)
    case unscreened(problem: String?)
    case problem(String)
}

/// Per-slice scratch: a screener and what the slice produced for the current chunk.
/// Each is used by one thread at a time.
final class SliceWorker<Prepared: Sendable>: @unchecked Sendable {
    var screener: Screener
    var screened: [Prepared] = []
    var clean = 0
    var unscreened = 0
    var problems: [String] = []

    init(_ compiled: CompiledLexicon) { screener = Screener(compiled) }

    func process(_ work: ArraySlice<Work>, storage: [UInt8], path: String, prepare: (Record, [Flag]) -> Prepared) {
        for item in work {
            switch item {
            case .line(let start, let end, let number):
                var bytes = storage[start..<end]
                if let last = bytes.last, last == 0x0D { bytes = bytes.dropLast() }
                if number == 1, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                decode(bytes, SourceLocation(path: path, line: number), prepare: prepare)
            case .record(let record):
                take(record, prepare: prepare)
            case .jsonLine(let raw, let source):
                var bytes = raw[...]
                if source.line == 1, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                decode(bytes, source, prepare: prepare)
            case .unscreened(let problem):
                unscreened += 1
                if let problem { problems.append(problem) }
            case .problem(let message):
                problems.append(message)
            }
        }
    }

    /// One JSON line (blank lines already passed over): screened, or counted with its problem.
    private func decode(_ bytes: ArraySlice<UInt8>, _ source: SourceLocation, prepare: (Record, [Flag]) -> Prepared) {
        switch bytes.withUnsafeBufferPointer({ RecordDecoder.decode($0, source: source) }) {
        case .success(let (record, _)): take(record, prepare: prepare)
        case .failure(let failure):
            unscreened += 1
            problems.append("\(source.path):\(source.line): \(failure.description)")
        }
    }

    private func take(_ record: Record, prepare: (Record, [Flag]) -> Prepared) {
        if !record.hasJudgedFields {
            unscreened += 1
            return
        }
        let flags = screener.screen(record)
        if flags.isEmpty {
            clean += 1
            return
        }
        screened.append(prepare(record, flags))
    }

    /// The prepared records of the current chunk, leaving the slice empty.
    func takeScreened() -> [Prepared] {
        defer { screened = [] }
        return screened
    }

    func reset() {
        screened.removeAll(keepingCapacity: true)
        clean = 0
        unscreened = 0
        problems.removeAll(keepingCapacity: true)
    }
}
