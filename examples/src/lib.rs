//! What the examples share: connecting to a live model or to the recordings.

use llm_core::Llm;

/// The recordings the examples replay offline.
pub const RECORDED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/recorded");

/// A live model when the environment configures one, else the recordings; prints which on the
/// first line, as every example's output starts with it.
///
/// # Errors
///
/// When the environment names a model that cannot be configured (an invalid variable).
pub fn connect() -> Result<Llm, llm_core::LlmError> {
    let llm = Llm::from_env_or_replay(RECORDED)?;
    if llm.is_replay() {
        println!(
            "Replaying recorded SmolLM2-135M-Instruct replies from examples/recorded/ (offline: no key, no server; set LLM_BASE_URL to call a live model)."
        );
    } else {
        println!(
            "Calling a live model through `{}` (LLM_RECORD=1 re-records the replies).",
            llm.provider().name()
        );
    }
    Ok(llm)
}
