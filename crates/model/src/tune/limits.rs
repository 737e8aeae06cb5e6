//! The bounds of kernel measurement: how long it may take and who hears of its progress.

use std::time::Duration;

/// A cap on the time kernel measurement may take, and where its progress lines go.
pub struct TuneLimits {
    pub budget: Duration,
    pub progress: Box<dyn FnMut(&str) + Send>,
    /// Set when the budget ran out: what was left to the best guess.
    pub note: Option<String>,
}

impl Default for TuneLimits {
    fn default() -> Self {
        TuneLimits { budget: Duration::from_secs(3600), progress: Box::new(|_| {}), note: None }
    }
}
