//! Integration tests of llm-core and its macros, as one binary.

mod ui;
