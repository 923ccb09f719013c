//! [`CoerceError`]: why a value could not be fitted to the schema.

use crate::path::FieldPath;

/// Why a value could not be fitted to the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CoerceError {
    /// A required field is absent.
    MissingField {
        /// The object's path.
        path: FieldPath,
        /// The field's name.
        field: String,
    },
    /// A value of the wrong type that no honest conversion fixes.
    InvalidType {
        /// Where.
        path: FieldPath,
        /// What the schema asks for, e.g. `integer` or `one of "USD", "EUR"`.
        expected: String,
        /// What was there, as a short JSON excerpt.
        found: String,
    },
    /// A string that matches none of the allowed values.
    UnknownVariant {
        /// Where.
        path: FieldPath,
        /// The value found.
        found: String,
        /// The allowed values.
        expected: Vec<String>,
    },
    /// A string that matches several allowed values once case and punctuation are ignored.
    AmbiguousVariant {
        /// Where.
        path: FieldPath,
        /// The value found.
        found: String,
        /// The allowed values it could mean.
        candidates: Vec<String>,
    },
    /// A field the type does not have, under `#[serde(deny_unknown_fields)]`.
    UnknownField {
        /// The object's path.
        path: FieldPath,
        /// The field's name.
        field: String,
    },
}

impl CoerceError {
    /// Where the error is.
    pub fn path(&self) -> &FieldPath {
        match self {
            CoerceError::MissingField { path, .. }
            | CoerceError::InvalidType { path, .. }
            | CoerceError::UnknownVariant { path, .. }
            | CoerceError::AmbiguousVariant { path, .. }
            | CoerceError::UnknownField { path, .. } => path,
        }
    }
}

impl std::fmt::Display for CoerceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CoerceError::MissingField { path, field } if path.is_root() => {
                write!(f, "missing required field `{field}`")
            }
            CoerceError::MissingField { path, field } => {
                write!(f, "missing required field `{field}` in {path}")
            }
            CoerceError::InvalidType {
                path,
                expected,
                found,
            } => {
                write!(f, "{path}: expected {expected}, found {found}")
            }
            CoerceError::UnknownVariant {
                path,
                found,
                expected,
            } => {
                write!(
                    f,
                    "{path}: {found:?} is not one of {}",
                    quoted_list(expected)
                )
            }
            CoerceError::AmbiguousVariant {
                path,
                found,
                candidates,
            } => write!(
                f,
                "{path}: {found:?} could mean any of {}",
                quoted_list(candidates)
            ),
            CoerceError::UnknownField { path, field } => {
                write!(f, "{path}: unknown field `{field}`")
            }
        }
    }
}

pub(super) fn quoted_list(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("{i:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}
