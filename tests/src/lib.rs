//! Integration tests live in `integration/`; compile-fail cases in `ui/`.
