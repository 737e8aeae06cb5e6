//! Training runs: what decides one ([`options`]), starting or resuming it ([`start`]), the loop
//! ([`session`]) and the end of each epoch ([`epoch`]), its saved state ([`state`]), the run
//! folder's files ([`folder`], [`config`]), what it reports ([`report`], [`plot`]) and the
//! unseen-combinations suite of many runs ([`suite`]).

pub mod config;
mod epoch;
pub mod folder;
pub mod options;
pub mod plot;
pub mod report;
pub mod session;
pub mod start;
pub mod state;
pub mod suite;

pub use options::{LrSchedule, TrainOptions};
pub use session::{Ending, RunSummary, TrainControl, check, run};
