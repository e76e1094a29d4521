import Foundation
import NetraCore
import Testing
@testable import NetraText
import CNetraBytes

// The fast path (`fastRun`, eight bytes at a time) against the general path word by word, and
// the SWAR byte classifiers against their one-byte definitions.

/// Everything a normalization produces, for comparing two normalizers.
private struct Outcome: Equatable {
    var bytes: [UInt8], starts: [Int32], ends: [Int32], tokens: [Int32], sentences: [Int32]
    init(_ r: NormalizedText) {
        let map = r.sourceMap()
        (bytes, starts, ends, tokens, sentences) = (r.bytes, map.starts, map.ends, r.tokenStarts, r.sentenceStarts)
    }
}

private let slangForTests = NormalizerConfiguration(
    slang: ["yg": "yang", "gk": "tidak", "bgt": "banget", "otw": "on the way", "sm": "sama", "tdk": "tidak", "dgn": "dengan",
            "abcdefghij": "panjang sekali", "kpn": "kapan"],
    words: ["maaf", "saat", "taat", "allah"], protected: [])

struct FastPathCase: CustomTestStringConvertible, Sendable {
    var name: String
    var input: String
    var testDescription: String { name }
}

let fastPathCases: [FastPathCase] = [
    .init(name: "plain words", input: "saya suka makan nasi goreng"),
    .init(name: "capitalized and all caps", input: "Saya SUKA Makan"),
    .init(name: "slang inside a run", input: "aku yg paling bgt sm kamu"),
    .init(name: "slang first and last", input: "yg ini bgt"),
    .init(name: "phrase slang adds tokens", input: "lagi otw ke kantor"),
    .init(name: "slang longer than eight bytes", input: "ini abcdefghij lho"),
    .init(name: "doubled letters kept", input: "maaf saat taat Allah"),
    .init(name: "three in a row go to the general path", input: "menaaang gasss"),
    .init(name: "prayer-shaped doubles go to the general path", input: "aamiin amiin"),
    .init(name: "camel case", input: "PrabowoGibran menang"),
    .init(name: "letter-digit mix", input: "pr4bowo 02 2024 o1"),
    .init(name: "dates and money", input: "14-02-2024 Rp50.000 jam 10:30"),
    .init(name: "punctuation between words", input: "halo, apa kabar? baik. Ayo!"),
    .init(name: "abbreviations", input: "K.H. Ma'ruf no. 2 Dr. Budi"),
    .init(name: "two spaces", input: "satu  dua   tiga"),
    .init(name: "tabs and newlines", input: "satu\tdua\nTiga"),
    .init(name: "one letter words", input: "a b c d e f"),
    .init(name: "spaced letters", input: "p r a b o w o menang"),
    .init(name: "hashtags", input: "#PrabowoGibran2024 #ayo coblos"),
    .init(name: "non-ASCII next to words", input: "gas✌️✌️ Café 𝐆𝐀𝐍𝐉𝐀𝐑 Аnies"),
    .init(name: "keycaps", input: "nomor 0️⃣2️⃣ pilih2️⃣"),
    .init(name: "words exactly eight bytes", input: "abcdefgh ijklmnop qrstuvwx"),
    .init(name: "words longer than sixteen bytes", input: "abcdefghijklmnopqrstu abcdefghijklmnopqrstuvwxyzabcdefgh"),
    .init(name: "double across eight bytes", input: "abcdefgghij xyz"),
    .init(name: "camel across eight bytes", input: "abcdefghIjk xyz"),
    .init(name: "text ending in the middle of eight bytes", input: "kata kata ab"),
    .init(name: "empty", input: ""),
    // Stretches of ordinary words are judged up to 64 bytes at a time.
    .init(name: "a stretch longer than 64 bytes", input: "saya suka makan nasi goreng di warung dekat kantor kecamatan setiap pagi hari bersama teman"),
    .init(name: "a word across the 64-byte window", input: "satu dua tiga empat lima enam tujuh delapan sembilan sepuluh sebelas duabelastigabelas akhir"),
    .init(name: "a word longer than the window", input: "awal " + String(repeating: "panjang", count: 12) + " akhir"),
    .init(name: "slang inside a long stretch", input: "kemarin aku yg datang ke rumah dia tapi dia gk ada di rumah jadi aku pulang lagi bgt deh"),
    .init(name: "one letter inside a stretch", input: "kata satu a kata dua b kata tiga c kata empat"),
    .init(name: "a time at the end of a stretch", input: "rapat dimulai jam 10:30 di aula"),
    .init(name: "a number and a date at the end of a stretch", input: "hasil suara 2024 14-02-2024"),
    .init(name: "a word before non-ASCII at the end of a stretch", input: "ayo menang✌️ bersama"),
    .init(name: "prayer shape inside a stretch", input: "semoga kita semua aamiin ya allah"),
    .init(name: "real doubles inside a stretch", input: "tinggi anggota saat maaf taat tanggal minggu"),
    .init(name: "camel and digits after a long stretch", input: "saya suka makan nasi goreng di warung dekat kantor kecamatan PrabowoGibran pr4bowo"),
    // The output outgrows the buffer in the middle of a run (a fuzzer find: the space before
    // the word being replaced was lost when the buffer grew).
    .init(name: "slang phrases that outgrow the buffer", input: String(repeating: "otw yg ", count: 120)),
    // Non-ASCII scalars of every `QuickScalar` shape, and of none, beside words and alone.
    .init(name: "emoji between and inside words", input: "menang😀 ayo😀😀coblos 👍🏽 🇮🇩 👨‍👩‍👧"),
    .init(name: "non-ASCII separators and sentence ends", input: "satu—dua… tiga“empat” lima。Enam！tujuh？ delapan"),
    .init(name: "ignorable marks and format characters", input: "e\u{301}nak pra\u{200B}bowo ga\u{200D}s ✌\u{FE0F} \u{FEFF}kita"),
    .init(name: "accented, fullwidth and styled letters", input: "Café résumé ｐｒａｂｏｗｏ 𝐆𝐀𝐍𝐉𝐀𝐑 ２０２４ naïve"),
    .init(name: "letters that fold to two", input: "ﬁnal æra straße Œuvre"),
    .init(name: "digits folded from superscripts", input: "x² betul²Amanah ²kita ①②"),
    .init(name: "confusable and other scripts", input: "Аnies Ганжар مرحبا 你好 καλη"),
    .init(name: "a text of non-ASCII only", input: "😀—é…"),
]

