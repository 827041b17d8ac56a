//! Money cells → exact amounts in yuan (tables.md, "Money").
//!
//! It takes a cell's raw text and the unit its column header names, and gives
//! the number as written, its unit and the amount in yuan as exact decimals
//! (an i128 mantissa with a scale). It never uses floating point and never
//! invents a unit: a non-zero amount with no unit anywhere has no yuan value.

use super::values::{folded, is_dash};

/// A unit of money as printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Yuan,
    Wan,
    Yi,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Yuan => "元",
            Unit::Wan => "万元",
            Unit::Yi => "亿元",
        }
    }

    fn exponent(self) -> u32 {
        match self {
            Unit::Yuan => 0,
            Unit::Wan => 4,
            Unit::Yi => 8,
        }
    }
}

/// An exact decimal: `mantissa × 10^-scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    pub mantissa: i128,
    pub scale: u32,
}

impl Decimal {
    pub fn is_zero(self) -> bool {
        self.mantissa == 0
    }

    /// The mantissa at `scale`, when the value is exact there and fits.
    pub fn at_scale(self, scale: u32) -> Option<i128> {
        if scale >= self.scale {
            self.mantissa
                .checked_mul(10i128.checked_pow(scale - self.scale)?)
        } else {
            let div = 10i128.checked_pow(self.scale - scale)?;
            (self.mantissa % div == 0).then_some(self.mantissa / div)
        }
    }

    /// Multiplies by 10^exp.
    fn shift(self, exp: u32) -> Option<Decimal> {
        Some(Decimal {
            mantissa: self.mantissa.checked_mul(10i128.checked_pow(exp)?)?,
            scale: self.scale,
        })
    }
}

impl std::fmt::Display for Decimal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Trailing zeros of the fraction are not printed: 52438830.7300 → 52438830.73.
        let mut m = self.mantissa;
        let mut scale = self.scale;
        while scale > 0 && m % 10 == 0 {
            m /= 10;
            scale -= 1;
        }
        let neg = m < 0;
        let digits = m.unsigned_abs().to_string();
        let s = scale as usize;
        let (int, frac) = if digits.len() > s {
            digits.split_at(digits.len() - s)
        } else {
            ("0", digits.as_str())
        };
        let pad = s.saturating_sub(frac.len());
        write!(f, "{}{}", if neg { "-" } else { "" }, int)?;
        if s > 0 {
            write!(f, ".{}{}", "0".repeat(pad), frac)?;
        }
        Ok(())
    }
}

/// What a money cell holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Money {
    Blank,
    NotApplicable,
    /// The number as written and the unit written in the cell, if any.
    Amount(Decimal, Option<Unit>),
    Unreadable,
}

/// Finds a unit named in header text (`采购总金额（万元）`, `本年收费金额（单位：万元）`).
pub fn unit_in_header(text: &str) -> Option<Unit> {
    if text.contains("亿元") {
        Some(Unit::Yi)
    } else if text.contains("万元") {
        Some(Unit::Wan)
    } else if text.contains('元') {
        Some(Unit::Yuan)
    } else {
        None
    }
}

/// Parses one money cell.
pub fn parse_money(raw: &str) -> Money {
    let mut it = folded(raw).peekable();
    let Some(&first) = it.peek() else {
        return Money::Blank;
    };
    if folded(raw).all(is_dash) {
        return Money::NotApplicable;
    }
    if (first == '无' || first == '無') && folded(raw).count() == 1 {
        return Money::Amount(
            Decimal {
                mantissa: 0,
                scale: 0,
            },
            None,
        );
    }
    let mut mantissa: i128 = 0;
    let mut scale = 0u32;
    let mut digits = 0;
    let mut in_fraction = false;
    while let Some(&c) = it.peek() {
        if let Some(d) = c.to_digit(10) {
            mantissa = match mantissa
                .checked_mul(10)
                .and_then(|m| m.checked_add(i128::from(d)))
            {
                Some(m) if digits < 30 => m,
                _ => return Money::Unreadable,
            };
            digits += 1;
            if in_fraction {
                scale += 1;
            }
        } else if c == ',' && digits > 0 && !in_fraction {
        } else if c == '.' && digits > 0 && !in_fraction {
            in_fraction = true;
        } else {
            break;
        }
        it.next();
    }
    if digits == 0 {
        return Money::Unreadable;
    }
    let rest: [Option<char>; 3] = [it.next(), it.next(), it.next()];
    let unit = match rest {
        [None, _, _] => None,
        [Some('元'), None, _] => Some(Unit::Yuan),
        [Some('万' | '萬'), None, _] | [Some('万' | '萬'), Some('元'), None] => {
            Some(Unit::Wan)
        }
        [Some('亿' | '億'), None, _] | [Some('亿' | '億'), Some('元'), None] => Some(Unit::Yi),
        _ => return Money::Unreadable,
    };
    Money::Amount(Decimal { mantissa, scale }, unit)
}

