import Foundation
import Testing

// `netra scan` on folders, zips and export files, end to end (the executable built beside the tests).

func netraExecutable() throws -> URL {
    if let env = ProcessInfo.processInfo.environment["NETRA_BIN"] { return URL(fileURLWithPath: env) }
    var candidates: [URL] = []
    if let exe = Bundle.main.executableURL { candidates.append(exe.deletingLastPathComponent().appendingPathComponent("netra")) }
    candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("netra"))
    for dir in [".build-readers", ".build"] { candidates.append(repositoryRoot.appendingPathComponent("\(dir)/debug/netra")) }
    return try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }, "netra binary not found")
}

struct Run {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs netra in `directory` (a fresh temporary folder by default, removed when netra has exited).
func netra(_ arguments: [String], in directory: URL? = nil) throws -> Run {
    let cwd = try directory ?? temporaryDirectory("cwd")
    defer { if directory == nil { try? FileManager.default.removeItem(at: cwd) } }
    let process = Process()
    process.executableURL = try netraExecutable()
    process.arguments = arguments
    process.currentDirectoryURL = cwd
    process.environment = ProcessInfo.processInfo.environment.merging(["NETRA_LEXICONS": repositoryRoot.appendingPathComponent("Lexicons").path]) { $1 }
    let errPath = cwd.appendingPathComponent("../netra-stderr-\(UUID().uuidString)").standardizedFileURL
    FileManager.default.createFile(atPath: errPath.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: errPath) }
    let out = Pipe()
    process.standardOutput = out
    process.standardError = try FileHandle(forWritingTo: errPath)
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Run(status: process.terminationStatus, stdout: String(decoding: data, as: UTF8.self),
               stderr: String(decoding: (try? Data(contentsOf: errPath)) ?? Data(), as: UTF8.self))
}

let goodRecord = #"{"id":"good","text":"Ayo coblos 02 Prabowo-Gibran!","created_at":"2024-02-01T08:00:00+07:00"}"# + "\n"

@Test("every hostile zip in one run: clear errors, nothing written, the other input still screened, exit 3",
      .enabled(if: hostileAvailable))
func hostileRun() throws {
    let cwd = try temporaryDirectory("hostile")
    defer { try? FileManager.default.removeItem(at: cwd) }
    let good = cwd.appendingPathComponent("good.jsonl")
    try Data(goodRecord.utf8).write(to: good)
    let zips = try FileManager.default.contentsOfDirectory(atPath: hostileDirectory.path).filter { $0.hasSuffix(".zip") }.sorted()
    let result = try netra(["scan", "--format", "ndjson"] + zips.map { hostileDirectory.appendingPathComponent($0).path } + [good.path], in: cwd)
    #expect(result.status == 3)
    #expect(result.stdout.contains(#""id":"good""#), "the input after the hostile zips is screened")
    for zip in zips { #expect(result.stderr.contains(zip), "\(zip) is named in an error") }
    #expect(result.stderr.contains("incomplete"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: cwd.path) == ["good.jsonl"], "nothing written")
    #expect(!FileManager.default.fileExists(atPath: "/tmp/research/rel/probes/evil-abs.txt"))
}

@Test("an export folder is screened: flagged records name the file and item", .enabled(if: formatsAvailable))
func folderRun() throws {
    let result = try netra(["scan", "--format", "ndjson", "--stats", formatsDirectory.appendingPathComponent("whatsapp").path])
    #expect(result.status == 0)
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.count == 2)
    #expect(lines.contains { $0.contains(#"Chat WhatsApp dengan ASN Kec. Sukamaju.txt","line":6},"kind":"message","created_at":"2024-01-09T20:13:00""#) })
    #expect(result.stderr.contains(#""whatsapp_system_line":3"#))
}

@Test("--from forces a reader; bad values are usage errors")
func fromOption() throws {
    let cwd = try temporaryDirectory("from")
    defer { try? FileManager.default.removeItem(at: cwd) }
    let chat = cwd.appendingPathComponent("obrolan.log")
    try Data("13/01/24 20.13 - Budi: tanggal 14 jangan lupa coblos 02 ya semua\n".utf8).write(to: chat)
    let forced = try netra(["scan", "--format", "ndjson", "--from", "whatsapp", chat.path], in: cwd)
    #expect(forced.status == 0, "\(forced.stderr)")
    #expect(forced.stdout.contains(#""kind":"message""#))
    let csv = cwd.appendingPathComponent("data.txt")
    try Data("text\nAyo coblos 02 Prabowo-Gibran!\n".utf8).write(to: csv)
    #expect(try netra(["scan", "--from", "csv", csv.path], in: cwd).status == 0)
    #expect(try netra(["scan", "--from", "myspace", csv.path], in: cwd).status == 2)
    #expect(try netra(["scan", "--from", "facebook", "-"], in: cwd).status == 2)
}

