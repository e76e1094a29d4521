#!/usr/bin/env python3
"""Scores `netra scan` on the labelled dev rows (../shared/corpora/dev) as `netra eval` does (low-confidence
rows left out), split into a tuning part (sha1(id) % 3 != 0) and a held-out third (sha1(id) % 3 == 0), per
source dataset. "pair" counts true positives with a flag on the labelled contest and pair (as netra eval);
"uniq" those whose flags name only that pair.
Usage (from the repository root, after `swift build -c release --product netra`):
  python3 scripts/eval-split.py                      # the table
  python3 scripts/eval-split.py --show tune --fn     # misses of the tuning part (never look at --show held)"""
import json, subprocess, hashlib, sys, collections, argparse
ap = argparse.ArgumentParser()
ap.add_argument('--bin', default='.build/release/netra')
ap.add_argument('--lex', default='Lexicons')
ap.add_argument('--show', default='')  # tune/held/all
ap.add_argument('--fp', action='store_true'); ap.add_argument('--fn', action='store_true')
ap.add_argument('--pairwrong', action='store_true')
ap.add_argument('--source', default='')
ap.add_argument('--save', default='')
args = ap.parse_args()
D = '../shared/corpora/dev/'
rows = [json.loads(l) for l in open(D + 'labels.jsonl')]
cmd = [args.bin, 'scan', '--all', '--format', 'ndjson', '--lexicons', args.lex, '--contest', 'pilpres-2024',
       '--contest', D + 'contests/pilpres-2019.yaml', '--contest', D + 'contests/pilkada-dki-2017.yaml', D + 'labels.jsonl']
out = subprocess.run(cmd, capture_output=True, text=True)
res = {}
for l in out.stdout.splitlines():
    o = json.loads(l); res[o['id']] = o
if args.save:
    json.dump({k: [(f['rule'], f['contest'], f['pair']) for f in v.get('flags', [])] for k, v in res.items()}, open(args.save, 'w'))
def part(i): return 'held' if int(hashlib.sha1(i.encode()).hexdigest(), 16) % 3 == 0 else 'tune'
S = collections.defaultdict(lambda: [0, 0, 0, 0, 0, 0])  # tp fp fn tn paircorrect pairunique
for r in rows:
    L = r['label']
    if L['confidence'] == 'low': continue
    o = res[r['id']]; flags = o.get('flags', [])
    pred = bool(flags); exp = L['violation']
    pc = any(f['contest'] == L['contest'] and f['pair'] == L['target'] for f in flags)
    pu = pc and len({(f['contest'], f['pair']) for f in flags}) == 1
    for key in ('all', part(r['id']), 'all/' + r['source'], part(r['id']) + '/' + r['source']):
        s = S[key]
        if exp and pred: s[0] += 1; s[4] += pc; s[5] += pu
        elif pred: s[1] += 1
        elif exp: s[2] += 1
        else: s[3] += 1
    show = args.show and (args.show == 'all' or part(r['id']) == args.show) and (not args.source or r['source'] == args.source)
    if show and ((args.fp and pred and not exp) or (args.fn and exp and not pred) or (args.pairwrong and exp and pred and not pc)):
        print(f"{'FP' if pred and not exp else 'FN' if exp and not pred else 'PW'} {r['id']} {r['source']} {L['contest']}/{L['target']}/{L['stance']} {[f['rule']+' '+f['contest']+'/'+f['pair'] for f in flags]} :: {r['text'][:300]!r}  [{L.get('reason')}]")
def fmt(k):
    tp, fp, fn, tn, pc, pu = S[k]
    p = tp / (tp + fp) if tp + fp else 0; rc = tp / (tp + fn) if tp + fn else 0
    return f"{k:40s} P {p:.3f} R {rc:.3f}  tp {tp:3d} fp {fp:3d} fn {fn:3d} tn {tn:3d}  pair {pc}/{tp} uniq {pu}"
for k in ('all', 'tune', 'held'): print(fmt(k))
for k in sorted(S, key=lambda x:(x.split("/")[-1], x)):
    if "/" in k: print(fmt(k))