@Test("fast path and general path agree", arguments: fastPathCases)
func fastPathAgrees(_ c: FastPathCase) {
    for configuration in [NormalizerConfiguration.plain, slangForTests] {
        let fast = Normalizer(configuration: configuration), slow = Normalizer(configuration: configuration, fastPath: false)
        for mode in [NormalizationMode.text, .term] {
            #expect(Outcome(fast.normalize(c.input, mode: mode)) == Outcome(slow.normalize(c.input, mode: mode)))
        }
    }
}

@Test("a text normalizes the same whatever the normalizer saw before (no state leaks between records)")
func noStateBetweenRecords() {
    let texts = ["betul²Amanah", "Jokowi3Periode #Prabowo2Gibran", "a b c", "yg bgt", "menaaang aamiin", "pr4bowo ²Kita", "14-02-2024 10:30"]
    for fastPath in [true, false] {
        let fresh = Normalizer(configuration: slangForTests, fastPath: fastPath)
        let alone = texts.map { text -> Outcome in
            let n = Normalizer(configuration: slangForTests, fastPath: fastPath)
            return Outcome(n.normalize(text))
        }
        // Every text after every other one, in both orders.
        for (i, text) in texts.enumerated() {
            for before in texts {
                _ = fresh.normalize(before)
                #expect(Outcome(fresh.normalize(text)) == alone[i], "\(text.debugDescription) after \(before.debugDescription), fast path \(fastPath)")
            }
        }
    }
    #expect(Normalizer().normalize("betul²Amanah").string == "betul2amanah betul 2 amanah")
}

@Test("fast path and general path agree on random text with non-ASCII scalars of every shape")
func fastPathAgreesOnRandomNonASCII() {
    var random = SplitMix64(seed: 20261204)
    let pieces = ["kata", " ", " ", "A", "2", "#", ".", "😀", "👍🏽", "—", "…", "。", "\u{301}", "\u{200B}", "\u{FE0F}", "é", "ｐ", "𝐆",
                  "ﬁ", "æ", "²", "①", "А", "Г", "你", "م", "🇮🇩", "✌️", "3️⃣", "\u{00A0}", "ß"]
    let fast = Normalizer(configuration: slangForTests), slow = Normalizer(configuration: slangForTests, fastPath: false)
    for _ in 0..<2000 {
        var text = ""
        for _ in 0..<Int(random.next() % 40) { text += pieces[Int(random.next() % UInt64(pieces.count))] }
        for mode in [NormalizationMode.text, .term] {
            #expect(Outcome(fast.normalize(text, mode: mode)) == Outcome(slow.normalize(text, mode: mode)), "\(text.debugDescription)")
        }
    }
}

