import Foundation
import NetraArchive
import NetraCore

/// `../shared` next to the repository (formats samples, hostile zips); tests that need it are
/// skipped when it is absent.
let sharedDirectory: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("../shared").standardizedFileURL
let formatsDirectory = sharedDirectory.appendingPathComponent("formats")
let hostileDirectory = sharedDirectory.appendingPathComponent("fixtures/hostile-zips")
let formatsAvailable = FileManager.default.fileExists(atPath: formatsDirectory.appendingPathComponent("expected_labels.json").path)
let hostileAvailable = FileManager.default.fileExists(atPath: hostileDirectory.appendingPathComponent("bomb.zip").path)
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A one-line description of an event, for comparing runs and for readable failures.
func describe(_ event: ExportEvent) -> String {
    switch event {
    case .record(let r):
        var s = "\(r.source.path):\(r.source.line) \(r.kind.rawValue)"
        if let id = r.id { s += " id=\(id)" }
        if let c = r.createdAt { s += " at=\(c)" }
        if let d = r.date { s += " date=\(d)" }
        s += " text=\(r.text.debugDescription)"
        if let t = r.target { s += " target=(\(t.author.debugDescription), \(t.text.debugDescription))" }
        if let g = r.group { s += " group=\(g.debugDescription)" }
        return s
    case .jsonLine(let bytes, let source):
        return "\(source.path):\(source.line) jsonl \(String(decoding: bytes, as: UTF8.self).debugDescription)"
    case .notJudged(let reason, let source):
        return "\(source.path):\(source.line) not judged: \(reason)"
    case .skipped(let reason, let message, let source):
        return "\(source.path):\(source.line) skipped \(reason): \(message)"
    case .problem(let p):
        return "problem \(p.reason): \(p.description)"
    }
}

/// Every event of reading `path` (a file, folder or zip).
func events(path: String, limits: ReadLimits = ReadLimits(), forced: ExportFormat? = nil) -> [ExportEvent] {
    var all: [ExportEvent] = []
    ExportReader(limits: limits, forced: forced).read(path: path) { all.append($0); return true }
    return all
}

/// Every event of reading `bytes` as a file called `name`.
func events(bytes: String, name: String, limits: ReadLimits = ReadLimits()) -> [ExportEvent] {
    var all: [ExportEvent] = []
    ExportReader(limits: limits).read(bytes: Array(bytes.utf8), name: name) { all.append($0) }
    return all
}

func records(_ events: [ExportEvent]) -> [Record] {
    events.compactMap { if case .record(let r) = $0 { return r } else { return nil } }
}

func problems(_ events: [ExportEvent]) -> [ReadProblem] {
    events.compactMap { if case .problem(let p) = $0 { return p } else { return nil } }
}

func temporaryDirectory(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("netra-readers-\(UUID().uuidString)-\(name)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
