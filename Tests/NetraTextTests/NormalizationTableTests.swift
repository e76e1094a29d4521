import NetraCore
import Testing
@testable import NetraText

/// One named normalization case: the input, its normalized text, and optionally an evidence span
/// (a normalized substring and the original text it must point at) and the sentence starts.
struct NormalizationTableCase: CustomTestStringConvertible, Sendable {
    var name: String
    var input: String
    var normalized: String
    /// Use the slang configuration (`normalizationTableSlang`) instead of the plain one.
    var slang = false
    /// A normalized substring (a whole token or phrase) and the original text its span covers.
    var span: (part: String, original: String)?
    /// Token indices where sentences begin.
    var sentences: [Int32]?
    var testDescription: String { name }

    static func c(_ name: String, _ input: String, _ normalized: String, span: (String, String)? = nil,
                  slang: Bool = false, sentences: [Int32]? = nil) -> Self {
        Self(name: name, input: input, normalized: normalized, slang: slang,
             span: span.map { (part: $0.0, original: $0.1) }, sentences: sentences)
    }

    func normalizer() -> Normalizer {
        Normalizer(configuration: slang ? normalizationTableSlang : .plain)
    }
}

/// The slang configuration of the slang cases: "aamiin" and "kampret" are election words, so
/// their entries are left out whatever the list says.
let normalizationTableSlang = NormalizerConfiguration(
    slang: ["yg": "yang", "dgn": "dengan", "gk": "enggak", "aamiin": "amin", "kampret": "sialan"],
    words: ["maaf", "saat", "taat", "menang"], protected: ["anies"])

// MARK: Evasions