@Test("fast path and general path agree on random ASCII-heavy text")
func fastPathAgreesOnRandomText() {
    var random = SplitMix64(seed: 20261123)
    let pieces = ["kata", "yg", "bgt", "Saya", "maaf", "aaa", "PrabowoGibran", "02", "2024", "o1", "a", "b", "otw", "abcdefghij",
                  " ", " ", " ", "  ", ", ", ". ", "\n", "#", "-", "✌️", "é", "x", "abcdefgh", "Rp50.000", "3️⃣",
                  // Ordinary words in numbers, so stretches reach and cross the 64-byte window.
                  " dan ", " untuk ", " pemerintah ", " kita ", " anggota ", " aamiin ", " 10:30 ", " indonesiaraya ",
                  " sembilanbelasduapuluh ", " A ", " Kata ", " semua ", " ke "]
    let fast = Normalizer(configuration: slangForTests), slow = Normalizer(configuration: slangForTests, fastPath: false)
    for _ in 0..<2000 {
        var text = ""
        for _ in 0..<Int(random.next() % 60) { text += pieces[Int(random.next() % UInt64(pieces.count))] }
        #expect(Outcome(fast.normalize(text)) == Outcome(slow.normalize(text)), "\(text.debugDescription)")
    }
}

@Test("fast path and general path agree when a word that stops the fast path lies at any offset of a 64-byte window")
func fastPathAgreesAtEveryWindowOffset() {
    // What stops the fast path, found from the maps a window at a time (the byte after a word
    // and the one after that may lie in the next window): a number a joiner and a digit
    // continue, a word followed by a non-ASCII byte, the prayer's shape, camel case, an
    // elongation, a one-letter word, slang.
    let stoppers = ["2024:5", "12-3", "10.000", "7,5", "1/2", "08", "kata😀", "aamiin", "Amiin", "kataKita", "menaaang", "a", "yg", "2024."]
    let fast = Normalizer(configuration: slangForTests), slow = Normalizer(configuration: slangForTests, fastPath: false)
    for offset in 0..<140 {
        // Words of four letters and single spaces up to `offset` bytes, then the stopper.
        var prefix = String(String(repeating: "kata ", count: offset / 5 + 1).prefix(offset))
        if prefix.last != " " && !prefix.isEmpty { prefix = String(prefix.dropLast()) + " " }
        for stopper in stoppers {
            for tail in ["", " dan", ":9 x", "0"] {
                let text = prefix + stopper + tail
                #expect(Outcome(fast.normalize(text)) == Outcome(slow.normalize(text)), "\(text.debugDescription)")
            }
        }
    }
}

@Test("fast path and general path agree on the shared pool (skipped without ../shared)")
func fastPathAgreesOnPool() throws {
    let pool = URL(fileURLWithPath: #filePath).appendingPathComponent("../../../../shared/corpora/pool.jsonl").standardized
    guard let data = try? Data(contentsOf: pool) else { return }
    let fast = Normalizer(configuration: slangForTests), slow = Normalizer(configuration: slangForTests, fastPath: false)
    var checked = 0
    for (index, line) in data.split(separator: 0x0A).enumerated() where index % 5 == 0 {
        guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any], let text = object["text"] as? String else { continue }
        #expect(Outcome(fast.normalize(text)) == Outcome(slow.normalize(text)), "pool line \(index + 1)")
        checked += 1
    }
    #expect(checked > 10_000)
}

@Test("byte class maps match their one-byte definitions (every classifier this processor has, any length)",
      arguments: Array(ByteClassMaps.classifierLevels))
