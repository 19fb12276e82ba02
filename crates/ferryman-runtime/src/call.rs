use crate::callback::error::unwound_exception_for_host;
use crate::callback::{callback_value, mark_callback_causes, CallbackError};
use crate::err_site;
use crate::error_base::error_base;
use crate::error_memo;
use crate::error_template;
use crate::kind::DirectOut;
use crate::report::{write_error, write_view, write_with};
use crate::Export;
use ferryman_abi::{FerryBox, Status};
use ferryman_buffer::Sink;
use ferryman_error::{
    variant_from_debug, ErrorFields, ErrorValue, ErrorView, FieldsView, Frame, FrameView, Message,
    OsError, ReturnedError,
};
use ferryman_wire::{Args, DecodeError, DecodeKind, Direct, Lending};
use serde::{Deserialize, Serialize};
use std::error::Error;
use std::fmt;

/// The outcome has been written into the call's output; the shim only returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reported;

/// One running call, as a generated shim sees it: arguments to decode, and an
/// output that takes exactly one result or error value.
#[derive(Debug)]
pub struct Call<'a> {
    export: &'static Export,
    args: Option<Args<'a>>,
    sink: Sink<'a>,
    status: Status,
}

impl<'a> Call<'a> {
    /// Starts a call of `export` with the argument bytes `input` (lent bytes in
    /// them read as `lending` says), writing to `sink`. A wrong argument count is
    /// reported at once.
    #[inline]
    pub(crate) fn start(
        export: &'static Export,
        input: &'a [u8],
        lending: Lending,
        sink: impl FnOnce() -> Sink<'a>,
    ) -> Call<'a> {
        let fewest = || export.required_params();
        let args = Args::with_arity(input, export.params.len(), fewest, lending).and_then(|args| {
            if args.is_empty() {
                args.finish()?;
            }
            Ok(args)
        });
        // Each outcome builds its `Call` whole (one assigned field by field
        // and moved out of a shared exit was read back by wide loads of the
        // narrow stores just made: a store-forwarding stall, ~5 ns a call).
        match args {
            Ok(args) => Call {
                export,
                args: Some(args),
                sink: sink(),
                status: Status::Ok,
            },
            Err(e) => Call::with_bad_args(export, sink(), &e),
        }
    }

    #[cold]
    #[inline(never)]
    fn with_bad_args(export: &'static Export, sink: Sink<'a>, e: &DecodeError) -> Call<'a> {
        let mut call = Call {
            export,
            args: None,
            sink,
            status: Status::Ok,
        };
        call.bad_args(e);
        call
    }

    /// A call whose arguments were decoded earlier: where an async export's
    /// future, or a stream's item, writes its result (`future`, `stream`).
    pub(crate) fn resume(export: &'static Export, sink: Sink<'static>) -> Call<'static> {
        Call {
            export,
            args: None,
            sink,
            status: Status::Ok,
        }
    }

    /// The status so far.
    pub(crate) fn status(&self) -> Status {
        self.status
    }

    /// What was written so far.
    pub(crate) fn written(&self) -> &[u8] {
        self.sink.written()
    }

    /// Empties the output for the next value.
    pub(crate) fn reset(&mut self) {
        self.status = Status::Ok;
        self.sink.clear();
    }

    /// Answers with a handle of extension `ext` (a pending future, a
    /// stream) and `status`.
    pub(crate) fn handle_value(&mut self, status: Status, ext: i8, handle: u64) {
        self.status = status;
        self.sink.clear();
        let _ = rmp::encode::write_ext_meta(&mut self.sink, 8, ext);
        let _ = std::io::Write::write_all(&mut self.sink, &handle.to_be_bytes());
    }

    /// Whether the arguments passed the first checks, so the shim may run.
    #[inline]
    pub(crate) fn ready(&self) -> bool {
        self.args.is_some() && self.status == Status::Ok
    }

    /// Decodes the argument of the parameter at `index`.
    #[inline]
    pub fn arg<T: Deserialize<'a>>(&mut self, index: usize) -> Result<T, Reported> {
        let Some(args) = self.args.as_mut() else {
            return Err(Reported);
        };
        if index >= args.len() {
            return self.default_arg(index);
        }
        let last = index + 1 == args.len();
        let decoded = args.next::<T>(index).and_then(|value| {
            if last {
                args.finish()?;
            }
            Ok(value)
        });
        decoded.map_err(|e| self.bad_args(&e))
    }

    /// The default of the parameter at `index`, which the call left out.
    #[cold]
    fn default_arg<T: Deserialize<'a>>(&mut self, index: usize) -> Result<T, Reported> {
        // `Args` accepted the shorter array: every parameter after the sent
        // ones has a default.
        let default = self.export.params.get(index).and_then(|p| p.default);
        let Some(default) = default else {
            return Err(self.bad_args(&DecodeError {
                kind: DecodeKind::Malformed,
                index: Some(index),
                found: "nothing".to_owned(),
                detail: "no argument and no default".to_owned(),
            }));
        };
        Args::default_arg(default, index).map_err(|e| self.bad_args(&e))
    }

    /// Decodes the argument of the parameter at `index`, of a [`Direct`]
    /// type: straight from the bytes when they hold it plainly, through
    /// [`Call::arg`] (and its error messages) otherwise.
    #[inline(always)]
    pub fn arg_direct<T: Direct + Deserialize<'a>>(&mut self, index: usize) -> Result<T, Reported> {
        if let Some(args) = self.args.as_mut() {
            if let Some(value) = args.next_direct(index + 1 == args.len()) {
                return Ok(value);
            }
        }
        self.arg(index)
    }

    /// Writes the function's result, straight into the output when its type
    /// knows how ([`DirectOut`]), through [`Call::ok`] otherwise.
    #[inline(always)]
    pub fn ok_direct<T: DirectOut + Serialize + ?Sized>(
        &mut self,
        value: &T,
    ) -> Result<(), Reported> {
        if value.write_direct(&mut self.sink) {
            return Ok(());
        }
        self.ok(value)
    }

    /// Writes the function's result.
    #[inline]
    pub fn ok<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Reported> {
        if let Err(e) = crate::lend::encode_result(value, &mut self.sink) {
            let mut value = ErrorValue::bridge("internal", e.to_string());
            value.function = Some(self.export.name.to_owned());
            self.fail(Status::Internal, &value);
            return Err(Reported);
        }
        Ok(())
    }

    /// Writes the error the function returned: any `E: std::error::Error`, or a
    /// `Box<dyn Error>` ([`ReturnedError`]; `Marker` is inferred). It is
    /// encoded here, on the calling thread, so `E` need not be `Send`.
    pub fn err<E, Marker>(&mut self, error: E, fields: Option<ErrorFields>) -> Result<(), Reported>
    where
        E: ReturnedError<Marker> + 'static,
    {
        let rust_type = std::any::type_name::<E>();
        let returned = &error;
        let error = error.as_error();
        // A box's content is known only at run time; any other `E` is its own
        // type, known as this compiles (`may_be`), so it skips the tests.
        let is_callback = || E::may_be::<CallbackError>() && error.is::<CallbackError>();
        if error.source().is_none() && !is_callback() {
            // Not `Serialize`: an enum's `Debug` still names the variant.
            let read_variant = fields
                .is_none()
                .then_some(|short_name| variant_from_debug(error, rust_type, short_name));
            // An `io::Error`, or a box holding one.
            let os_error = if E::may_be::<std::io::Error>() {
                OsError::of(error)
            } else {
                None
            };
            error_memo::with_known(returned, rust_type, read_variant, |known| {
                self.plain_err(error, rust_type, known, fields.as_ref(), os_error.as_ref());
            });
            return Err(Reported);
        }
        // A callback's error propagated as is: the host gets its own exception back,
        // with this function's frame in front of the callback's frames.
        let mut value = callback_value(error, || format!("`{}()`", self.export.name))
            .unwrap_or_else(|| {
                let mut value = ErrorValue::from_error(error, rust_type, fields);
                value.base = error_base(rust_type).map(str::to_owned);
                mark_callback_causes(error, &mut value);
                value
            });
        value.function = Some(self.export.name.to_owned());
        let frame = match err_site::take_for(self.export.rust_path) {
            Some(site) => Frame::rust(self.export.name, site.file, site.line, site.column),
            None => self.definition_frame(),
        };
        value.frames.insert(0, frame);
        self.fail(Status::Error, &value);
        Err(Reported)
    }

    /// The common `Err`: no `source()`, not a callback's error. Written from
    /// borrowed parts, the message straight from `Display`.
    fn plain_err(
        &mut self,
        error: &(dyn Error + 'static),
        rust_type: &'static str,
        known: &error_memo::Known,
        fields: Option<&ErrorFields>,
        os_error: Option<&OsError>,
    ) {
        let shown = Shown(error);
        let mut view = ErrorView::new("error", known.short_name, Message::Display(&shown));
        view.rust_type = Some(rust_type);
        view.function = Some(self.export.name);
        view.base = known.base;
        view.os_error = os_error;
        view.variant = known.variant.as_deref();
        if let Some(fields) = fields {
            view.variant = fields.variant;
            view.fields = Some(FieldsView::Encoded(&fields.fields));
        }
        // Where the body made the `Err`, else the function's own line.
        let (file, line, column) = match err_site::take_for(self.export.rust_path) {
            Some(site) => (site.file, site.line, site.column),
            None => (self.export.file, self.export.line, 1),
        };
        view.first_frame = Some(FrameView {
            function: self.export.name,
            file,
            line,
            column,
            language: "rust",
        });
        self.status = Status::Error;
        self.sink.clear();
        if fields.is_none() && os_error.is_none() {
            let shape = error_template::Shape {
                export: self.export,
                rust_type,
                variant: view.variant,
                file,
                line,
                column,
            };
            write_with(&mut self.sink, |out| {
                error_template::write(out, &shape, &view)
            });
        } else {
            write_view(&mut self.sink, &view);
        }
    }

    /// Replaces whatever was written with a caught panic.
    pub(crate) fn panicked(&mut self, mut value: ErrorValue) {
        value.function = Some(self.export.name.to_owned());
        // A callback's exception the panic interrupted the handling of.
        value.host_exception = unwound_exception_for_host();
        crate::object::class::name_member_frame(self.export, &mut value.frames);
        // Without a backtrace, say which export the panic happened under.
        let located = value.frames.iter().any(|f| f.function != "<panic>");
        if !located {
            value.frames.insert(0, self.definition_frame());
        }
        self.fail(Status::Panic, &value);
    }

    /// Publishes the output into `out` and returns the status that describes it.
    #[inline]
    pub(crate) fn finish(self, out: &mut FerryBox) -> Status {
        self.sink.finish(out);
        self.status
    }

    /// The outcome of a resumed call (`Call::resume`), to deliver.
    pub(crate) fn into_outcome(self) -> crate::future::completion::Outcome
    where
        'a: 'static,
    {
        crate::future::completion::Outcome::of(self.status, self.sink)
    }

    /// The function being called.
    #[inline]
    pub(crate) fn export(&self) -> &'static Export {
        self.export
    }

    /// Reports a bad argument found after decoding (an object argument).
    #[cold]
    pub(crate) fn fail_args(&mut self, status: Status, value: &ErrorValue) -> Reported {
        self.fail(status, value);
        Reported
    }

    fn definition_frame(&self) -> Frame {
        Frame::rust(self.export.name, self.export.file, self.export.line, 1)
    }

    #[cold]
    fn bad_args(&mut self, e: &DecodeError) -> Reported {
        let value = bad_args_value(self.export, e);
        self.fail(Status::BadArgs, &value);
        Reported
    }

    fn fail(&mut self, status: Status, value: &ErrorValue) {
        self.status = status;
        self.sink.clear();
        write_error(&mut self.sink, value);
    }
}