let normalizationTableEvasions: [NormalizationTableCase] = [
    .c("digit for letter: pr4bowo", "pr4bowo", "prabowo", span: ("prabowo", "pr4bowo")),
    .c("digits for letters in capitals: PR4B0W0", "PR4B0W0", "prabowo", span: ("prabowo", "PR4B0W0")),
    .c("digit for letter twice: g4nj4r", "g4nj4r", "ganjar", span: ("ganjar", "g4nj4r")),
    .c("digits for letters in capitals: G4NJ4R", "G4NJ4R", "ganjar"),
    .c("3 for e in capitals: M3TAL", "M3TAL", "metal", span: ("metal", "M3TAL")),
    .c("3 and 4 for e and a: m3t4l", "m3t4l", "metal"),
    .c("leet slogan: s3m4ng4t", "s3m4ng4t", "semangat"),
    .c("0 for o, number after it stays: c0bl0s 02", "c0bl0s 02", "coblos 02", span: ("coblos", "c0bl0s")),
    .c("0 for o: n0mor urut", "n0mor urut", "nomor urut"),
    .c("trailing digit other than 0 stays a number: k4mp4ny3", "k4mp4ny3", "kampany3"),
    .c("1 for i: an1es", "an1es", "anies", span: ("anies", "an1es")),
    .c("two leet words: pr4b0w0 gibr4n", "pr4b0w0 gibr4n", "prabowo gibran", span: ("prabowo gibran", "pr4b0w0 gibr4n")),
    .c("letter O for zero: O1", "O1", "01", span: ("01", "O1")),
    .c("letter O for zero: O2", "O2", "02", span: ("02", "O2")),
    .c("lower-case o for zero: o2", "o2", "02"),
    .c("fullwidth O2", "Ｏ２", "02", span: ("02", "Ｏ２")),
    .c("O2 before a word", "O2 menang", "02 menang", span: ("02", "O2")),
    .c("O2 before punctuation", "O2!", "02"),
    .c("dotted letters A.M.I.N", "A.M.I.N", "amin", span: ("amin", "A.M.I.N")),
    .c("dotted lower-case letters a.m.i.n", "a.m.i.n", "amin"),
    .c("spaced capitals A M I N", "A M I N", "amin", span: ("amin", "A M I N")),
    .c("spaced letters p r a b o w o", "p r a b o w o", "prabowo", span: ("prabowo", "p r a b o w o")),
    .c("spaced letters with a capital P r a b o w o", "P r a b o w o", "prabowo"),
    .c("hyphenated letters P-R-A-B-O-W-O", "P-R-A-B-O-W-O", "prabowo", span: ("prabowo", "P-R-A-B-O-W-O")),
    .c("dotted letters m.e.n.a.n.g", "m.e.n.a.n.g", "menang"),
    .c("mathematical bold 𝐆𝐀𝐍𝐉𝐀𝐑", "𝐆𝐀𝐍𝐉𝐀𝐑", "ganjar", span: ("ganjar", "𝐆𝐀𝐍𝐉𝐀𝐑")),
    .c("mathematical script 𝓰𝓪𝓷𝓳𝓪𝓻", "𝓰𝓪𝓷𝓳𝓪𝓻", "ganjar", span: ("ganjar", "𝓰𝓪𝓷𝓳𝓪𝓻")),
    .c("fraktur 𝕬𝕹𝕴𝕰𝕾", "𝕬𝕹𝕴𝕰𝕾", "anies"),
    .c("circled letters", "Ⓟⓡⓐⓑⓞⓦⓞ", "prabowo", span: ("prabowo", "Ⓟⓡⓐⓑⓞⓦⓞ")),
    .c("small capitals", "ɢᴀɴᴊᴀʀ", "ganjar"),
    .c("fullwidth ＰＩＬＩＨ", "ＰＩＬＩＨ", "pilih", span: ("pilih", "ＰＩＬＩＨ")),
    .c("fullwidth lower case and digits", "ｐｉｌｉｈ ０２", "pilih 02", span: ("02", "０２")),
    .c("Cyrillic А in Аnies", "\u{410}nies", "anies", span: ("anies", "\u{410}nies")),
    .c("Cyrillic а twice in Ganjar", "G\u{430}nj\u{430}r", "ganjar", span: ("ganjar", "G\u{430}nj\u{430}r")),
    .c("Greek Alpha in Anies", "\u{391}nies", "anies"),
    .c("Cyrillic er in prabowo", "\u{440}rabowo", "prabowo", span: ("prabowo", "\u{440}rabowo")),
    .c("Greek rho in prabowo", "\u{3C1}rabowo", "prabowo"),
    .c("Cyrillic а at the end of gibran", "gibr\u{430}n", "gibran"),
    .c("Cyrillic а and е in anies", "\u{430}ni\u{435}s", "anies"),
    .c("elongation menaaaang", "menaaaang", "menang", span: ("menang", "menaaaang")),
    .c("elongation in capitals MENAAAANG", "MENAAAANG", "menang"),
    .c("elongation gasss", "gasss", "gas", span: ("gas", "gasss")),
    .c("elongation in capitals GASSSS", "GASSSS", "gas"),
    .c("elongation pilihhh", "pilihhh", "pilih"),
    .c("two elongations across a hyphen", "ganjaaar-mahfuuud", "ganjar mahfud", span: ("mahfud", "mahfuuud")),
    .c("two elongations in one word", "gassspolll", "gaspol"),
    .c("leet word before punctuation", "pr4bowo!", "prabowo", span: ("prabowo", "pr4bowo")),
    // Capital Cyrillic/Greek letters whose lower case has no ASCII skeleton (м, в, к, κ).
    .c("Cyrillic capital М in MD", "Mahfud \u{41C}D", "mahfud md", span: ("md", "\u{41C}D")),
    .c("Cyrillic capital В in BAWASLU", "\u{412}AWASLU", "bawaslu"),
    .c("Cyrillic capital К in KPU", "\u{41A}PU", "kpu"),
    .c("Cyrillic capitals А and М in AMIN", "\u{410}\u{41C}IN", "amin"),
]

// MARK: False friends

