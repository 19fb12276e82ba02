//! The wire forms of "Times" (`spec/wire.md`) for the time crates whose
//! serde forms differ from them, read without any `#[serde(with)]`: the
//! argument decoder recognises their visitors by what they expect.
//!
//! - `time`'s `Date`, `PrimitiveDateTime` and `OffsetDateTime` ask for a
//!   tuple of ints (year, day of year, time of day, offset); a host sends
//!   text, which is parsed here into that tuple.
//! - `jiff`'s `SignedDuration` asks for ISO 8601 text; a host sends
//!   `[secs, nanos]`, which is written here as that text.
//! - `jiff`'s `Zoned` asks for RFC 9557 text (with a time zone in brackets);
//!   a host sends RFC 3339, which is given the text's offset as its zone.

use crate::rfc3339;

/// What `time`'s visitors say they expect, with the tuple length they ask
/// for and the text form of their descriptor.
const TIME_TUPLES: &[(&str, usize, Form)] = &[
    ("a `Date`", 2, Form::Date),
    ("a `PrimitiveDateTime`", 6, Form::DateTime),
    ("an `OffsetDateTime`", 9, Form::Timestamp),
];

/// What `jiff`'s `SignedDuration` visitor says it expects.
pub(crate) const JIFF_SIGNED_DURATION: &str = "a signed duration string";

/// What `jiff`'s `Zoned` visitor says it expects.
pub(crate) const JIFF_ZONED: &str = "a zoned datetime string";

/// Whether `text` may be an RFC 3339 time with `Z` or an offset, checked
/// cheaply (every str argument is asked) before the visitor is.
#[inline]
pub(crate) fn may_be_instant(text: &[u8]) -> bool {
    text.len() >= 20
        && matches!(text.get(10), Some(b'T' | b't' | b' '))
        && matches!(text.last(), Some(b'Z' | b'z' | b'0'..=b'9'))
}

/// RFC 3339 `text` (no zone annotation) as the RFC 9557 text jiff's `Zoned`
/// reads: the text's own offset as a fixed zone (`Z` is `+00:00`, so that no
/// time zone database is needed). `None` for any other text.
pub(crate) fn zoned_text(text: &str) -> Option<String> {
    rfc3339::parse(text)?;
    if let Some(local) = text.strip_suffix(['Z', 'z']) {
        return Some(format!("{local}+00:00[+00:00]"));
    }
    let offset = text.get(text.len() - 6..)?;
    Some(format!("{text}[{offset}]"))
}

#[derive(Clone, Copy)]
enum Form {
    Date,
    DateTime,
    Timestamp,
}

/// The tuple a `time` type expecting `expected` (a tuple of `len`) reads for
/// `text`: `None` when the visitor is no such type, `Some(Err(why))` when
/// the text is not in the descriptor's form.
pub(crate) fn time_tuple(
    expected: &str,
    len: usize,
    text: &str,
) -> Option<Result<Vec<i64>, String>> {
    let &(_, _, form) = TIME_TUPLES
        .iter()
        .find(|(name, n, _)| *name == expected && *n == len)?;
    // Each form is read as an RFC 3339 instant: a date at midnight UTC, a
    // date and time without offset as if in UTC.
    let instant = match form {
        Form::Date if text.len() == 10 => rfc3339::parse(&format!("{text}T00:00:00Z")),
        Form::DateTime if !text.ends_with(['Z', 'z']) => rfc3339::parse(&format!("{text}Z")),
        Form::Timestamp => rfc3339::parse(text),
        _ => None,
    };
    let Some((secs, nanos)) = instant else {
        return Some(Err(format!(
            "{text:?} is not {}",
            match form {
                Form::Date => "a date such as 2024-05-01",
                Form::DateTime => "a date and time without offset such as 2024-05-01T12:00:00",
                Form::Timestamp => "an RFC 3339 time with an offset, such as 2024-05-01T12:00:00Z",
            }
        )));
    };
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    let (year, _, _) = rfc3339::civil_from_days(days);
    let ordinal = days - rfc3339::days_from_civil(year, 1, 1) + 1;
    let mut tuple = vec![year, ordinal];
    if !matches!(form, Form::Date) {
        tuple.extend([
            of_day / 3600,
            of_day / 60 % 60,
            of_day % 60,
            i64::from(nanos),
        ]);
    }
    if matches!(form, Form::Timestamp) {
        // The instant in UTC: offset 0 hours, 0 minutes, 0 seconds.
        tuple.extend([0, 0, 0]);
    }
    Some(Ok(tuple))
}

/// `[secs, nanos]` (nanos after secs, `0 <= nanos < 10⁹`) as ISO 8601 text
/// jiff reads: -1.5 s (`[-2, 500000000]`) is `-PT1.5S`.
pub(crate) fn iso_duration(secs: i64, nanos: u32) -> String {
    let total = i128::from(secs) * 1_000_000_000 + i128::from(nanos);
    let sign = if total < 0 { "-" } else { "" };
    let abs = total.unsigned_abs();
    let (whole, fraction) = (abs / 1_000_000_000, abs % 1_000_000_000);
    if fraction == 0 {
        format!("{sign}PT{whole}S")
    } else {
        let digits = format!("{fraction:09}");
        format!("{sign}PT{whole}.{}S", digits.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::{iso_duration, may_be_instant, time_tuple, zoned_text};

    #[test]
    fn instants_become_zoned_text() {
        assert_eq!(
            zoned_text("2024-05-01T12:00:00Z").as_deref(),
            Some("2024-05-01T12:00:00+00:00[+00:00]")
        );
        assert_eq!(
            zoned_text("2024-05-01T12:00:00.5-04:00").as_deref(),
            Some("2024-05-01T12:00:00.5-04:00[-04:00]")
        );
        assert_eq!(zoned_text("2024-05-01T12:00:00"), None);
        assert!(may_be_instant(b"2024-05-01T12:00:00Z"));
        assert!(!may_be_instant(
            b"2024-05-01T12:00:00-04:00[America/New_York]"
        ));
        assert!(!may_be_instant(b"hello"));
    }

    #[test]
    fn texts_become_time_tuples() {
        let date = time_tuple("a `Date`", 2, "2024-03-01").unwrap();
        assert_eq!(date, Ok(vec![2024, 61]));
        let civil = time_tuple("a `PrimitiveDateTime`", 6, "2024-12-31T23:59:58.5").unwrap();
        assert_eq!(civil, Ok(vec![2024, 366, 23, 59, 58, 500_000_000]));
        let instant = time_tuple("an `OffsetDateTime`", 9, "2024-01-01T01:00:00+02:00").unwrap();
        assert_eq!(instant, Ok(vec![2023, 365, 23, 0, 0, 0, 0, 0, 0]));
        assert!(time_tuple("a `Date`", 2, "2024-03-01T00:00:00")
            .unwrap()
            .unwrap_err()
            .contains("a date such as"));
        assert!(
            time_tuple("a `PrimitiveDateTime`", 6, "2024-03-01T00:00:00Z")
                .unwrap()
                .is_err()
        );
        // Another visitor, or another length: not ours to read.
        assert_eq!(time_tuple("a tuple of size 2", 2, "2024-03-01"), None);
        assert_eq!(time_tuple("a `Date`", 3, "2024-03-01"), None);
    }

    #[test]
    fn pairs_become_iso_durations() {
        assert_eq!(iso_duration(-2, 500_000_000), "-PT1.5S");
        assert_eq!(iso_duration(90, 5), "PT90.000000005S");
        assert_eq!(iso_duration(0, 0), "PT0S");
        assert_eq!(iso_duration(-1, 0), "-PT1S");
    }
}
