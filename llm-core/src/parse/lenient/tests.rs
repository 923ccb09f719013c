//! Differential tests: the lenient reader against the repair path.