let normalizationTableFalseFriends: [NormalizationTableCase] = [
    .c("the prayer aamiin stays", "aamiin", "aamiin", span: ("aamiin", "aamiin")),
    .c("amin stays amin", "amin", "amin"),
    .c("AMIN in capitals is amin", "AMIN", "amin", span: ("amin", "AMIN")),
    .c("AMAN is not amin", "AMAN", "aman"),
    .c("amiin is the prayer", "amiin", "aamiin"),
    .c("Amiiin is the prayer", "Amiiin", "aamiin", span: ("aamiin", "Amiiin")),
    .c("long prayer spelling aaaamiiin", "aaaamiiin", "aamiin"),
    .c("prayer in capitals with Allah", "AMIIIN YA ALLAH", "aamiin ya allah"),
    .c("amien stays", "amien", "amien"),
    .c("amin and aamiin side by side", "amin,aamiin", "amin aamiin", span: ("aamiin", "aamiin")),
    .c("reduplication kawan2 keeps its 2", "kawan2", "kawan2", span: ("kawan2", "kawan2")),
    .c("reduplication with suffix kawan2nya", "kawan2nya", "kawan2nya"),
    .c("reduplication hati2", "hati2 ya", "hati2 ya"),
    .c("reduplication before ASN", "kawan2 ASN", "kawan2 asn"),
    .c("reduplications in a sentence", "orang2 dan anak2 ikut", "orang2 dan anak2 ikut", span: ("anak2", "anak2")),
    .c("reduplication in capitals", "ORANG2 ikut", "orang2 ikut"),
    .c("reduplication with a doubled letter", "saat2 itu", "saat2 itu"),
    .c("reduplication before a period", "hati2. Ayo", "hati2 ayo", sentences: [0, 1]),
    .c("final 0 after three letters is a letter: prabow0", "pilih prabow0 ya", "pilih prabowo ya", span: ("prabowo", "prabow0")),
    .c("reduplication digit followed by a number joiner stays a number", "pasal2.1 ok", "pasal2.1 ok"),
    .c("one letter and a digit: a2 stays", "a2 b3", "a2 b3"),
    .c("year 2024", "2024", "2024"),
    .c("ballot number 02", "02", "02"),
    .c("election date 14-02-2024", "14-02-2024", "14-02-2024", span: ("14-02-2024", "14-02-2024")),
    .c("money Rp50.000", "Rp50.000", "rp50.000", span: ("rp50.000", "Rp50.000")),
    .c("covid19 keeps its digits", "covid19", "covid19"),
    .c("4x stays", "4x", "4x"),
    .c("x2 stays", "x2", "x2"),
    .c("K3 stays", "K3", "k3"),
    .c("degree S1 stays", "S1", "s1"),
    .c("B2B stays", "B2B", "b2b"),
    .c("3in1 stays", "3in1", "3in1"),
    .c("mp3 stays", "mp3", "mp3"),
    .c("G20 stays", "G20", "g20"),
    .c("100rb stays", "100rb", "100rb"),
    .c("no1 stays", "no1", "no1"),
    .c("capres2 stays", "capres2", "capres2"),
    .c("tahap2 stays", "tahap2", "tahap2"),
    .c("ASN2024 stays", "ASN2024", "asn2024"),
    .c("PPK stays", "PPK", "ppk"),
    .c("KPPS stays", "KPPS", "kpps"),
    // A number written after a word is a number, not a letter.
    .c("paslon1 keeps its 1", "paslon1", "paslon1", span: ("paslon1", "paslon1")),
    .c("nomor3 keeps its 3", "nomor3", "nomor3"),
    .c("pilih1 keeps its 1", "pilih1", "pilih1"),
    // Civil-servant acronyms.
    .c("P3K (contract civil servants) stays", "P3K", "p3k", span: ("p3k", "P3K")),
    .c("PPPK (contract civil servants) stays", "PPPK", "pppk"),
]

// MARK: Real double letters and the word list

let normalizationTableDoubles: [NormalizationTableCase] = [
    .c("saat", "saat", "saat", span: ("saat", "saat")),
    .c("maaf", "maaf", "maaf"),
    .c("taat", "taat", "taat"),
    .c("sunnah", "sunnah", "sunnah", span: ("sunnah", "sunnah")),
    .c("Allah", "Allah", "allah", span: ("allah", "Allah")),
    .c("ALLAH in capitals", "ALLAH", "allah"),
    .c("insyaAllah splits at the capital", "insyaAllah", "insyaallah insya allah", span: ("allah", "Allah")),
    .c("tanggal", "tanggal", "tanggal"),
    .c("tinggi", "tinggi", "tinggi"),
    .c("Mekkah", "Mekkah", "mekkah"),
    .c("Masyaallah", "Masyaallah", "masyaallah"),
    .c("Innalillahi", "Innalillahi", "innalillahi"),
    .c("diikuti", "diikuti", "diikuti"),
    .c("SAAT in capitals", "SAAT", "saat"),
    .c("Maaf capitalized", "Maaf", "maaf"),
    .c("elongated ALLAAAH keeps its ll", "ALLAAAH", "allah", span: ("allah", "ALLAAAH")),
    .c("Allahu Akbar", "Allahu Akbar", "allahu akbar"),
    .c("hyphenated reduplication", "kawan-kawan", "kawan kawan"),
    .c("no word list: maaaaf → maf", "maaaaf", "maf", span: ("maf", "maaaaf")),
    .c("no word list: saaaat → sat", "saaaat", "sat"),
    .c("no word list: taaaat → tat", "taaaat", "tat"),
    .c("no word list: sunnnah → sunah", "sunnnah", "sunah"),
    .c("hmmm → hm", "hmmm", "hm"),
    .c("laughter wkwkwk stays", "wkwkwk", "wkwkwk"),
    .c("laughter hahaha stays", "hahaha", "hahaha"),
]

