//! Which report speaks for a body in a year, and the bodies with a report
//! in two consecutive years: what the comparison and the cross-year checks
//! pair.

use super::spill::Rep;

/// How a report ranks as its body's report of a year: `ok` before
/// `partial`; other reports are not compared.
fn rank(r: &Rep) -> Option<u8> {
    match r.status.as_str() {
        "ok" => Some(0),
        "partial" => Some(1),
        _ => None,
    }
}

/// The report chosen for `year` among one body's reports (sorted by path):
/// the best rank, then the first path.
fn chosen(body: &[Rep], from: usize, year: i32) -> Option<u32> {
    let mut best: Option<(u8, usize)> = None;
    for (i, r) in body.iter().enumerate() {
        if r.year != Some(year) {
            continue;
        }
        if let Some(k) = rank(r) {
            if best.is_none_or(|(b, _)| k < b) {
                best = Some((k, i));
            }
        }
    }
    best.map(|(_, i)| (from + i) as u32)
}

/// (year's report, last year's report) of every body that has both, in
/// the order of `reports` (by body key, then path).
pub fn pairs(reports: &[Rep], year: i32) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let Some(last) = year.checked_sub(1) else {
        return out;
    };
    let mut at = 0;
    while at < reports.len() {
        let Some(org) = reports[at].org_key.as_deref() else {
            // Reports without a body sort last.
            break;
        };
        let end = at
            + reports[at..]
                .iter()
                .take_while(|r| r.org_key.as_deref() == Some(org))
                .count();
        let body = &reports[at..end];
        if let (Some(cur), Some(prior)) = (chosen(body, at, year), chosen(body, at, last)) {
            out.push((cur, prior));
        }
        at = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rep(org: Option<&str>, path: &str, year: i32, status: &str) -> Rep {
        Rep {
            rno: 0,
            report_id: path.into(),
            source_path: path.into(),
            year: Some(year),
            template: "gb2021".into(),
            org_key: org.map(str::to_string),
            org_name: None,
            status: status.into(),
            errors: 0,
        }
    }

    #[test]
    fn ok_beats_partial_then_the_first_path_and_bodyless_reports_pair_with_none() {
        let r = vec![
            rep(Some("a"), "a/1", 2021, "partial"),
            rep(Some("a"), "a/2", 2021, "ok"),
            rep(Some("a"), "a/3", 2021, "ok"),
            rep(Some("a"), "a/4", 2020, "partial"),
            rep(Some("a"), "a/5", 2020, "no_tables"),
            rep(Some("b"), "b/1", 2021, "ok"),
            rep(None, "c/1", 2021, "ok"),
            rep(None, "c/2", 2020, "ok"),
        ];
        assert_eq!(pairs(&r, 2021), vec![(1, 3)]);
        assert_eq!(pairs(&r, 2020), vec![]);
    }
}
