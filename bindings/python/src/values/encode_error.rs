//! Why a Python value could not be encoded, and where inside the argument.

use std::fmt::Write as _;

use pyo3::prelude::*;

/// One step from an argument to the part of it that could not be sent.
#[derive(Debug)]
pub(crate) enum Step {
    /// An element of a list, tuple or set.
    Index(usize),
    /// The value under a dict key (its `repr`, shortened).
    Key(String),
}

/// Why a value could not be encoded.
#[derive(Debug)]
pub(crate) enum EncodeError {
    /// A Python type with no MessagePack counterpart; the type's name.
    Unsupported(String),
    /// An int too wide for the parameter (64 bits, or 128 where the parameter
    /// takes `i128`/`u128`: [`Ints`]); how it was described.
    Overflow(String),
    /// A `str` that is not valid Unicode (lone surrogates), or a size over 4 GiB.
    Invalid(String),
    /// Nested deeper than [`MAX_DEPTH`](crate::values::limits::MAX_DEPTH).
    TooDeep,
    /// Python raised while the value was read.
    Python(PyErr),
    /// A buffer whose items the parameter cannot hold: what it is (`a
    /// numpy.ndarray of dtype float64`) and why not.
    WrongItems { found: String, why: String },
    /// A Rust object that was closed (`close()`, `with`); its class name.
    Closed(String),
}

/// An [`EncodeError`] and where inside the argument it happened (outermost first).
#[derive(Debug)]
pub(crate) struct Located {
    pub(crate) error: EncodeError,
    pub(crate) path: Vec<Step>,
}

impl Located {
    /// `" at item [2]['key']"`, or `""` for the argument itself.
    pub(crate) fn path_text(&self) -> String {
        let mut text = String::new();
        if self.path.is_empty() {
            return text;
        }
        text.push_str(" at item ");
        for step in self.path.iter().take(8) {
            match step {
                Step::Index(index) => {
                    let _ = write!(text, "[{index}]");
                }
                Step::Key(key) => {
                    let _ = write!(text, "[{key}]");
                }
            }
        }
        if self.path.len() > 8 {
            text.push('…');
        }
        text
    }
}

impl From<EncodeError> for Located {
    fn from(error: EncodeError) -> Located {
        Located {
            error,
            path: Vec::new(),
        }
    }
}

impl From<PyErr> for Located {
    fn from(error: PyErr) -> Located {
        EncodeError::Python(error).into()
    }
}

impl Located {
    /// The same error, one step further out.
    pub(crate) fn inside(mut self, step: Step) -> Located {
        // Depth errors say nothing useful about the path (it would be the cycle).
        if !matches!(self.error, EncodeError::TooDeep) {
            self.path.insert(0, step);
        }
        self
    }
}
