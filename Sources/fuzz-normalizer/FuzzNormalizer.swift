// libFuzzer target for mojibake repair and the normalizer (README, development section):
//   SWIFT_BACKTRACE=enable=no swift build -c debug --sanitize=fuzzer --sanitize=address \
//     --product fuzz-normalizer -Xswiftc -DFUZZING --scratch-path .build-fuzz
//   SWIFT_BACKTRACE=enable=no .build-fuzz/debug/fuzz-normalizer -max_total_time=600 -timeout=10 \
//     -rss_limit_mb=2048 -detect_leaks=0 Fuzz/corpus/normalizer
// Built without the fuzzer (as `swift build` does), the same binary replays the files it is given.
import Foundation
import NetraText

let configuration = NormalizerConfiguration(
    slang: ["yg": "yang", "dgn": "dengan", "gk": "enggak", "otw": "on the way"],
    words: ["maaf", "saat", "taat", "menang"], protected: ["anies"])
// One normalizer for the whole run: its memos and buffers are what a worker keeps between
// records. The oracle sends every word through the general path, with no word memo.
nonisolated(unsafe) let normalizer = Normalizer(configuration: configuration)
nonisolated(unsafe) let oracle = Normalizer(configuration: configuration, fastPath: false, memo: false)
/// One value normalized into again and again, as the screener does (the normalizer hands its
/// buffers to it and takes its old ones back).
nonisolated(unsafe) var reused = NormalizedText()

/// Feeds arbitrary bytes through mojibake repair and the normalizer in both modes, and traps
/// when an invariant breaks: spans inside the original, ordered token starts, idempotence, and
/// the same result from the general path alone.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNormalizer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = MojibakeRepair.repair(String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self))
    let scalars = text.unicodeScalars.count
    for mode in [NormalizationMode.text, .term] {
        let result = normalizer.normalize(text, mode: mode)
        let map = result.sourceMap()
        precondition(result.bytes.count == map.starts.count && result.bytes.count == map.ends.count)
        for i in result.bytes.indices {
            precondition(map.starts[i] >= 0 && map.starts[i] <= map.ends[i]
                && Int(map.ends[i]) <= scalars, "span outside the original")
            let span = result.originalSpan(of: i..<(i + 1))
            precondition(span.start == Int(map.starts[i]) && span.end == Int(map.ends[i]), "run-length map disagrees with the byte map")
        }
        precondition(result.bytes.first != 0x20 && result.bytes.last != 0x20, "leading or trailing space")
        var previous: Int32 = -1
        for start in result.tokenStarts {
            precondition(start > previous && Int(start) < max(result.bytes.count, 1), "token starts out of order")
            previous = start
        }
        normalizer.normalize(text, into: &reused, mode: mode)
        precondition(reused.bytes == result.bytes && reused.tokenStarts == result.tokenStarts
            && reused.sentenceStarts == result.sentenceStarts && reused.sourceMap() == map, "normalizing into a reused value differs")
        let again = normalizer.normalize(result.string, mode: mode)
        precondition(again.bytes == result.bytes, "not idempotent")
        // The fast path (and the words it replays from its memo) against the general path.
        let slow = oracle.normalize(text, mode: mode)
        let slowMap = slow.sourceMap()
        precondition(slow.bytes == result.bytes && slowMap.starts == map.starts && slowMap.ends == map.ends
            && slow.tokenStarts == result.tokenStarts && slow.sentenceStarts == result.sentenceStarts,
            "fast path and general path disagree")
    }
    return 0
}

#if !FUZZING
// libFuzzer brings its own `main`; only the replay build has this one.
@main
struct FuzzReplay {
    static func main() {
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("fuzz-normalizer: cannot read \(path)\n".utf8))
                exit(2)
            }
            _ = data.withUnsafeBytes { raw in
                fuzzNormalizer(raw.bindMemory(to: UInt8.self).baseAddress ?? UnsafePointer(bitPattern: 1)!, raw.count)
            }
        }
    }
}
#endif
