set -o pipefail
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
T0=$(date +%s); el() { echo "== $(( $(date +%s) - T0 )) s: $*" | tee -a $OUT/run.log; }
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .exp5/whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD
nvidia-smi -L | tee -a $OUT/run.log; nproc
W=/tmp/w; mkdir -p $W
el prep
python3 scripts/experiments/encoder_probe/exp.py prep --out $W/all.npz --held $W/held.npz --workers 15 --budget 160 2>&1 | tee -a $OUT/run.log || exit 1
cp $W/held.npz $W/all.npz $OUT/; ls -la $W | tee -a $OUT/run.log
el train
python3 scripts/experiments/encoder_probe/exp.py train --data $W/all.npz --out $W/A --init-from etude/encoders/checkpoints/musicbert-small --lr 3e-4 --warmup 200 --budget ${BUDGET:-215} --name musicbert-small > $W/A.log 2>&1 &
PA=$!
python3 scripts/experiments/encoder_probe/exp.py train --data $W/all.npz --out $W/B --layers 8 --lr 5e-4 --warmup 300 --budget ${BUDGET:-215} --name musicbert-small-8l > $W/B.log 2>&1 &
PB=$!
python3 scripts/experiments/encoder_probe/exp.py feats --held $W/held.npz --outdir $W --models shipped=etude/encoders/checkpoints/musicbert-small random4=random:4 random8=random:8 2>&1 | tee -a $OUT/run.log
el probe1
timeout 200 python3 scripts/experiments/encoder_probe/probe.py --held $W/held.npz --feats shipped=$W/feats_shipped.npz random4=$W/feats_random4.npz random8=$W/feats_random8.npz --jobs 13 --splits 10 --out $W/probe1.json 2>&1 | tee -a $OUT/run.log
el wait-train
wait $PA; wait $PB
tail -4 $W/A.log $W/B.log | tee -a $OUT/run.log
el feats2
python3 scripts/experiments/encoder_probe/exp.py feats --held $W/held.npz --outdir $W --models A=$W/A B=$W/B 2>&1 | tee -a $OUT/run.log
cp $W/probe1.json $W/A/ ; cp $W/A.log $W/A/stdout.log; cp $W/B.log $W/B/stdout.log
tar -C $W -cf $OUT/A.tar A; tar -C $W -cf $OUT/B.tar B
python3 scripts/experiments/encoder_probe/pack.py $OUT/feats_4l.npz shipped=$W/feats_shipped.npz A=$W/feats_A.npz
python3 scripts/experiments/encoder_probe/pack.py $OUT/feats_8l.npz B=$W/feats_B.npz random8=$W/feats_random8.npz
python3 scripts/experiments/encoder_probe/pack.py $OUT/feats_r4.npz random4=$W/feats_random4.npz
ls -la $OUT | tee -a $OUT/run.log
el probe2
timeout $(( 585 - ($(date +%s) - T0) )) python3 scripts/experiments/encoder_probe/probe.py --held $W/held.npz --feats A=$W/feats_A.npz B=$W/feats_B.npz --jobs 15 --splits 10 --out $OUT/probe2.json 2>&1 | tee -a $OUT/run.log
el done
