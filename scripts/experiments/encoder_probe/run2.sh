set -o pipefail
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
T0=$(date +%s); el() { echo "== $(( $(date +%s) - T0 )) s: $*" | tee -a $OUT/run.log; }
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .exp5/whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD
W=/tmp/w2; mkdir -p $W
el train
(timeout 380 python3 scripts/experiments/encoder_probe/exp.py feats --held .exp5/held.npz --outdir $W --models shipped=etude/encoders/checkpoints/musicbert-small random4=random:4 random8=random:8 > $W/featsbase.log 2>&1) &
PF=$!
timeout 345 python3 scripts/experiments/encoder_probe/exp.py train --data .exp5/all.npz --out $W/A2 --init-from etude/encoders/checkpoints/musicbert-small --batch 256 --lr 4e-4 --warmup 200 --budget ${BUDGET:-280} --log-every 100 --name musicbert-small 2>&1 | tee -a $OUT/run.log
el feats
wait $PF; cat $W/featsbase.log | tee -a $OUT/run.log
timeout 60 python3 scripts/experiments/encoder_probe/exp.py feats --held .exp5/held.npz --outdir $W --models A2=$W/A2 2>&1 | tee -a $OUT/run.log
tar -C $W -cf $OUT/A2.tar A2
python3 scripts/experiments/encoder_probe/pack.py $OUT/feats_4l.npz shipped=$W/feats_shipped.npz A2=$W/feats_A2.npz
python3 scripts/experiments/encoder_probe/pack.py $OUT/feats_r.npz random4=$W/feats_random4.npz random8=$W/feats_random8.npz
el probe
timeout $(( 540 - ($(date +%s) - T0) )) python3 scripts/experiments/encoder_probe/probe.py --held .exp5/held.npz --feats shipped=$W/feats_shipped.npz A2=$W/feats_A2.npz random4=$W/feats_random4.npz random8=$W/feats_random8.npz --jobs 15 --splits 10 --out $OUT/probe2.json 2>&1 | tee -a $OUT/run.log
el done
ls -la $OUT
