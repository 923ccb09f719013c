//! Integration tests of llm-core and its macros, as one binary.

mod corpus;
mod enums;
mod errors;
mod hash;
mod llm_fn;
mod properties;
mod rules;
mod schema;
mod ui;
