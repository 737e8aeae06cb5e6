"""PyTorch <-> twinhead checkpoint interoperability, using the reference network of
../shared/reference/seed_net.py (not needed by `cargo test`; run by hand where torch is installed).

  python tests/pytorch/interop.py fixture
      Writes tests/fixtures/seednet_small.safetensors (a SeedNet with a small shared layer, for
      24x24 images, initialised by PyTorch) and tests/fixtures/seednet_small_expected.json (its
      logits on a fixed input); `cargo test --test pytorch_interop` checks twinhead reproduces them.

  python tests/pytorch/interop.py plain-fixture
      Writes tests/fixtures/seednet_plain.safetensors exactly as a PyTorch user saves a model,
      `save_file(model.state_dict(), path)`: no metadata at all (no class names, no image size),
      for 30x30 images, so that the last feature map is 2x2 and the flatten order matters; and
      tests/fixtures/seednet_plain_expected.json, its logits on the fixed input.

  python tests/pytorch/interop.py export OUT.safetensors OUT.json [--image-size 96 --hidden 1024]
      A PyTorch-initialised SeedNet saved as a state dict, with its logits on the fixed input.

  python tests/pytorch/interop.py check CHECKPOINT LOGITS.json
      Loads a twinhead checkpoint into SeedNet (strict state-dict load) and compares its logits
      on the fixed input with the ones twinhead wrote (`cargo run -p trainer -- logits ...`).

The fixed input: batch of 2 images, x[i] = ((i * 7919) % 1000) / 1000 in f32, NCHW.
"""
import importlib.util
import json
import pathlib
import sys

import numpy as np
import torch
import torch.nn as nn
from safetensors.torch import load_file, save_file

ROOT = pathlib.Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("seed_net", ROOT / "../shared/reference/seed_net.py")
seed_net = importlib.util.module_from_spec(spec)
spec.loader.exec_module(seed_net)


def network(image_size=96, hidden=1024, n_color=3, n_item=4):
    """SeedNet; for other image sizes or widths only fc and the heads change shape."""
    net = seed_net.SeedNet(n_color, n_item)
    side = image_size
    for _ in range(3):
        side = (side - 2) // 2
    net.fc = nn.Linear(64 * side * side, hidden)
    net.heads = nn.ModuleDict({"color": nn.Linear(hidden, n_color), "item": nn.Linear(hidden, n_item)})
    return net


def fixed_input(image_size):
    n = 2 * 3 * image_size * image_size
    x = (np.arange(n, dtype=np.int64) * 7919 % 1000).astype(np.float32) / np.float32(1000)
    return torch.from_numpy(x.reshape(2, 3, image_size, image_size))


def logits_of(net, image_size):
    with torch.no_grad():
        c, i = net(fixed_input(image_size))
    return {"color": c.flatten().tolist(), "item": i.flatten().tolist()}


def export(out, out_json, image_size=96, hidden=1024):
    torch.manual_seed(0)
    net = network(image_size, hidden)
    meta = {
        "heads.color.classes": json.dumps(seed_net.COLORS),
        "heads.item.classes": json.dumps(seed_net.ITEMS),
        "twinhead.image_size": str(image_size),
    }
    save_file({k: v.contiguous() for k, v in net.state_dict().items()}, out, metadata=meta)
    pathlib.Path(out_json).write_text(json.dumps({"image_size": image_size, "logits": logits_of(net, image_size)}, indent=1))
    print(f"wrote {out} and {out_json}")


def plain_fixture(out, out_json, image_size=30, hidden=16):
    torch.manual_seed(1)
    net = network(image_size, hidden)
    save_file(net.state_dict(), out)
    pathlib.Path(out_json).write_text(json.dumps({"image_size": image_size, "logits": logits_of(net, image_size)}, indent=1))
    print(f"wrote {out} and {out_json}")


def check(checkpoint, logits_json):
    got = json.loads(pathlib.Path(logits_json).read_text())
    state = load_file(checkpoint)
    image_size = got["image_size"]
    net = network(image_size, state["fc.weight"].shape[0], state["heads.color.weight"].shape[0], state["heads.item.weight"].shape[0])
    net.load_state_dict(state, strict=True)
    want = logits_of(net, image_size)
    worst = 0.0
    for head in ("color", "item"):
        a, b = np.array(want[head]), np.array(got["logits"][head])
        worst = max(worst, float(np.abs(a - b).max()))
        k = len(a) // 2
        same = (a.reshape(2, k).argmax(1) == b.reshape(2, k).argmax(1)).all()
        print(f"{head}: pytorch {a.round(5).tolist()}\n{' ' * len(head)}  twinhead {b.round(5).tolist()}  same classes: {same}")
        assert same, f"{head}: the predicted classes differ"
    print(f"largest logit difference {worst:.2e}")
    assert worst < 1e-3, "logits differ"


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "fixture":
        fx = ROOT / "tests/fixtures"
        export(str(fx / "seednet_small.safetensors"), str(fx / "seednet_small_expected.json"), image_size=24, hidden=16)
    elif cmd == "plain-fixture":
        fx = ROOT / "tests/fixtures"
        plain_fixture(str(fx / "seednet_plain.safetensors"), str(fx / "seednet_plain_expected.json"))
    elif cmd == "export":
        args = sys.argv[2:]
        opts = dict(zip(args[2::2], args[3::2]))
        export(args[0], args[1], int(opts.get("--image-size", 96)), int(opts.get("--hidden", 1024)))
    elif cmd == "check":
        check(sys.argv[2], sys.argv[3])
    else:
        print(__doc__)
        sys.exit(2)
