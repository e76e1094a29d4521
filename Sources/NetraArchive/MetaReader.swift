import NetraCore
import NetraText

/// Helpers shared by the JSON export readers.
enum ItemTime {
    /// Unix seconds, written back as text (as the input had it) and dated in WIB (UTC+7), the
    /// same convention as the JSON-lines reader.
    static func unix<Item: JSONItem>(_ value: Item?) -> (createdAt: String?, date: CalendarDate?) {
        guard let value, let seconds = value.int64, seconds > 0 else { return (nil, nil) }
        return (value.canonicalDigits ?? String(seconds), CalendarDate(unixSeconds: seconds, utcOffsetSeconds: 7 * 3600))
    }

    /// `YYYY-MM-DD HH:MM:SS` (TikTok) or ISO 8601: kept as written, dated by its first ten characters.
    static func iso<Item: JSONItem>(_ value: Item?) -> (createdAt: String?, date: CalendarDate?) {
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
    static let postedIn = [Array(" posted in ".utf8)]
    static let inWord = Array(" in ".utf8)
    static let diWord = Array(" di ".utf8)
    static let possessives = ["'s ", "\u{2019}s "].map { Array($0.utf8) }
    /// The letters (bit 0 = `a`) that the markers of each list start with, after their space.
    static let objectSecondBytes = secondBytes(objectMarkers)
    static let englishSecondBytes = secondBytes(englishMarkers)
    static let postedInSecondBytes = secondBytes(postedIn)

    static func secondBytes(_ markers: [[UInt8]]) -> UInt32 {
        markers.reduce(0) { bits, marker in
            let letter = marker[1] &- UInt8(ascii: "a")
            precondition(letter < 26, "title markers start with a space and a lowercase letter")
            return bits | 1 << UInt32(letter)
        }
    }

    static func target(in title: String) -> (author: String?, group: String?) {
        var title = title
        return title.withUTF8 { target(utf8: $0) }
    }

    static func target(utf8 text: UnsafeBufferPointer<UInt8>) -> (author: String?, group: String?) {
        var end = text.count
        while end > 0, text[end - 1] == UInt8(ascii: ".") || text[end - 1] == 0x20 { end -= 1 }
        guard end > 0, end < 2000 else { return (nil, nil) }
        func piece(_ from: Int, _ to: Int) -> String? {
            var a = from, b = to
            while a < b, text[a] == 0x20 || text[a] == UInt8(ascii: ".") { a += 1 }
            while b > a, text[b - 1] == 0x20 || text[b - 1] == UInt8(ascii: ".") { b -= 1 }
            return a < b ? String(decoding: UnsafeBufferPointer(rebasing: text[a..<b]), as: UTF8.self) : nil
        }
        // The first occurrence of `needle` in text[from..<to] (as ByteSearch.find).
        func find(_ needle: [UInt8], from: Int = 0, to limit: Int) -> Int? {
            guard !needle.isEmpty, limit - from >= needle.count, from >= 0 else { return nil }
            let first = needle[0]
            var i = from
            while i <= limit - needle.count {
                if text[i] == first {
                    var k = 1
                    while k < needle.count, text[i + k] == needle[k] { k += 1 }
                    if k == needle.count { return i }
                }
                i += 1
            }
            return nil
        }
        // Every marker starts with a space and a lowercase letter: one pass over the spaces finds
        // the first place each list matches (English markers win wherever they are, then
        // "posted in", then the Indonesian object words).
        func matches(_ marker: [UInt8], at s: Int) -> Bool {
            guard s + marker.count <= end else { return false }
            var k = 1
            while k < marker.count, text[s + k] == marker[k] { k += 1 }
            return k == marker.count
        }
        var english: (at: Int, length: Int)?, posted: (at: Int, length: Int)?, object: (at: Int, length: Int)?
        let anyList = englishSecondBytes | postedInSecondBytes | objectSecondBytes
        var s = 0
        while s + 1 < end, english == nil {
            defer { s += 1 }
            guard text[s] == 0x20 else { continue }
            let letter = text[s + 1] &- UInt8(ascii: "a")
            guard letter < 26 else { continue }
            let bit: UInt32 = 1 << UInt32(letter)
            guard anyList & bit != 0 else { continue }
            if englishSecondBytes & bit != 0, let m = englishMarkers.first(where: { matches($0, at: s) }) { english = (s, m.count) }
            if posted == nil, postedInSecondBytes & bit != 0, let m = postedIn.first(where: { matches($0, at: s) }) { posted = (s, m.count) }
            if object == nil, objectSecondBytes & bit != 0, let m = objectMarkers.first(where: { matches($0, at: s) }) { object = (s, m.count) }
        }
        // English: "… commented on Ahmad's post in Group." / "… posted in Group."
        if let (m, length) = english {
            let marker = length
            var restEnd = end
            var group: String?
            let restStart = m + marker
            if let i = find(inWord, from: restStart, to: end) {
                group = piece(i + inWord.count, end)
                restEnd = i
            }
            for p in possessives {
                if let q = find(p, from: restStart, to: restEnd) { return (piece(restStart, q), group) }
            }
            return (nil, group)
        }
        if let m = posted { return (nil, piece(m.at + m.length, end)) }
        // Indonesian: the name follows the first object word; " di " introduces the group.
        if let best = object {
            let restStart = best.at + best.length
            if let di = find(diWord, from: restStart, to: end) {
                return (piece(restStart, di), piece(di + diWord.count, end))
            }
            return (piece(restStart, end), nil)
        }
        if let di = find(diWord, to: end) { return (nil, piece(di + diWord.count, end)) }
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
    static func read(_ bytes: [UInt8], fileName: String, path: String, limits: ReadLimits, reference: Bool = false,
                     emit: (ExportEvent) -> Void) throws -> Int {
        let lowerName = fileName.lowercased()
        let likeFile = lowerName.contains("reaction") || lowerName.contains("like")
        let postFile = lowerName.contains("post")
        var recognised = 0
        var unrecognised: [SourceLocation] = []
        try bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(bytes: buffer, repairMojibake: true, maxDepth: limits.maxJSONDepth,
                                    reference: reference, maxItemValues: limits.maxItemValues)
            var keyPath: [String] = []
            try reader.walk(path: &keyPath, wanted: { keys in
                switch keys.count {
                case 0: return .deliverArrayOrDescend
                case 1: return Section(rawValue: keys[0]) != nil ? .deliver : .skip
                default: return .skip
                }
            }, deliver: { keys, index, parsed in
                let source = SourceLocation(path: path, line: index)
                let section = keys.first.flatMap(Section.init(rawValue:))
                func convert<Item: JSONItem>(_ item: Item) -> ExportEvent {
                    if let section { return MetaReader.convert(section: section, item: item, source: source) }
                    return convertArrayItem(item, likeFile: likeFile, postFile: postFile, source: source)
                }
                let event: ExportEvent
                switch parsed {
                case .node(let node): event = convert(node)
                case .tree(let value): event = convert(value)
                case .tooLarge: event = tooLarge(source, limits: limits)
                }
                if case .notJudged(reason: "unrecognized_item", let location) = event {
                    unrecognised.append(location)
                    return
                }
                recognised += 1
                emit(event)
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

    /// An item skipped for holding more values than ``ReadLimits/maxItemValues``.
    static func tooLarge(_ source: SourceLocation, limits: ReadLimits) -> ExportEvent {
        .skipped(reason: "item_too_large", message: "an item with more than \(limits.maxItemValues) JSON values; it was not read", source)
    }

    /// A record; its texts also get ``MojibakeRepair`` for the damage Meta did not cause
    /// (copy-pasted cp1252 or double-encoded text), as the JSON-lines reader does.
    static func record(_ kind: RecordKind, _ time: (createdAt: String?, date: CalendarDate?), text: String = "",
                       target: RecordTarget? = nil, group: String? = nil, id: String? = nil, source: SourceLocation) -> ExportEvent {
        let repairedTarget = target.map { RecordTarget(author: $0.author.map(MojibakeRepair.repair), text: $0.text.map(MojibakeRepair.repair)) }
        return .record(Record(id: id, kind: kind, createdAt: time.createdAt, date: time.date, text: MojibakeRepair.repair(text),
                              target: repairedTarget, group: group.map(MojibakeRepair.repair), source: source))
    }

    /// The first non-empty `name` of an item's `data` list.
    static func firstDataName<Item: JSONItem>(_ item: Item) -> String? {
        guard let data = item["data"] else { return nil }
        for d in data.elements { if let name = d["name"]?.nonEmptyString { return name } }
        return nil
    }

    /// Items of a wrapped section (`{"comments_v2": [ … ]}`).
    static func convert<Item: JSONItem>(section: Section, item: Item, source: SourceLocation) -> ExportEvent {
        switch section {
        case .fbComments, .fbGroupComments:
            return facebookComment(item, source: source)
        case .fbGroupPosts:
            return facebookPost(item, source: source, inGroup: true)
        case .fbReactions:
            return facebookReaction(item, source: source)
        case .fbMemberships:
            // A leave event has only a title and no data: it is not a membership.
            guard let name = firstDataName(item) else { return .notJudged(reason: "group_left", source) }
            return record(.group, ItemTime.unix(item["timestamp"]), group: name, source: source)
        case .fbMembershipsOld:
            guard let name = item["name"]?.nonEmptyString ?? item["title"]?.nonEmptyString else {
                return .notJudged(reason: "group_left", source)
            }
            return record(.group, ItemTime.unix(item["timestamp"]), group: name, source: source)
        case .fbPageLikes, .fbPagesFollowed:
            let name = item["name"]?.nonEmptyString ?? firstDataName(item) ?? item["title"]?.nonEmptyString
            guard let name else { return .notJudged(reason: "no_text", source) }
            return record(.page, ItemTime.unix(item["timestamp"]), target: RecordTarget(author: name), source: source)
        case .fbPagesUnfollowed:
            return .notJudged(reason: "page_unfollowed", source)
        case .fbFollowing, .fbFollowingV2:
            guard let name = item["name"]?.nonEmptyString ?? item["title"]?.nonEmptyString else {
                return .notJudged(reason: "no_text", source)
            }
            return record(.follow, ItemTime.unix(item["timestamp"]), target: RecordTarget(author: name), source: source)
        case .fbProfile:
            let keys: [StaticString] = ["intro_bio", "about_me", "bio", "about"]
            let bio = keys.compactMap { item[$0]?.nonEmptyString }
            guard !bio.isEmpty else { return .notJudged(reason: "profile_without_text", source) }
            return record(.profile, (nil, nil), text: bio.joined(separator: "\n"), source: source)
        case .igOldComments:
            let entry = item["string_list_data"]?[0]
            return record(.comment, ItemTime.unix(entry?["timestamp"]), text: entry?["value"]?.string ?? "",
                          target: item["title"]?.nonEmptyString.map { RecordTarget(author: $0) }, source: source)
        case .igReelsComments:
            return instagramComment(item, source: source)
        case .igLikes:
            let entry = item["string_list_data"]?[0]
            guard let owner = item["title"]?.nonEmptyString else { return .notJudged(reason: "no_text", source) }
            return record(.reaction, ItemTime.unix(entry?["timestamp"]), target: RecordTarget(author: owner), source: source)
        case .igFollowing, .threadsFollowing:
            let entry = item["string_list_data"]?[0]
            var name = entry?["value"]?.nonEmptyString ?? item["title"]?.nonEmptyString
            if name == nil, let href = entry?["href"]?.nonEmptyString {
                name = href.split(separator: "/").last.map(String.init)
            }
            guard let name else { return .notJudged(reason: "no_text", source) }
            return record(.follow, ItemTime.unix(entry?["timestamp"]), target: RecordTarget(author: name), source: source)
        }
    }

    /// Items of files that are a bare array: Facebook posts and reactions, Instagram posts and comments.
    /// `likeFile` and `postFile`: the file's name contains `reaction` or `like`, or `post`.
    static func convertArrayItem<Item: JSONItem>(_ item: Item, likeFile: Bool, postFile: Bool, source: SourceLocation) -> ExportEvent {
        guard item.isObject else { return .notJudged(reason: "unrecognized_item", source) }
        if item["string_map_data"] != nil { return instagramComment(item, source: source) }
        if let labels = item["label_values"] {
            if likeFile { return labelledReaction(item, labels: labels, source: source) }
            return labelledPost(item, labels: labels, source: source)
        }
        if let data = item["data"] {
            if data.elements.contains(where: { $0["reaction"] != nil }) { return facebookReaction(item, source: source) }
            return facebookPost(item, source: source, inGroup: false)
        }
        if let media = item["media"], let first = media[0] {
            // Instagram: a carousel has the caption at the top, a single photo in media[0].title.
            var caption = item["title"]?.nonEmptyString
            if caption == nil { for m in media.elements { if let t = m["title"]?.nonEmptyString { caption = t; break } } }
            let time = ItemTime.unix(item["creation_timestamp"] ?? first["creation_timestamp"])
            return record(.post, time, text: caption ?? "", source: source)
        }
        if postFile, item["timestamp"] != nil {
            return facebookPost(item, source: source, inGroup: false)
        }
        return .notJudged(reason: "unrecognized_item", source)
    }

    static func facebookPost<Item: JSONItem>(_ item: Item, source: SourceLocation, inGroup: Bool) -> ExportEvent {
        // The texts of `data[].post`, joined by line breaks (nearly always exactly one).
        var text: String?
        if let data = item["data"] {
            for d in data.elements {
                guard let post = d["post"]?.nonEmptyString else { continue }
                if text == nil { text = post } else { text! += "\n" + post }
            }
        }
        let attachments = item["attachments"]
        if text == nil, let attachments {
            // The caption is sometimes only in the media description.
            for attachment in attachments.elements {
                guard let data = attachment["data"] else { continue }
                for d in data.elements {
                    guard let description = d["media"]?["description"]?.nonEmptyString else { continue }
                    if text == nil { text = description } else { text! += "\n" + description }
                }
                if text != nil { break }
            }
        }
        let group = inGroup ? item["title"]?.nonEmptyString.flatMap { MetaTitle.target(in: $0).group } : nil
        var target: RecordTarget?
        if let attachments {
            for attachment in attachments.elements {
                guard let data = attachment["data"] else { continue }
                for d in data.elements {
                    if let context = d["external_context"], let name = context["name"]?.nonEmptyString ?? context["url"]?.nonEmptyString {
                        target = RecordTarget(text: name)
                    }
                }
            }
        }
        return record(.post, ItemTime.unix(item["timestamp"]), text: text ?? "", target: target, group: group, source: source)
    }

    static func facebookComment<Item: JSONItem>(_ item: Item, source: SourceLocation) -> ExportEvent {
        var comment: Item?
        if let data = item["data"] {
            for d in data.elements { if let c = d["comment"] { comment = c; break } }
        }
        let title = item["title"]?.nonEmptyString
        let fromTitle: (author: String?, group: String?) = title.map(MetaTitle.target(in:)) ?? (nil, nil)
        let group = comment?["group"]?.nonEmptyString ?? fromTitle.group
        let target = title.map { RecordTarget(author: fromTitle.author, text: $0) }
        return record(.comment, ItemTime.unix(comment?["timestamp"] ?? item["timestamp"]),
                      text: comment?["comment"]?.string ?? "", target: target, group: group, source: source)
    }

    /// Older reactions: the reacted-to object is only named in the title.
    static func facebookReaction<Item: JSONItem>(_ item: Item, source: SourceLocation) -> ExportEvent {
        guard let title = item["title"]?.nonEmptyString else { return .notJudged(reason: "no_text", source) }
        let fromTitle = MetaTitle.target(in: title)
        return record(.reaction, ItemTime.unix(item["timestamp"]),
                      target: RecordTarget(author: fromTitle.author, text: title), group: fromTitle.group, source: source)
    }

    /// The names in the `dict` blocks of a `label_values` list (the owner or author); labels are
    /// localised, so they are not matched.
    static func labelledNames<Item: JSONItem>(_ labels: Item) -> [String] {
        labels.elements.flatMap { entry in (entry["dict"]?.elements.map { $0 } ?? []).compactMap { $0["value"]?.nonEmptyString } }
    }

    /// 2025 reactions: `label_values` with the owner's name in a nested `dict`.
    static func labelledReaction<Item: JSONItem>(_ item: Item, labels: Item, source: SourceLocation) -> ExportEvent {
        let names = labelledNames(labels)
        let url = labels.elements.lazy.compactMap { $0["href"]?.nonEmptyString }.first
        guard let owner = names.first ?? url else { return .notJudged(reason: "no_text", source) }
        return record(.reaction, ItemTime.unix(item["timestamp"]), target: RecordTarget(author: owner),
                      id: item["fbid"]?.nonEmptyString, source: source)
    }

    /// 2024+ posts on other pages: the text is the longest plain value (no link).
    static func labelledPost<Item: JSONItem>(_ item: Item, labels: Item, source: SourceLocation) -> ExportEvent {
        let values = labels.elements.compactMap { entry -> String? in
            guard entry["href"] == nil, let v = entry["value"]?.nonEmptyString, !v.hasPrefix("http") else { return nil }
            return v
        }
        let text = values.max { $0.unicodeScalars.count < $1.unicodeScalars.count } ?? ""
        let owner = labelledNames(labels).first
        return record(.post, ItemTime.unix(item["timestamp"]), text: text,
                      target: owner.map { RecordTarget(author: $0) }, id: item["fbid"]?.nonEmptyString, source: source)
    }

    /// Instagram comments: `string_map_data` with `Comment`, `Media Owner`, `Time` (matched ignoring case).
    static func instagramComment<Item: JSONItem>(_ item: Item, source: SourceLocation) -> ExportEvent {
        let map = item["string_map_data"]
        let text = map?.member(caseInsensitive: "Comment")?["value"]?.string ?? ""
        let owner = map?.member(caseInsensitive: "Media Owner")?["value"]?.nonEmptyString
        let time = ItemTime.unix(map?.member(caseInsensitive: "Time")?["timestamp"])
        return record(.comment, time, text: text, target: owner.map { RecordTarget(author: $0) }, source: source)
    }
}
