//! Integration tests of llm-core and its macros, as one binary.

mod calls_http;
mod corpus;
mod enums;
mod errors;
mod example;
mod hash;
mod llm_fn;
mod properties;
mod providers_anthropic;
mod providers_openai;
mod replay;
mod rules;
mod schema;
mod support;
mod ui;
