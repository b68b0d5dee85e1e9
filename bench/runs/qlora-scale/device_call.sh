#!/bin/bash
# The device call of bench/qlora_scale.py (issue #23), run from the root of the checkout that
# the device tool sends, with `.q7b` named in `carry`. Staged beforehand, here, in an ignored
# folder .q7b/: whl/ (bitsandbytes 0.50.2 stripped to libbitsandbytes_cuda130.so and _cpu.so,
# peft 0.21.2, pydantic 2.14.4, pydantic_core 2.50.5, pydantic-settings 2.16.3, python-dotenv
# 1.2.4, annotated-types 0.8.0, typing-inspection 0.4.5, typing_extensions 4.16.0; cp312
# manylinux wheels), src/ (etude/__init__, config, limits, finetune/{__init__,config,train,
# formatting}.py and bench/qlora_scale.py from this branch), tok/ (the embedded SmolLM2
# tokenizer.json, tokenizer_config.json, chat_template.jinja) and data/train.jsonl.xz
# (`etude finetune data --dialogues 0`, seed 42).
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .q7b/whl/*.whl || exit 1
export PYTHONPATH=/tmp/site PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
df -h /dev/shm /tmp | cat; free -g | head -2; nproc
mkdir -p /root/q7b-data && xz -dc .q7b/data/train.jsonl.xz > /root/q7b-data/train.jsonl
wc -l /root/q7b-data/train.jsonl
python3 .q7b/src/bench/qlora_scale.py all --data /root/q7b-data --tokenizer .q7b/tok \
  --out "$OUT" --steps "${STEPS:-60}" --shapes "${SHAPES:-7b,13b}" --deadline "${DEADLINE:-545}" 2>&1 | tee "$OUT/stdout.txt"
