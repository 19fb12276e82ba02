//! Rust frames as a traceback, built natively.
//!
//! `python/ferryman/_traceback.py` makes one frame object per (file, line,
//! function) and caches it. Here each wire frame's bytes map to the arguments
//! of `types.TracebackType` for that frame, so an error raised again at the
//! same place costs a hash lookup and one `types.TracebackType` per frame;
//! `_traceback._shared_frame` is called only the first time.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Mutex;

use pyo3::prelude::*;
use pyo3::types::{PyInt, PyTuple};

use crate::errors::plain_error::FrameLocation;
use crate::state::python_classes::{self, PyName};

/// Entries kept at most; the cache starts over beyond (as `_traceback.py` does).
const MAX_CACHED: usize = 4096;

/// The arguments of `types.TracebackType` for the innermost entry:
/// `(None, frame, lasti, line)`; outer entries replace the `None`.
struct Entry(Py<PyTuple>);

type Frames = HashMap<Box<[u8]>, Entry, BuildHasherDefault<BytesHasher>>;

/// Wire frame bytes → the frame `_traceback.py` made for them. Only Rust code
/// runs while the lock is held, so it cannot be held across a GIL switch.
static FRAMES: Mutex<Option<Frames>> = Mutex::new(None);

/// The traceback of `frames` (outermost first, as on the wire), innermost last;
/// `None` for no frames.
pub(crate) fn traceback<'py>(
    py: Python<'py>,
    frames: &[&[u8]],
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let mut next: Option<Bound<'py, PyAny>> = None;
    for &wire in frames.iter().rev() {
        let args = entry_args(py, wire)?;
        let tb_type = python_classes::get(py, PyName::TracebackType)?;
        next = Some(match next {
            None => tb_type.call1(args)?,
            Some(tb_next) => {
                let (frame, lasti, line) =
                    (args.get_item(1)?, args.get_item(2)?, args.get_item(3)?);
                tb_type.call1((tb_next, frame, lasti, line))?
            }
        });
    }
    Ok(next)
}

/// `(None, frame, lasti, line)` for one wire frame.
fn entry_args<'py>(py: Python<'py>, wire: &[u8]) -> PyResult<Bound<'py, PyTuple>> {
    {
        let frames = FRAMES.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(Entry(args)) = frames.as_ref().and_then(|frames| frames.get(wire)) {
            return Ok(args.bind(py).clone());
        }
    }
    // First time here: `_traceback.py` makes (or already has) the frame. It may
    // release the GIL, so the lock is not held meanwhile.
    let location = FrameLocation::read(wire).unwrap_or(FrameLocation {
        file: "<rust>",
        line: 1,
        function: "<rust>",
    });
    let made = python_classes::get(py, PyName::SharedFrame)?
        .call1((location.file, location.line, location.function))?
        .cast_into::<PyTuple>()?;
    let args = PyTuple::new(
        py,
        [
            py.None().into_bound(py),
            made.get_item(0)?,
            made.get_item(1)?,
            PyInt::new(py, location.line).into_any(),
        ],
    )?;
    let entry = Entry(args.clone().unbind());
    let dropped = {
        let mut frames = FRAMES.lock().unwrap_or_else(|e| e.into_inner());
        let frames = frames.get_or_insert_with(Frames::default);
        if frames.contains_key(wire) {
            // Another thread made it meanwhile: keep that one.
            (Frames::default(), Some(entry))
        } else {
            let full = if frames.len() >= MAX_CACHED {
                std::mem::take(frames)
            } else {
                Frames::default()
            };
            frames.insert(wire.into(), entry);
            (full, None)
        }
    };
    // Released with the lock free: freeing frames may run Python code.
    drop(dropped);
    Ok(args)
}

/// A cheap hash for frame bytes (the library wrote them; no need to resist
/// crafted collisions), eight bytes at a time.
#[derive(Default)]
struct BytesHasher(u64);

impl Hasher for BytesHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
