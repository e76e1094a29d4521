import Foundation
import NetraCore
import NetraRules
import Testing
@testable import Netra

// `ScanPipeline` reads its input in blocks of whole lines, carries a block's partial last line
// to the next, skips a line over the size limit across blocks and numbers lines itself. The
// slow, obvious oracle is `LineReader` feeding one worker line by line. Tiny blocks (down to one
// byte) make every line cross block ends, so a few kilobytes exercise what a 4 MiB block meets
// only on large inputs.

private let blockTestLexicon: CompiledLexicon? = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return (try? Lexicon.load(directory: root.appendingPathComponent("Lexicons").path)).map { CompiledLexicon($0) }
}()

/// What the oracle prints for `path`: `LineReader` events handed to one worker in order.
private func lineByLine(_ path: String, options: ScanOptions, compiled: CompiledLexicon) -> (stdout: [UInt8], stderr: String) {
    let fd = open(path, O_RDONLY)
    defer { close(fd) }
    var reader = LineReader(fd: fd, maxLineBytes: options.maxRecordBytes, chunkBytes: 7)
    let worker = ScanWorker(compiled)
    try? reader.forEach { event in
        switch event {
        case .tooLong(let number, let bytes): worker.skipTooLong(bytes, path: path, number: number, options: options)
        case .line(let bytes, let number):
            // A fresh record for every line (the pipeline reuses one).
            var record = Record(id: nil, text: "", source: SourceLocation(path: path, line: 0))
            worker.handle(bytes, path: path, number: number, options: options, version: compiled.version, into: &record)
        }
        return true
    }
    return (worker.output, worker.messages.map { "netra: \($0)\n" }.joined())
}

/// What `ScanPipeline` prints for `path` (its standard output and error as files).
private func inBlocks(_ path: String, options: ScanOptions, compiled: CompiledLexicon) throws -> (stdout: [UInt8], stderr: String) {
    let outPath = try temporaryFile("blocks-out", Data()), errPath = try temporaryFile("blocks-err", Data())
    defer {
        try? FileManager.default.removeItem(atPath: outPath)
        try? FileManager.default.removeItem(atPath: errPath)
    }
    let outFD = open(outPath, O_WRONLY | O_TRUNC), errFD = open(errPath, O_WRONLY | O_TRUNC)
    let output = OutputChannel(fd: outFD), errors = OutputChannel(fd: errFD)
    let pipeline = ScanPipeline(compiled: compiled, options: options, output: output, errors: errors)
    pipeline.scan(path: path)
    pipeline.finish()
    errors.flush()
    close(outFD)
    close(errFD)
    return (Array(try Data(contentsOf: URL(fileURLWithPath: outPath))),
            String(decoding: try Data(contentsOf: URL(fileURLWithPath: errPath)), as: UTF8.self))
}

/// A random input of JSON lines, bad lines, blank and CRLF lines and long lines, with or
/// without a newline at the end.
private func blockTestInput(_ generator: inout SplitMix64) -> [UInt8] {
    let pieces = [
        #"{"text":"Ayo coblos 02 Prabowo-Gibran!"}"#, #"{"id":"x","text":"selamat pagi"}"#, "not json", "", "   ",
        #"{"text":"pilih 01 ya","created_at":"2024-02-01T08:00:00+07:00"}"#, "{\"text\":\"coblos 03\"}\r",
    ]
    var bytes: [UInt8] = []
    for _ in 0..<Int(generator.next() % 40) {
        let r = Int(generator.next() % 10)
        if r < 7 {
            bytes += Array(pieces[r].utf8)
        } else {
            // A long line: a record or garbage of 40 to 400 bytes.
            let length = 40 + Int(generator.next() % 360)
            bytes += r == 7 ? Array(("{\"text\":\"coblos 02 " + String(repeating: "x", count: length) + "\"}").utf8)
                            : [UInt8](repeating: UInt8(ascii: "y"), count: length)
        }
        bytes.append(0x0A)
    }
    if generator.next() % 2 == 0 { bytes += Array(#"{"text":"coblos 02 tanpa akhir baris"}"#.utf8) }
    return bytes
}

@Test("reading in blocks gives what reading line by line gives, for any block size, limit and thread count",
      arguments: [(blockBytes: 1, limit: 30), (3, 60), (16, 1_000), (100, 60), (4_096, 200), (1 << 20, 100_000)])
func blocksAgreeWithLineByLine(_ blockBytes: Int, _ limit: Int) throws {
    let compiled = try #require(blockTestLexicon)
    var generator = SplitMix64(seed: UInt64(blockBytes * 1_000_003 + limit))
    var flagged = 0, tooLong = 0
    for round in 0..<6 {
        let input = blockTestInput(&generator)
        let path = try temporaryFile("blocks.jsonl", Data(input))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var options = ScanOptions()
        options.all = true
        options.maxRecordBytes = limit
        options.chunkBytes = blockBytes
        let expected = lineByLine(path, options: options, compiled: compiled)
        flagged += String(decoding: expected.stdout, as: UTF8.self).components(separatedBy: "\"flagged\":true").count - 1
        tooLong += expected.stderr.components(separatedBy: "over the limit").count - 1
        for threads in [1, 2, 3] {
            options.threads = threads
            let got = try inBlocks(path, options: options, compiled: compiled)
            #expect(got.stdout == expected.stdout, "round \(round), \(threads) threads: stdout")
            #expect(got.stderr == expected.stderr, "round \(round), \(threads) threads: \(got.stderr) vs \(expected.stderr)")
        }
    }
    // Not vacuous: records were flagged, and (below the long lines' length) lines skipped.
    #expect(flagged > 10)
    if limit < 400 { #expect(tooLong > 5) }
}

@Test("blocks of several slices each, many blocks in flight: the same as reading line by line, for 2 and 3 threads")
func slicedBlocksAgreeWithLineByLine() throws {
    let compiled = try #require(blockTestLexicon)
    var generator = SplitMix64(seed: 0x51_1CE5)
    // About 1.5 MB in blocks of 80 KB: every block is cut into slices (over 64 KB), and the
    // worker threads run several blocks ahead of the writer.
    var input: [UInt8] = []
    while input.count < 1_500_000 {
        let piece = blockTestInput(&generator)
        input += piece
        if input.last != 0x0A { input.append(0x0A) }
    }
    let path = try temporaryFile("sliced-blocks.jsonl", Data(input))
    defer { try? FileManager.default.removeItem(atPath: path) }
    var options = ScanOptions()
    options.all = true
    options.maxRecordBytes = 300
    options.chunkBytes = 80_000
    let expected = lineByLine(path, options: options, compiled: compiled)
    let lines = String(decoding: expected.stdout, as: UTF8.self).split(separator: "\n").count
    #expect(lines > 5_000)
    #expect(expected.stderr.components(separatedBy: "over the limit").count - 1 > 100)
    for threads in [2, 3] {
        options.threads = threads
        let got = try inBlocks(path, options: options, compiled: compiled)
        // Compared first: on a difference between megabyte arrays `#expect` would try to
        // describe it element by element.
        let sameOutput = got.stdout == expected.stdout, sameMessages = got.stderr == expected.stderr
        #expect(sameOutput, "\(threads) threads: stdout differs (\(got.stdout.count) bytes against \(expected.stdout.count))")
        #expect(sameMessages, "\(threads) threads: stderr differs")
    }
}
