import ArgumentParser
import Foundation
import Netra
import NetraArchive
import NetraCore
import NetraReport
import NetraRules
import NetraText

/// Exit codes (DESIGN.md §3.1), as grep: 0 flagged, 1 nothing flagged, 2 error, 3 incomplete.
enum ExitStatus {
    static let flagged: Int32 = 0
    static let clean: Int32 = 1
    static let error: Int32 = 2
    static let incomplete: Int32 = 3
}

func writeError(_ text: String) {
    let line = text.hasSuffix("\n") ? text : text + "\n"
    FileHandle.standardError.write(line.data(using: .utf8)!)
}

/// Finds the bundled Lexicons/ directory: $NETRA_LEXICONS, beside the executable or above it
/// (a build inside the repository), `../share/netra/Lexicons`, or the source tree it was built from.
func bundledLexiconDirectory() -> String? {
    let fm = FileManager.default
    func isLexicon(_ dir: String) -> Bool { fm.fileExists(atPath: dir + "/contests") && fm.fileExists(atPath: dir + "/rules") }
    if let env = ProcessInfo.processInfo.environment["NETRA_LEXICONS"], !env.isEmpty { return env }
    var candidates: [String] = []
    let exe = (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var dir = (exe as NSString).deletingLastPathComponent
    candidates.append(dir + "/Lexicons")
    candidates.append(dir + "/../share/netra/Lexicons")
    for _ in 0..<6 {
        dir = (dir as NSString).deletingLastPathComponent
        candidates.append(dir + "/Lexicons")
    }
    let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    candidates.append(source.path + "/Lexicons")
    return candidates.first(where: isLexicon).map { ($0 as NSString).standardizingPath }
}

struct LexiconOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Lexicon directory (contests/, terms/, rules/).", valueName: "DIR"))
    var lexicons: String?

    @Option(name: .long, help: ArgumentHelp("Enable only this contest: a bundled id or a path to a contest file. Repeatable.", valueName: "ID_OR_FILE"))
    var contest: [String] = []

    /// Loads and compiles the lexicon, or prints every problem and throws exit code 2.
    func load() throws -> CompiledLexicon { try loadLexicon(directory: lexicons, contests: contest) }
}

/// Loads and compiles a lexicon (default: the bundled one), or prints every problem and throws exit code 2.
func loadLexicon(directory: String?, contests: [String]) throws -> CompiledLexicon {
        guard let dir = directory ?? bundledLexiconDirectory() else {
            writeError("netra: cannot find the bundled Lexicons directory; give --lexicons DIR or set NETRA_LEXICONS")
            throw ExitCode(ExitStatus.error)
        }
        do {
            return CompiledLexicon(try Lexicon.load(directory: dir, contests: contests))
        } catch {
            for issue in error.issues { writeError("netra: \(issue)") }
            writeError("netra: the lexicon has \(error.issues.count) error(s); nothing was screened")
            throw ExitCode(ExitStatus.error)
        }
}

struct NetraCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "netra",
        abstract: "Screen social-media archives of Indonesian civil servants (ASN) for breaches of election neutrality.",
        discussion: "Exit codes: 0 something was flagged, 1 nothing was flagged, 2 error, 3 some input was skipped or truncated.",
        subcommands: [Scan.self, Explain.self, Lint.self, TestExamples.self, Eval.self, Batch.self, Report.self, Review.self,
                      Purge.self, Merge.self])
}

struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Screen JSON-lines records and platform exports; print flagged records as NDJSON (or text).",
        discussion: "A PATH is a JSON-lines file, a CSV file, an export folder, an export .zip (Facebook, Instagram, X, TikTok, WhatsApp), a single export file, or - for standard input (JSON lines).")

    @Argument(help: ArgumentHelp("JSON-lines or CSV files, export folders or .zip files, or - for standard input (the default).", valueName: "PATH"))
    var paths: [String] = []

    @Option(name: .long, help: ArgumentHelp("Read every input with this reader instead of detecting it: facebook, instagram, x, tiktok, whatsapp, jsonl or csv.", valueName: "FORMAT"))
    var from: String?

    @OptionGroup var lexiconOptions: LexiconOptions

    @Option(name: .long, help: "Output format: ndjson or text (default: text on a terminal, ndjson otherwise).")
    var format: String?

    @ArgumentParser.Flag(name: .long, help: "Emit every record, flagged or not.")
    var all = false

    @ArgumentParser.Flag(name: .long, help: "Print a summary (JSON) on standard error.")
    var stats = false

    @Option(name: .long, help: "Worker threads (default: all cores). The output is the same for any count.")
    var threads: Int?

    @Option(name: .long, help: "Largest record, in bytes; longer ones are skipped and reported.")
    var maxRecordBytes: Int = 1 << 20

    @Option(name: .long, help: ArgumentHelp("Name the input NAME in source.path, in the PATH:LINE name of records without id and in messages (one JSON-lines input or standard input): a shard gives the name of the file it was cut from.", valueName: "NAME"))
    var sourcePath: String?

    @Option(name: .long, help: ArgumentHelp("Add N to every line number of the input (one JSON-lines input or standard input): a shard that starts after line N of its file gives that file's line numbers.", valueName: "N"))
    var lineOffset: Int?

    @ArgumentParser.Flag(name: .long, help: "Print the lexicon fingerprint (the output's lexicon_version for these --lexicons and --contest) and exit 0, screening nothing; workers of one sharded run must print the same.")
    var lexiconVersion = false

    @ArgumentParser.Flag(name: .long, help: "Screen with the slow reference implementations (Foundation's JSON parser, the normalizer's general path for every word, a naive matcher) to check the fast ones: the output must be identical.")
    var reference = false

    func validate() throws {
        if let format, OutputFormat(rawValue: format) == nil {
            throw ValidationError("--format must be one of: \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if maxRecordBytes < 1 { throw ValidationError("--max-record-bytes must be at least 1") }
        if let lineOffset, lineOffset < 0 { throw ValidationError("--line-offset must be 0 or more") }
        if sourcePath != nil || lineOffset != nil {
            if paths.count > 1 { throw ValidationError("--source-path and --line-offset name one input: give one PATH or standard input") }
            if let from, from != ExportFormat.jsonl.rawValue { throw ValidationError("--source-path and --line-offset apply to JSON lines, not --from \(from)") }
        }
        if let sourcePath, sourcePath.isEmpty { throw ValidationError("--source-path must not be empty") }
        if let from {
            guard let format = ExportFormat(rawValue: from) else {
                throw ValidationError("--from must be one of: \(ExportFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if format != .jsonl && (paths.isEmpty || paths.contains("-")) {
                throw ValidationError("--from \(from) needs files, folders or zips; standard input is read as JSON lines")
            }
        }
    }

    func run() throws {
        let compiled = try lexiconOptions.load()
        if lexiconVersion {
            print(compiled.version)
            return
        }
        var options = ScanOptions()
        options.format = format.flatMap(OutputFormat.init) ?? (isatty(1) != 0 ? .text : .ndjson)
        options.all = all
        options.maxRecordBytes = maxRecordBytes
        options.threads = threads ?? ProcessInfo.processInfo.activeProcessorCount
        options.reference = reference
        let output = OutputChannel(fd: 1)
        let errors = OutputChannel(fd: 2, flushThreshold: 0)
        let pipeline = ScanPipeline(compiled: compiled, options: options, output: output, errors: errors)
        var limits = ReadLimits()
        limits.maxRecordBytes = maxRecordBytes
        let forced = from.flatMap(ExportFormat.init)
        let archives = ArchiveScanner(compiled: compiled, options: options, reader: ExportReader(limits: limits, forced: forced),
                                      output: output, errors: errors)
        var readArchives = false
        for path in paths.isEmpty ? ["-"] : paths {
            if pipeline.outputClosed { break }
            let exportInput = path != "-" && (forced.map { $0 != .jsonl } ?? false
                || (forced == nil && ExportReader.handles(path: path))
                || (forced == .jsonl && FileManager.default.isDirectoryOrZip(path)))
            if exportInput && (sourcePath != nil || lineOffset != nil) {
                writeError("netra: \(path): --source-path and --line-offset apply to JSON lines; this is an export (folder, zip or export file)")
                throw ExitCode(ExitStatus.error)
            }
            if exportInput {
                // Whatever the JSON-lines pipeline still has in flight is written first: output stays in input order.
                pipeline.finish()
                archives.scan(path: path)
                archives.finish()
                readArchives = true
            } else {
                pipeline.scan(path: path, sourceName: sourcePath, lineOffset: lineOffset ?? 0)
            }
        }
        pipeline.finish()
        let s = ArchiveScanner.combined(pipeline.statistics, archives.statistics)
        if stats {
            writeError("netra: stats \(s.json)")
            if readArchives { writeError("netra: export stats \(archives.summaryJSON)") }
        }
        if let failure = output.failure {
            writeError("netra: cannot write the output: \(String(cString: strerror(failure)))")
            throw ExitCode(ExitStatus.error)
        }
        if output.closed { throw ExitCode(s.flagged > 0 ? ExitStatus.flagged : ExitStatus.clean) }
        if s.inputErrors > 0 { throw ExitCode(ExitStatus.error) }
        if archives.problemCount > 0 {
            writeError("netra: incomplete: \(archives.problemCount) export file(s), entries or archives were refused or only partly read (see the messages above); this run is not a clean result")
            throw ExitCode(ExitStatus.incomplete)
        }
        if s.skippedTotal > 0 {
            writeError("netra: incomplete: \(s.skippedTotal) of \(s.records) records skipped (see the messages above); this run is not a clean result")
            throw ExitCode(ExitStatus.incomplete)
        }
        throw ExitCode(s.flagged > 0 ? ExitStatus.flagged : ExitStatus.clean)
    }
}

extension FileManager {
    /// A folder, or a file that starts like a zip.
    func isDirectoryOrZip(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        guard fileExists(atPath: path, isDirectory: &isDirectory) else { return false }
        return isDirectory.boolValue || ExportReader.isZip(path: path)
    }
}

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the normalized text, term hits and every rule's decision for one text.")

    @Argument(help: "The text to explain.")
    var text: String

    @OptionGroup var lexiconOptions: LexiconOptions

    @Option(name: .long, help: "Record kind (post, comment, group, …).")
    var kind: String = "post"

    @Option(name: .long, help: "Date of the text (YYYY-MM-DD) for contest windows; default: undated.")
    var date: String?

    @Option(name: .long, help: ArgumentHelp("The post a comment or reply answers (its target.text), for rules with a target condition.", valueName: "TEXT"))
    var target: String?

    func validate() throws {
        if target != nil, kind != "comment", kind != "reply" {
            throw ValidationError("--target goes with --kind comment or --kind reply (only they are judged with the post they answer)")
        }
    }

    func run() throws {
        guard let recordKind = RecordKind(rawValue: kind) else { throw ValidationError("unknown kind '\(kind)'") }
        var day: CalendarDate?
        if let date {
            guard let d = CalendarDate(iso: Substring(date)) else { throw ValidationError("--date must be YYYY-MM-DD") }
            day = d
        }
        let compiled = try lexiconOptions.load()
        var screener = Screener(compiled)
        let field = recordKind.judgesOwnText ? "text" : (recordKind == .group ? "group" : "target.author")
        let e = screener.explain(text: text, kind: recordKind, date: day, field: field, target: target)
        var out = "original:   \(text)\n"
        if let target { out += "target:     \(target)\n" }
        out += "normalized: \(e.normalized)\nlexicon:    \(compiled.version)\ntokens (normalized ← original [scalar offsets], sentence):\n"
        for token in e.tokens {
            out += "  \(token.text) ← «\(token.original)» [\(token.span.start)-\(token.span.end)] s\(token.sentence)\n"
        }
        out += "term hits:\n"
        if e.hits.isEmpty { out += "  (none)\n" }
        for hit in e.hits {
            out += "  [\(hit.evidence.span.start)-\(hit.evidence.span.end)] «\(hit.evidence.text)» = \(hit.term)  (\(hit.lists.joined(separator: ", ")))\n"
        }
        out += "decisions:\n"
        if e.decisions.isEmpty { out += "  (no rule fired or was vetoed)\n" }
        for d in e.decisions {
            let ev = d.evidence.map { $0.field == e.field ? "«\($0.text)»" : "\($0.field) «\($0.text)»" }.joined(separator: " ")
            out += "  \(d.rule) \(d.contest)/\(d.pair): \(d.outcome == .hit ? "HIT" : "VETOED") score \(NDJSONPrinter.formatScore(d.score)) evidence \(ev)"
            if d.outcome == .vetoed { out += " — vetoed by " + d.vetoEvidence.map { "«\($0.text)» (\($0.term))" }.joined(separator: ", ") }
            out += "\n"
        }
        print(out, terminator: "")
    }
}

struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check contests, term lists and rules; print errors and warnings as file:line.")

    @Argument(help: "Lexicon directory (default: the bundled Lexicons).")
    var directory: String?

    func run() throws {
        guard let dir = directory ?? bundledLexiconDirectory() else {
            writeError("netra: cannot find the bundled Lexicons directory")
            throw ExitCode(ExitStatus.error)
        }
        do {
            let lexicon = try Lexicon.load(directory: dir)
            for w in lexicon.warnings { print(w.description) }
            print("\(dir): \(lexicon.contests.count) contests, \(lexicon.termSets.count) term lists, \(lexicon.rules.count) rules, \(lexicon.warnings.count) warnings, 0 errors")
        } catch {
            for issue in error.issues { print(issue.description) }
            print("\(dir): \(error.issues.count) errors")
            throw ExitCode(ExitStatus.error)
        }
    }
}

