set -o pipefail
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
T0=$(date +%s); el() { echo "== $(( $(date +%s) - T0 )) s: $*" | tee -a $OUT/run.log; }
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .exp5/whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD
W=/tmp/w6; mkdir -p $W
el train
timeout 330 python3 scripts/experiments/encoder_probe/exp6.py --data .exp5/all.npz --out $W/C6 --init-from etude/encoders/checkpoints/musicbert-small --batch 256 --view-notes 256 --lr 4e-4 --warmup 100 --temperature 0.1 --weight 1.0 --budget ${BUDGET:-240} --log-every 50 2>&1 | tee -a $OUT/run.log
el feats
tar -C $W -cf $OUT/C6.tar C6
timeout 90 python3 scripts/experiments/encoder_probe/exp.py feats --held .exp5/held.npz --outdir $W --models C6=$W/C6 2>&1 | tee -a $OUT/run.log
python3 scripts/experiments/encoder_probe/pack.py $OUT/feats_C6.npz C6=$W/feats_C6.npz
el probe
B=.exp5/base_feats.npz
timeout $(( 480 - ($(date +%s) - T0) )) python3 scripts/experiments/encoder_probe/probe.py --held .exp5/held.npz --packed --fixed-pool --tasks folk4 folk4+bach 'collections>=10' --splits 10 --jobs 15 --out $OUT/probe6.json --feats C6=$OUT/feats_C6.npz:C6 shipped=$B:shipped A2=$B:A2 random4=$B:random4 random4s1=$B:random4s1 random4s2=$B:random4s2 random8=$B:random8 2>&1 | tee -a $OUT/run.log
el done
ls -la $OUT
