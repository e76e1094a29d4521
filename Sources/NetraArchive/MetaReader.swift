import NetraCore
import NetraText

/// Helpers shared by the JSON export readers.
enum ItemTime {
    /// Unix seconds, written back as text (as the input had it) and dated in WIB (UTC+7), the
    /// same convention as the JSON-lines reader.
    static func unix(_ value: JSONValue?) -> (createdAt: String?, date: CalendarDate?) {
        guard let seconds = value?.int64, seconds > 0 else { return (nil, nil) }
        return (String(seconds), CalendarDate(unixSeconds: seconds, utcOffsetSeconds: 7 * 3600))
    }

    /// `YYYY-MM-DD HH:MM:SS` (TikTok) or ISO 8601: kept as written, dated by its first ten characters.
    static func iso(_ value: JSONValue?) -> (createdAt: String?, date: CalendarDate?) {
        guard let text = value?.nonEmptyString else { return (nil, nil) }
        return (text, CalendarDate(iso: Substring(text)))
    }
}

/// The target of a Facebook activity as far as its `title` sentence names it ("Rina mengomentari
/// kiriman Ahmad Fauzi." → author "Ahmad Fauzi"; "… di Grup X." → group "Grup X"). Titles follow
/// the account's language, so this is a fallback used only when no structured field exists; it
/// knows Indonesian and English sentences and gives up (nil) on anything else.
enum MetaTitle {
    static let objectMarkers = [" kiriman ", " postingan ", " video ", " foto ", " komentar ", " tautan ", " status ", " album ", " reel ", " siaran "].map { Array($0.utf8) }
    static let englishMarkers = [" commented on ", " replied to ", " likes ", " liked ", " reacted to ", " shared "].map { Array($0.utf8) }
    static let postedIn = Array(" posted in ".utf8)
    static let inWord = Array(" in ".utf8)
    static let diWord = Array(" di ".utf8)
    static let possessives = ["'s ", "\u{2019}s "].map { Array($0.utf8) }

    static func target(in title: String) -> (author: String?, group: String?) {
        let text = Array(title.utf8)
        var end = text.count
        while end > 0, text[end - 1] == UInt8(ascii: ".") || text[end - 1] == 0x20 { end -= 1 }
        guard end > 0, end < 2000 else { return (nil, nil) }
        func piece(_ from: Int, _ to: Int) -> String? {
            var a = from, b = to
            while a < b, text[a] == 0x20 || text[a] == UInt8(ascii: ".") { a += 1 }
            while b > a, text[b - 1] == 0x20 || text[b - 1] == UInt8(ascii: ".") { b -= 1 }
            return a < b ? String(decoding: text[a..<b], as: UTF8.self) : nil
        }
        // Every marker starts with a space: look only where the title has one (one pass).
        var spaces: [Int] = []
        for i in 0..<end where text[i] == 0x20 { spaces.append(i) }
        func first(_ markers: [[UInt8]], from: Int = 0) -> (at: Int, length: Int)? {
            for s in spaces where s >= from {
                for marker in markers where s + marker.count <= end && text[s + 1] == marker[1] {
                    var k = 2
                    while k < marker.count, text[s + k] == marker[k] { k += 1 }
                    if k == marker.count { return (s, marker.count) }
                }
            }
            return nil
        }
        // English: "… commented on Ahmad's post in Group." / "… posted in Group."
        if let (m, length) = first(englishMarkers) {
            let marker = length
            var restEnd = end
            var group: String?
            let restStart = m + marker
            if let i = ByteSearch.find(inWord, in: text, from: restStart, to: end) {
                group = piece(i + inWord.count, end)
                restEnd = i
            }
            for p in possessives {
                if let q = ByteSearch.find(p, in: text, from: restStart, to: restEnd) { return (piece(restStart, q), group) }
            }
            return (nil, group)
        }
        if let m = first([postedIn]) { return (nil, piece(m.at + m.length, end)) }
        // Indonesian: the name follows the first object word; " di " introduces the group.
        if let best = first(objectMarkers) {
            let restStart = best.at + best.length
            if let di = ByteSearch.find(diWord, in: text, from: restStart, to: end) {
                return (piece(restStart, di), piece(di + diWord.count, end))
            }
            return (piece(restStart, end), nil)
        }
        if let di = ByteSearch.find(diWord, in: text, to: end) { return (nil, piece(di + diWord.count, end)) }
        return (nil, nil)
    }
}

