//! `#inst` timestamps, read and printed the way Clojure does
//! (`clojure.instant` and `java.util.Date`'s printer).
//!
//! Like `java.util.GregorianCalendar`, dates before the Gregorian reform
//! (1582-10-15) are in the Julian calendar, so `#inst "1000-01-01"` denotes
//! the same epoch milliseconds as in Clojure and Datahike.

/// Days from 1970-01-01 to 1582-10-15 (the first Gregorian day).
const GREGORIAN_CUTOVER_DAYS: i64 = -141_427;
/// Julian day number of 1970-01-01.
const EPOCH_JDN: i64 = 2_440_588;
const MS_PER_DAY: i64 = 86_400_000;

/// Parses an RFC3339-like timestamp the way `clojure.instant` does:
/// `yyyy[-MM[-dd[Thh[:mm[:ss[.fff...]]]]]][Z|±hh:mm]`. Returns epoch millis.
pub fn parse_inst(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let mut i = 0;
    let num = |i: &mut usize, n: usize| -> Option<i64> {
        let d = b.get(*i..*i + n)?;
        if !d.iter().all(u8::is_ascii_digit) {
            return None;
        }
        *i += n;
        std::str::from_utf8(d).ok()?.parse().ok()
    };
    let year = num(&mut i, 4)?;
    let (mut month, mut day, mut hour, mut minute, mut second, mut nanos) = (1, 1, 0, 0, 0, 0i64);
    if b.get(i) == Some(&b'-') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        month = num(&mut i, 2)?;
        if b.get(i) == Some(&b'-') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            i += 1;
            day = num(&mut i, 2)?;
            if b.get(i) == Some(&b'T') {
                i += 1;
                hour = num(&mut i, 2)?;
                if b.get(i) == Some(&b':') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                    minute = num(&mut i, 2)?;
                    if b.get(i) == Some(&b':') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
                        i += 1;
                        second = num(&mut i, 2)?;
                        if b.get(i) == Some(&b'.') {
                            i += 1;
                            let fs = i;
                            while b.get(i).is_some_and(u8::is_ascii_digit) {
                                i += 1;
                            }
                            if i == fs {
                                return None;
                            }
                            let frac = &s[fs..i];
                            let frac9: String =
                                frac.chars().chain(std::iter::repeat('0')).take(9).collect();
                            nanos = frac9.parse().ok()?;
                        }
                    }
                }
            }
        }
    }
    let mut offset_min = 0i64;
    match b.get(i) {
        None => {}
        Some(b'Z') => i += 1,
        Some(&c @ (b'+' | b'-')) => {
            i += 1;
            let oh = num(&mut i, 2)?;
            if b.get(i) != Some(&b':') {
                return None;
            }
            i += 1;
            let om = num(&mut i, 2)?;
            if oh > 23 || om > 59 {
                return None;
            }
            offset_min = (oh * 60 + om) * if c == b'-' { -1 } else { 1 };
        }
        _ => return None,
    }
    if i != b.len() {
        return None;
    }
    let max_second = if minute == 59 { 60 } else { 59 };
    if !(1..=12).contains(&month) || hour > 23 || minute > 59 || second > max_second {
        return None;
    }
    // Validated like clojure.instant (Gregorian leap years), computed like
    // GregorianCalendar (Julian before the cutover).
    if day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let days = if (year, month, day) < (1582, 10, 15) {
        julian_to_days(year, month, day)
    } else {
        gregorian_to_days(year, month, day)
    };
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_min * 60;
    Some(secs * 1000 + nanos / 1_000_000)
}

/// Formats epoch milliseconds as Clojure prints `#inst`:
/// `2020-01-01T00:00:00.000-00:00` (UTC, Julian calendar before 1582-10-15).
/// Years outside 0..=9999 are printed with more digits or a sign and do not
/// read back.
pub fn format_inst(ms: i64) -> String {
    let days = ms.div_euclid(MS_PER_DAY);
    let in_day = ms.rem_euclid(MS_PER_DAY);
    let (y, m, d) = if days < GREGORIAN_CUTOVER_DAYS && days + EPOCH_JDN >= 0 {
        days_to_julian(days)
    } else {
        days_to_gregorian(days)
    };
    let (h, rest) = (in_day / 3_600_000, in_day % 3_600_000);
    let (min, rest) = (rest / 60_000, rest % 60_000);
    let (s, milli) = (rest / 1000, rest % 1000);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{milli:03}-00:00")
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant).
fn gregorian_to_days(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
fn days_to_gregorian(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Days since 1970-01-01 of a Julian calendar date (years >= -4712).
fn julian_to_days(y: i64, m: i64, d: i64) -> i64 {
    let a = (14 - m) / 12;
    let y = y + 4800 - a;
    let m = m + 12 * a - 3;
    let jdn = d + (153 * m + 2) / 5 + 365 * y + y.div_euclid(4) - 32_083;
    jdn - EPOCH_JDN
}

/// The Julian calendar date of a day count since 1970-01-01 (JDN >= 0).
fn days_to_julian(days: i64) -> (i64, i64, i64) {
    let c = days + EPOCH_JDN + 32_082;
    let d = (4 * c + 3) / 1461;
    let e = c - 1461 * d / 4;
    let m = (5 * e + 2) / 153;
    let day = e - (153 * m + 2) / 5 + 1;
    let month = m + 3 - 12 * (m / 10);
    let year = d - 4800 + m / 10;
    (year, month, day)
}
