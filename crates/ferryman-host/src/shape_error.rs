//! Why a map the library sent (handshake, describe, an error value) does not
//! have the shape `spec/wire.md` gives it.

use ferryman_wire::reader::ReadError;

/// A value that is well-formed MessagePack of the wrong shape, or not
/// well-formed at all: where (`context`, the byte offset) and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    /// The bytes at `error.at` are not what `context` needs.
    #[error("{context}: {error}")]
    Read {
        /// The map and key being read (`error value key \`frames\``).
        context: String,
        /// What is wrong, at which byte.
        error: ReadError,
    },
    /// A key the spec requires is absent.
    #[error("{context} has no `{key}`")]
    Missing {
        /// The map (`describe function 3`).
        context: String,
        /// The missing key.
        key: &'static str,
    },
}

/// Attaches a context to a reader's error.
pub(crate) trait Context<T> {
    fn context(self, context: impl FnOnce() -> String) -> Result<T, ShapeError>;
}

impl<T> Context<T> for Result<T, ReadError> {
    #[inline]
    fn context(self, context: impl FnOnce() -> String) -> Result<T, ShapeError> {
        self.map_err(|error| ShapeError::Read {
            context: context(),
            error,
        })
    }
}
