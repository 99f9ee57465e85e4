//! The fuzzy filter of lists, drop-downs and the palette, with the design card's matcher,
//! fuzzy-matcher's `SkimMatcherV2`. A query is whitespace-separated terms; a text matches when
//! every term matches it as a subsequence (smart case: a term with a capital letter matches
//! case exactly), its score the sum of theirs. Best matches first, ties in the given order.
//! Filtering only scores (`fuzzy_match`); the matched positions (`fuzzy_indices`) are found
//! for the rows drawn.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

/// A parsed filter.
pub struct Query<'q> {
    terms: Vec<&'q str>,
    matcher: SkimMatcherV2,
}

impl<'q> Query<'q> {
    pub fn new(filter: &'q str) -> Query<'q> {
        Query {
            terms: filter.split_whitespace().collect(),
            matcher: SkimMatcherV2::default().smart_case(),
        }
    }

    /// The positions (in characters) of the text that the terms matched, in order.
    pub fn positions(&self, text: &str) -> Option<Vec<usize>> {
        let mut all = Vec::new();
        for term in &self.terms {
            all.extend(self.matcher.fuzzy_indices(text, term)?.1);
        }
        all.sort_unstable();
        all.dedup();
        Some(all)
    }
}

/// Whether every match of `next` is a match of `previous`, so that ranking the previous
/// matches again finds all of them: each term of `next` starts with the term of `previous`
/// at its place or is a new one, as when a key is typed at the end.
pub fn narrows(previous: &str, next: &str) -> bool {
    !previous.trim().is_empty() && next.starts_with(previous)
}

/// The keys of the texts that match `filter`, best first, ties by key (callers give them in
/// their order).
pub fn rank<'a>(texts: impl Iterator<Item = (usize, &'a str)>, filter: &str) -> Vec<usize> {
    rank_with_types(texts.map(|(key, text)| (key, text, "")), filter)
}

/// Like [`rank`] over rows with a type column too (a stage's type, a flow's designation): each
/// term matches the name or, failing that, the type, so that `deny` finds the deny stages.
/// Types are few and repeat: each is scored once per term.
pub fn rank_with_types<'a>(
    rows: impl Iterator<Item = (usize, &'a str, &'a str)>,
    filter: &str,
) -> Vec<usize> {
    let rows: Vec<(usize, &str, &str)> = rows.collect();
    let mut scored = score_with_types(&rows, filter);
    best_first(&mut scored);
    scored.into_iter().map(|(_, key)| key).collect()
}

/// Sorts scored keys best first, ties by key.
pub fn best_first(scored: &mut [(i64, usize)]) {
    scored.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
}

/// The score and key of each row that matches, unsorted: a long list is scored on every
/// core, in as many chunks.
pub fn score_with_types(rows: &[(usize, &str, &str)], filter: &str) -> Vec<(i64, usize)> {
    let threads = if rows.len() < PARALLEL_FROM {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
    };
    if threads == 1 {
        return score_rows(rows, filter);
    }
    let chunk = rows.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let parts: Vec<_> = rows
            .chunks(chunk)
            .map(|part| scope.spawn(move || score_rows(part, filter)))
            .collect();
        parts
            .into_iter()
            .flat_map(|part| part.join().expect("a scoring thread"))
            .collect()
    })
}

/// From how many rows scoring is shared between threads.
const PARALLEL_FROM: usize = 20_000;

/// The score of each row that matches, with its key.
fn score_rows<'a>(rows: &[(usize, &'a str, &'a str)], filter: &str) -> Vec<(i64, usize)> {
    let query = Query::new(filter);
    let mut type_scores: Vec<foldhash::HashMap<&'a str, Option<i64>>> =
        vec![Default::default(); query.terms.len()];
    rows.iter()
        .filter_map(|&(key, name, kind)| {
            let mut sum = 0i64;
            for (term, cache) in query.terms.iter().zip(&mut type_scores) {
                let score = match query.matcher.fuzzy_match(name, term) {
                    Some(score) => score,
                    None => {
                        (*cache
                            .entry(kind)
                            .or_insert_with(|| query.matcher.fuzzy_match(kind, term)))?
                    }
                };
                sum += score;
            }
            Some((sum, key))
        })
        .collect()
}

/// The indices of the texts that match `filter`, best first, ties in the given order.
pub fn fuzzy_order<'a>(texts: impl Iterator<Item = &'a str>, filter: &str) -> Vec<usize> {
    rank(texts.enumerate(), filter)
}

/// The positions of the characters of `text` that the filter matched, for highlighting.
pub fn matched_positions(text: &str, filter: &str) -> Option<Vec<usize>> {
    if filter.trim().is_empty() {
        return None;
    }
    Query::new(filter).positions(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_first_ties_in_order_and_every_term_must_match() {
        let texts = ["login-b", "user-login", "login-a", "logout", "LOGIN"];
        let order = fuzzy_order(texts.iter().copied(), "login");
        assert!(!order.contains(&3), "{order:?}");
        // The three that start with "login" score alike and keep their order.
        let tied: Vec<usize> = order
            .iter()
            .copied()
            .filter(|i| [0, 2, 4].contains(i))
            .collect();
        assert_eq!(tied, [0, 2, 4]);
        assert_eq!(fuzzy_order(texts.iter().copied(), "user log"), [1]);
        assert_eq!(fuzzy_order(texts.iter().copied(), "LOG"), [4], "smart case");
    }

    #[test]
    fn positions_are_characters_of_every_term() {
        assert_eq!(
            matched_positions("認証 login", "証 lg"),
            Some(vec![1, 3, 5])
        );
        assert_eq!(matched_positions("abc", ""), None);
        assert_eq!(matched_positions("abc", "x"), None);
    }

    #[test]
    fn only_a_grown_query_narrows() {
        assert!(narrows("us", "usr"));
        assert!(narrows("us", "us l"));
        assert!(!narrows("", "u"));
        assert!(!narrows("usr", "us"));
        assert!(!narrows("usr", "uxr"));
    }
}