// MARK: Slang and word list (slang configuration)

let normalizationTableSlangCases: [NormalizationTableCase] = [
    .c("slang yg", "yg", "yang", span: ("yang", "yg"), slang: true),
    .c("slang YG in capitals", "YG", "yang", slang: true),
    .c("slang dgn", "dgn", "dengan", span: ("dengan", "dgn"), slang: true),
    .c("slang gk before a word", "gk mau", "enggak mau", span: ("enggak", "gk"), slang: true),
    .c("slang: aamiin is protected", "aamiin", "aamiin", slang: true),
    .c("slang: amin is protected", "amin", "amin", slang: true),
    .c("slang: kampret is protected", "kampret", "kampret", slang: true),
    .c("slang: Kampret! is protected", "Kampret!", "kampret", span: ("kampret", "Kampret"), slang: true),
    .c("slang after the prayer", "Aamiin yg penting", "aamiin yang penting", span: ("yang penting", "yg penting"), slang: true),
    .c("word list: maaaaf → maaf", "maaaaf", "maaf", span: ("maaf", "maaaaf"), slang: true),
    .c("word list: MAAAAF → maaf", "MAAAAF", "maaf", slang: true),
    .c("word list: saaaat → saat", "saaaat", "saat", slang: true),
    .c("word list: taaaat → taat", "taaaat", "taat", slang: true),
    .c("word list: menaaaang → menang", "menaaaang", "menang", slang: true),
    .c("word list: sunnnah not listed → sunah", "sunnnah", "sunah", slang: true),
    .c("slang in a hashtag part", "#YgPenting", "#ygpenting yang penting", span: ("yang", "Yg"), slang: true),
    .c("slang in a camel-case part", "DgnTegas", "dgntegas dengan tegas", slang: true),
    .c("elongated slang yggg", "yggg", "yang", span: ("yang", "yggg"), slang: true),
    .c("slang: protected name Anies", "Anies", "anies", slang: true),
    .c("slang key with a digit is not slang", "yg2", "yg2", slang: true),
    .c("two slang words", "yg, dgn", "yang dengan", slang: true),
    .c("two single letters are not joined", "y g", "y g", slang: true),
    .c("slang: spaced prayer", "a a m i i n", "aamiin", span: ("aamiin", "a a m i i n"), slang: true),
    .c("slang before an emoji", "dgn✌️", "dengan ✌", slang: true),
]

// MARK: Numbers and dates

let normalizationTableNumbers: [NormalizationTableCase] = [
    .c("date with slashes", "14/02/2024", "14/02/2024", span: ("14/02/2024", "14/02/2024")),
    .c("date with dots", "14.02.2024", "14.02.2024"),
    .c("date 30/11/2023", "30/11/2023", "30/11/2023"),
    .c("time with colon", "jam 7:00", "jam 7:00", span: ("7:00", "7:00")),
    .c("time with dot", "jam 08.00 WIB", "jam 08.00 wib"),
    .c("money with cents", "Rp 50.000,00", "rp 50.000,00", span: ("50.000,00", "50.000,00")),
    .c("decimal comma", "Rp 1,5 juta", "rp 1,5 juta"),
    .c("Rp. prefix splits", "Rp.50.000", "rp 50.000", span: ("50.000", "50.000")),
    .c("Rp50rb stays", "Rp50rb", "rp50rb"),
    .c("percent sign dropped", "50%", "50"),
    .c("million", "1.000.000", "1.000.000"),
    .c("phone number", "0812-3456-7890", "0812-3456-7890", span: ("0812-3456-7890", "0812-3456-7890")),
    .c("No. 2", "No. 2", "no 2"),
    .c("no.1 after coblos", "coblos no.1", "coblos no 1", span: ("no 1", "no.1")),
    .c("spaced hyphen between numbers", "1 - 2", "1 2"),
    .c("day range", "13-14 Feb", "13-14 feb"),
    .c("year range", "2019-2024", "2019-2024"),
    .c("country code", "+62 812", "62 812"),
    .c("superscript digits", "¹²³", "123"),
    .c("circled digit two", "②", "2"),
    .c("Roman numeral two", "Ⅱ", "ii"),
    .c("year then period", "2024.", "2024"),
    .c("written date", "tanggal 14 februari 2024", "tanggal 14 februari 2024",
       span: ("14 februari 2024", "14 februari 2024")),
    .c("keycap digits spell one number", "0\u{FE0F}\u{20E3}2\u{FE0F}\u{20E3}", "02"),
    .c("keycap year", "2️⃣0️⃣2️⃣4️⃣", "2024"),
]

