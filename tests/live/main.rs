//! The live suite: real `#[llm_fn]` calls over HTTP against the model server in `LLM_BASE_URL`
//! (llama.cpp's `llama-server` with SmolLM2-135M, started by `scripts/local-model.sh`), through
//! the OpenAI-compatible provider, in native (`response_format` json_schema, a grammar in
//! llama.cpp) and prompt mode.
//!
//! Run it with `scripts/test-live.sh`. Every test is `#[ignore]`d so that the normal suite skips
//! it; run without `LLM_BASE_URL`, a test fails and says how to start a server.
//!
//! The model is tiny and often wrong, so the tests assert what the framework guarantees, not what
//! the model knows: a call ends as `Ok` with a value that passes every rule (grounded values
//! really occur in the input), or as `LlmError::Rejected` holding every attempt exactly as the
//! server answered it; each re-ask carries the previous answer and the exact error; native mode
//! gets JSON out of the grammar; prompt mode sends the format instructions. Assertions about how
//! often the model needs a re-ask are aggregated over several inputs.

mod classification;
mod extraction;
mod free_text;
mod limits;
mod reask;
mod support;
