#!/usr/bin/env bash
# One sitting on a lent GPU, in one go (a GPU is lent for minutes): the adapter, the roofline,
# step_breakdown, the kernels bench's step and inference, the shapes bench, the feed, a trainer run at batch 32
# and 256, and PyTorch on the same GPU (../shared/gpu/pytorch_anchor.py) before and after ours.
# Everything it prints goes to $OUT/sitting.txt as well (the device tool brings $OUT back).
# Prepared by scripts/prepare-gpu-sitting.sh. `bash scripts/gpu-sitting.sh cpu` runs the same
# sitting against PyTorch on the CPU (a smoke test where no GPU is lent).
set -uo pipefail
cd "$(dirname "$0")/.."
device=${1:-cuda}
out=${OUT:-/tmp}/sitting.txt
exec > >(tee "$out") 2>&1
bin=.devrun/bin
[ -d "$bin" ] || tar -xzf .devrun/bin.tar.gz -C .devrun
if [ "$device" = cuda ]; then
  for f in .gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true
fi
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
export TWINHEAD_KERNEL_CACHE=$(mktemp -d)/kernels.json
lscpu | grep 'Model name' || true
data=.devrun/fashion
anchor() {
  timeout 240 python3 .devrun/gpu/pytorch_anchor.py --device "$device" --batches 32,256 --epochs 1 --data "$data" \
    $([ "$device" = cpu ] && echo "--threads 2 --batches 32") 2>&1 | tail -8
}
echo "== PyTorch before"; anchor
echo "== adapters"; timeout 30 $bin/trainer --list-adapters
echo "== roofline"; timeout 60 $bin/roofline
echo "== kernels bench: step and inference"
timeout 240 $bin/kernels --bench "(training_step|inference_forward)/batch (32|256)$" --warm-up-time 0.5 --measurement-time 2 --noplot 2>&1 |
  grep -E "time:|^model|kernels|cpu:"
echo "== PyTorch after"; anchor
echo "== step_breakdown"; timeout 240 $bin/step_breakdown 2>&1 | grep -v '^\s*$'
echo "== shapes: every pass in every variant and register block, and the tuner's pick"
SHAPES_DIR=$(mktemp -d) timeout 240 $bin/shapes 2>&1 | cut -c1-220
echo "== feed"; timeout 60 $bin/feed
for batch in 32 256; do
  echo "== trainer, batch $batch, 2 epochs"
  timeout 240 $bin/trainer --data "$data" --epochs 2 --batch-size "$batch" --runs-dir "$(mktemp -d)" 2>&1 | grep -E "^(adapter|kernels|epoch|warning)"
done
