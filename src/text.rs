//! Small text helpers shared by every layer: the closest valid name to a mistyped one.

/// The valid name closest to a mistyped one, if it is close enough to be the intent.
pub fn closest<'a>(name: &str, valid: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    valid
        .map(|v| (edit_distance(name, v), v))
        .filter(|(d, v)| *d <= 2.max(v.len() / 4) || (name.len() > 3 && v.starts_with(name)))
        .min_by_key(|(d, _)| *d)
        .map(|(_, v)| v)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("exlude", "exclude"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(
            closest("selct", ["select", "ignore"].into_iter()),
            Some("select")
        );
    }
}