struct TestExamples: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "test", abstract: "Run every rule's hit and miss examples.")

    @Argument(help: "Lexicon directory (default: the bundled Lexicons).")
    var directory: String?

    func run() throws {
        let compiled = try loadLexicon(directory: directory, contests: [])
        let results = compiled.runExamples()
        for r in results where !r.passed {
            print("\(r.file):\(r.example.line): \(r.rule) \(r.expectsHit ? "hit" : "miss") example failed (\(r.detail)): \(r.example.text)")
        }
        let failed = results.filter { !$0.passed }.count
        print("\(results.count - failed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode(1) }
    }
}

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score the rules on labelled JSON lines: precision, recall and F1 overall, by source, contest and category.",
        discussion: "Each line is a record with a `label` object {violation, contest, target, stance, categories, confidence}; rows with confidence \"low\" are left out unless --include-low.")

    @Argument(help: ArgumentHelp("Labelled JSON-lines files.", valueName: "FILE"))
    var files: [String]

    @OptionGroup var lexiconOptions: LexiconOptions

    @ArgumentParser.Flag(name: .long, help: "Print the report as JSON.")
    var json = false

    @ArgumentParser.Flag(name: .long, help: "Score rows labelled with low confidence too.")
    var includeLow = false

    @Option(name: .long, help: "Show up to this many wrong rows (text format).")
    var errors: Int = 0

    func run() throws {
        let compiled = try lexiconOptions.load()
        var combined = EvaluationReport()
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                writeError("netra: \(file): cannot read")
                throw ExitCode(ExitStatus.error)
            }
            let r = Evaluation.run(data, path: file, compiled: compiled, includeLowConfidence: includeLow)
            combined.merge(r)
        }
        print(json ? combined.json : combined.text(errors: errors), terminator: "")
    }
}

