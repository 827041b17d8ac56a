//! Cell text → count values, by the rules of tables.md ("Cell values").
//!
//! It takes the raw text of one cell and gives a `Count`. It never allocates
//! and never guesses: text that is not a number by these rules is
//! `Unreadable`, and the caller keeps the raw text and reports it.

use crate::segment::normalise::fold_width;

/// What a count cell holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// Empty, spaces, `&nbsp;`, U+3000: null, not 0.
    Blank,
    /// `/`, `—`, `-` alone: null (not applicable).
    NotApplicable,
    Number(i64),
    /// Not a number by the rules: null, raw text kept and reported.
    Unreadable,
}

/// Characters that, alone, mean "not applicable".
pub fn is_dash(c: char) -> bool {
    matches!(c, '/' | '\\' | '-' | '—' | '–' | '─' | '━' | '−' | '―')
}

/// Suffixes a count may carry (`0件`).
fn is_count_suffix(c: char) -> bool {
    matches!(c, '件' | '个' | '項' | '项' | '次' | '条')
}

/// Iterates the characters of a cell folded to half-width, without whitespace.
pub fn folded(raw: &str) -> impl Iterator<Item = char> + Clone + '_ {
    raw.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{FEFF}')
        .map(fold_width)
}

/// Parses a leading sign: `+ - 增 增加 减 减少`. Returns the sign and the rest.
fn sign<I: Iterator<Item = char> + Clone>(mut it: I) -> (i64, I) {
    let save = it.clone();
    match it.next() {
        Some('+') => (1, it),
        Some('-') | Some('−') => (-1, it),
        Some('增') => {
            let after = it.clone();
            if it.next() == Some('加') {
                (1, it)
            } else {
                (1, after)
            }
        }
        Some('减') | Some('減') => {
            let after = it.clone();
            if it.next() == Some('少') {
                (-1, it)
            } else {
                (-1, after)
            }
        }
        _ => (1, save),
    }
}

/// Parses one count cell.
pub fn parse_count(raw: &str) -> Count {
    // Most cells are plain ASCII digits: read them without the rules' folding,
    // as the rules would (18 digits cannot overflow).
    if (1..=18).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_digit()) {
        let value = raw.bytes().fold(0i64, |v, b| v * 10 + i64::from(b - b'0'));
        return Count::Number(value);
    }
    parse_by_rules(raw)
}

/// `parse_count` by the rules, for any text.
fn parse_by_rules(raw: &str) -> Count {
    let mut chars = folded(raw).peekable();
    let Some(&first) = chars.peek() else {
        return Count::Blank;
    };
    if folded(raw).all(is_dash) {
        return Count::NotApplicable;
    }
    if first == '无' || first == '無' {
        return if folded(raw).count() == 1 {
            Count::Number(0)
        } else {
            Count::Unreadable
        };
    }
    let (sign, rest) = sign(folded(raw));
    let mut value: i64 = 0;
    let mut digits = 0;
    let mut last_was_sep = false;
    let mut rest = rest.peekable();
    while let Some(&c) = rest.peek() {
        if let Some(d) = c.to_digit(10) {
            value = match value
                .checked_mul(10)
                .and_then(|v| v.checked_add(i64::from(d)))
            {
                Some(v) => v,
                None => return Count::Unreadable,
            };
            digits += 1;
            last_was_sep = false;
        } else if c == ',' && digits > 0 && !last_was_sep {
            last_was_sep = true;
        } else {
            break;
        }
        rest.next();
    }
    if digits == 0 || last_was_sep {
        return Count::Unreadable;
    }
    match (rest.next(), rest.next()) {
        (None, _) => Count::Number(sign * value),
        (Some(s), None) if is_count_suffix(s) => Count::Number(sign * value),
        _ => Count::Unreadable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Count::*;

    /// Plain digits read directly as the rules read them: every length up
    /// to and past the direct path's, leading zeros, overflow.
    #[test]
    fn plain_digits_read_as_by_the_rules() {
        let mut cells: Vec<String> = (0..3000).map(|n| n.to_string()).collect();
        for len in 1..=21 {
            cells.push("9".repeat(len));
            cells.push(format!("0{}", "7".repeat(len)));
            cells.push("1234567890".chars().cycle().take(len).collect());
        }
        cells.push(i64::MAX.to_string());
        cells.push("9223372036854775808".into());
        for c in &cells {
            assert_eq!(parse_count(c), parse_by_rules(c), "{c}");
        }
    }

    #[test]
    fn numbers_with_width_spaces_and_separators() {
        assert_eq!(parse_count("12"), Number(12));
        assert_eq!(parse_count(" 0 "), Number(0));
        assert_eq!(parse_count("１２３"), Number(123));
        assert_eq!(parse_count("1 234"), Number(1234));
        assert_eq!(parse_count("1,113"), Number(1113));
        assert_eq!(parse_count("1，113"), Number(1113));
        assert_eq!(parse_count("0件"), Number(0));
        assert_eq!(parse_count("15 件"), Number(15));
    }

    #[test]
    fn blanks_and_dashes_are_null() {
        assert_eq!(parse_count(""), Blank);
        assert_eq!(parse_count(" \t"), Blank);
        assert_eq!(parse_count("\u{3000}\u{3000}"), Blank);
        assert_eq!(parse_count("\u{a0}"), Blank);
        for d in ["/", "—", "-", "－", "——", "／", "--"] {
            assert_eq!(parse_count(d), NotApplicable, "{d}");
        }
    }

    #[test]
    fn wu_is_zero() {
        assert_eq!(parse_count("无"), Number(0));
        assert_eq!(parse_count("暂无"), Unreadable);
        assert_eq!(parse_count("无数据"), Unreadable);
    }

    #[test]
    fn signs_in_words_and_symbols() {
        assert_eq!(parse_count("+18"), Number(18));
        assert_eq!(parse_count("增18"), Number(18));
        assert_eq!(parse_count("增加18"), Number(18));
        assert_eq!(parse_count("增1423"), Number(1423));
        assert_eq!(parse_count("-5"), Number(-5));
        assert_eq!(parse_count("－5"), Number(-5));
        assert_eq!(parse_count("减5"), Number(-5));
        assert_eq!(parse_count("减少5"), Number(-5));
    }

    #[test]
    fn anything_else_is_unreadable() {
        for s in [
            "1.5",
            "12a",
            "约10",
            "1,",
            ",1",
            "一百",
            "不适用",
            "18%",
            "1,,2",
            "99999999999999999999",
        ] {
            assert_eq!(parse_count(s), Unreadable, "{s}");
        }
    }
}
