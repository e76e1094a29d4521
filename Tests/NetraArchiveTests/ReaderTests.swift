import Foundation
import NetraArchive
import NetraCore
import Testing

// Unit tables for the export readers, on synthetic inputs written here (no shared files).

struct Case: CustomTestStringConvertible, Sendable {
    var name: String
    var file: String
    var input: String
    /// The expected events, one `describe` line each (paths are the file name).
    var expected: [String]
    var testDescription: String { name }
}

let readerCases: [Case] = [
    .init(name: "Facebook post with Meta mojibake, a text-less post and a media description",
          file: "your_posts_1.json",
          input: #"[{"timestamp":1705752300,"data":[{"post":"Ayo \u00f0\u009f\u0099\u008f"}],"title":"x"},"#
            + #"{"timestamp":1703905200,"data":[{"update_timestamp":1703905200}]},"#
            + #"{"timestamp":1703905201,"attachments":[{"data":[{"media":{"description":"Caption caf\u00c3\u00a9"}}]}]}]"#,
          expected: [
            #"your_posts_1.json:1 post at=1705752300 date=2024-01-20 text="Ayo 🙏""#,
            #"your_posts_1.json:2 post at=1703905200 date=2023-12-30 text="""#,
            #"your_posts_1.json:3 post at=1703905201 date=2023-12-30 text="Caption café""#,
          ]),
    .init(name: "Meta escapes that are not UTF-8 bytes are kept as written (Latin-1 é); mixed strings are left to MojibakeRepair",
          file: "your_posts_2.json",
          input: #"[{"timestamp":1705752300,"data":[{"post":"caf\u00e9 \u00c3"}]},{"timestamp":1705752300,"data":[{"post":"ok \ud83d\ude4f \u00e2\u0080\u0093"}]}]"#,
          expected: [
            #"your_posts_2.json:1 post at=1705752300 date=2024-01-20 text="café Ã""#,
            #"your_posts_2.json:2 post at=1705752300 date=2024-01-20 text="ok 🙏 –""#,
          ]),
    .init(name: "Facebook comments: target and group from the title, group from comment.group",
          file: "comments.json",
          input: #"{"comments_v2":[{"timestamp":1,"data":[{"comment":{"timestamp":1705295400,"comment":"Setuju","author":"R"}}],"title":"R mengomentari kiriman Ahmad Fauzi."},"#
            + #"{"timestamp":1705295400,"data":[{"comment":{"timestamp":1705295400,"comment":"ok","author":"R","group":"Grup A"}}],"title":"R commented on Budi's post."},"#
            + #"{"timestamp":1705295400,"data":[{"comment":{"comment":"x"}}],"title":"R mengomentari kiriman Yanto di Info Loker."}]}"#,
          expected: [
            #"comments.json:1 comment at=1705295400 date=2024-01-15 text="Setuju" target=(Optional("Ahmad Fauzi"), Optional("R mengomentari kiriman Ahmad Fauzi."))"#,
            #"comments.json:2 comment at=1705295400 date=2024-01-15 text="ok" target=(Optional("Budi"), Optional("R commented on Budi\'s post.")) group="Grup A""#,
            #"comments.json:3 comment at=1705295400 date=2024-01-15 text="x" target=(Optional("Yanto"), Optional("R mengomentari kiriman Yanto di Info Loker.")) group="Info Loker""#,
          ]),
    .init(name: "Facebook reactions, older form (title only) and reactions_v2 wrapper",
          file: "likes_and_reactions_1.json",
          input: #"[{"timestamp":1706447700,"data":[{"reaction":{"reaction":"LIKE","actor":"R"}}],"title":"R menyukai kiriman Prabowo Subianto."}]"#,
          expected: [#"likes_and_reactions_1.json:1 reaction at=1706447700 date=2024-01-28 text="" target=(Optional("Prabowo Subianto"), Optional("R menyukai kiriman Prabowo Subianto."))"#]),
    .init(name: "Facebook reactions, old wrapper reactions_v2",
          file: "posts_and_comments.json",
          input: #"{"reactions_v2":[{"timestamp":1706447700,"data":[{"reaction":{"reaction":"LOVE"}}],"title":"R likes Ganjar's post."}]}"#,
          expected: [#"posts_and_comments.json:1 reaction at=1706447700 date=2024-01-28 text="" target=(Optional("Ganjar"), Optional("R likes Ganjar\'s post."))"#]),
    .init(name: "Facebook reactions, 2025 label_values form (labels localised, not matched)",
          file: "likes_and_reactions.json",
          input: #"[{"timestamp":1731420180,"media":[],"label_values":[{"label":"Reaksi","value":"Suka"},{"label":"URL","value":"https://x/y","href":"https://x/y"},{"title":"Pemilik","dict":[{"label":"Nama","value":"Paslon 2"}]}],"fbid":"12"}]"#,
          expected: [#"likes_and_reactions.json:1 reaction id=12 at=1731420180 date=2024-11-12 text="" target=(Optional("Paslon 2"), nil)"#]),
    .init(name: "Facebook posts on other pages, label_values form",
          file: "posts_on_other_pages_and_profiles.json",
          input: #"[{"timestamp":1731420180,"label_values":[{"label":"Teks","value":"Coblos nomor 2"},{"label":"URL","value":"https://x","href":"https://x"},{"title":"Pemilik","dict":[{"label":"Nama","value":"Halaman B"}]}],"fbid":"7"}]"#,
          expected: [#"posts_on_other_pages_and_profiles.json:1 post id=7 at=1731420180 date=2024-11-12 text="Coblos nomor 2" target=(Optional("Halaman B"), nil)"#]),
    .init(name: "Facebook memberships: v2 with a leave event, and the oldest groups_joined",
          file: "your_group_membership_activity.json",
          input: #"{"groups_joined_v2":[{"timestamp":1701483240,"data":[{"name":"Relawan A"}],"title":"Anda menjadi anggota Relawan A."},{"timestamp":1708387200,"title":"Anda berhenti menjadi anggota Relawan A."}],"#
            + #""groups_joined":[{"title":"Grup Lama","timestamp":1500000000}],"group_badges_v2":{"Grup \u00c3\u00a9":["x"]}}"#,
          expected: [
            #"your_group_membership_activity.json:1 group at=1701483240 date=2023-12-02 text="" group="Relawan A""#,
            "your_group_membership_activity.json:2 not judged: group_left",
            #"your_group_membership_activity.json:1 group at=1500000000 date=2017-07-14 text="" group="Grup Lama""#,
          ]),
    .init(name: "Facebook group posts: the group only in the title",
          file: "group_posts_and_comments.json",
          input: #"{"group_posts_v2":[{"timestamp":1706187600,"data":[{"post":"Bawa atribut"}],"title":"R memposting di Relawan B."}]}"#,
          expected: [#"group_posts_and_comments.json:1 post at=1706187600 date=2024-01-25 text="Bawa atribut" group="Relawan B""#]),
    .init(name: "Facebook pages liked, followed, unfollowed; people followed; profile",
          file: "pages_you_ve_liked.json",
          input: #"{"page_likes_v2":[{"name":"Anies Baswedan","timestamp":1701266400}],"pages_followed_v2":[{"timestamp":1702177200,"data":[{"name":"Gibran"}],"title":"Gibran"}],"#
            + #""pages_unfollowed_v2":[{"timestamp":1,"data":[{"name":"X"}]}],"following_v3":[{"name":"Ganjar","timestamp":1701349200}],"profile_v2":{"name":{"full_name":"R"},"intro_bio":"Guru"}}"#,
          expected: [
            #"pages_you_ve_liked.json:1 page at=1701266400 date=2023-11-29 text="" target=(Optional("Anies Baswedan"), nil)"#,
            #"pages_you_ve_liked.json:1 page at=1702177200 date=2023-12-10 text="" target=(Optional("Gibran"), nil)"#,
            "pages_you_ve_liked.json:1 not judged: page_unfollowed",
            #"pages_you_ve_liked.json:1 follow at=1701349200 date=2023-11-30 text="" target=(Optional("Ganjar"), nil)"#,
            #"pages_you_ve_liked.json:1 profile text="Guru""#,
          ]),
    .init(name: "Instagram posts: caption in media[0].title or at the top (carousel)",
          file: "posts_1.json",
          input: #"[{"media":[{"uri":"a","creation_timestamp":1705831200,"title":"Satu \u00f0\u009f\u0094\u00a5"}]},{"media":[{"uri":"b","creation_timestamp":1,"title":""},{"uri":"c","title":""}],"title":"Dua","creation_timestamp":1706320800}]"#,
          expected: [
            #"posts_1.json:1 post at=1705831200 date=2024-01-21 text="Satu 🔥""#,
            #"posts_1.json:2 post at=1706320800 date=2024-01-27 text="Dua""#,
          ]),
    .init(name: "Instagram comments: string_map_data keys matched ignoring case",
          file: "post_comments_1.json",
          input: #"[{"string_map_data":{"comment":{"value":"02 satu putaran"},"Media Owner":{"value":"prabowo"},"TIME":{"timestamp":1706796720}}}]"#,
          expected: [#"post_comments_1.json:1 comment at=1706796720 date=2024-02-01 text="02 satu putaran" target=(Optional("prabowo"), nil)"#]),
    .init(name: "Instagram comments, older comments_media_comments",
          file: "post_comments.json",
          input: #"{"comments_media_comments":[{"title":"owner","string_list_data":[{"value":"Mantap","timestamp":1706796720}]}]}"#,
          expected: [#"post_comments.json:1 comment at=1706796720 date=2024-02-01 text="Mantap" target=(Optional("owner"), nil)"#]),
    .init(name: "Instagram likes and follows (2024 value, 2025 title, href only)",
          file: "following.json",
          input: #"{"likes_media_likes":[{"title":"aniesbaswedan","string_list_data":[{"href":"h","value":"\u00f0\u009f\u0091\u008d","timestamp":1706619600}]}],"#
            + #""relationships_following":[{"title":"","string_list_data":[{"value":"ganjar","timestamp":1701432000}]},{"title":"kemen","string_list_data":[{"timestamp":1622509200}]},"#
            + #"{"string_list_data":[{"href":"https://www.instagram.com/_u/relawan","timestamp":1622509200}]}]}"#,
          expected: [
            #"following.json:1 reaction at=1706619600 date=2024-01-30 text="" target=(Optional("aniesbaswedan"), nil)"#,
            #"following.json:1 follow at=1701432000 date=2023-12-01 text="" target=(Optional("ganjar"), nil)"#,
            #"following.json:2 follow at=1622509200 date=2021-06-01 text="" target=(Optional("kemen"), nil)"#,
            #"following.json:3 follow at=1622509200 date=2021-06-01 text="" target=(Optional("relawan"), nil)"#,
          ]),
    .init(name: "X tweets: window.YTD prefix, HTML entities, retweet as a share, reply",
          file: "tweets-part1.js",
          input: "window.YTD.tweets.part1 = [\n  {\n    \"tweet\" : {\n      \"id_str\" : \"1\",\n      \"created_at\" : \"Thu Jan 18 13:05:00 +0000 2024\",\n      \"full_text\" : \"A &amp; B &lt;3 &#128175;\"\n    }\n  },"
            + #" {"tweet":{"id_str":"2","created_at":"Sat Jan 20 11:00:00 +0000 2024","full_text":"RT @relawan: Ganjar-Mahfud!","entities":{"hashtags":[ ]}}},"#
            + #" {"tweet":{"id_str":"3","full_text":"@bkn min","in_reply_to_screen_name":"bkn"}} ]"#,
          expected: [
            #"tweets-part1.js:1 post id=1 at=Thu Jan 18 13:05:00 +0000 2024 date=2024-01-18 text="A & B <3 💯""#,
            #"tweets-part1.js:2 share id=2 at=Sat Jan 20 11:00:00 +0000 2024 date=2024-01-20 text="" target=(Optional("relawan"), Optional("Ganjar-Mahfud!"))"#,
            #"tweets-part1.js:3 reply id=3 text="@bkn min" target=(Optional("bkn"), nil)"#,
          ]),
    .init(name: "X likes and following (ids only)",
          file: "like.js",
          input: #"window.YTD.like.part0 = [ {"like":{"tweetId":"9","fullText":"Coblos 02 &amp; menang"}}, {"following":{"accountId":"5"}} ];"#,
          expected: [
            #"like.js:1 reaction id=9 text="" target=(nil, Optional("Coblos 02 & menang"))"#,
            #"like.js:2 follow id=5 text="" target=(nil, nil)"#,
          ]),
    .init(name: "TikTok, 2025 section names",
          file: "user_data_tiktok.json",
          input: #"{"Your Activity":{"Following":{"Following":[{"Date":"2023-12-03 12:00:41","UserName":"relawan"}]},"Like List":{"ItemFavoriteList":null}},"#
            + #""Post":{"Posts":{"VideoList":[{"Date":"2024-02-10 19:30:00","Title":"Masa tenang"}]}},"Comment":{"Comments":{"CommentsList":[{"date":"2024-01-26 13:07:16","comment":"01 menang"}]}},"#
            + #""Profile":{"Profile Info":{"ProfileMap":{"userName":"rina","bioDescription":"Guru SD"}}}}"#,
          expected: [
            #"user_data_tiktok.json:1 follow at=2023-12-03 12:00:41 date=2023-12-03 text="" target=(Optional("relawan"), nil)"#,
            #"user_data_tiktok.json:2 post at=2024-02-10 19:30:00 date=2024-02-10 text="Masa tenang""#,
            #"user_data_tiktok.json:3 comment at=2024-01-26 13:07:16 date=2024-01-26 text="01 menang""#,
            #"user_data_tiktok.json:4 profile id=rina text="Guru SD""#,
          ]),
    .init(name: "WhatsApp Android id-ID: system lines, multi-line message, media with a caption, edited, deleted",
          file: "Chat WhatsApp dengan Grup.txt",
          input: "02/01/24 07.30 - Pesan dan panggilan terenkripsi secara end-to-end. Ketuk untuk info selengkapnya.\n"
            + "02/01/24 07.31 - Sekcam membuat grup \"Grup\"\n"
            + "13/01/24 20.13 - Budi: coblos 02 ya\nbiar satu putaran\n"
            + "14/01/24 06.05 - Budi: Pesan ini telah dihapus\n"
            + "14/01/24 06.10 - +62 812-0000-1234: IMG-20240110-WA0003.jpg (file terlampir)\nPoster posyandu\n"
            + "14/01/24 06.11 - Dewi: <Media tidak disertakan>\n"
            + "14/01/24 06.12 - Rina: Jam: 08.00 <Pesan ini telah diedit>",
          expected: [
            "Chat WhatsApp dengan Grup.txt:1 not judged: whatsapp_system_line",
            "Chat WhatsApp dengan Grup.txt:2 not judged: whatsapp_system_line",
            #"Chat WhatsApp dengan Grup.txt:3 message at=2024-01-13T20:13:00 date=2024-01-13 text="coblos 02 ya\nbiar satu putaran""#,
            "Chat WhatsApp dengan Grup.txt:5 not judged: whatsapp_deleted",
            #"Chat WhatsApp dengan Grup.txt:6 message at=2024-01-14T06:10:00 date=2024-01-14 text="Poster posyandu""#,
            "Chat WhatsApp dengan Grup.txt:8 not judged: whatsapp_media",
            #"Chat WhatsApp dengan Grup.txt:9 message at=2024-01-14T06:12:00 date=2024-01-14 text="Jam: 08.00""#,
          ]),
    .init(name: "WhatsApp iOS, Indonesian language with US region (month first), CRLF and U+200E",
          file: "_chat.txt",
          input: "[3/18/22 14.56.01] Grup: \u{200E}Pesan dan panggilan terenkripsi secara end-to-end.\r\n"
            + "\u{200E}[3/27/22 21.41.35] Dmitry: \u{200E}gambar tidak disertakan\r\n"
            + "[3/27/22 21.42.00] Dmitry: Halo\r\nbaris dua\r\n",
          expected: [
            "_chat.txt:1 not judged: whatsapp_system_line",
            "_chat.txt:2 not judged: whatsapp_media",
            #"_chat.txt:3 message at=2022-03-27T21:42:00 date=2022-03-27 text="Halo\nbaris dua""#,
          ]),
    .init(name: "CSV: header names the text column, quoted fields across lines, doubled quotes",
          file: "posts.csv",
          input: "id,created_at,full_text,kind\r\na,2024-01-17T13:05:00+07:00,\"Gas \"\"pak\"\"\nbaris dua\",comment\r\nb,1705295400,Halo,\n\nc,,x,tweet\n",
          expected: [
            #"posts.csv:2 comment id=a at=2024-01-17T13:05:00+07:00 date=2024-01-17 text="Gas \"pak\"\nbaris dua""#,
            #"posts.csv:4 post id=b at=1705295400 date=2024-01-15 text="Halo""#,
            "posts.csv:6 skipped unknown_kind: unknown kind 'tweet'",
          ]),
    .init(name: "CSV without a text column is refused",
          file: "bad.csv",
          input: "id,isi_lain\n1,x\n",
          expected: ["problem csv_no_text_column: bad.csv:1: the header names no text column (one of: text, full_text, content, message, comment, caption, tweet, body, isi, teks, konten)"]),
    .init(name: "Malformed JSON: records before the error are kept, the file is reported",
          file: "comments.json",
          input: #"{"comments_v2":[{"timestamp":1705295400,"data":[{"comment":{"comment":"a"}}]}, {"timestamp": tru"#,
          expected: [
            #"comments.json:1 comment at=1705295400 date=2024-01-15 text="a""#,
            "problem malformed_json: comments.json: not valid JSON: unexpected end of the JSON data at byte 93; the rest of this file was not screened",
          ]),
]

@Test("readers produce the expected records", arguments: readerCases)
func readerTable(_ c: Case) {
    let got = events(bytes: c.input, name: c.file).map(describe)
    #expect(got == c.expected)
}

@Test("every reader gives identical events for buffer sizes 1, 2, 3 and 7 bytes and 1, 2, 3, 7 and 64 KiB", arguments: readerCases)
func readerBufferSizes(_ c: Case) {
    var baseline: [String]?
    for size in [1, 2, 3, 7, 1 << 10, 2 << 10, 3 << 10, 7 << 10, 64 << 10] {
        var limits = ReadLimits()
        limits.bufferSize = size
        let got = events(bytes: c.input, name: c.file, limits: limits).map(describe)
        if let baseline { #expect(got == baseline, "buffer size \(size)") } else { baseline = got }
    }
}

struct TitleCase: CustomTestStringConvertible, Sendable {
    var title: String
    var author: String?
    var group: String?
    var testDescription: String { title }
}

@Test("Facebook title sentences name the target", arguments: [
    TitleCase(title: "Rina Kusumawati mengomentari kiriman Ahmad Fauzi.", author: "Ahmad Fauzi"),
    TitleCase(title: "Rina Kusumawati membalas komentar Sri Wahyuni.", author: "Sri Wahyuni"),
    TitleCase(title: "Rina Kusumawati mengomentari video Ganjar Pranowo.", author: "Ganjar Pranowo"),
    TitleCase(title: "Rina Kusumawati menanggapi kiriman Dinas Pendidikan Kab. Sukamaju.", author: "Dinas Pendidikan Kab. Sukamaju"),
    TitleCase(title: "Rina Kusumawati mengomentari kiriman Yanto di Info Loker & Jual Beli Sukamaju.", author: "Yanto", group: "Info Loker & Jual Beli Sukamaju"),
    TitleCase(title: "Rina Kusumawati memposting di Relawan Ganjar-Mahfud Kab. Sukamaju.", group: "Relawan Ganjar-Mahfud Kab. Sukamaju"),
    TitleCase(title: "Rina commented on Ahmad Fauzi's post.", author: "Ahmad Fauzi"),
    TitleCase(title: "Rina replied to Sri\u{2019}s comment in Relawan A.", author: "Sri", group: "Relawan A"),
    TitleCase(title: "Rina posted in Relawan A.", group: "Relawan A"),
    TitleCase(title: "Rina Kusumawati"),
    TitleCase(title: "Rina reageerde op een bericht."),
])
func titleTargets(_ c: TitleCase) {
    var got: [ExportEvent] = []
    let json = #"{"reactions_v2":[{"timestamp":1,"title":"# + String(decoding: try! JSONEncoder().encode(c.title), as: UTF8.self) + "}]}"
    ExportReader().read(bytes: Array(json.utf8), name: "x.json") { got.append($0) }
    let record = records(got).first
    #expect(record?.target?.author == c.author)
    #expect(record?.group == c.group)
}

struct HeaderCase: CustomTestStringConvertible, Sendable {
    var line: String
    var parsed: Bool
    var testDescription: String { line.debugDescription }
}

@Test("WhatsApp header lines", arguments: [
    HeaderCase(line: "02/01/24 07.35 - Rina: x", parsed: true),
    HeaderCase(line: "2/1/2024 7.35 - Rina: x", parsed: true),
    HeaderCase(line: "02/01/24, 07:35 - Rina: x", parsed: true),
    HeaderCase(line: "[26/01/21 21.05.53] Dhimaz R: x", parsed: true),
    HeaderCase(line: "\u{200E}[3/27/22 21.41.35] D: x", parsed: true),
    HeaderCase(line: "[3/27/22, 9:41:35\u{202F}PM] D: x", parsed: true),
    HeaderCase(line: "02/01/24 07.35 Rina: x", parsed: false),
    HeaderCase(line: "32/13/24 07.35 - Rina: x", parsed: false),
    HeaderCase(line: "02/01/24 25.35 - Rina: x", parsed: false),
    HeaderCase(line: "Jam 07.35 - nanti", parsed: false),
    HeaderCase(line: "[26/01/21 21.05.53]", parsed: false),
    HeaderCase(line: "", parsed: false),
])
func whatsAppHeaders(_ c: HeaderCase) {
    let got = events(bytes: c.line + "\n", name: "_chat.txt")
    if c.parsed {
        #expect(!records(got).isEmpty || got.contains { if case .notJudged = $0 { return true } else { return false } })
    } else {
        #expect(records(got).isEmpty)
    }
}

@Test("JSON limits: deep nesting is an error, not a crash; lone surrogates become U+FFFD")
func jsonLimits() {
    let deep = "[" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "]"
    let got = events(bytes: deep, name: "posts_1.json")
    #expect(problems(got).first?.reason == "malformed_json")
    #expect(problems(got).first?.message.contains("nested deeper") == true)
    let surrogate = events(bytes: #"[{"media":[{"title":"a\ud800b\udc00c\ud83d\ude00","creation_timestamp":1}]}]"#, name: "posts_1.json")
    #expect(records(surrogate).first?.text == "a\u{FFFD}b\u{FFFD}c😀")
}

@Test("budgets: a file over the per-file budget is reported, records before it are not invented")
func fileBudget() {
    var limits = ReadLimits()
    limits.maxEntryBytes = 100
    let big = "[" + String(repeating: #"{"media":[{"title":"x","creation_timestamp":1}]},"#, count: 20) + "{}]"
    let got = events(bytes: big, name: "posts_1.json", limits: limits)
    #expect(records(got).isEmpty)
    #expect(problems(got).map(\.reason) == ["entry_budget"])
    limits.maxRecordBytes = 30
    let chat = events(bytes: "02/01/24 07.35 - Rina: pesan yang terlalu panjang\n02/01/24 07.36 - Rina: ok\n", name: "_chat.txt", limits: limits)
    #expect(chat.map(describe) == ["_chat.txt:1 skipped too_long: line of 49 bytes is over the limit of 30 bytes",
                                   #"_chat.txt:2 message at=2024-01-02T07:36:00 date=2024-01-02 text="ok""#])
}

@Test("detection by file name, not the full path")
func detectionByName() {
    #expect(ExportReader.kind(forFileName: "your_posts__check_ins__photos_and_videos_3.json") == .meta(.facebook))
    #expect(ExportReader.kind(forFileName: "likes_and_reactions_6.json") == .meta(.facebook))
    #expect(ExportReader.kind(forFileName: "posts_1.json") == .meta(.instagram))
    #expect(ExportReader.kind(forFileName: "tweets-part2.js") == .x)
    #expect(ExportReader.kind(forFileName: "user_data.json") == .tiktok)
    #expect(ExportReader.kind(forFileName: "WhatsApp Chat with Budi.txt") == .whatsapp)
    #expect(ExportReader.kind(forFileName: "photo.jpg") == .other)
    #expect(ExportReader.kind(forFileName: "notes.txt") == nil)
    #expect(ExportReader.kind(forFileName: "random.json") == nil)
}

/// The fuzz target's file names, in its order (Sources/fuzz-readers): an input's first byte picks one.
let fuzzFileNames = [
    "your_posts__check_ins__photos_and_videos_1.json", "comments.json", "likes_and_reactions_1.json",
    "likes_and_reactions.json", "your_group_membership_activity.json", "posts_1.json", "post_comments_1.json",
    "following.json", "user_data_tiktok.json", "tweets.js", "unknown.json", "_chat.txt", "posts.csv", "lines.jsonl",
    "export.zip",
]

let fuzzCorpus: [String] = {
    let dir = repositoryRoot.appendingPathComponent("Fuzz/corpus/readers").path
    return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted().map { dir + "/" + $0 }
}()

@Test("every input of the readers' fuzz corpus (seeds and past crashes) reads the same with small and large buffers",
      arguments: fuzzCorpus)
func fuzzCorpusReplays(_ path: String) throws {
    let data = try #require(FileManager.default.contents(atPath: path))
    guard let first = data.first else { return }
    let name = fuzzFileNames[Int(first) % fuzzFileNames.count]
    let body = Array(data.dropFirst())
    if name.hasSuffix(".zip") {
        let dir = try temporaryDirectory("fuzzzip")
        defer { try? FileManager.default.removeItem(at: dir) }
        let zip = dir.appendingPathComponent(name)
        try Data(body).write(to: zip)
        _ = events(path: zip.path)
        return
    }
    var runs: [[String]] = []
    for size in [3, 64 << 10] {
        var limits = ReadLimits()
        limits.bufferSize = size
        var all: [ExportEvent] = []
        ExportReader(limits: limits).read(bytes: body, name: name) { all.append($0) }
        runs.append(all.map(describe))
    }
    #expect(runs[0] == runs[1])
}
