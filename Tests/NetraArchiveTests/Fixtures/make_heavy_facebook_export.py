# A synthetic heavy Facebook export (DYI JSON, 2024 layout, Meta mojibake) for BENCHMARKS.md, from the
# texts of ../shared/corpora/pool.jsonl. Usage: python3 make_heavy_facebook_export.py OUT_DIR [TARGET_MB]
import json, random, os, sys
out = sys.argv[1]; target_mb = int(sys.argv[2]) if len(sys.argv) > 2 else 40
pool = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../shared/corpora/pool.jsonl")
texts = [json.loads(l)["text"] for l in open(pool)]
rnd = random.Random(7)
def meta(s):  # Meta's mojibake: every UTF-8 byte as its own \u00XX escape
    return s.encode("utf-8").decode("latin-1")
def dump(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f: json.dump(obj, f, ensure_ascii=True, indent=2)
base = os.path.join(out, "your_facebook_activity")
ts = 1700000000
n = 0; size = 0; part = 1
while size < target_mb * 0.6 * 1e6:
    items = []
    for _ in range(20000):
        t = rnd.choice(texts); n += 1; ts += 37
        items.append({"timestamp": ts, "attachments": [{"data": [{"media": {"uri": "m/%d.jpg" % n, "creation_timestamp": ts, "description": meta(t)}}]}],
                      "data": [{"post": meta(t)}], "title": meta("Rina Kusumawati menambahkan foto baru.")})
    p = os.path.join(base, "posts", "your_posts__check_ins__photos_and_videos_%d.json" % part); dump(p, items)
    size += os.path.getsize(p); part += 1
comments = []
for i in range(60000):
    t = rnd.choice(texts); ts += 41
    comments.append({"timestamp": ts, "data": [{"comment": {"timestamp": ts, "comment": meta(t), "author": "Rina Kusumawati"}}],
                     "title": meta("Rina Kusumawati mengomentari kiriman Ahmad Fauzi.")})
dump(os.path.join(base, "comments_and_reactions", "comments.json"), {"comments_v2": comments})
likes = [{"timestamp": ts + i, "data": [{"reaction": {"reaction": "LIKE", "actor": "Rina Kusumawati"}}],
          "title": "Rina Kusumawati menyukai kiriman Halaman %d." % (i % 500)} for i in range(40000)]
dump(os.path.join(base, "comments_and_reactions", "likes_and_reactions_1.json"), likes)