// MARK: Gesture emoji

let normalizationTableGestures: [NormalizationTableCase] = [
    .c("index pointing up", "☝️", "☝", span: ("☝", "☝")),
    .c("index pointing up, light skin", "☝🏻", "☝"),
    .c("backhand index up, medium skin", "👆🏽", "👆"),
    .c("victory hand", "✌️", "✌"),
    .c("victory hand, light skin", "✌🏻", "✌", span: ("✌", "✌")),
    .c("victory hand, dark skin", "✌🏿", "✌"),
    .c("love-you gesture, medium-light skin", "🤟🏼", "🤟"),
    .c("sign of the horns, medium-dark skin", "🤘🏾", "🤘"),
    .c("OK hand, medium skin", "👌🏽", "👌"),
    .c("thumbs up, dark skin", "👍🏿", "👍"),
    .c("hand with index and thumb crossed", "🫰🏼", "🫰"),
    .c("raised hand, light skin", "✋🏻", "✋"),
    .c("hand with fingers splayed", "🖐️", "🖐"),
    .c("hand with fingers splayed, medium skin", "🖐🏽", "🖐"),
    .c("keycap one", "1️⃣", "1", span: ("1", "1")),
    .c("keycap two after nomor", "nomor 2️⃣", "nomor 2", span: ("2", "2")),
    .c("keycap three before a word", "3️⃣ menang", "3 menang"),
    .c("victory hand after a word", "gas✌️", "gas ✌", span: ("✌", "✌")),
    .c("three victory hands", "✌️✌️✌️", "✌ ✌ ✌"),
    .c("victory hand then number", "✌️02", "✌ 02", span: ("02", "02")),
    .c("three thumbs with skin tones", "👍🏻👍🏼👍🏽", "👍 👍 👍"),
    .c("index up then keycap one", "☝️1️⃣", "☝ 1"),
    .c("two open hands with skin tones", "🖐🏿✋🏾", "🖐 ✋"),
    .c("love-you and horns", "🤟🏻🤘🏻", "🤟 🤘"),
    .c("crossed fingers before a word", "🫰🏻 love", "🫰 love", span: ("love", "love")),
    .c("index up after a word", "salam☝️", "salam ☝", span: ("salam", "salam")),
    .c("number then index up", "01☝️", "01 ☝"),
    .c("keycap glued to a word", "pilih2️⃣", "pilih 2"),
    .c("keycap one glued to a word", "gas1️⃣", "gas 1", span: ("1", "1")),
]

// MARK: Mixed scripts

let normalizationTableScripts: [NormalizationTableCase] = [
    .c("Cyrillic word stays Cyrillic", "Путин", "путин", span: ("путин", "Путин")),
    .c("Cyrillic transliteration stays Cyrillic", "ПРАБОВО", "прабово"),
    .c("all-Cyrillic ANIES stays Cyrillic", "\u{410}\u{41D}\u{418}\u{415}\u{421}", "\u{430}\u{43D}\u{438}\u{435}\u{441}"),
    .c("Greek word loses accents, stays Greek", "Ελλάδα", "ελλαδα", span: ("ελλαδα", "Ελλάδα")),
    .c("all-Greek AMIN stays Greek", "ΑΜΙΝ", "αμιν"),
    .c("Cyrillic phrase", "мир и труд", "мир и труд"),
    .c("Arabic word", "مرحبا", "مرحبا"),
    .c("Chinese word", "中文", "中文"),
    .c("homoglyph word then Cyrillic word", "pr\u{430}bowo Путин", "prabowo путин", span: ("путин", "Путин")),
    .c("Cyrillic letter without ASCII look-alike stays", "ka\u{444}e", "ka\u{444}e"),
    .c("Greek Alpha in amin", "\u{391}min", "amin", span: ("amin", "\u{391}min")),
]

// MARK: Hashtags and camel case

