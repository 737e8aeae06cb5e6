//! What the kernel choice says: every pass's variant (what a run records, so that a resumed run
//! computes exactly as it did) and one line per layer for the user.

use std::collections::BTreeMap;

use kernels::Pick;

use crate::model::Model;
use crate::plan::Plan;

/// One layer's name and its passes grouped by the variant they run (for the summary).
type LayerKernels = (String, Vec<(Pick, Vec<String>)>);

impl Model {
    /// Remembers what each matrix-product pass of `plan` is called.
    pub(crate) fn name_passes(&mut self, plan: &Plan) {
        for op in plan.ops() {
            if let (Some(key), Some(about)) = (&op.key, &op.about)
                && !self.pass_names.iter().any(|(k, _)| k == key)
            {
                self.pass_names.push((key.clone(), about.clone()));
            }
        }
    }

    /// The variant of every matrix-product pass of the plans built so far, measured, read from
    /// the cache or forced alike (pass key → variant name): what a run records so that a resumed
    /// run computes exactly as it did.
    pub fn kernel_choices(&self) -> BTreeMap<String, String> {
        let mut all: BTreeMap<String, String> =
            self.pass_names.iter().map(|(k, _)| (k.clone(), self.kernels.pick_by_key(k).name())).collect();
        all.extend(self.kernels.choices().into_iter().map(|(k, v)| (k, v.name())));
        all
    }

    /// One line on the kernels in use, per layer: `conv 3→16 on 96×96: blocked; linear
    /// 6400→1024: subgroup (forward), blocked (input gradient, weight gradient); …`.
    pub fn kernel_summary(&self) -> String {
        let choices = self.kernels.choices();
        if choices.is_empty() {
            return format!("{} for every pass", self.kernels.variant.name());
        }
        // Layer → [(variant, passes)], layers in the order the step first meets them.
        let mut layers: Vec<LayerKernels> = Vec::new();
        for (key, about) in &self.pass_names {
            let Some(&v) = choices.get(key) else { continue };
            let (layer, pass) = about.split_once(", ").unwrap_or((about, ""));
            let i = match layers.iter().position(|l| l.0 == layer) {
                Some(i) => i,
                None => {
                    layers.push((layer.to_string(), Vec::new()));
                    layers.len() - 1
                }
            };
            // A batch the trunk takes in pieces has one pass per piece: each named once.
            match layers[i].1.iter_mut().find(|g| g.0 == v) {
                Some(g) if g.1.iter().any(|p| p == pass) => {}
                Some(g) => g.1.push(pass.to_string()),
                None => layers[i].1.push((v, vec![pass.to_string()])),
            }
        }
        let layer_text = |(layer, groups): &LayerKernels| {
            let parts: Vec<String> = match groups.as_slice() {
                [(v, _)] => vec![v.name().to_string()],
                _ => groups.iter().map(|(v, passes)| format!("{} ({})", v.name(), passes.join(", "))).collect(),
            };
            format!("{layer}: {}", parts.join(", "))
        };
        let mut parts: Vec<String> = layers.iter().map(layer_text).collect();
        // Adam's reader, where it is not the storage buffers it writes.
        if choices.get(kernels::ADAM_KEY).is_some_and(|p| p.texels) {
            parts.push("Adam: from texel mirrors".into());
        }
        parts.join("; ")
    }
}
