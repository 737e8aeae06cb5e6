// softmax_cross_entropy: loss, logits gradient and correct count of every classification head,
// all heads' logits side by side in one matrix (the heads run as one linear layer).
//   Head h owns columns [off_h, off_h + C_h) of each row. Rows whose label is not a class
//   (label >= C_h, e.g. 0xFFFFFFFF) are ignored, as PyTorch's ignore_index: they add no loss and
//   get no gradient, and V_h counts the others.
//   loss_h = (1/V_h) Σ_{valid b} (logsumexp(z_b) − z_b[label_b])        with z_b = logits[b, off_h ..]
//   dlogits[b, off_h + c] = w_h · (softmax(z_b)[c] − [c = label_b]) / V_h   (0 for ignored rows)
//   correct_h = #{valid b : the first largest logit of z_b is at label_b}
//   With no valid row, loss and gradient are 0 (PyTorch would give NaN).
//   stats[2·(slot·H + h)] = loss_h and stats[2·(slot·H + h) + 1] = correct_h, or added to them when
//   params.accumulate != 0.
// Layouts: logits and dlogits [B, stride] row-major (stride = Σ C_h), labels [H, B] (u32),
// stats [2·H·slots]; params.table[h] = (off_h, C_h, bits of w_h as f32, unused).
// One workgroup of 64 per head (workgroup h is head h): each invocation takes rows lid, lid + 64, …;
// V_h and the batch sums are reduced in workgroup memory in a fixed order, so the loss is deterministic.
// Bindings: 0 params (uniform), 1 logits, 2 labels, 3 dlogits, 4 stats.

struct Params {
    batch: u32, stride: u32, heads: u32, slot: u32,
    accumulate: u32, _pad0: u32, _pad1: u32, _pad2: u32,
    table: array<vec4<u32>, 16>,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<u32>;
@group(0) @binding(3) var<storage, read_write> dlogits: array<f32>;
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;

var<workgroup> loss_part: array<f32, 64>;
var<workgroup> count_part: array<u32, 64>;
var<workgroup> valid_rows: u32;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let h = wid.x;
    if h >= p.heads { return; }
    let off = p.table[h].x;
    let classes = p.table[h].y;
    let weight = bitcast<f32>(p.table[h].z);
    let lab = h * p.batch;

    // Phase 1: how many rows count (the mean's divisor).
    var mine = 0u;
    for (var b = lid; b < p.batch; b += 64u) {
        mine += select(0u, 1u, labels[lab + b] < classes);
    }
    count_part[lid] = mine;
    workgroupBarrier();
    if lid == 0u {
        var v = 0u;
        for (var i = 0u; i < 64u; i++) {
            v += count_part[i];
        }
        valid_rows = v;
    }
    workgroupBarrier();
    let inv_valid = 1.0 / f32(max(valid_rows, 1u));

    // Phase 2: losses, gradients and hits.
    var loss = 0.0;
    var correct = 0u;
    for (var b = lid; b < p.batch; b += 64u) {
        let row = b * p.stride + off;
        let label = labels[lab + b];
        if label >= classes {
            for (var c = 0u; c < classes; c++) {
                dlogits[row + c] = 0.0;
            }
            continue;
        }
        var top = logits[row];
        var top_at = 0u;
        for (var c = 1u; c < classes; c++) {
            let v = logits[row + c];
            if v > top { top = v; top_at = c; }
        }
        var sum = 0.0;
        for (var c = 0u; c < classes; c++) {
            sum += exp(logits[row + c] - top);
        }
        loss += log(sum) + top - logits[row + label];
        for (var c = 0u; c < classes; c++) {
            let prob = exp(logits[row + c] - top) / sum;
            let onehot = select(0.0, 1.0, c == label);
            dlogits[row + c] = weight * (prob - onehot) * inv_valid;
        }
        correct += select(0u, 1u, top_at == label);
    }
    workgroupBarrier();
    loss_part[lid] = loss;
    count_part[lid] = correct;
    workgroupBarrier();
    if lid == 0u {
        var total = 0.0;
        var hits = 0u;
        for (var i = 0u; i < 64u; i++) {
            total += loss_part[i];
            hits += count_part[i];
        }
        var l = total * inv_valid;
        var n = f32(hits);
        let at = 2u * (p.slot * p.heads + h);
        if p.accumulate != 0u {
            l += stats[at];
            n += stats[at + 1u];
        }
        stats[at] = l;
        stats[at + 1u] = n;
    }
}