let normalizationTableHashtags: [NormalizationTableCase] = [
    .c("hashtag kept whole and split", "#PrabowoGibran2024", "#prabowogibran2024 prabowo gibran 2024", span: ("gibran", "Gibran")),
    .c("all-caps hashtag not split", "#AMIN", "#amin", span: ("#amin", "#AMIN")),
    .c("lower-case hashtag with year not split", "#amin2024", "#amin2024"),
    .c("lower-case hashtag not split", "#ganjarmahfud", "#ganjarmahfud"),
    .c("all-caps hashtag GANJARMAHFUD not split", "#GANJARMAHFUD", "#ganjarmahfud"),
    .c("camel case word", "PrabowoGibran", "prabowogibran prabowo gibran", span: ("prabowo gibran", "PrabowoGibran")),
    .c("hashtag with year", "#Pilpres2024", "#pilpres2024 pilpres 2024", span: ("2024", "2024")),
    .c("hashtag of two names", "#AniesMuhaimin", "#aniesmuhaimin anies muhaimin"),
    .c("all-caps hashtag splits only at the year", "#AMIN2024", "#amin2024 amin 2024"),
    .c("hashtag starting with a year", "#2024GantiPresiden", "#2024gantipresiden 2024 ganti presiden"),
    .c("one-letter part keeps the word whole", "iPhone", "iphone"),
    .c("McDonald", "McDonald", "mcdonald mc donald"),
    .c("camel case names", "GanjarMahfud", "ganjarmahfud ganjar mahfud"),
    .c("three camel-case parts", "PilihPrabowoGibran", "pilihprabowogibran pilih prabowo gibran"),
    .c("underscore ends a hashtag", "#Ganjar_Mahfud", "#ganjar mahfud", span: ("mahfud", "Mahfud")),
    .c("hyphen ends a hashtag", "#prabowo-gibran", "#prabowo gibran"),
    .c("double hash", "##AMIN", "#amin"),
    .c("plain hashtags between words", "ayo #Politik dan #JARINGAN kita", "ayo #politik dan #jaringan kita", span: ("#politik", "#Politik")),
    .c("plain hashtag after a comma ends nothing", "Ayo, #coblos. Lanjut", "ayo #coblos lanjut", sentences: [0, 2]),
    .c("hashtag of the prayer's shape is the prayer", "ayo #amiin", "ayo #aamiin", span: ("#aamiin", "#amiin")),
    .c("hashtag right after a word", "ayo#Pilih sekarang", "ayo #pilih sekarang"),
    .c("hashtag before a non-ASCII letter", "ayo #Ganjaré", "ayo #ganjare"),
    .c("hashtag with an elongation", "ayo #menaaang", "ayo #menang"),
    .c("hash before an emoji is dropped", "#✌️", "✌"),
    .c("styled hashtag", "#𝐆𝐀𝐍𝐉𝐀𝐑", "#ganjar", span: ("#ganjar", "#𝐆𝐀𝐍𝐉𝐀𝐑")),
    .c("fullwidth hashtag", "#ＰＩＬＩＨ", "#pilih"),
    .c("number hashtag", "#02", "#02"),
    .c("lower-case o in a number hashtag", "#o2", "#02"),
    .c("hashtag with number part", "#GasPol02", "#gaspol02 gas pol 02"),
    .c("acronym before a word is not split", "ASNNetral", "asnnetral"),
    .c("lower-case hashtag with inner year", "#pemilu2024damai", "#pemilu2024damai"),
    .c("hash inside a word starts a hashtag", "anak#AMIN", "anak #amin"),
    .c("two hashtags", "#AniesBaswedan #MuhaiminIskandar",
       "#aniesbaswedan anies baswedan #muhaiminiskandar muhaimin iskandar", span: ("muhaimin iskandar", "MuhaiminIskandar")),
    .c("mention and hashtag", "@KPU_ID #Pemilu2024", "kpu id #pemilu2024 pemilu 2024"),
    .c("hashtag O2 is the number 02", "#O2", "#02", span: ("#02", "#O2")),
    .c("hashtag O1 is the number 01", "#O1", "#01"),
    .c("hashtag with a candidate number", "#Paslon1", "#paslon1 paslon 1"),
    .c("hashtag with a number between capitals: parts keep the number", "#Jokowi3Periode", "#jokowieperiode jokowi 3 periode"),
]

// MARK: Punctuation, URLs, mentions, line breaks

