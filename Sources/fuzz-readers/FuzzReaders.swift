// libFuzzer target for the export readers: JSON exports (Facebook, Instagram, X, TikTok),
// WhatsApp text, CSV, JSON lines and zip archives (README, development section):
//   SWIFT_BACKTRACE=enable=no swift build -c debug --sanitize=fuzzer --sanitize=address \
//     --product fuzz-readers -Xswiftc -DFUZZING --scratch-path .build-fuzz-readers
//   cp -r Fuzz/corpus/readers /tmp/readers-corpus
//   SWIFT_BACKTRACE=enable=no .build-fuzz-readers/debug/fuzz-readers -max_total_time=600 -timeout=10 \
//     -rss_limit_mb=2048 -detect_leaks=0 /tmp/readers-corpus
// Built without the fuzzer (as `swift build` does), the same binary replays the files it is given.
//
// The first byte of an input picks the file name (and so the reader); the rest is the file. With
// the last name the rest is written to a temporary file and read as a zip, file-backed.
import Foundation
import NetraArchive
import NetraCore

let fileNames = [
    "your_posts__check_ins__photos_and_videos_1.json", "comments.json", "likes_and_reactions_1.json",
    "likes_and_reactions.json", "your_group_membership_activity.json", "posts_1.json", "post_comments_1.json",
    "following.json", "user_data_tiktok.json", "tweets.js", "unknown.json", "_chat.txt", "posts.csv", "lines.jsonl",
    "export.zip",
]

let zipPath = FileManager.default.temporaryDirectory.appendingPathComponent("netra-fuzz-readers-\(getpid()).zip").path

/// One line per event, to compare reads with different buffer sizes.
func summary(_ event: ExportEvent) -> String {
    switch event {
    case .record(let r):
        return "\(r.source.line) \(r.kind) \(r.createdAt ?? "-") \(r.text) \(r.target?.author ?? "-") \(r.target?.text ?? "-") \(r.group ?? "-")"
    case .jsonLine(let b, let s): return "\(s.line) line \(b.count)"
    case .notJudged(let reason, let s): return "\(s.line) \(reason)"
    case .skipped(let reason, _, let s): return "\(s.line) skipped \(reason)"
    case .problem(let p): return "problem \(p.reason) \(p.message)"
    }
}

/// Reads the input with two buffer sizes, and by the reference JSON path (a tree per item); traps
/// if they disagree or an invariant breaks.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReaders(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let name = fileNames[Int(data[0]) % fileNames.count]
    let body = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    var limits = ReadLimits()
    limits.maxEntryBytes = 1 << 20
    limits.maxArchiveBytes = 4 << 20
    limits.maxRecordBytes = 64 << 10
    if name.hasSuffix(".zip") {
        FileManager.default.createFile(atPath: zipPath, contents: Data(body))
        // Entries inflated whole (libdeflate) and through ZIPFoundation chunk by chunk (the
        // reference path) must give the same events.
        var runs: [[String]] = []
        for useReference in [false, true] {
            var reader = ExportReader(limits: limits)
            reader.reference = useReference
            var events: [String] = []
            reader.read(path: zipPath) { event in
                if case .record(let r) = event { precondition(r.source.path.hasPrefix(zipPath + "!/"), "provenance lost") }
                events.append(summary(event))
                return true
            }
            runs.append(events)
        }
        precondition(runs[0] == runs[1], "zip entries read whole and chunk by chunk disagree")
        return 0
    }
    var runs: [[String]] = []
    for bufferSize in [3, 64 << 10] {
        limits.bufferSize = bufferSize
        var events: [String] = []
        ExportReader(limits: limits).read(bytes: body, name: name) { event in
            if case .record(let r) = event { precondition(r.source.line >= 1 && r.source.path == name, "bad provenance") }
            events.append(summary(event))
        }
        runs.append(events)
    }
    precondition(runs[0] == runs[1], "buffer sizes disagree")
    var reference = ExportReader(limits: limits)
    reference.reference = true
    var events: [String] = []
    reference.read(bytes: body, name: name) { events.append(summary($0)) }
    precondition(events == runs[1], "the fast and the reference JSON paths disagree")
    return 0
}

#if !FUZZING
// libFuzzer brings its own `main`; only the replay build has this one.
//
// `fuzz-readers --read-only PATH…` reads exports (folders, zips, files) without screening them and
// prints the event counts and the time taken: the reader's share of a scan (BENCHMARKS.md).
@main
struct FuzzReplay {
    static func main() {
        if CommandLine.arguments.dropFirst().first == "--read-only" {
            readOnly(Array(CommandLine.arguments.dropFirst(2)))
            return
        }
        if CommandLine.arguments.dropFirst().first == "--compare" {
            compare(Array(CommandLine.arguments.dropFirst(2)))
            return
        }
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("fuzz-readers: cannot read \(path)\n".utf8))
                exit(2)
            }
            _ = data.withUnsafeBytes { raw in
                fuzzReaders(raw.bindMemory(to: UInt8.self).baseAddress ?? UnsafePointer(bitPattern: 1)!, raw.count)
            }
        }
    }

    /// `fuzz-readers --compare PATH…`: reads each export by the fast and by the reference JSON
    /// path and says whether every event is the same (exit 1 at the first difference).
    static func compare(_ paths: [String]) {
        for path in paths {
            var runs: [[String]] = []
            for useReference in [false, true] {
                var reader = ExportReader()
                reader.reference = useReference
                var events: [String] = []
                reader.read(path: path) { event in
                    switch event {
                    case .record(let r):
                        events.append("\(r.source.path):\(r.source.line) \(r.kind) id=\(r.id ?? "-") \(r.createdAt ?? "-") \(r.date.map { "\($0)" } ?? "-") "
                                      + "\(r.text.debugDescription) \(r.target?.author.debugDescription ?? "-") \(r.target?.text.debugDescription ?? "-") "
                                      + "\(r.group.debugDescription) \(r.author.debugDescription)")
                    case .problem(let p): events.append("problem \(p)")
                    default: events.append(summary(event))
                    }
                    return true
                }
                runs.append(events)
            }
            let common = min(runs[0].count, runs[1].count)
            if let k = (0..<common).first(where: { runs[0][$0] != runs[1][$0] }) ?? (runs[0].count == runs[1].count ? nil : common) {
                print("\(path): event \(k + 1) differs:\n  fast:      \(k < runs[0].count ? runs[0][k] : "(none)")\n  reference: \(k < runs[1].count ? runs[1][k] : "(none)")")
                exit(1)
            }
            print("\(path): \(runs[0].count) events, identical by the fast and the reference path")
        }
    }

    static func readOnly(_ paths: [String]) {
        let start = Date()
        var records = 0, textBytes = 0, other = 0
        for path in paths {
            ExportReader().read(path: path) { event in
                if case .record(let r) = event {
                    records += 1
                    textBytes += r.text.utf8.count
                } else {
                    other += 1
                }
                return true
            }
        }
        let seconds = Date().timeIntervalSince(start)
        print("read \(records) records (\(textBytes) bytes of text) and \(other) other events in \(String(format: "%.3f", seconds)) s")
    }
}
#endif
