//! RFC 3339 text → seconds and nanoseconds since the Unix epoch: how a
//! `SystemTime` parameter reads the instant a host sends (`spec/wire.md`,
//! "Times"), the same text `chrono::DateTime` reads itself.

/// `2024-05-01T12:00:00Z`, `2024-05-01 12:00:00.25+02:00`: seconds since
/// 1970-01-01T00:00:00Z (negative before it) and the nanoseconds after them;
/// `None` for text that is not such a time. A `t`/space separator, a lower
/// case `z`, 1 to 9 fraction digits and offsets up to ±23:59 are accepted.
pub(crate) fn parse(text: &str) -> Option<(i64, u32)> {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(range)?;
        part.iter().try_fold(0i64, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
        })
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    // 60: a leap second, which the instant before the next minute stands for.
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut at = 19;
    let mut nanos = 0u32;
    if b[at] == b'.' {
        let start = at + 1;
        let end = start + b[start..].iter().take_while(|c| c.is_ascii_digit()).count();
        if end == start || end - start > 9 {
            return None;
        }
        let fraction = u32::try_from(digits(start..end)?).ok()?;
        nanos = fraction * 10u32.pow(9 - (end - start) as u32);
        at = end;
    }
    let offset = match &b[at..] {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (h, m) = (digits(at + 1..at + 3)?, digits(at + 4..at + 6)?);
            if h > 23 || m > 59 {
                return None;
            }
            let minutes = h * 60 + m;
            if *sign == b'-' {
                -minutes
            } else {
                minutes
            }
        }
        _ => return None,
    };
    let second = second.min(59);
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset * 60;
    Some((secs, nanos))
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian `(year, month, day)` `days` after 1970-01-01
/// (Howard Hinnant's `civil_from_days`).
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn instants() {
        assert_eq!(parse("1970-01-01T00:00:00Z"), Some((0, 0)));
        assert_eq!(parse("2024-05-01T12:00:00Z"), Some((1_714_564_800, 0)));
        assert_eq!(
            parse("2024-05-01T14:00:00.25+02:00"),
            Some((1_714_564_800, 250_000_000))
        );
        assert_eq!(
            parse("2024-05-01 12:00:00.123456789z"),
            Some((1_714_564_800, 123_456_789))
        );
        assert_eq!(parse("1969-12-31T23:59:59-00:00"), Some((-1, 0)));
        assert_eq!(parse("2000-02-29T00:00:00Z"), Some((951_782_400, 0)));
    }

    #[test]
    fn refuses_what_is_not_an_instant() {
        for text in [
            "",
            "2024-05-01",
            "2024-05-01T12:00:00",
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-05-01T24:00:00Z",
            "2024-05-01T12:00:00.Z",
            "2024-05-01T12:00:00.1234567891Z",
            "2024-05-01T12:00:00+0200",
            "2024-05-01T12:00:00Z ",
            "２０２４-05-01T12:00:00Z",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }
}