@Test("the text format names a chat message's sender, so the exporter's messages and others' can be told apart")
func chatSenderInTextFormat() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("netra-chat-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let chat = dir.appendingPathComponent("Chat WhatsApp dengan Grup RT.txt")
    try Data("01/02/24 08.00 - Budi Santoso: Ayo coblos 01 Anies-Muhaimin, pilih AMIN!\n01/02/24 08.06 - Rina W: Selamat pagi semua\n".utf8)
        .write(to: chat)
    let run = try netra(["scan", "--format", "text", "--all", chat.path])
    #expect(run.status == 0, "\(run.stderr)")
    let lines = run.stdout.split(separator: "\n").map(String.init)
    #expect(lines.contains { $0.contains(":1 ") && $0.contains("by Budi Santoso FLAGGED") })
    #expect(lines.contains { $0.contains(":2 ") && $0.contains("by Rina W clean") })
}

struct ThreadCase: CustomTestStringConvertible, Sendable {
    var name: String
    var arguments: [String]
    var testDescription: String { name }
}

/// A generated export folder (Facebook files, a JSON-lines file with a bad line and an unreadable
/// date, a WhatsApp chat) and the same folder zipped, in `dir`: more events than one chunk.
func exportForThreads(in dir: URL) throws -> (folder: URL, zip: URL) {
    let folder = dir.appendingPathComponent("export")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    for (name, json) in generatedMetaExport(seed: 5, items: 1200) {
        try Data(json.utf8).write(to: folder.appendingPathComponent(name))
    }
    var lines = (0..<300).map { #"{"id":"l\#($0)","text":"Ayo coblos 02 Prabowo-Gibran! \#($0)","created_at":"2024-02-01T08:00:00+07:00"}"# }
    lines[7] = #"{"id":"bad","text":"#
    lines[9] = #"{"id":"undated","text":"Coblos 02","created_at":"kemarin"}"#
    try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: folder.appendingPathComponent("lines.jsonl"))
    try Data("02/01/24 07.35 - Rina: coblos 02 ya semua\n02/01/24 07.36 - Budi: <Media tidak disertakan>\n".utf8)
        .write(to: folder.appendingPathComponent("_chat.txt"))
    let zip = dir.appendingPathComponent("export.zip")
    try runZip(["-q", "-r", zip.path, "."], in: folder)
    return (folder, zip)
}

@Test("exports screened on several threads print the same bytes, messages and exit code as on one", arguments: [
    ThreadCase(name: "generated folder, --all ndjson", arguments: ["--all", "--format", "ndjson", "--stats", "FOLDER"]),
    ThreadCase(name: "generated zip, flagged only, text", arguments: ["--format", "text", "--stats", "ZIP"]),
    ThreadCase(name: "zip and folder and hostile zips in one run", arguments: ["--all", "--format", "ndjson", "--stats", "ZIP", "HOSTILE", "FOLDER"]),
])
func exportThreadsAgree(_ c: ThreadCase) throws {
    let dir = try temporaryDirectory("threads")
    defer { try? FileManager.default.removeItem(at: dir) }
    let (folder, zip) = try exportForThreads(in: dir)
    let hostile = hostileAvailable
        ? try FileManager.default.contentsOfDirectory(atPath: hostileDirectory.path).filter { $0.hasSuffix(".zip") }.sorted()
            .map { hostileDirectory.appendingPathComponent($0).path }
        : []
    let arguments = c.arguments.flatMap { a -> [String] in
        switch a {
        case "FOLDER": return [folder.path]
        case "ZIP": return [zip.path]
        case "HOSTILE": return hostile
        default: return [a]
        }
    }
    let one = try netra(["scan", "--threads", "1"] + arguments, in: dir)
    #expect(one.stdout.split(separator: "\n").count > 100)
    for threads in ["2", "3", "8"] {
        let many = try netra(["scan", "--threads", threads] + arguments, in: dir)
        #expect(many.status == one.status, "threads \(threads)")
        #expect(many.stdout == one.stdout, "threads \(threads)")
        #expect(many.stderr == one.stderr, "threads \(threads)")
    }
}