let normalizationTablePunctuation: [NormalizationTableCase] = [
    .c("mention", "@prabowo", "prabowo", span: ("prabowo", "prabowo")),
    .c("mention with underscore", "@Gerindra_ID", "gerindra id"),
    .c("mentions with camel case", "cc @aniesbaswedan @cakimiNOW", "cc aniesbaswedan cakiminow cakimi now"),
    .c("URL", "https://www.kpu.go.id/pemilu", "https www kpu go id pemilu", span: ("kpu go id", "kpu.go.id")),
    .c("short link", "bit.ly/abc123", "bit ly abc123"),
    .c("e-mail address", "email: asn@kemendagri.go.id", "email asn kemendagri go id"),
    .c("curly quotes", "“Prabowo”", "prabowo", span: ("prabowo", "Prabowo")),
    .c("parentheses", "(02)", "02"),
    .c("comma without space", "ganjar,mahfud", "ganjar mahfud"),
    .c("colon before a number", "pilih:02", "pilih 02"),
    .c("numbered item without space", "2.Prabowo", "2 prabowo"),
    .c("ellipsis character", "Prabowo…", "prabowo"),
    .c("repeated exclamation marks", "dukung 02!!!", "dukung 02", span: ("dukung 02", "dukung 02")),
    .c("apostrophe s", "Prabowo's", "prabowo s"),
    .c("curly apostrophe", "Ma’ruf", "ma ruf"),
    .c("tab", "tab\tseparated", "tab separated"),
    .c("em dash", "ayo—pilih", "ayo pilih"),
    .c("spaced en dash", "Prabowo – Gibran", "prabowo gibran", span: ("prabowo gibran", "Prabowo – Gibran")),
    .c("guillemets", "«Prabowo»", "prabowo"),
    .c("emoji between words", "emoji✌️text", "emoji ✌ text", span: ("text", "text")),
    .c("line separator", "pilih\u{2028}02", "pilih 02"),
    .c("three dots", "Ayo... coblos", "ayo coblos"),
]

// MARK: Sentences

