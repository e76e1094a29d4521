// swift-tools-version:6.0
// Netra: screens exported social-media archives of Indonesian civil servants (ASN)
// for breaches of election neutrality. Module layout: ../shared/DESIGN.md §2 (see README).
import PackageDescription

let package = Package(
    name: "netra",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "netra", targets: ["netra"]),
        .library(name: "Netra", targets: ["Netra"]),
        .library(name: "NetraText", targets: ["NetraText"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
    ],
    targets: [
        // Shared vocabulary: records, spans, findings. No I/O, no ICU.
        .target(name: "NetraCore"),
        // System ICU (libicu-dev) behind a header with plain C types only; ICU headers are
        // included in the .c file alone so they never meet Foundation's private ICU.
        .systemLibrary(
            name: "CICUSystem",
            pkgConfig: "icu-i18n",
            providers: [.apt(["libicu-dev", "pkg-config"])]),
        .target(name: "CICU", dependencies: ["CICUSystem"]),
        // Byte classification for the normalizer's fast path and the JSON-lines reader's string
        // scan (AVX-512, AVX2 or SSE2 chosen at run time; a byte loop elsewhere).
        .target(name: "CNetraBytes"),
        // Normalization of record text and lexicon terms, with an offset map to the original.
        .target(name: "NetraText", dependencies: ["NetraCore", "CICU", "CNetraBytes"]),
        // Aho-Corasick automaton over normalized UTF-8 bytes.
        .target(name: "NetraMatch", dependencies: ["NetraCore"]),
        // Contests, term lists, rules: loading, validation, evaluation.
        .target(name: "NetraRules", dependencies: ["NetraCore", "NetraText", "NetraMatch", "Yams"]),
        // Printers (NDJSON, text) and the HTML review report.
        .target(name: "NetraReport", dependencies: ["NetraCore"]),
        // Export readers: Facebook, Instagram, X, TikTok, WhatsApp, CSV; folders and zips with budgets.
        .target(name: "NetraArchive", dependencies: ["NetraCore", "NetraText", "ZIPFoundation"]),
        // The pipeline: readers for JSON lines, wiring, statistics.
        .target(name: "Netra", dependencies: ["NetraCore", "CNetraBytes", "NetraText", "NetraMatch", "NetraRules", "NetraReport", "NetraArchive"]),
        // The nightly batch store: SQLite through GRDB (runs, inputs, records, findings, reviews).
        // SHA-256 content hashes and HMAC pseudonyms from swift-crypto.
        .target(name: "NetraStore", dependencies: ["NetraCore", "NetraReport", .product(name: "GRDB", package: "GRDB.swift"),
                                                  .product(name: "GRDBSQLite", package: "GRDB.swift"),
                                                  .product(name: "Crypto", package: "swift-crypto")]),
        // The executable: commands, flags, exit codes.
        .executableTarget(name: "netra", dependencies: [
            "Netra", "NetraStore", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Benchmarks (release build): swift run -c release netra-bench …
        .executableTarget(name: "netra-bench", dependencies: ["NetraCore", "NetraMatch", "NetraRules", "NetraText"]),
        // libFuzzer target (swift build --sanitize=fuzzer …); without the fuzzer it replays files.
        .executableTarget(name: "fuzz-normalizer", dependencies: ["NetraText"]),
        // libFuzzer target over the export readers (JSON exports, WhatsApp text, zip).
        .executableTarget(name: "fuzz-readers", dependencies: ["NetraArchive", "NetraCore"]),
        .testTarget(name: "NetraMatchTests", dependencies: ["NetraMatch", "NetraCore"]),
        .testTarget(name: "NetraTextTests", dependencies: ["NetraText", "NetraCore", "CNetraBytes"]),
        .testTarget(name: "NetraRulesTests", dependencies: ["NetraRules", "NetraText", "NetraCore"]),
        .testTarget(name: "NetraCLITests", dependencies: ["netra", "Netra"]),
        .testTarget(name: "NetraStoreTests", dependencies: ["NetraStore", "NetraCore", "netra"]),
        .testTarget(name: "NetraArchiveTests", dependencies: ["NetraArchive", "NetraCore", "Netra", "NetraRules"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "NetraReportTests", dependencies: ["NetraReport", "NetraCore"]),
    ]
)
