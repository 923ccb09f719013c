//! Parser benchmarks; see BENCHMARKS.md.

fn main() {}
