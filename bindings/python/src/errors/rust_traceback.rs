//! Rust frames as a traceback, built natively.
//!
//! `python/ferryman/_traceback.py` makes one frame object per (file, line,
//! function) and caches it. Here each frame location maps to the arguments
//! of `types.TracebackType` for that frame, so an error raised again at the
//! same place costs a hash lookup and one `types.TracebackType` per frame;
//! `_traceback._shared_frame` is called only the first time.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::Mutex;

use pyo3::prelude::*;
use pyo3::types::{PyInt, PyTuple};

use crate::errors::plain_error::FrameLocation;
use crate::state::python_classes::{self, PyName};

/// Entries kept at most; the cache starts over beyond (as `_traceback.py` does).
const MAX_CACHED: usize = 4096;

/// One cached frame: where it points, and the arguments of
/// `types.TracebackType` for the innermost entry, `(None, frame, lasti,
/// line)`; outer entries replace the `None`.
struct Entry {
    file: Box<str>,
    line: u32,
    function: Box<str>,
    args: Py<PyTuple>,
}

impl Entry {
    fn is_at(&self, location: &FrameLocation<'_>) -> bool {
        self.line == location.line
            && *self.file == *location.file
            && *self.function == *location.function
    }
}

/// By the hash of a location (a hash no entry answers to, or one another
/// location took, is simply made again: no allocation to look one up).
type Frames = HashMap<u64, Entry, BuildHasherDefault<BytesHasher>>;

/// Frame locations → the frame `_traceback.py` made for them. Only Rust code
/// runs while the lock is held, so it cannot be held across a GIL switch.
static FRAMES: Mutex<Option<Frames>> = Mutex::new(None);

/// The traceback of `frames` (outermost first, as on the wire), innermost last;
/// `None` for no frames.
pub(crate) fn traceback<'py>(
    py: Python<'py>,
    frames: &[FrameLocation<'_>],
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let mut next: Option<Bound<'py, PyAny>> = None;
    for location in frames.iter().rev() {
        let args = entry_args(py, location)?;
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

fn key_of(location: &FrameLocation<'_>) -> u64 {
    let mut hasher = BytesHasher::default();
    location.hash(&mut hasher);
    hasher.finish()
}

/// `(None, frame, lasti, line)` for one frame.
fn entry_args<'py>(py: Python<'py>, location: &FrameLocation<'_>) -> PyResult<Bound<'py, PyTuple>> {
    let key = key_of(location);
    {
        let frames = FRAMES.lock().unwrap_or_else(|e| e.into_inner());
        let cached = frames.as_ref().and_then(|frames| frames.get(&key));
        if let Some(entry) = cached.filter(|entry| entry.is_at(location)) {
            return Ok(entry.args.bind(py).clone());
        }
    }
    // First time here: `_traceback.py` makes (or already has) the frame. It may
    // release the GIL, so the lock is not held meanwhile.
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
    let entry = Entry {
        file: location.file.into(),
        line: location.line,
        function: location.function.into(),
        args: args.clone().unbind(),
    };
    let dropped = {
        let mut frames = FRAMES.lock().unwrap_or_else(|e| e.into_inner());
        let frames = frames.get_or_insert_with(Frames::default);
        if frames.contains_key(&key) {
            // Another thread made it meanwhile (or another location has the
            // hash): keep that one.
            (Frames::default(), Some(entry))
        } else {
            let full = if frames.len() >= MAX_CACHED {
                std::mem::take(frames)
            } else {
                Frames::default()
            };
            frames.insert(key, entry);
            (full, None)
        }
    };
    // Released with the lock free: freeing frames may run Python code.
    drop(dropped);
    Ok(args)
}

/// A cheap hash for frame locations (the library wrote them; no need to
/// resist crafted collisions), eight bytes at a time.
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