let normalizationTableSentences: [NormalizationTableCase] = [
    .c("period and exclamation end sentences", "Ayo coblos. Pilih 02!", "ayo coblos pilih 02", sentences: [0, 2]),
    .c("no. 2 does not end a sentence", "nomor urut no. 2 ya", "nomor urut no 2 ya", sentences: [0]),
    .c("line breaks end sentences", "Halo\nPilih 02\nGas", "halo pilih 02 gas", span: ("pilih 02", "Pilih 02"), sentences: [0, 1, 3]),
    .c("question and exclamation marks", "Menang? Pasti! ok", "menang pasti ok", sentences: [0, 1, 2]),
    .c("period before a capital", "Menang. Ayo", "menang ayo", sentences: [0, 1]),
    .c("period after a number", "sudah 2.000. Ayo", "sudah 2.000 ayo", sentences: [0, 2]),
    .c("numbered list", "tulis:\n1. ayo\n2. coblos", "tulis 1 ayo 2 coblos", sentences: [0, 1, 3]),
    .c("?! together", "Ayo?! Coblos", "ayo coblos", sentences: [0, 1]),
    .c("CRLF", "satu\r\ndua", "satu dua", sentences: [0, 1]),
    .c("escaped line break between sentences", #"Mantap.\nPrabowo Gibran menang"#, "mantap prabowo gibran menang",
       span: ("prabowo gibran", "Prabowo Gibran"), sentences: [0, 1]),
    .c("escaped line break before a lower-case word", #"pilih\n02 ya"#, "pilih 02 ya", span: ("02", "02"), sentences: [0, 1]),
    .c("two escaped line breaks", #"Halo\n\nSementara itu"#, "halo sementara itu", sentences: [0, 1]),
    .c("escaped CRLF and tab", #"satu\r\ndua\ttiga"#, "satu dua tiga", sentences: [0, 1]),
    .c("escaped line break inside a hashtag's text", #"#Ganjar\nMenang"#, "#ganjar menang", sentences: [0, 1]),
    .c("backslash before another letter stays a separator", #"kata\xyz"#, "kata xyz", sentences: [0]),
    .c("escaped line break after spaced letters", #"A M I N\nPilih"#, "amin pilih", sentences: [0, 1]),
    .c("ideographic full stop", "Ayo coblos。次", "ayo coblos 次", sentences: [0, 2]),
    .c("sentence start kept before spaced letters", "Ayo coblos. P r a b o w o menang", "ayo coblos prabowo menang",
       span: ("prabowo", "P r a b o w o"), sentences: [0, 2]),
    .c("sentence start kept after dotted letters", "A.M.I.N\nPilih", "amin pilih", sentences: [0, 1]),
    .c("honorific K.H. does not end a sentence", "dukung K.H. Ma'ruf Amin", "dukung k h ma ruf amin", sentences: [0]),
]

// MARK: Mojibake as it comes in (the readers repair it; the normalizer does not)

let normalizationTableMojibake: [NormalizationTableCase] = [
    .c("mojibake victory hand", "âœŒï¸ 02", "aoeoei 02", span: ("02", "02")),
    .c("mojibake en dash", "Pemilu 2024 â€“ ayo", "pemilu 2024 a € ayo"),
    .c("mojibake é", "CafÃ©", "cafa c"),
    .c("mojibake thumbs up", "ðŸ‘ mantap", "dy mantap", span: ("mantap", "mantap")),
    .c("mojibake apostrophe", "Ganjarâ€™s", "ganjara € tms"),
    .c("mojibake superscript two", "kitaÂ² juga", "kitaa2 juga"),
    .c("Meta byte escapes of é", "Jos\u{00C3}\u{00A9}", "josa c"),
    .c("Meta byte escapes of victory hand", "\u{00E2}\u{009C}\u{008C}\u{00EF}\u{00B8}\u{008F} 02", "ai 02"),
    .c("triple-encoded quote", "Ã¢â‚¬Å“Gas", "a ¢ a ¬ a gas", span: ("gas", "Gas")),
]

let normalizationTableCases: [NormalizationTableCase] =
    normalizationTableEvasions + normalizationTableFalseFriends + normalizationTableDoubles
    + normalizationTableSlangCases + normalizationTableNumbers + normalizationTableGestures
    + normalizationTableScripts + normalizationTableHashtags + normalizationTablePunctuation
    + normalizationTableSentences + normalizationTableMojibake

@Test("normalization table: normalized text", arguments: normalizationTableCases)
func normalizationTableText(_ c: NormalizationTableCase) {
    let result = c.normalizer().normalize(c.input)
    #expect(result.string == c.normalized)
    let map = result.sourceMap()
    let scalars = Int32(c.input.unicodeScalars.count)
    for i in result.bytes.indices {
        #expect(map.starts[i] >= 0 && map.starts[i] <= map.ends[i] && map.ends[i] <= scalars)
        #expect(result.originalSpan(of: i..<(i + 1)) == Span(start: Int(map.starts[i]), end: Int(map.ends[i])))
    }
}

@Test("normalization table: normalizing the output again changes nothing", arguments: normalizationTableCases)
func normalizationTableIdempotent(_ c: NormalizationTableCase) {
    let normalizer = c.normalizer()
    let once = normalizer.normalize(c.input).string
    #expect(normalizer.normalize(once).string == once)
}

@Test("normalization table: evidence spans", arguments: normalizationTableCases.filter { $0.span != nil })
func normalizationTableSpans(_ c: NormalizationTableCase) throws {
    let span = try #require(c.span)
    let result = c.normalizer().normalize(c.input)
    let needle = Array(span.part.utf8)
    let found = normalizationTableTokenOffset(of: needle, in: result.bytes)
    let start = try #require(found, "\(span.part) is not whole tokens of \(result.string)")
    let original = result.originalSpan(of: start..<(start + needle.count))
    #expect(c.input.scalarSubstring(original) == span.original)
}

/// The byte offset of `needle` in `bytes` where it is whole tokens (at the start or after a
/// space, and at the end or before a space), or nil.
func normalizationTableTokenOffset(of needle: [UInt8], in bytes: [UInt8]) -> Int? {
    guard !needle.isEmpty, bytes.count >= needle.count else { return nil }
    for i in 0...(bytes.count - needle.count) {
        guard bytes[i..<(i + needle.count)].elementsEqual(needle) else { continue }
        let startsToken = i == 0 || bytes[i - 1] == 0x20
        let endsToken = i + needle.count == bytes.count || bytes[i + needle.count] == 0x20
        if startsToken && endsToken { return i }
    }
    return nil
}

@Test("normalization table: sentence starts", arguments: normalizationTableCases.filter { $0.sentences != nil })
func normalizationTableSentenceStarts(_ c: NormalizationTableCase) throws {
    let expected = try #require(c.sentences)
    let result = c.normalizer().normalize(c.input)
    #expect(result.sentenceStarts == expected)
}

@Test("normalization table: enough named cases")
func normalizationTableSize() {
    #expect(normalizationTableCases.count >= 160)
    #expect(normalizationTableCases.filter { $0.span != nil }.count >= 60)
    #expect(Set(normalizationTableCases.map(\.name)).count == normalizationTableCases.count, "case names are unique")
}
