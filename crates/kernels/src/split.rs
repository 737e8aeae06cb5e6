//! How a long reduction is cut into chunks summed by separate invocations (split-K), with a
//! deterministic reduce pass after them: written once for every pass that splits.
//!
//! A big GPU needs many short invocations, a CPU adapter few long ones; the rule keeps every
//! serial loop at most [`MAX_SERIAL`] long and gives a wide pass at least [`MIN_INVOCATIONS`].
//! The passes differ only in what their kernels require of a chunk, said in a [`SplitRule`].

/// The most products (or terms) one invocation may add up serially: longer reductions are split
/// into chunks plus a deterministic reduce pass, so that a big GPU gets enough short invocations.
pub const MAX_SERIAL: usize = 1024;
/// A pass that writes at least this many values must run on at least [`MIN_INVOCATIONS`].
pub const WIDE_OUTPUT: u64 = 32 * 1024;
pub const MIN_INVOCATIONS: u64 = 16 * 1024;

/// How wide a split pass is cut, a dimension the tuner measures beside variant and block.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Splits {
    /// At least [`MIN_INVOCATIONS`] invocations for a wide pass: what a big GPU needs to fill.
    #[default]
    Wide,
    /// An eighth of that: fewer, longer chunks (still at most [`MAX_SERIAL`]) and fewer partial
    /// sums to write and reduce, which a CPU adapter with a few cores may run faster.
    Narrow,
}

impl Splits {
    /// The invocations a wide pass is split to reach.
    pub fn min_invocations(self) -> u64 {
        match self {
            Splits::Wide => MIN_INVOCATIONS,
            Splits::Narrow => MIN_INVOCATIONS / 8,
        }
    }
}

/// What a pass's kernels require of its chunks.
#[derive(Clone, Copy, Debug)]
pub struct SplitRule {
    /// Chunks are a multiple of this long (the tiled kernels step 16 terms at a time); 1: any
    /// length, the terms shared out evenly.
    pub align: usize,
    /// No more chunks than this many terms go into the reduction (a chunk must pay for its
    /// partial sums' writes): about this long at the least.
    pub min_chunk: usize,
    /// At most this many chunks (a reduce pass that sums them serially counts as a loop).
    pub max_splits: usize,
    /// The pass is split for width (to reach [`MIN_INVOCATIONS`]) only when it writes at least
    /// this many values.
    pub widen_from_outputs: u64,
}

impl SplitRule {
    /// The linear passes: chunks of whole 16-term steps, split for width when the output is wide.
    pub const LINEAR: SplitRule =
        SplitRule { align: 16, min_chunk: 16, max_splits: usize::MAX, widen_from_outputs: WIDE_OUTPUT };
    /// The conv weight gradient: its reduction over every output pixel always splits for width
    /// (its output, the weights, is small), chunks of at least 64 pixels, and at most
    /// [`MAX_SERIAL`] of them, since its reduce pass sums them one after another.
    pub const CONV_WEIGHTS: SplitRule =
        SplitRule { align: 1, min_chunk: 64, max_splits: MAX_SERIAL, widen_from_outputs: 0 };
}

/// Splits a reduction of `len` terms whose one split runs `invocations` and writes `outputs`
/// values, as wide as `width` says. Returns (splits, chunk); one split means no split.
pub fn split_reduction(len: usize, invocations: u64, outputs: u64, rule: SplitRule, width: Splits) -> (usize, usize) {
    let by_serial = len.div_ceil(MAX_SERIAL);
    let target = width.min_invocations();
    let by_width = if outputs >= rule.widen_from_outputs { target.div_ceil(invocations.max(1)) as usize } else { 1 };
    let wanted = by_serial.max(by_width).min(rule.max_splits).min(len.div_ceil(rule.min_chunk)).max(1);
    if wanted == 1 {
        return (1, len);
    }
    let chunk = match rule.align {
        1 => len.div_ceil(wanted),
        align => (len / wanted / align * align).max(align),
    };
    (len.div_ceil(chunk), chunk)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_reduction_and_respect_the_rule() {
        for rule in [SplitRule::LINEAR, SplitRule::CONV_WEIGHTS] {
            for (len, width) in [1, 7, 16, 100, 1024, 1025, 6400, 8 * 94 * 94, 256 * 94 * 94]
                .into_iter()
                .flat_map(|len| [(len, Splits::Wide), (len, Splits::Narrow)])
            {
                for invocations in [1, 64, 4096, 1 << 20] {
                    let (splits, chunk) = split_reduction(len, invocations, 1 << 20, rule, width);
                    assert!(splits * chunk >= len && (splits - 1) * chunk < len, "{rule:?} {len}: {splits}×{chunk}");
                    assert!(chunk <= MAX_SERIAL.max(len.div_ceil(rule.max_splits)), "{rule:?} {len}: chunk {chunk}");
                    assert!(splits <= rule.max_splits);
                    assert!(splits <= len.div_ceil(rule.min_chunk), "{rule:?} {len}: {splits} chunks");
                    if splits > 1 {
                        assert!(chunk % rule.align == 0, "{rule:?} {len}: {chunk}");
                    }
                }
            }
        }
        assert_eq!(
            split_reduction(6400, 1 << 20, 8, SplitRule::LINEAR, Splits::Wide),
            (8, 912),
            "long: cut for the serial limit (chunks of whole 16-term steps)"
        );
        assert_eq!(split_reduction(512, 1, 8, SplitRule::LINEAR, Splits::Wide), (1, 512), "narrow output: not widened");
        // The shared layer's forward at batch 32 (512 invocations a split): wide, 34 chunks of
        // 192 inputs; narrow, as few as the serial limit allows.
        assert_eq!(split_reduction(6400, 512, 32 * 1024, SplitRule::LINEAR, Splits::Wide), (34, 192));
        assert_eq!(split_reduction(6400, 512, 32 * 1024, SplitRule::LINEAR, Splits::Narrow), (8, 912));
    }
}