/// An error's `Display`, as a `dyn Display`.
struct Shown<'a>(&'a dyn Error);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.0, f)
    }
}

/// "`divide()` argument `b`: expected i64, but found string" and friends.
fn bad_args_value(export: &Export, e: &DecodeError) -> ErrorValue {
    let f = export.name;
    let param = e.index.and_then(|i| export.params.get(i));
    let mut value = ErrorValue::bridge(e.kind.as_str(), String::new());
    value.type_name = "ArgumentError".to_owned();
    value.function = Some(f.to_owned());
    // One frame, the function's own, as for a closure's bad arguments.
    value
        .frames
        .push(Frame::rust(f, export.file, export.line, 1));
    value.index = e.index;
    value.param = param.map(|p| p.name.to_owned());
    value.expected = param.map(|p| p.rust.to_owned());
    value.found = (!e.found.is_empty()).then(|| e.found.clone());
    value.message = match (e.kind, param) {
        (DecodeKind::Arity, _) => {
            let names: Vec<&str> = export.params.iter().map(|p| p.name).collect();
            let n = names.len();
            let plural = if n == 1 { "" } else { "s" };
            let required = export.required_params();
            let takes = if required == n {
                format!("{n} argument{plural}")
            } else {
                format!("{required} to {n} argument{plural}")
            };
            value.expected = Some(takes.clone());
            format!(
                "`{f}()` takes {takes} ({}) but was given {}",
                names.join(", "),
                e.found
            )
        }
        // Inside one parameter's value: name it and what it takes.
        (DecodeKind::Malformed, Some(p)) => {
            let found = match e.found.as_str() {
                "" | "nothing" => "the arguments end before it".to_owned(),
                found => format!("found a malformed {found}"),
            };
            format!(
                "`{f}()` argument `{}`: expected {}, but {found}: {}",
                p.name, p.rust, e.detail
            )
        }
        (DecodeKind::Malformed, None) => {
            format!("`{f}()` arguments are malformed: {}", e.detail)
        }
        (kind, Some(p)) => {
            let mut m = format!(
                "`{f}()` argument `{}`: expected {}, but found {}",
                p.name, p.rust, e.found
            );
            if kind == DecodeKind::Overflow {
                m.push_str(", which is out of range");
            }
            if !e.detail.is_empty() && e.detail != "out of range" {
                m.push_str(": ");
                m.push_str(&e.detail);
            }
            m
        }
        (_, None) => format!("`{f}()` arguments: {}", e.detail),
    };
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferryman_wire::TypeDesc;

    fn shim(_: &mut Call<'_>) -> Result<(), Reported> {
        Ok(())
    }

    static DIVIDE: Export = Export {
        name: "divide",
        rust_path: "calc::divide",
        doc: "",
        params: &[
            crate::Param {
                name: "a",
                ty: &TypeDesc::I64,
                rust: "i64",
                default: None,
            },
            crate::Param {
                name: "b",
                ty: &TypeDesc::U8,
                rust: "u8",
                default: None,
            },
        ],
        returns: &TypeDesc::I64,
        returns_rust: "i64",
        error: None,
        file: "src/lib.rs",
        line: 3,
        crate_name: "calc",
        crate_version: "0.1.0",
        shim,
        types: &[],
        member: crate::Member::FUNCTION,
        flavor: crate::Flavor::Sync,
    };

    fn decode_error(
        kind: DecodeKind,
        index: Option<usize>,
        found: &str,
        detail: &str,
    ) -> DecodeError {
        DecodeError {
            kind,
            index,
            found: found.to_owned(),
            detail: detail.to_owned(),
        }
    }

    #[test]
    fn a_wrong_type_names_function_parameter_and_expected_type() {
        let value = bad_args_value(
            &DIVIDE,
            &decode_error(DecodeKind::Type, Some(1), "string \"x\"", ""),
        );
        assert_eq!(
            value.message,
            "`divide()` argument `b`: expected u8, but found string \"x\""
        );
        assert_eq!(
            (value.kind.as_str(), value.param.as_deref(), value.index),
            ("type", Some("b"), Some(1))
        );
        assert_eq!(value.expected.as_deref(), Some("u8"));
    }

    #[test]
    fn overflow_says_out_of_range() {
        let value = bad_args_value(
            &DIVIDE,
            &decode_error(DecodeKind::Overflow, Some(1), "integer 300", ""),
        );
        assert!(
            value
                .message
                .ends_with("but found integer 300, which is out of range"),
            "{}",
            value.message
        );
    }

    #[test]
    fn a_malformed_value_names_the_parameter_and_its_type() {
        let value = bad_args_value(
            &DIVIDE,
            &decode_error(
                DecodeKind::Malformed,
                Some(1),
                "integer",
                "unexpected end of file",
            ),
        );
        assert_eq!(
            value.message,
            "`divide()` argument `b`: expected u8, but found a malformed integer: \
             unexpected end of file"
        );
        assert_eq!(
            (value.kind.as_str(), value.param.as_deref(), value.index),
            ("malformed", Some("b"), Some(1))
        );
        let value = bad_args_value(
            &DIVIDE,
            &decode_error(DecodeKind::Malformed, Some(0), "nothing", "end of file"),
        );
        assert_eq!(
            value.message,
            "`divide()` argument `a`: expected i64, but the arguments end before it: end of file"
        );
        // Not inside one parameter: the arguments as a whole.
        let value = bad_args_value(
            &DIVIDE,
            &decode_error(DecodeKind::Malformed, None, "", "2 unexpected bytes"),
        );
        assert_eq!(
            value.message,
            "`divide()` arguments are malformed: 2 unexpected bytes"
        );
    }

    #[test]
    fn a_malformed_value_through_a_call_names_the_parameter() {
        let mut call = Call::start(
            &DIVIDE,
            &[0x92, 0x01, 0xcd, 0x01],
            Lending::REFUSED,
            Sink::library,
        );
        assert!(call.ready());
        assert_eq!(call.arg::<i64>(0), Ok(1));
        assert_eq!(call.arg::<u8>(1), Err(Reported));
        let mut out = FerryBox::EMPTY;
        assert_eq!(call.finish(&mut out), Status::BadArgs);
        // SAFETY: a library box made by `finish`, read then freed once.
        let bytes = unsafe { ferryman_buffer::borrow(&out) }.to_vec();
        // SAFETY: as above.
        unsafe { ferryman_buffer::free_box(&mut out) };
        let value: rmpv::Value = rmp_serde::from_slice(&bytes).unwrap();
        let message = value["message"].as_str().unwrap();
        assert!(
            message.starts_with(
                "`divide()` argument `b`: expected u8, but found a malformed integer: "
            ),
            "{message}"
        );
        assert_eq!(value["param"].as_str(), Some("b"));
        assert_eq!(value["expected"].as_str(), Some("u8"));
    }

    #[test]
    fn arity_lists_the_parameters() {
        let value = bad_args_value(
            &DIVIDE,
            &decode_error(DecodeKind::Arity, None, "3 arguments", ""),
        );
        assert_eq!(
            value.message,
            "`divide()` takes 2 arguments (a, b) but was given 3 arguments"
        );
        assert_eq!(value.expected.as_deref(), Some("2 arguments"));
    }

    #[test]
    fn a_nested_problem_keeps_the_decoder_detail() {
        let value = bad_args_value(
            &DIVIDE,
            &decode_error(DecodeKind::Type, Some(0), "map", "missing field `y`"),
        );
        assert!(
            value.message.ends_with("but found map: missing field `y`"),
            "{}",
            value.message
        );
    }

    #[derive(Debug)]
    struct Odd(u8);

    impl fmt::Display for Odd {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(
                f,
                "odd number {} {}",
                self.0,
                "é".repeat(usize::from(self.0))
            )
        }
    }

    impl Error for Odd {}

    /// The bytes `Call::err` writes for `error`.
    fn err_bytes<M, E: ReturnedError<M> + 'static>(
        error: E,
        fields: Option<ErrorFields>,
    ) -> Vec<u8> {
        let mut call = Call::start(
            &DIVIDE,
            &[0x92, 0x01, 0x02],
            Lending::REFUSED,
            Sink::library,
        );
        assert_eq!(call.err(error, fields), Err(Reported));
        let mut out = FerryBox::EMPTY;
        assert_eq!(call.finish(&mut out), Status::Error);
        // SAFETY: a library box made by `finish`, read then freed once.
        let bytes = unsafe { ferryman_buffer::borrow(&out) }.to_vec();
        // SAFETY: as above.
        unsafe { ferryman_buffer::free_box(&mut out) };
        bytes
    }

    #[test]
    fn a_plain_err_is_written_as_the_error_value_the_spec_shows() {
        for (n, fields) in [
            (3, None),
            (40, None),
            (
                5,
                Some(ErrorFields {
                    variant: Some("Odd"),
                    fields: vec![0x81, 0xa1, b'n', 0x05],
                }),
            ),
        ] {
            let rust_type = std::any::type_name::<Odd>();
            let mut value = ErrorValue::from_error(&Odd(n), rust_type, fields.clone());
            value.function = Some("divide".to_owned());
            value
                .frames
                .insert(0, Frame::rust("divide", "src/lib.rs", 3, 1));
            assert_eq!(
                err_bytes(Odd(n), fields),
                rmp_serde::to_vec_named(&value).unwrap(),
                "{value:?}"
            );
        }
    }

    /// What the general path (`ErrorValue::from_error`) makes of `error`.
    fn expected_bytes(error: &(dyn Error + 'static), rust_type: &str) -> Vec<u8> {
        let mut value = ErrorValue::from_error(error, rust_type, None);
        value.function = Some("divide".to_owned());
        value.base = error_base(rust_type).map(str::to_owned);
        value
            .frames
            .insert(0, Frame::rust("divide", "src/lib.rs", 3, 1));
        rmp_serde::to_vec_named(&value).unwrap()
    }

    #[test]
    fn io_errors_plain_or_boxed_are_written_with_their_os_error() {
        use std::io;
        type Boxed = Box<dyn Error + Send + Sync>;
        for _ in 0..2 {
            let io = || io::Error::from_raw_os_error(2);
            assert_eq!(
                err_bytes(io(), None),
                expected_bytes(&io(), std::any::type_name::<io::Error>())
            );
            assert_eq!(
                err_bytes(Boxed::from(io()), None),
                expected_bytes(&io(), std::any::type_name::<Boxed>())
            );
            let plain: Box<dyn Error> = "plain".into();
            let expected = expected_bytes(&*plain, std::any::type_name::<Box<dyn Error>>());
            assert_eq!(err_bytes(plain, None), expected);
            // A box of a concrete error is that error's own type: not seen through.
            let boxed = || Box::new(io::Error::other("boxed"));
            let rust_type = std::any::type_name::<Box<io::Error>>();
            assert_eq!(
                err_bytes(boxed(), None),
                expected_bytes(&boxed(), rust_type)
            );
        }
    }

    #[test]
    fn a_call_with_the_wrong_count_never_reaches_the_shim() {
        let mut sink = Sink::library();
        sink.clear();
        let call = Call::start(&DIVIDE, &[0x91, 0x01], Lending::REFUSED, || sink);
        assert!(!call.ready());
        let mut out = FerryBox::EMPTY;
        assert_eq!(call.finish(&mut out), Status::BadArgs);
        // SAFETY: a library box made by `finish`, freed once.
        unsafe { ferryman_buffer::free_box(&mut out) };
    }
}