func byteClassMapsMatchDefinitions(level: Int32) {
    var random = SplitMix64(seed: 20261204)
    let alphabet = Array("aAbBzZ09 #.,!?\n-:/@_'`[{".utf8) + [0x00, 0x7F, 0x80, 0xC3, 0xE2, 0xFF]
    var maps = ByteClassMaps()
    defer { maps.free() }
    for round in 0..<3000 {
        // Lengths around the 16- and 64-byte edges of the vector code, and long runs of one letter.
        let length = round < 200 ? round : Int(random.next() % 300)
        var input: [UInt8] = (0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
        if round % 5 == 0, length > 4 { for k in 0..<(length / 2) { input[k] = k % 7 == 6 ? 0x20 : UInt8(ascii: "a") } }
        input.withUnsafeBufferPointer { maps.build($0, level: level) }
        for map in [ByteClassMaps.Map.alnum, .letter, .special, .equal, .space, .high, .joiner] {
            let expected = ByteClassMaps.oneByte(input, map)
            let found = input.indices.map { maps.contains(map, $0) }
            #expect(found == expected, "map \(map) of \(input)")
            for i in 0...(input.count + 2) where i % 13 == 0 || i >= input.count {
                // `bits(_:at:)` is the same bits read from any byte on, zero past the end.
                let window = maps.bits(map, at: i)
                let expectedWindow = (0..<64).reduce(UInt64(0)) { $0 | (i + $1 < input.count && expected[i + $1] ? 1 << UInt64($1) : 0) }
                #expect(window == expectedWindow, "bits of map \(map) at \(i) of \(input)")
            }
        }
        let folded = Array(UnsafeBufferPointer(start: maps.folded.pointer, count: input.count))
        #expect(folded == input.map { ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A ? $0 | 0x20 : $0 })
        if length > 0 {
            #expect(maps.endOfAlnum(from: 0) == (input.firstIndex { !ByteClassMaps.oneByte([$0], .alnum)[0] } ?? input.count))
        }
    }
}

@Test("token starts found from the spaces match their definition at every level, and stay in the room promised",
      arguments: Array(Int32(NETRA_TOKENS_BYTES)...netra_token_starts_best_level()))
func tokenStartsFromSpaces(level: Int32) {
    var random = SplitMix64(seed: 0x5_22)
    for round in 0..<3000 {
        // Lengths around the 16- and 64-byte edges, and space densities from none to all.
        let length = round < 300 ? round : Int(random.next() % 700)
        let density = random.next() % 5
        let input: [UInt8] = (0..<length).map { _ in
            let r = random.next() % 4
            return density == 4 || r < density ? 0x20 : UInt8(ascii: "a") &+ UInt8(r)
        }
        var expected: [Int32] = input.isEmpty ? [] : [0]
        for (i, b) in input.enumerated() where b == 0x20 { expected.append(Int32(i + 1)) }
        // The promised room (n + 17) and a guard after it that must stay untouched.
        let room = length + 17, guardCount = 32
        var starts = [Int32](repeating: -9, count: room + guardCount)
        let count = input.withUnsafeBufferPointer { bytes in
            starts.withUnsafeMutableBufferPointer { netra_token_starts_with(level, bytes.baseAddress, length, $0.baseAddress) }
        }
        #expect(Array(starts.prefix(count)) == expected, "level \(level), \(length) bytes")
        #expect(starts.suffix(guardCount).allSatisfy { $0 == -9 }, "level \(level) wrote past its room")
    }
}

@Test("tokens are the pieces of the normalized text between single spaces")
func tokensAreSpaceSeparated() {
    let normalizer = Normalizer(configuration: slangForTests)
    var random = SplitMix64(seed: 0x70_6b)
    let pieces = ["yg", "otw", "a", "b", "c", "#PrabowoGibran2024", "pr4bowo", "✌️", "0️⃣2️⃣", "menaaang", "A.M.I.N", " ", ", ", ".", "\\n", "Аnies", "10:30", "#", "##x"]
    for _ in 0..<2000 {
        let text = (0..<Int(random.next() % 12)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined(separator: random.next() % 2 == 0 ? " " : "")
        for mode in [NormalizationMode.text, .term] {
            let result = normalizer.normalize(text, mode: mode)
            let bytes = result.bytes
            var expected: [Int32] = bytes.isEmpty ? [] : [0]
            for (i, b) in bytes.enumerated() where b == 0x20 { expected.append(Int32(i + 1)) }
            #expect(result.tokenStarts == expected, "\(text.debugDescription) → \(result.string.debugDescription)")
            #expect(bytes.first != 0x20 && bytes.last != 0x20 && !bytes.indices.dropFirst().contains { bytes[$0] == 0x20 && bytes[$0 - 1] == 0x20 })
        }
    }
}

@Test("the JSON string scan stops where its one-byte definition does (quote, backslash, control byte), at every level",
      arguments: Array(ByteClassMaps.classifierLevels))
func jsonStringStop(level: Int32) {
    var random = SplitMix64(seed: 0x22)
    let alphabet: [UInt8] = Array("abc xyz,:{}[]0123".utf8) + [0x22, 0x5C, 0x00, 0x1F, 0x20, 0x7F, 0x80, 0xC3, 0xFF, 0x0A]
    for round in 0..<5000 {
        let length = round < 100 ? round : Int(random.next() % 200)
        let bytes: [UInt8] = (0..<length).map { _ in
            random.next() % 8 == 0 ? alphabet[Int(random.next() % UInt64(alphabet.count))] : UInt8(ascii: "a") + UInt8(random.next() % 26)
        }
        let from = length == 0 ? 0 : Int(random.next() % UInt64(length + 1))
        let expected = bytes[from...].firstIndex { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 } ?? length
        let found = bytes.withUnsafeBufferPointer { netra_json_string_stop_with(level, $0.baseAddress ?? UnsafePointer(bitPattern: 1)!, from, length) }
        #expect(found == expected, "level \(level): \(bytes) from \(from)")
        if level == ByteClassMaps.classifierLevels.upperBound {
            #expect(bytes.withUnsafeBufferPointer { netra_json_string_stop($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, from, length) } == expected)
        }
    }
}

struct MemoCase: CustomTestStringConvertible, Sendable {
    var name: String
    /// Normalized twice by one normalizer: the second time its general-path words come from the memo.
    var input: String
    /// Words the second normalization must replay from the memo.
    var replayed: Int
    var testDescription: String { name }
}

let memoCases: [MemoCase] = [
    .init(name: "camel-case word with parts", input: "ayo PrabowoGibran menang", replayed: 1),
    .init(name: "hashtag with parts and digits", input: "dukung #PrabowoGibran2024 sekarang", replayed: 1),
    .init(name: "hashtag right after a word", input: "ayo#AMIN menang", replayed: 1),
    .init(name: "letter-digit evasions", input: "pilih pr4bowo dan g4njar", replayed: 2),
    .init(name: "elongation and the prayer", input: "kita menaaang aamiiin", replayed: 2),
    .init(name: "word that starts a sentence", input: "Hebat. PrabowoGibran menang! G4s terus", replayed: 2),
    .init(name: "word before a period that ends a sentence", input: "ayo G4s. Lanjut", replayed: 1),
    .init(name: "word before a comma and a hashtag", input: "ayo G4s, #Ganjar3 #ayo", replayed: 3),
    .init(name: "word at the end of the text", input: "ayo JokowiTigaPeriode", replayed: 1),
    .init(name: "the same word twice in one text", input: "ayo G4s lalu G4s lagi", replayed: 2),
    .init(name: "slang after a memoized word", input: "ayo G4s yg bgt", replayed: 1),
    .init(name: "squeezed to one letter is not memoized (it counts for spaced letters)", input: "x AAA b c", replayed: 0),
    .init(name: "first word of the text is not memoized", input: "PrabowoGibran menang", replayed: 0),
    .init(name: "a time stays with the general path", input: "jam 10:30 ya", replayed: 0),
    .init(name: "a word before non-ASCII stays with the general path", input: "ayo G4s✌️ ya", replayed: 0),
]

@Test("the token memo replays exactly what the general path wrote", arguments: memoCases)
func tokenMemoReplays(_ c: MemoCase) {
    for mode in [NormalizationMode.text, .term] {
        let memo = Normalizer(configuration: slangForTests)
        let plain = Normalizer(configuration: slangForTests, fastPath: true, memo: false)
        let oracle = Normalizer(configuration: slangForTests, fastPath: false)
        let expected = Outcome(oracle.normalize(c.input, mode: mode))
        #expect(Outcome(plain.normalize(c.input, mode: mode)) == expected)
        #expect(Outcome(memo.normalize(c.input, mode: mode)) == expected, "first time")
        let before = memo.memoHits
        #expect(Outcome(memo.normalize(c.input, mode: mode)) == expected, "from the memo")
        #expect(memo.memoHits - before == c.replayed, "\(mode)")
        #expect(plain.memoHits == 0)
    }
}
