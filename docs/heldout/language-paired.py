# The paired differences of docs/experiments.md's language section, from the --json outputs of
#   kd run --dataset names --task chars --kl forward --seeds 10..30 --json > docs/heldout/language-forward.json
#   kd run --dataset names --task chars --kl reverse --seeds 10..30 --json > docs/heldout/language-reverse.json
#   kd run --dataset names --task chars --student-text teacher --seeds 10..30 --json > docs/heldout/language-seq.json
# Run from the repository's root: python3 docs/heldout/language-paired.py seq
import json, statistics as st, sys
def load(n): return json.load(open(f'docs/heldout/language-{n}.json'))
def vals(d, model, key): return d[model][key]['values']
def paired(a, b, label, scale=1, unit=''):
    d=[(x-y)*scale for x,y in zip(a,b)]
    m=st.mean(d); s=st.stdev(d)
    print(f"{label}: {m:+.3f} ± {s:.3f}{unit} (mean ± sample sd of paired differences, n={len(d)}; first lower in {sum(x<0 for x in d)}, higher in {sum(x>0 for x in d)})")
f=load('forward'); r=load('reverse')
assert f['seeds']==r['seeds']
for key,scale,unit in [('bits_per_char',1,' bits'),('entropy',1,' nats'),('distinct_trigrams',100,' points'),('ece',100,' points'),('test_accuracy',100,' points'),('test_kl_to_teacher',1,' nats')]:
    paired(vals(r,'student_kd',key), vals(f,'student_kd',key), f"reverse − forward, {key}", scale, unit)
for key,scale,unit in [('bits_per_char',1,' bits'),('entropy',1,' nats'),('distinct_trigrams',100,' points')]:
    for n,d in [('forward',f),('reverse',r)]:
        paired(vals(d,'student_kd',key), vals(d,'student_hard',key), f"{n}: distilled − control, {key}", scale, unit)
if len(sys.argv)>1:
    s=load('seq')
    for key,scale,unit in [('bits_per_char',1,' bits'),('entropy',1,' nats'),('distinct_trigrams',100,' points'),('test_accuracy',100,' points')]:
        paired(vals(s,'student_hard',key), vals(f,'student_hard',key), f"seq-level alone (control on the teacher's text) − plain control, {key}", scale, unit)
        paired(vals(f,'student_kd',key), vals(s,'student_hard',key), f"word-level KD − seq-level KD, {key}", scale, unit)
        paired(vals(s,'student_kd',key), vals(f,'student_kd',key), f"seq+word (kd on the teacher's text) − word-level KD, {key}", scale, unit)
    for m in ['teacher','student_kd','student_hard']:
        print('seq', m, {k: (round(s[m][k]['mean'],3), round(s[m][k]['std'],3)) for k in ['bits_per_char','entropy','distinct_trigrams','test_accuracy']})
for m in ['teacher','student_kd','student_hard']:
    for n,d in [('forward',f),('reverse',r)]:
        print(n, m, {k: (round(d[m][k]['mean'],3), round(d[m][k]['std'],3)) for k in ['bits_per_char','entropy','distinct_trigrams','test_accuracy','ece']})
