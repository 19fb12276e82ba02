//! Plain `Err` values written again from the bytes of an earlier one of the
//! same shape.
//!
//! A function that fails returns the same error from the same place again
//! and again: the values differ only in their message. Written key by key,
//! such a value is ~25 small writes (~650 instructions besides its
//! `Display`); from a template it is the bytes before the message, the
//! message, and the bytes after it.
//!
//! Only values with no fields, no OS error, no causes, notes or frames of
//! their own are kept (`Call::plain_err` with neither fields nor an OS
//! error): everything else in them is named by the [`Shape`] (`'static`
//! strings compared by address, the variant by its text). Per thread, as the
//! error memo is: no lock, at most [`CAPACITY`] shapes, dropped with the
//! thread. The bytes are [`ErrorView::write`]'s, so nothing on the wire
//! depends on whether a value came from a template.

use ferryman_error::{write_message, ErrorView};
use std::cell::RefCell;
use std::ops::Range;

use crate::Export;

/// Distinct failing (function, error, place) a thread meets at once, in
/// practice; past it the oldest is replaced.
const CAPACITY: usize = 16;

/// What a plain error value is made of besides its message. Strings that are
/// `'static` are compared by address and length: two equal ones at different
/// addresses only make two shapes.
#[derive(Clone, Copy)]
pub(crate) struct Shape<'a> {
    pub(crate) export: &'static Export,
    pub(crate) rust_type: &'static str,
    pub(crate) variant: Option<&'a str>,
    pub(crate) file: &'static str,
    pub(crate) line: u32,
    pub(crate) column: u32,
}

struct Template {
    export: *const Export,
    rust_type: (*const u8, usize),
    variant: Option<Box<str>>,
    file: (*const u8, usize),
    line: u32,
    column: u32,
    /// A whole value of this shape, and where its message lies in it.
    bytes: Box<[u8]>,
    message: Range<usize>,
}

impl Template {
    fn matches(&self, shape: &Shape<'_>) -> bool {
        std::ptr::eq(self.export, shape.export)
            && self.rust_type == address(shape.rust_type)
            && self.file == address(shape.file)
            && self.line == shape.line
            && self.column == shape.column
            && self.variant.as_deref() == shape.variant
    }
}

fn address(text: &'static str) -> (*const u8, usize) {
    (text.as_ptr(), text.len())
}

#[derive(Default)]
struct Templates {
    kept: Vec<Template>,
    /// The slot the next new shape replaces, once `kept` is full.
    next: usize,
}

thread_local! {
    static TEMPLATES: RefCell<Templates> = RefCell::new(Templates::default());
}

/// Appends to `out` the error value `view`, of shape `shape`: from the
/// template of that shape if the thread has one, else written whole (and
/// kept as the shape's template).
///
/// The message's `Display` may call back into the library, which may fail
/// the same way: the templates stay borrowed, shared, while it runs, so such
/// a call still reads them, only it keeps nothing new.
pub(crate) fn write(out: &mut Vec<u8>, shape: &Shape<'_>, view: &ErrorView<'_>) {
    let kept = TEMPLATES.try_with(|templates| {
        let templates = templates.try_borrow().ok()?;
        let template = templates.kept.iter().find(|t| t.matches(shape))?;
        out.extend_from_slice(&template.bytes[..template.message.start]);
        write_message(out, view.message);
        out.extend_from_slice(&template.bytes[template.message.end..]);
        Some(())
    });
    if let Ok(Some(())) = kept {
        return;
    }
    let start = out.len();
    let message = view.write_marking_message(out);
    let bytes = &out[start..];
    let message = message.start - start..message.end - start;
    let _ = TEMPLATES.try_with(|templates| {
        let Ok(mut templates) = templates.try_borrow_mut() else {
            return;
        };
        let template = Template {
            export: shape.export,
            rust_type: address(shape.rust_type),
            variant: shape.variant.map(Box::from),
            file: address(shape.file),
            line: shape.line,
            column: shape.column,
            bytes: bytes.into(),
            message,
        };
        if templates.kept.len() < CAPACITY {
            templates.kept.push(template);
        } else {
            let at = templates.next;
            templates.kept[at] = template;
            templates.next = (at + 1) % CAPACITY;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferryman_error::{FrameView, Message};

    static EXPORT: Export =
        crate::test_exports::export("divide", "calc::divide", "runtime-tests", &[], |_| Ok(()));

    fn view<'a>(message: &'a str, variant: Option<&'a str>, line: u32) -> ErrorView<'a> {
        let mut view = ErrorView::new("error", "MathError", Message::Text(message));
        view.rust_type = Some("calc::MathError");
        view.function = Some("divide");
        view.variant = variant;
        view.first_frame = Some(FrameView {
            function: "divide",
            file: "src/lib.rs",
            line,
            column: 9,
            language: "rust",
        });
        view
    }

    fn shape<'a>(variant: Option<&'a str>, line: u32) -> Shape<'a> {
        Shape {
            export: &EXPORT,
            rust_type: "calc::MathError",
            variant,
            file: "src/lib.rs",
            line,
            column: 9,
        }
    }

    fn whole(view: &ErrorView<'_>) -> Vec<u8> {
        let mut out = Vec::new();
        view.write(&mut out);
        out
    }

    /// A value written from a template is the value written whole, for
    /// messages of every header width, after other shapes were kept.
    #[test]
    fn values_from_templates_are_the_values_written_whole() {
        for round in 0..3 {
            for (variant, line) in [
                (Some("DivisionByZero"), 7),
                (Some("Overflow"), 7),
                (None, 8),
            ] {
                for len in [0, 31, 32, 300, 70_000] {
                    let message = format!("{round}{}", "m".repeat(len));
                    let view = view(&message, variant, line);
                    let mut out = vec![0xaa];
                    write(&mut out, &shape(variant, line), &view);
                    assert_eq!(out[0], 0xaa);
                    assert_eq!(&out[1..], whole(&view), "{variant:?} {line} {len}");
                }
            }
        }
    }

    /// A message whose `Display` writes an error value of the same shape
    /// (a call back into the library that fails the same way): both values
    /// come out whole, whether the shape was kept before or not.
    #[test]
    fn a_display_that_writes_the_same_shape_gets_whole_values() {
        struct Nested;
        impl std::fmt::Display for Nested {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let inner = view("inner", Some("Nested"), 40);
                let mut out = Vec::new();
                write(&mut out, &shape(Some("Nested"), 40), &inner);
                assert_eq!(out, whole(&inner));
                f.write_str("outer")
            }
        }
        std::thread::spawn(|| {
            for _ in 0..3 {
                let mut outer = view("", Some("Nested"), 40);
                outer.message = Message::Display(&Nested);
                let mut out = Vec::new();
                write(&mut out, &shape(Some("Nested"), 40), &outer);
                assert_eq!(out, whole(&view("outer", Some("Nested"), 40)));
            }
        })
        .join()
        .unwrap();
    }

    /// More shapes than the thread keeps: each value is still right, and the
    /// thread keeps no more than `CAPACITY`.
    #[test]
    fn past_capacity_the_oldest_shape_goes() {
        std::thread::spawn(|| {
            for round in 0..2 {
                for line in 0..(CAPACITY as u32 * 2) {
                    let message = format!("round {round}");
                    let view = view(&message, None, line);
                    let mut out = Vec::new();
                    write(&mut out, &shape(None, line), &view);
                    assert_eq!(out, whole(&view));
                }
            }
            TEMPLATES.with(|t| assert_eq!(t.borrow().kept.len(), CAPACITY));
        })
        .join()
        .unwrap();
    }
}
