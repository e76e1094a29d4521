import NetraCore

/// The X (Twitter) archive: `data/*.js` files of the form `window.YTD.<name>.part<N> = [ … ]`.
///
/// Tweets, likes (they carry the liked tweet's text), followed accounts (ids only: recorded but
/// with nothing to judge) and long notes. `full_text` is HTML-escaped and is unescaped here.
enum XReader {
    /// The section name after `window.YTD.` (`tweets`, `like` …), or nil when the prefix is missing.
    static func sectionName(_ bytes: [UInt8]) -> String? {
        let prefix = Array("window.YTD.".utf8)
        var start = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
        while start < bytes.count, bytes[start] == 0x20 || bytes[start] == 0x0A || bytes[start] == 0x0D || bytes[start] == 0x09 { start += 1 }
        guard bytes.count >= start + prefix.count, Array(bytes[start..<(start + prefix.count)]) == prefix else { return nil }
        var end = start + prefix.count
        while end < bytes.count, bytes[end] != UInt8(ascii: "."), bytes[end] != UInt8(ascii: " "), bytes[end] != UInt8(ascii: "="), end - start < 200 { end += 1 }
        return String(decoding: bytes[(start + prefix.count)..<end], as: UTF8.self)
    }

    @discardableResult
    static func read(_ bytes: [UInt8], fileName: String, path: String, limits: ReadLimits, reference: Bool = false,
                     emit: (ExportEvent) -> Void) throws -> Int {
        // Everything up to the first '=' of the assignment goes; without the prefix the file is
        // read as plain JSON.
        var start = 0
        if sectionName(bytes) != nil, let equals = bytes.firstIndex(of: UInt8(ascii: "=")) { start = equals + 1 }
        var count = 0
        try bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(bytes: buffer, start: start, repairMojibake: false, maxDepth: limits.maxJSONDepth,
                                    reference: reference, maxItemValues: limits.maxItemValues)
            var keys: [String] = []
            try reader.walk(path: &keys, wanted: { $0.isEmpty ? .deliver : .skip }, deliver: { _, index, parsed in
                let source = SourceLocation(path: path, line: index)
                count += 1
                switch parsed {
                case .node(let node): emit(convert(node, source: source))
                case .tree(let value): emit(convert(value, source: source))
                case .tooLarge: emit(MetaReader.tooLarge(source, limits: limits))
                }
            })
            try reader.expectEnd()
        }
        return count
    }

    static func convert<Item: JSONItem>(_ item: Item, source: SourceLocation) -> ExportEvent {
        if let tweet = item["tweet"] {
            let text = unescapeHTML(tweet["full_text"]?.string ?? tweet["text"]?.string ?? "")
            let createdAt = tweet["created_at"]?.nonEmptyString
            let date = createdAt.flatMap { CalendarDate(twitter: Substring($0)) }
            let id = tweet["id_str"]?.nonEmptyString ?? tweet["id"]?.nonEmptyString
            // A retweet is a share: judged by what it shares and whose it is.
            if text.hasPrefix("RT @") {
                let bytes = Array(text.utf8)
                if let colon = ByteSearch.find(Array(": ".utf8), in: bytes, from: 4), colon > 4, !bytes[4..<colon].contains(0x20) {
                    return .record(Record(id: id, kind: .share, createdAt: createdAt, date: date, text: "",
                                          target: RecordTarget(author: String(decoding: bytes[4..<colon], as: UTF8.self),
                                                               text: String(decoding: bytes[(colon + 2)...], as: UTF8.self)), source: source))
                }
            }
            let replyTo = tweet["in_reply_to_screen_name"]?.nonEmptyString
            return .record(Record(id: id, kind: replyTo == nil ? .post : .reply, createdAt: createdAt, date: date, text: text,
                                  target: replyTo.map { RecordTarget(author: $0) }, source: source))
        }
        if let like = item["like"] {
            guard let text = like["fullText"]?.nonEmptyString else { return .notJudged(reason: "no_text", source) }
            return .record(Record(id: like["tweetId"]?.nonEmptyString, kind: .reaction,
                                  text: "", target: RecordTarget(text: unescapeHTML(text)), source: source))
        }
        if let following = item["following"] {
            // Only an account id: nothing to judge without an id → handle list.
            return .record(Record(id: following["accountId"]?.nonEmptyString, kind: .follow, text: "",
                                  target: RecordTarget(), source: source))
        }
        if let note = item["noteTweet"] {
            let text = note["core"]?["text"]?.string ?? ""
            let createdAt = note["createdAt"]?.nonEmptyString
            return .record(Record(id: note["noteTweetId"]?.nonEmptyString, kind: .post, createdAt: createdAt,
                                  date: createdAt.flatMap { CalendarDate(iso: Substring($0)) }, text: text, source: source))
        }
        return .notJudged(reason: "not_screened", source)
    }

    /// Undoes X's HTML escaping: `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&#NN;`, `&#xHH;`.
    static func unescapeHTML(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "&")) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            if let semi = after.prefix(10).firstIndex(of: ";") {
                let name = after[..<semi]
                var replacement: String?
                switch name {
                case "amp": replacement = "&"
                case "lt": replacement = "<"
                case "gt": replacement = ">"
                case "quot": replacement = "\""
                case "apos": replacement = "'"
                default:
                    if name.hasPrefix("#x") || name.hasPrefix("#X") {
                        replacement = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                    } else if name.hasPrefix("#") {
                        replacement = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                    }
                }
                if let replacement {
                    out += replacement
                    rest = after[after.index(after: semi)...]
                    continue
                }
            }
            out += "&"
            rest = after
        }
        out += rest
        return out
    }
}