/// The amount in yuan, or `None` when the unit is unknown (and the amount is
/// not zero) or the value does not fit.
pub fn to_yuan(value: Decimal, unit: Option<Unit>) -> Option<Decimal> {
    match unit {
        Some(u) => value.shift(u.exponent()),
        None if value.is_zero() => Some(Decimal {
            mantissa: 0,
            scale: 0,
        }),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yuan(raw: &str, header: Option<Unit>) -> Option<String> {
        match parse_money(raw) {
            Money::Amount(v, cell) => to_yuan(v, cell.or(header)).map(|d| d.to_string()),
            _ => None,
        }
    }

    #[test]
    fn units_in_the_cell() {
        assert_eq!(yuan("251000元", None).as_deref(), Some("251000"));
        assert_eq!(yuan("6054万元", None).as_deref(), Some("60540000"));
        assert_eq!(
            yuan("5243.883073万元", None).as_deref(),
            Some("52438830.73")
        );
        assert_eq!(yuan("1646.5万元", None).as_deref(), Some("16465000"));
        assert_eq!(yuan("1.2亿元", None).as_deref(), Some("120000000"));
        assert_eq!(yuan("0 元", None).as_deref(), Some("0"));
        assert_eq!(yuan("１,２００元", None).as_deref(), Some("1200"));
        assert_eq!(yuan("3萬元", None).as_deref(), Some("30000"));
    }

    #[test]
    fn unit_in_the_header_or_nowhere() {
        assert_eq!(yuan("1646.5", Some(Unit::Wan)).as_deref(), Some("16465000"));
        assert_eq!(
            yuan("23.5", unit_in_header("本年收费金额（单位：万元）")).as_deref(),
            Some("235000")
        );
        assert_eq!(yuan("808", None), None);
        assert_eq!(yuan("153103.83", None), None);
        assert_eq!(yuan("0", None).as_deref(), Some("0"));
        assert_eq!(yuan("无", None).as_deref(), Some("0"));
        // The cell's unit wins over the header's.
        assert_eq!(yuan("100元", Some(Unit::Wan)).as_deref(), Some("100"));
    }

    #[test]
    fn header_units() {
        assert_eq!(unit_in_header("采购总金额万元"), Some(Unit::Wan));
        assert_eq!(unit_in_header("采购总金额(亿元)"), Some(Unit::Yi));
        assert_eq!(unit_in_header("采购总金额（元）"), Some(Unit::Yuan));
        assert_eq!(unit_in_header("采购总金额"), None);
    }

    #[test]
    fn not_money() {
        assert_eq!(parse_money(""), Money::Blank);
        assert_eq!(parse_money("—"), Money::NotApplicable);
        for s in ["约100万元", "100万美元", "1.2.3", "元", "万元以上"] {
            assert_eq!(parse_money(s), Money::Unreadable, "{s}");
        }
    }

    #[test]
    fn scales() {
        let d = Decimal {
            mantissa: 524388307300,
            scale: 4,
        };
        assert_eq!(d.at_scale(2), Some(5243883073));
        assert_eq!(d.at_scale(6), Some(52438830730000));
        assert_eq!(
            Decimal {
                mantissa: 15,
                scale: 1
            }
            .at_scale(0),
            None
        );
        assert_eq!(
            Decimal {
                mantissa: 5,
                scale: 3
            }
            .to_string(),
            "0.005"
        );
        assert_eq!(
            Decimal {
                mantissa: -50,
                scale: 1
            }
            .to_string(),
            "-5"
        );
    }
}
