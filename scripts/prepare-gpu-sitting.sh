#!/usr/bin/env bash
# Prepares, on a machine with the Rust toolchain, everything the device machine (an NVIDIA GPU
# with no toolchain) needs for scripts/gpu-sitting.sh, in folders git ignores: .devrun/ (the
# release trainer and bench executables, stripped; ../shared/gpu and ../shared/reference; the
# photos) and .gl/ (the Vulkan loader and GL vendor-neutral libraries as Debian packages, which
# NVIDIA's Vulkan driver needs: ../shared/gpu/README.md). Then: the device tool's run with
# carry [".devrun", ".gl"] and the command `bash scripts/gpu-sitting.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf .devrun .gl
mkdir -p .devrun/bin .gl
cargo build --release -p trainer
cargo bench --no-run 2>&1 | tail -1
cp target/release/trainer .devrun/bin/
for bench in kernels step_breakdown roofline feed shapes; do
  # The newest executable of each bench (not the .d files).
  exe=$(ls -t target/release/deps/"$bench"-* | grep -v '\.d$' | head -1)
  cp "$exe" .devrun/bin/"$bench"
done
strip .devrun/bin/*
# The carry limit is 64 MiB: the executables travel packed (about a third of their size).
tar -czf .devrun/bin.tar.gz -C .devrun bin && rm -r .devrun/bin
cp -r ../shared/gpu ../shared/reference .devrun/
if [ -d ../shared/datasets/fashion ]; then cp -r ../shared/datasets/fashion .devrun/fashion; fi
(cd .gl && apt-get download libvulkan1 libglvnd0 libegl1 libgl1 libglx0 libopengl0 libgles2 >/dev/null)
du -sh .devrun .gl
