//! Compile-fail cases for every error the macros can produce (`ui/fail/<category>/<error>.rs`
//! with the expected `.stderr`), and a set that must compile (`ui/pass`).
//! Regenerate the `.stderr` files with `TRYBUILD=overwrite` and read the diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    t.compile_fail("ui/fail/*/*.rs");
}
