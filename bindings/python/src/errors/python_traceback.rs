//! A Python traceback as the frames of a wire error value.

use pyo3::prelude::*;

use ferryman_host::write::Frame;

/// The frames of a Python traceback, outermost first. Frames `_traceback.py`
/// made for Rust code (module name `rust`) keep language `rust`.
pub(crate) fn python_frames(traceback: &Option<Bound<'_, PyAny>>) -> Vec<Frame> {
    const MOST: usize = 1000;
    let mut frames = Vec::new();
    let Some(first) = traceback else {
        return frames;
    };
    let py = first.py();
    let mut next = Some(first.clone());
    while let Some(entry) = next.take() {
        if frames.len() == MOST {
            break;
        }
        let read = || -> PyResult<Frame> {
            let frame = entry.getattr(pyo3::intern!(py, "tb_frame"))?;
            let code = frame.getattr(pyo3::intern!(py, "f_code"))?;
            let module = frame
                .getattr(pyo3::intern!(py, "f_globals"))?
                .get_item(pyo3::intern!(py, "__name__"))
                .ok()
                .and_then(|name| name.extract::<String>().ok());
            Ok(Frame {
                function: code.getattr(pyo3::intern!(py, "co_name"))?.extract()?,
                file: code.getattr(pyo3::intern!(py, "co_filename"))?.extract()?,
                line: entry
                    .getattr(pyo3::intern!(py, "tb_lineno"))?
                    .extract::<Option<u32>>()?
                    .unwrap_or(0),
                // Python has no columns.
                column: 0,
                language: if module.as_deref() == Some("rust") {
                    "rust"
                } else {
                    "python"
                }
                .to_owned(),
            })
        };
        if let Ok(frame) = read() {
            frames.push(frame);
        }
        next = entry
            .getattr(pyo3::intern!(py, "tb_next"))
            .ok()
            .filter(|next| !next.is_none());
    }
    frames
}
