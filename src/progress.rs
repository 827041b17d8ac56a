//! The progress bar, in one place: shown on stderr when it is a terminal and
//! `--quiet` is not given, hidden otherwise. Every phase of a run (walk,
//! extract, write, derive) names itself in the bar's prefix.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar whose length grows as the walk finds files.
pub fn bar(quiet: bool) -> ProgressBar {
    let bar = ProgressBar::no_length();
    if quiet || !std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
        return bar;
    }
    bar.set_draw_target(ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{prefix:>8} {spinner} [{bar:30}] {pos}/{len} {msg}  {per_sec}  {elapsed}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// Switches the bar to a phase of `steps` steps, e.g. the derive stage.
pub fn phase(bar: &ProgressBar, name: &'static str, steps: u64) {
    bar.set_prefix(name);
    bar.set_position(0);
    bar.set_length(steps);
    bar.set_message("");
}
