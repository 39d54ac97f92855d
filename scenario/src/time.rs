//! UTC calendar time without a date-time dependency: the one days-to-civil conversion of the
//! workspace (after Howard Hinnant's `civil_from_days`), used by the generator's timestamps and
//! by the evaluator's `run.json`, history and run ids.

use std::time::{SystemTime, UNIX_EPOCH};

/// Calendar fields of a UTC instant (proleptic Gregorian calendar, no leap seconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Utc {
    /// The year (may be negative before year 0).
    pub year: i64,
    /// 1..=12.
    pub month: u32,
    /// 1..=31.
    pub day: u32,
    /// 0..=23.
    pub hour: u32,
    /// 0..=59.
    pub minute: u32,
    /// 0..=59.
    pub second: u32,
}

impl Utc {
    /// The calendar fields of `t` (seconds resolution; before the epoch reads as the epoch).
    #[must_use]
    pub fn of(t: SystemTime) -> Utc {
        let secs = t
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        Utc::from_unix(secs)
    }

    /// The calendar fields of a Unix timestamp.
    #[must_use]
    pub fn from_unix(secs: i64) -> Utc {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Utc {
            year,
            month,
            day,
            hour: (rem / 3600) as u32,
            minute: (rem % 3600 / 60) as u32,
            second: (rem % 60) as u32,
        }
    }

    /// `2026-11-21`
    #[must_use]
    pub fn date(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// `08:15:00`
    #[must_use]
    pub fn time(self) -> String {
        format!("{:02}:{:02}:{:02}", self.hour, self.minute, self.second)
    }

    /// `2026-11-21T08:15:00Z`
    #[must_use]
    pub fn rfc3339(self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// `20261121T081500Z`, the sortable prefix of a run id.
    #[must_use]
    pub fn compact(self) -> String {
        format!(
            "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

/// Seconds since the epoch of a timestamp as the tools write them: RFC 3339 (`2026-04-18T10:45:10Z`,
/// with a fraction or an offset) or Python's `str(datetime)` (`2026-04-18 10:45:10+00:00`). `None`
/// for anything else (`"None"`, an empty string, a date without a time).
#[must_use]
pub fn unix_seconds(s: &str) -> Option<i64> {
    let s = s.trim();
    let num = |a: usize, b: usize| -> Option<i64> {
        let part = s.get(a..b)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let sep = |i: usize, c: &[u8]| s.as_bytes().get(i).is_some_and(|b| c.contains(b));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"T ") && sep(13, b":") && sep(16, b":")) {
        return None;
    }
    let (y, mo, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (h, mi, sec) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    // The fraction, then the zone: `Z`, `+hh:mm`, `-hh:mm` (or none: UTC).
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = &frac[digits..];
    }
    let offset = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (oh, om) = rest[1..].split_once(':')?;
            let (oh, om): (i64, i64) = (oh.parse().ok()?, om.parse().ok()?);
            sign * (oh * 3600 + om * 60)
        }
    };
    // Howard Hinnant's days_from_civil, the inverse of `Utc::from_unix`.
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if mo > 2 { mo - 3 } else { mo + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + sec - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_of_either_tool_shape_are_read() {
        let t = Utc::from_unix(1_776_509_110); // 2026-04-18T10:45:10Z
        assert_eq!(t.rfc3339(), "2026-04-18T10:45:10Z");
        for s in [
            "2026-04-18T10:45:10Z",
            "2026-04-18 10:45:10+00:00",
            "2026-04-18T10:45:10.123456Z",
            "2026-04-18T12:45:10+02:00",
            "2026-04-18T10:45:10",
        ] {
            assert_eq!(unix_seconds(s), Some(1_776_509_110), "{s}");
        }
        for s in [
            "None",
            "",
            "2026-04-18",
            "2026-13-18T10:45:10Z",
            "2026-04-18T10:45:10 UTC",
        ] {
            assert_eq!(unix_seconds(s), None, "{s}");
        }
        for secs in [0, 951_782_400, 1_709_164_800, 4_102_444_800] {
            assert_eq!(unix_seconds(&Utc::from_unix(secs).rfc3339()), Some(secs));
        }
    }

    #[test]
    fn known_instants() {
        assert_eq!(Utc::from_unix(0).rfc3339(), "1970-01-01T00:00:00Z");
        // 2000-02-29 12:34:56 UTC (a leap day in a century leap year).
        assert_eq!(
            Utc::from_unix(951_827_696).rfc3339(),
            "2000-02-29T12:34:56Z"
        );
        // 2026-11-21 08:15:00 UTC.
        assert_eq!(Utc::from_unix(1_795_248_900).compact(), "20261121T081500Z");
        assert_eq!(
            Utc::from_unix(1_795_248_900).rfc3339(),
            "2026-11-21T08:15:00Z"
        );
        // Before the epoch, and the last second of a day.
        assert_eq!(Utc::from_unix(-1).rfc3339(), "1969-12-31T23:59:59Z");
        let u = Utc::from_unix(951_868_799);
        assert_eq!(
            (u.date(), u.time()),
            ("2000-02-29".into(), "23:59:59".into())
        );
    }

    #[test]
    fn every_day_of_four_centuries_follows_the_previous_one() {
        // An independent oracle: step the calendar one day at a time from 1900-01-01.
        let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let days_in = |y: i64, m: u32| match m {
            2 if leap(y) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        let (mut y, mut m, mut d) = (1900_i64, 1_u32, 1_u32);
        let start = -2_208_988_800_i64; // 1900-01-01T00:00:00Z
        for day in 0..146_097 {
            let u = Utc::from_unix(start + day * 86_400 + 3_661);
            assert_eq!((u.year, u.month, u.day), (y, m, d), "day {day}");
            assert_eq!((u.hour, u.minute, u.second), (1, 1, 1));
            d += 1;
            if d > days_in(y, m) {
                d = 1;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
        }
    }
}
