//! The error values this host hands to Rust (`spec/wire.md`, "Error
//! values"): a callback's exception, Ctrl-C, or a failure of the bridge.

/// One frame of a wire error value.
pub(crate) struct WireFrame {
    pub(crate) function: String,
    pub(crate) file: String,
    pub(crate) line: u32,
    pub(crate) language: &'static str,
}

/// An error value (`spec/wire.md`) the host reports to Rust.
pub(crate) struct HostFailure {
    pub(crate) kind: &'static str,
    pub(crate) type_name: String,
    pub(crate) message: String,
    pub(crate) frames: Vec<WireFrame>,
    pub(crate) notes: Vec<String>,
    pub(crate) host_exception: Option<u64>,
}

impl HostFailure {
    /// The error value with all its keys; writing into a `Vec` cannot fail.
    pub(crate) fn encode(&self) -> Vec<u8> {
        use rmp::encode::{write_array_len, write_map_len, write_nil, write_str, write_uint};
        let mut out = Vec::with_capacity(128 + 64 * self.frames.len());
        let out = &mut out;
        let nil_keys = [
            "rust_type",
            "function",
            "param",
            "index",
            "expected",
            "found",
            "variant",
            "fields",
        ];
        let _ = write_map_len(out, 7 + nil_keys.len() as u32);
        let _ = write_str(out, "kind");
        let _ = write_str(out, self.kind);
        let _ = write_str(out, "type");
        let _ = write_str(out, &self.type_name);
        let _ = write_str(out, "message");
        let _ = write_str(out, &self.message);
        for key in nil_keys {
            let _ = write_str(out, key);
            let _ = write_nil(out);
        }
        let _ = write_str(out, "causes");
        let _ = write_array_len(out, 0);
        let _ = write_str(out, "notes");
        let _ = write_array_len(out, len_u32(self.notes.len()));
        for note in &self.notes {
            let _ = write_str(out, note);
        }
        let _ = write_str(out, "frames");
        let _ = write_array_len(out, len_u32(self.frames.len()));
        for frame in &self.frames {
            let _ = write_map_len(out, 5);
            let _ = write_str(out, "function");
            let _ = write_str(out, &frame.function);
            let _ = write_str(out, "file");
            let _ = write_str(out, &frame.file);
            let _ = write_str(out, "line");
            let _ = write_uint(out, u64::from(frame.line));
            let _ = write_str(out, "column");
            let _ = write_uint(out, 0);
            let _ = write_str(out, "language");
            let _ = write_str(out, frame.language);
        }
        let _ = write_str(out, "host_exception");
        match self.host_exception {
            Some(id) => {
                let _ = write_uint(out, id);
            }
            None => {
                let _ = write_nil(out);
            }
        }
        std::mem::take(out)
    }
}

fn len_u32(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}
