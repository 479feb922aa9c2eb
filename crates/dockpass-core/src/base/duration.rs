//! Human durations for the config file: `90s`, `10m`, `8h`, `1h30m` or plain seconds.

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::time::Duration;

/// A duration written the way people write it in config files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct HumanDuration(pub Duration);

impl HumanDuration {
    pub fn secs(self) -> u64 {
        self.0.as_secs()
    }
}

/// Parses `90s`, `10m`, `8h`, `1d`, combinations like `1h30m`, or plain seconds (`3600`).
pub fn parse(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("empty duration; write e.g. 90s, 10m or 8h".into());
    }
    if let Ok(n) = t.parse::<u64>() {
        return Ok(Duration::from_secs(n));
    }
    let mut total: u64 = 0;
    let mut num = String::new();
    for c in t.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            _ => return Err(format!("invalid duration {s:?}; write e.g. 90s, 10m or 8h")),
        };
        let n: u64 = num
            .parse()
            .map_err(|_| format!("invalid duration {s:?}; write e.g. 90s, 10m or 8h"))?;
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| format!("duration {s:?} is too long"))?;
        num.clear();
    }
    if !num.is_empty() {
        return Err(format!(
            "invalid duration {s:?}: a number needs a unit (s, m, h) unless it stands alone"
        ));
    }
    Ok(Duration::from_secs(total))
}

/// Formats like `1h 5m`, `12m`, `40s` for people.
pub fn format(d: Duration) -> String {
    let s = d.as_secs();
    let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60);
    match (h, m) {
        (0, 0) => format!("{sec}s"),
        (0, _) => format!("{m}m"),
        (_, 0) => format!("{h}h"),
        _ => format!("{h}h {m}m"),
    }
}

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format(self.0))
    }
}

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = HumanDuration;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration such as \"90s\", \"10m\", \"8h\" or seconds")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<HumanDuration, E> {
                u64::try_from(v)
                    .map(|s| HumanDuration(Duration::from_secs(s)))
                    .map_err(|_| E::custom("a duration cannot be negative"))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<HumanDuration, E> {
                Ok(HumanDuration(Duration::from_secs(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<HumanDuration, E> {
                parse(v).map(HumanDuration).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for HumanDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let secs = self.0.as_secs();
        let text = if secs.is_multiple_of(3600) && secs > 0 {
            format!("{}h", secs / 3600)
        } else if secs.is_multiple_of(60) && secs > 0 {
            format!("{}m", secs / 60)
        } else {
            format!("{secs}s")
        };
        s.serialize_str(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_forms() {
        assert_eq!(parse("90s").unwrap().as_secs(), 90);
        assert_eq!(parse("10m").unwrap().as_secs(), 600);
        assert_eq!(parse("8h").unwrap().as_secs(), 28800);
        assert_eq!(parse("3600").unwrap().as_secs(), 3600);
        assert_eq!(parse("1h30m").unwrap().as_secs(), 5400);
        assert_eq!(parse(" 2d ").unwrap().as_secs(), 172800);
    }

    #[test]
    fn rejects_nonsense() {
        for bad in ["", "h", "10x", "1h30", "-5m", "ten"] {
            assert!(parse(bad).is_err(), "{bad} should fail");
        }
    }

    #[test]
    fn formats_for_people() {
        assert_eq!(format(Duration::from_secs(40)), "40s");
        assert_eq!(format(Duration::from_secs(720)), "12m");
        assert_eq!(format(Duration::from_secs(3900)), "1h 5m");
        assert_eq!(format(Duration::from_secs(7200)), "2h");
    }
}