/// Facebook "Download Your Information" JSON (2021–2025 layouts) and Instagram's JSON export.
///
/// The section is recognised by content — the wrapper key (`comments_v2`, `groups_joined_v2`,
/// `likes_media_likes` …) or, for files that are a bare array, the shape of each item — so the
/// folder layout of the year does not matter. Every string and key is repaired with
/// ``MojibakeRepair`` while it is decoded.
enum MetaReader {
    /// The wrapper keys read, and what their items are.
    enum Section: String {
        case fbComments = "comments_v2", fbGroupComments = "group_comments_v2", fbGroupPosts = "group_posts_v2"
        case fbMemberships = "groups_joined_v2", fbMembershipsOld = "groups_joined"
        case fbPageLikes = "page_likes_v2", fbPagesFollowed = "pages_followed_v2", fbPagesUnfollowed = "pages_unfollowed_v2"
        case fbFollowing = "following_v3", fbFollowingV2 = "following_v2", fbReactions = "reactions_v2", fbProfile = "profile_v2"
        case igOldComments = "comments_media_comments", igReelsComments = "comments_reels_comments"
        case igLikes = "likes_media_likes", igFollowing = "relationships_following"
        case threadsFollowing = "text_post_app_text_post_app_following"
    }

    /// Reads one file; returns how many items were recognised.
    @discardableResult
    static func read(_ bytes: [UInt8], fileName: String, path: String, limits: ReadLimits,
                     emit: (ExportEvent) -> Void) throws -> Int {
        let lowerName = fileName.lowercased()
        var recognised = 0
        var unrecognised: [SourceLocation] = []
        try bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(bytes: buffer, repairMojibake: true, maxDepth: limits.maxJSONDepth)
            var keyPath: [String] = []
            try reader.walk(path: &keyPath, wanted: { keys in
                switch keys.count {
                case 0: return .deliverArrayOrDescend
                case 1: return Section(rawValue: keys[0]) != nil ? .deliver : .skip
                default: return .skip
                }
            }, deliver: { keys, index, item in
                let source = SourceLocation(path: path, line: index)
                let events: [ExportEvent]
                if let key = keys.first, let section = Section(rawValue: key) {
                    events = convert(section: section, item: item, source: source)
                } else {
                    events = convertArrayItem(item, lowerName: lowerName, source: source)
                }
                for event in events {
                    if case .notJudged(reason: "unrecognized_item", let location) = event {
                        unrecognised.append(location)
                        continue
                    }
                    recognised += 1
                    emit(event)
                }
            })
            try reader.expectEnd()
        }
        // Items of an unknown shape count only in a file that is otherwise an export; a JSON file
        // with none that is recognised is not an export file at all and is left out quietly.
        if recognised > 0 {
            for location in unrecognised { emit(.notJudged(reason: "unrecognized_item", location)) }
        }
        return recognised
    }

    /// A record; its texts also get ``MojibakeRepair`` for the damage Meta did not cause
    /// (copy-pasted cp1252 or double-encoded text), as the JSON-lines reader does.
    static func record(_ kind: RecordKind, _ time: (createdAt: String?, date: CalendarDate?), text: String = "",
                       target: RecordTarget? = nil, group: String? = nil, id: String? = nil, source: SourceLocation) -> ExportEvent {
        let repairedTarget = target.map { RecordTarget(author: $0.author.map(MojibakeRepair.repair), text: $0.text.map(MojibakeRepair.repair)) }
        return .record(Record(id: id, kind: kind, createdAt: time.createdAt, date: time.date, text: MojibakeRepair.repair(text),
                              target: repairedTarget, group: group.map(MojibakeRepair.repair), source: source))
    }

    /// Items of a wrapped section (`{"comments_v2": [ … ]}`).
    static func convert(section: Section, item: JSONValue, source: SourceLocation) -> [ExportEvent] {
        switch section {
        case .fbComments, .fbGroupComments:
            return [facebookComment(item, source: source)]
        case .fbGroupPosts:
            return [facebookPost(item, source: source, inGroup: true)]
        case .fbReactions:
            return [facebookReaction(item, source: source)]
        case .fbMemberships:
            // A leave event has only a title and no data: it is not a membership.
            guard let name = item["data"]?.array.lazy.compactMap({ $0["name"]?.nonEmptyString }).first else {
                return [.notJudged(reason: "group_left", source)]
            }
            return [record(.group, ItemTime.unix(item["timestamp"]), group: name, source: source)]
        case .fbMembershipsOld:
            guard let name = item["name"]?.nonEmptyString ?? item["title"]?.nonEmptyString else {
                return [.notJudged(reason: "group_left", source)]
            }
            return [record(.group, ItemTime.unix(item["timestamp"]), group: name, source: source)]
        case .fbPageLikes, .fbPagesFollowed:
            let name = item["name"]?.nonEmptyString
                ?? item["data"]?.array.lazy.compactMap({ $0["name"]?.nonEmptyString }).first
                ?? item["title"]?.nonEmptyString
            guard let name else { return [.notJudged(reason: "no_text", source)] }
            return [record(.page, ItemTime.unix(item["timestamp"]), target: RecordTarget(author: name), source: source)]
        case .fbPagesUnfollowed:
            return [.notJudged(reason: "page_unfollowed", source)]
        case .fbFollowing, .fbFollowingV2:
            guard let name = item["name"]?.nonEmptyString ?? item["title"]?.nonEmptyString else {
                return [.notJudged(reason: "no_text", source)]
            }
            return [record(.follow, ItemTime.unix(item["timestamp"]), target: RecordTarget(author: name), source: source)]
        case .fbProfile:
            let bio = ["intro_bio", "about_me", "bio", "about"].compactMap { item[$0]?.nonEmptyString }
            guard !bio.isEmpty else { return [.notJudged(reason: "profile_without_text", source)] }
            return [record(.profile, (nil, nil), text: bio.joined(separator: "\n"), source: source)]
        case .igOldComments:
            let entry = item["string_list_data"]?[0]
            return [record(.comment, ItemTime.unix(entry?["timestamp"]), text: entry?["value"]?.string ?? "",
                           target: item["title"]?.nonEmptyString.map { RecordTarget(author: $0) }, source: source)]
        case .igReelsComments:
            return [instagramComment(item, source: source)]
        case .igLikes:
            let entry = item["string_list_data"]?[0]
            guard let owner = item["title"]?.nonEmptyString else { return [.notJudged(reason: "no_text", source)] }
            return [record(.reaction, ItemTime.unix(entry?["timestamp"]), target: RecordTarget(author: owner), source: source)]
        case .igFollowing, .threadsFollowing:
            let entry = item["string_list_data"]?[0]
            var name = entry?["value"]?.nonEmptyString ?? item["title"]?.nonEmptyString
            if name == nil, let href = entry?["href"]?.nonEmptyString {
                name = href.split(separator: "/").last.map(String.init)
            }
            guard let name else { return [.notJudged(reason: "no_text", source)] }
            return [record(.follow, ItemTime.unix(entry?["timestamp"]), target: RecordTarget(author: name), source: source)]
        }
    }

    /// Items of files that are a bare array: Facebook posts and reactions, Instagram posts and comments.
    static func convertArrayItem(_ item: JSONValue, lowerName: String, source: SourceLocation) -> [ExportEvent] {
        guard item.isObject else { return [.notJudged(reason: "unrecognized_item", source)] }
        if item["string_map_data"] != nil { return [instagramComment(item, source: source)] }
        if let labels = item["label_values"] {
            if lowerName.contains("reaction") || lowerName.contains("like") {
                return [labelledReaction(item, labels: labels, source: source)]
            }
            return [labelledPost(item, labels: labels, source: source)]
        }
        if let data = item["data"]?.array {
            if data.contains(where: { $0["reaction"] != nil }) { return [facebookReaction(item, source: source)] }
            return [facebookPost(item, source: source, inGroup: false)]
        }
        if let media = item["media"]?.array, !media.isEmpty {
            // Instagram: a carousel has the caption at the top, a single photo in media[0].title.
            let caption = item["title"]?.nonEmptyString ?? media.lazy.compactMap { $0["title"]?.nonEmptyString }.first ?? ""
            let time = ItemTime.unix(item["creation_timestamp"] ?? media[0]["creation_timestamp"])
            return [record(.post, time, text: caption, source: source)]
        }
        if lowerName.contains("post"), item["timestamp"] != nil {
            return [facebookPost(item, source: source, inGroup: false)]
        }
        return [.notJudged(reason: "unrecognized_item", source)]
    }

    static func facebookPost(_ item: JSONValue, source: SourceLocation, inGroup: Bool) -> ExportEvent {
        let data = item["data"]?.array ?? []
        var texts = data.compactMap { $0["post"]?.nonEmptyString }
        if texts.isEmpty {
            // The caption is sometimes only in the media description.
            for attachment in item["attachments"]?.array ?? [] {
                for d in attachment["data"]?.array ?? [] {
                    if let description = d["media"]?["description"]?.nonEmptyString { texts.append(description) }
                }
                if !texts.isEmpty { break }
            }
        }
        let title = item["title"]?.nonEmptyString
        let group = inGroup ? title.flatMap { MetaTitle.target(in: $0).group } : nil
        var target: RecordTarget?
        for attachment in item["attachments"]?.array ?? [] {
            for d in attachment["data"]?.array ?? [] {
                if let context = d["external_context"], let name = context["name"]?.nonEmptyString ?? context["url"]?.nonEmptyString {
                    target = RecordTarget(text: name)
                }
            }
        }
        return record(.post, ItemTime.unix(item["timestamp"]), text: texts.joined(separator: "\n"),
                      target: target, group: group, source: source)
    }

    static func facebookComment(_ item: JSONValue, source: SourceLocation) -> ExportEvent {
        let comment = item["data"]?.array.lazy.compactMap({ $0["comment"] }).first
        let title = item["title"]?.nonEmptyString
        let fromTitle: (author: String?, group: String?) = title.map(MetaTitle.target(in:)) ?? (nil, nil)
        let group = comment?["group"]?.nonEmptyString ?? fromTitle.group
        let target = title.map { RecordTarget(author: fromTitle.author, text: $0) }
        return record(.comment, ItemTime.unix(comment?["timestamp"] ?? item["timestamp"]),
                      text: comment?["comment"]?.string ?? "", target: target, group: group, source: source)
    }

    /// Older reactions: the reacted-to object is only named in the title.
    static func facebookReaction(_ item: JSONValue, source: SourceLocation) -> ExportEvent {
        guard let title = item["title"]?.nonEmptyString else { return .notJudged(reason: "no_text", source) }
        let fromTitle = MetaTitle.target(in: title)
        return record(.reaction, ItemTime.unix(item["timestamp"]),
                      target: RecordTarget(author: fromTitle.author, text: title), group: fromTitle.group, source: source)
    }

    /// The names in the `dict` blocks of a `label_values` list (the owner or author); labels are
    /// localised, so they are not matched.
    static func labelledNames(_ labels: JSONValue) -> [String] {
        labels.array.flatMap { entry in (entry["dict"]?.array ?? []).compactMap { $0["value"]?.nonEmptyString } }
    }

    /// 2025 reactions: `label_values` with the owner's name in a nested `dict`.
    static func labelledReaction(_ item: JSONValue, labels: JSONValue, source: SourceLocation) -> ExportEvent {
        let names = labelledNames(labels)
        let url = labels.array.lazy.compactMap { $0["href"]?.nonEmptyString }.first
        guard let owner = names.first ?? url else { return .notJudged(reason: "no_text", source) }
        return record(.reaction, ItemTime.unix(item["timestamp"]), target: RecordTarget(author: owner),
                      id: item["fbid"]?.nonEmptyString, source: source)
    }

    /// 2024+ posts on other pages: the text is the longest plain value (no link).
    static func labelledPost(_ item: JSONValue, labels: JSONValue, source: SourceLocation) -> ExportEvent {
        let values = labels.array.compactMap { entry -> String? in
            guard entry["href"] == nil, let v = entry["value"]?.nonEmptyString, !v.hasPrefix("http") else { return nil }
            return v
        }
        let text = values.max { $0.unicodeScalars.count < $1.unicodeScalars.count } ?? ""
        let owner = labelledNames(labels).first
        return record(.post, ItemTime.unix(item["timestamp"]), text: text,
                      target: owner.map { RecordTarget(author: $0) }, id: item["fbid"]?.nonEmptyString, source: source)
    }

    /// Instagram comments: `string_map_data` with `Comment`, `Media Owner`, `Time` (matched ignoring case).
    static func instagramComment(_ item: JSONValue, source: SourceLocation) -> ExportEvent {
        let map = item["string_map_data"]
        let text = map?.member(caseInsensitive: "Comment")?["value"]?.string ?? ""
        let owner = map?.member(caseInsensitive: "Media Owner")?["value"]?.nonEmptyString
        let time = ItemTime.unix(map?.member(caseInsensitive: "Time")?["timestamp"])
        return record(.comment, time, text: text, target: owner.map { RecordTarget(author: $0) }, source: source)
    }
}
