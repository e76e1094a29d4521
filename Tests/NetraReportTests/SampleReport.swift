import NetraReport

/// The span of the first occurrence of `needle` in `text`, in Unicode scalars.
func span(of needle: String, in text: String, from: Int = 0) -> (start: Int, end: Int) {
    let hay = Array(text.unicodeScalars), pin = Array(needle.unicodeScalars)
    guard !pin.isEmpty, hay.count >= pin.count else { fatalError("\(needle) not in \(text)") }
    for start in from...(hay.count - pin.count) where Array(hay[start..<(start + pin.count)]) == pin {
        return (start, start + pin.count)
    }
    fatalError("\(needle) not in \(text)")
}

/// Evidence for `needle` in `text` (field `field`), with exact scalar offsets.
func evidence(_ needle: String, in text: String, term: String, field: String = "text") -> ReportEvidence {
    let s = span(of: needle, in: text)
    return ReportEvidence(field: field, start: s.start, end: s.end, text: needle, term: term)
}

enum Sample {
    static let store = "/srv/netra/netra.sqlite"
    static let basisSM = ["SKB 2022 KE-4 / DIS-6", "PP 94/2021 Pasal 5 huruf n"]
    static let basisUU = ["UU 20/2023 Pasal 24 ayat (4)", "UU 7/2017 Pasal 280 ayat (3)"]

    static let subjects: [ReportSubject] = [
        ReportSubject(account: "@andi.rahman", nip: "198703122010011004", name: "Andi Rahman, S.Pd.",
                      unit: "Dinas Pendidikan Kota Makassar", superior: "Drs. H. Muh. Yusuf, M.Si."),
        ReportSubject(account: "wa ode sitti", nip: "199001152015032002", name: "Wa Ode Sitti Nurhaliza",
                      unit: "BKPSDM Kota Baubau", superior: "La Ode Ahmad, S.H."),
        ReportSubject(account: "@dr.karaeng", nip: "198512302012121001", name: "dr. Karaeng Lallo",
                      unit: "Dinas Kesehatan Kab. Jeneponto", superior: "dr. Andi Baso, M.Kes."),
        ReportSubject(account: "Yohanes Dadu", nip: "197911022006041007", name: "Yohanes Dadu",
                      unit: "Sekretariat Daerah Kota Palangka Raya", superior: nil),
    ]

    struct Draft {
        var rule: String, title: String, category: String, contest: String, pair: String, stance = "support"
        var severity = "berat", score: Double, kind: String, day: String?, time = "09:15:00"
        var text: String, hits: [(String, String)], target: (author: String?, text: String?)? = nil
        var targetHits: [(String, String, String)] = []
        var group: String? = nil
        var subject: Int?, review: ReportReview? = nil
    }

