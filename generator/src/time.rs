//! Timestamps of the generated world: seconds (or milliseconds) since the Unix epoch, formatted
//! the way the Kubernetes API, the tools and Datadog print them. Never the wall clock.

use scenario::time::Utc;
use serde::{Serialize, Serializer};

/// The earliest snapshot date of a generated corpus: 2026-03-02T00:00:00Z.
pub const BASE_EPOCH: i64 = 1_772_409_600;

/// A second-precision instant (`2026-04-18T10:45:10Z` on the wire).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ts(pub i64);

/// A millisecond-precision instant (`2026-04-18T10:45:10.123Z` on the wire).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TsMillis(pub i64);

/// A microsecond-precision instant (`2026-04-18T10:45:10.123456Z`), as `eventTime` is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TsMicros(pub i64);

impl Serialize for Ts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&rfc3339(self.0))
    }
}

impl Serialize for TsMillis {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&rfc3339_millis(self.0))
    }
}

impl Serialize for TsMicros {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let secs = self.0.div_euclid(1_000_000);
        let (date, time) = civil(secs);
        s.serialize_str(&format!(
            "{date}T{time}.{:06}Z",
            self.0.rem_euclid(1_000_000)
        ))
    }
}

/// `YYYY-MM-DD` and `HH:MM:SS` of a Unix time (UTC).
pub fn civil(secs: i64) -> (String, String) {
    let utc = Utc::from_unix(secs);
    (utc.date(), utc.time())
}

/// `2026-04-18T10:45:10Z`
pub fn rfc3339(secs: i64) -> String {
    let (d, t) = civil(secs);
    format!("{d}T{t}Z")
}

/// `2026-04-18T10:45:10.123Z`
pub fn rfc3339_millis(ms: i64) -> String {
    let (d, t) = civil(ms.div_euclid(1000));
    format!("{d}T{t}.{:03}Z", ms.rem_euclid(1000))
}

/// `2026-04-18 10:45:10.123` (Spring Boot, gunicorn-like logs).
pub fn spaced_millis(ms: i64) -> String {
    let (d, t) = civil(ms.div_euclid(1000));
    format!("{d} {t}.{:03}", ms.rem_euclid(1000))
}

/// A Go `time.Duration` string as the kubelet prints back-off delays: `10s`, `1m20s`, `5m0s`.
pub fn go_duration(secs: i64) -> String {
    if secs < 60 {
        format!("{secs}s")
    } else if secs < 3600 {
        format!("{}m{}s", secs / 60, secs % 60)
    } else {
        format!("{}h{}m{}s", secs / 3600, (secs % 3600) / 60, secs % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(BASE_EPOCH), "2026-03-02T00:00:00Z");
        assert_eq!(
            rfc3339_millis(1_713_437_110_123),
            "2024-04-18T10:45:10.123Z"
        );
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(go_duration(300), "5m0s");
        assert_eq!(go_duration(80), "1m20s");
        assert_eq!(go_duration(40), "40s");
    }
}