/// TikTok's `user_data_tiktok.json` (older `user_data.json`): comments, posted videos, follows,
/// likes (links only) and the profile bio, under both the late-2024 and the 2025 section names.
enum TikTokReader {
    enum Item { case comment, post, follow, like, profile }

    /// Key paths (any of the alternative spellings) and what their items are.
    static func item(at keys: [String]) -> Item? {
        guard keys.count == 3 else { return nil }
        switch (keys[0], keys[1], keys[2]) {
        case ("Comment", "Comments", "CommentsList"): return .comment
        case ("Video", "Videos", "VideoList"), ("Post", "Posts", "VideoList"): return .post
        case ("Activity", "Following List", "Following"), ("Your Activity", "Following", "Following"),
             ("Your Activity", "Following List", "Following"), ("Activity", "Following", "Following"): return .follow
        case ("Activity", "Like List", "ItemFavoriteList"), ("Your Activity", "Like List", "ItemFavoriteList"): return .like
        case ("Profile", "Profile Information", "ProfileMap"), ("Profile", "Profile Info", "ProfileMap"): return .profile
        default: return nil
        }
    }

    /// True when the top-level keys look like a TikTok export.
    static let sectionNames: Set<String> = ["Activity", "Your Activity", "Comment", "Video", "Post", "Profile", "Direct Messages", "Ads and data", "App Settings"]

    @discardableResult
    static func read(_ bytes: [UInt8], path: String, limits: ReadLimits, reference: Bool = false,
                     emit: (ExportEvent) -> Void) throws -> Int {
        var count = 0
        try bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(bytes: buffer, repairMojibake: false, maxDepth: limits.maxJSONDepth,
                                    reference: reference, maxItemValues: limits.maxItemValues)
            var keys: [String] = []
            // Items are numbered across the file, in document order.
            try reader.walk(path: &keys, wanted: { keys in
                if keys.count < 3 { return .descend }
                return item(at: keys) != nil ? .deliver : .skip
            }, deliver: { keys, _, parsed in
                count += 1
                let source = SourceLocation(path: path, line: count)
                guard let kind = item(at: keys) else { return }
                switch parsed {
                case .node(let node): emit(convert(kind, node, source: source))
                case .tree(let value): emit(convert(kind, value, source: source))
                case .tooLarge: emit(MetaReader.tooLarge(source, limits: limits))
                }
            })
            try reader.expectEnd()
        }
        return count
    }

    static func convert<Value: JSONItem>(_ kind: Item, _ item: Value, source: SourceLocation) -> ExportEvent {
        switch kind {
        case .comment:
            return .record(Record(id: nil, kind: .comment, createdAt: ItemTime.iso(item["date"]).createdAt,
                                  date: ItemTime.iso(item["date"]).date, text: item["comment"]?.string ?? "", source: source))
        case .post:
            let time = ItemTime.iso(item["Date"])
            return .record(Record(id: nil, kind: .post, createdAt: time.createdAt, date: time.date,
                                  text: item["Title"]?.string ?? item["Desc"]?.string ?? "", source: source))
        case .follow:
            let time = ItemTime.iso(item["Date"])
            guard let name = item["UserName"]?.nonEmptyString else { return .notJudged(reason: "no_text", source) }
            return .record(Record(id: nil, kind: .follow, createdAt: time.createdAt, date: time.date, text: "",
                                  target: RecordTarget(author: name), source: source))
        case .like:
            // Only a link: counted, nothing to judge.
            let time = ItemTime.iso(item["date"] ?? item["Date"])
            return .record(Record(id: nil, kind: .reaction, createdAt: time.createdAt, date: time.date, text: "",
                                  target: RecordTarget(), source: source))
        case .profile:
            guard let bio = item["bioDescription"]?.nonEmptyString else { return .notJudged(reason: "profile_without_text", source) }
            return .record(Record(id: item["userName"]?.nonEmptyString, kind: .profile, text: bio, source: source))
        }
    }
}