    static let drafts: [Draft] = [
        Draft(rule: "NET-SM-02", title: "Komentar dukungan kepada pasangan calon", category: "komentar_dukungan",
              contest: "pilpres-2024", pair: "02", score: 0.91, kind: "comment", day: "2024-01-17",
              text: "Gas pak! ✌️ Lanjutkan 02 🇮🇩", hits: [("Gas", "gas"), ("✌️", "salam dua jari"), ("Lanjutkan 02", "lanjutkan 02")],
              target: ("Relawan Prabowo-Gibran Makassar", "Ayo coblos 02 tanggal 14 Februari!"),
              targetHits: [("Relawan Prabowo-Gibran", "relawan prabowo gibran", "target.author")], subject: 0,
              review: ReportReview(state: .confirmed, reviewer: "inspektur.sitti", note: "Akun milik ASN terverifikasi; komentar jelas mendukung.", at: "2024-02-01T10:12:00+08:00")),
        Draft(rule: "NET-AJ-01", title: "Ajakan memilih pasangan calon", category: "ajakan_memilih", contest: "pilpres-2024",
              pair: "01", score: 0.86, kind: "post", day: "2024-01-17",
              text: "Teman-teman guru, jangan lupa 14 Februari coblos no 1 ☝️ #AminAjaDulu", hits: [("coblos no 1", "coblos 1"), ("☝️", "salam satu jari"), ("#AminAjaDulu", "amin aja dulu")],
              subject: 0),
        Draft(rule: "NET-SM-01", title: "Unggahan dukungan kepada pasangan calon", category: "unggahan_dukungan",
              contest: "pilwalkot-makassar-2024", pair: "2", severity: "sedang", score: 0.74, kind: "post", day: "2024-10-03",
              text: "Makassar butuh pemimpin yang peduli 😍 Mari menangkan paslon nomor 2!", hits: [("menangkan paslon nomor 2", "menangkan paslon 2")],
              subject: 0, review: ReportReview(state: .unsure, reviewer: "bkpsdm.makassar", note: "Perlu cek apakah akun ini dikelola sendiri.", at: "2024-10-05T08:30:00+08:00")),
        Draft(rule: "NET-GR-01", title: "Keanggotaan grup relawan pasangan calon", category: "keanggotaan_grup",
              contest: "pilwalkot-baubau-2024", pair: "1", severity: "sedang", score: 0.7, kind: "group", day: "2024-09-21",
              text: "", hits: [], group: "RELAWAN SETIA PASLON 1 BAUBAU 💪", subject: 1),
        Draft(rule: "NET-SM-04", title: "Menyukai unggahan kampanye", category: "reaksi_kampanye", contest: "pilwalkot-baubau-2024",
              pair: "1", severity: "ringan", score: 0.55, kind: "reaction", day: "2024-09-21",
              text: "", hits: [], target: ("Tim Pemenangan Paslon 1 Baubau", "Coblos nomor 1, Baubau maju! 🔥"),
              targetHits: [("Coblos nomor 1", "coblos 1", "target.text"), ("Tim Pemenangan Paslon 1", "tim pemenangan paslon 1", "target.author")],
              subject: 1, review: ReportReview(state: .dismissed, reviewer: "inspektur.laode", note: "Akun ganda, bukan milik ASN ybs.", at: "2024-09-25T14:02:00+08:00")),
        Draft(rule: "NET-PU-01", title: "Politik uang", category: "politik_uang", contest: "pilbup-jeneponto-2024", pair: "3",
              score: 0.95, kind: "message", day: "2024-11-24",
              text: "Besok ada amplop 💵 Rp100.000 per KK, asal pilih nomor 3 ya. Jangan bilang² 🤫", hits: [("amplop", "amplop"), ("pilih nomor 3", "pilih 3")],
              subject: 2),
        Draft(rule: "NET-UJ-01", title: "Ujaran kebencian terhadap pasangan calon", category: "ujaran_kebencian",
              contest: "pilgub-sulsel-2024", pair: "1", stance: "oppose", score: 0.81, kind: "comment", day: "2024-11-02",
              text: "Paslon 1 itu penipu, jangan sampai menang!!! 😡", hits: [("Paslon 1 itu penipu", "paslon 1 penipu"), ("jangan sampai menang", "jangan sampai menang")],
              subject: 2),
        Draft(rule: "NET-SM-03", title: "Membagikan konten kampanye", category: "berbagi_kampanye", contest: "pilwalkot-palangka-raya-2024",
              pair: "2", severity: "sedang", score: 0.68, kind: "share", day: "2024-11-02",
              text: "Mantap, ini baru pemimpin 👍🏽", hits: [("Mantap", "mantap")],
              target: ("Info Palangka Raya", "Debat kedua: paslon 2 paling siap pimpin Palangka Raya #Nomor2Pasti"),
              targetHits: [("#Nomor2Pasti", "nomor 2 pasti", "target.text")], subject: 3),
        Draft(rule: "NET-SM-02", title: "Komentar dukungan kepada pasangan calon", category: "komentar_dukungan",
              contest: "pilgub-kalteng-2024", pair: "2", score: 0.88, kind: "comment", day: "2024-11-02",
              text: "Siap menangkan nomor 2 di Kalteng! Sehat selalu bapak 🙏", hits: [("Siap menangkan nomor 2", "siap menangkan 2")],
              subject: 3, review: ReportReview(state: .confirmed, reviewer: "inspektur.kalteng", note: nil, at: "2024-11-06T09:00:00+07:00")),
        Draft(rule: "NET-AJ-01", title: "Ajakan memilih pasangan calon", category: "ajakan_memilih", contest: "pilgub-sultra-2024",
              pair: "4", score: 0.83, kind: "post", day: nil,
              text: "Saudaraku se-Sultra, pilih yang pasti: nomor 4! ✊", hits: [("pilih yang pasti: nomor 4", "pilih nomor 4")],
              subject: nil),
        Draft(rule: "NET-SM-01", title: "Unggahan dukungan kepada pasangan calon", category: "unggahan_dukungan",
              contest: "pilpres-2024", pair: "03", severity: "sedang", score: 0.72, kind: "post", day: "2024-02-10",
              text: "Sat set tas tes, Ganjar–Mahfud 🖐️ menang satu putaran", hits: [("Ganjar–Mahfud", "ganjar mahfud"), ("🖐️", "salam tiga jari")],
              subject: nil),
        Draft(rule: "NET-SM-02", title: "Komentar dukungan kepada pasangan calon", category: "komentar_dukungan",
              contest: "pilpres-2024", pair: "02", score: 0.9, kind: "comment", day: "2024-02-10",
              text: "Gibrán is the best, coblos 02 <3 \"pasti menang\"", hits: [("coblos 02", "coblos 02"), ("pasti menang", "pasti menang")],
              subject: 1, review: ReportReview(state: .confirmed, reviewer: "inspektur.laode", note: "Sudah dipanggil untuk klarifikasi.", at: "2024-02-12T16:45:00+08:00")),
    ]