extension EvaluationReport {
    mutating func merge(_ other: EvaluationReport) {
        overall.merge(other.overall)
        pairCorrect += other.pairCorrect
        for (k, v) in other.byContest { byContest[k, default: Score()].merge(v) }
        for (k, v) in other.byCategory { byCategory[k, default: Score()].merge(v) }
        for (k, v) in other.bySource { bySource[k, default: Score()].merge(v) }
        for (k, v) in other.leftOut { leftOut[k, default: 0] += v }
        errors += other.errors
    }

    func text(errors limit: Int) -> String {
        func f(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "  -  " }
        func line(_ name: String, _ s: Score) -> String {
            let padded = name.count < 28 ? name + String(repeating: " ", count: 28 - name.count) : name
            return "  \(padded) P \(f(s.precision))  R \(f(s.recall))  F1 \(f(s.f1))  (TP \(s.truePositives), FP \(s.falsePositives), FN \(s.falseNegatives), TN \(s.trueNegatives))\n"
        }
        var out = "scored \(overall.total) rows"
        if !leftOut.isEmpty { out += "; left out: " + leftOut.keys.sorted().map { "\($0) \(leftOut[$0]!)" }.joined(separator: ", ") }
        out += "\nviolation:\n" + line("all", overall)
        let tp = overall.truePositives
        out += "  flagged pair correct on \(pairCorrect) of \(tp) true positives" + (tp > 0 ? String(format: " (%.1f %%)", 100 * Double(pairCorrect) / Double(tp)) : "") + "\n"
        out += "by source dataset:\n" + bySource.keys.sorted().map { line($0, bySource[$0]!) }.joined()
        out += "by contest:\n" + byContest.keys.sorted().map { line($0, byContest[$0]!) }.joined()
        out += "by category:\n" + byCategory.keys.sorted().map { line($0, byCategory[$0]!) }.joined()
        if limit > 0 {
            out += "wrong rows (first \(limit)):\n"
            for e in errors.prefix(limit) {
                out += "  \(e.id) expected \(e.expected ? "violation" : "clean"), flagged \(e.flags.isEmpty ? "nothing" : e.flags.joined(separator: ", ")): \(e.text.prefix(140))\n"
            }
        }
        return out
    }

    var json: String {
        func score(_ s: Score) -> [String: Any] {
            var o: [String: Any] = ["tp": s.truePositives, "fp": s.falsePositives, "fn": s.falseNegatives, "tn": s.trueNegatives]
            if let p = s.precision { o["precision"] = p }
            if let r = s.recall { o["recall"] = r }
            if let f = s.f1 { o["f1"] = f }
            return o
        }
        let object: [String: Any] = [
            "overall": score(overall), "pair_correct": pairCorrect, "left_out": leftOut,
            "by_source": bySource.mapValues(score), "by_contest": byContest.mapValues(score),
            "by_category": byCategory.mapValues(score),
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

extension Score {
    mutating func merge(_ other: Score) {
        truePositives += other.truePositives
        falsePositives += other.falsePositives
        falseNegatives += other.falseNegatives
        trueNegatives += other.trueNegatives
    }
}