    static func report() -> ReviewReport {
        var findings: [ReportFinding] = []
        for (index, d) in drafts.enumerated() {
            var fields: [ReportField] = []
            var ev: [ReportEvidence] = []
            if !d.text.isEmpty || d.target == nil && d.group == nil {
                fields.append(ReportField(name: "text", text: d.text))
                ev += d.hits.map { evidence($0.0, in: d.text, term: $0.1) }
            }
            if let t = d.target {
                if let text = t.text { fields.append(ReportField(name: "target.text", text: text)) }
                if let author = t.author { fields.append(ReportField(name: "target.author", text: author)) }
                for (needle, term, field) in d.targetHits {
                    ev.append(evidence(needle, in: field == "target.text" ? t.text! : t.author!, term: term, field: field))
                }
            }
            if let g = d.group {
                fields.append(ReportField(name: "group", text: g))
                let s = span(of: "RELAWAN SETIA PASLON 1", in: g)
                ev.append(ReportEvidence(field: "group", start: s.start, end: s.end, text: "RELAWAN SETIA PASLON 1", term: "relawan paslon 1"))
            }
            let id = Int64(101 + index * 3)
            findings.append(ReportFinding(
                id: id, rule: d.rule, ruleTitle: d.title, category: d.category, contest: d.contest, pair: d.pair,
                stance: d.stance, severity: d.severity, score: d.score,
                basis: d.category == "politik_uang" || d.category == "ujaran_kebencian" ? basisUU : basisSM,
                recordID: "fb-\(7_000_000 + index * 37)", kind: d.kind,
                createdAt: d.day.map { "\($0)T\(d.time)+08:00" }, day: d.day,
                sourcePath: "inbox/export-\(index % 4 + 1).zip/your_activity/comments.json", sourceLine: 12 + index * 7,
                fields: fields, evidence: ev, review: d.review, subject: d.subject.map { subjects[$0] }))
        }
        return ReviewReport(
            title: "Laporan Tinjauan Netralitas ASN — 3 Desember 2026", generatedAt: "2026-12-03T06:00:00+07:00 (WIB)",
            lexiconVersions: ["lex-5f2a9c1e+norm-1+icu-72.1"], stores: [store], findings: findings,
            quarantined: [QuarantinedInput(path: "inbox/tiktok-ahmad.zip", reason: "zip: entry 'video/comments.json' inflates past the 64 MiB limit"),
                          QuarantinedInput(path: "inbox/patroli-0212.jsonl", reason: "line 48: malformed JSON (unterminated string)")])
    }
}
