//! Moving a binding up or down among its siblings. authentik orders by the `order` number and
//! leaves ties undefined; bindery breaks ties by creation order. A move swaps two order numbers
//! when that gives the wanted sequence and creates no tie, and otherwise renumbers the siblings
//! 10, 20, 30, ...

use uuid::Uuid;

use crate::model::limits::ORDER;

/// A sibling as the reorder sees it: id, order, and position in its table (creation order).
#[derive(Clone, Copy, Debug)]
pub struct Sibling {
    pub id: Uuid,
    pub order: i64,
    pub created: usize,
}

/// The new order numbers after moving `id` one step (`up` towards the front), as
/// `(id, new order)` for every sibling whose number changes; Err when it cannot move.
pub fn move_one(siblings: &[Sibling], id: Uuid, up: bool) -> Result<Vec<(Uuid, i64)>, String> {
    let mut sorted = siblings.to_vec();
    sorted.sort_by_key(|s| (s.order, s.created));
    let from = sorted
        .iter()
        .position(|s| s.id == id)
        .ok_or("not found among its siblings")?;
    let to = if up {
        from.checked_sub(1).ok_or("it is already first")?
    } else if from + 1 < sorted.len() {
        from + 1
    } else {
        return Err("it is already last".into());
    };
    let mut wanted = sorted.clone();
    wanted.swap(from, to);

    let (a, b) = (sorted[from], sorted[to]);
    // Swap only when no other sibling shares either number: moving into a tie could give the
    // moved binding the (target, stage, order) of another binding of the same stage, which
    // authentik refuses. Renumbering leaves no ties at all.
    let tied = sorted
        .iter()
        .any(|s| s.id != a.id && s.id != b.id && (s.order == a.order || s.order == b.order));
    if a.order != b.order && !tied {
        let mut swapped: Vec<Sibling> = sorted
            .iter()
            .map(|s| match s.id {
                x if x == a.id => Sibling {
                    order: b.order,
                    ..*s
                },
                x if x == b.id => Sibling {
                    order: a.order,
                    ..*s
                },
                _ => *s,
            })
            .collect();
        swapped.sort_by_key(|s| (s.order, s.created));
        if swapped.iter().map(|s| s.id).eq(wanted.iter().map(|s| s.id)) {
            return Ok(vec![(a.id, b.order), (b.id, a.order)]);
        }
    }
    let mut renumbered = Vec::new();
    for (i, s) in wanted.iter().enumerate() {
        let order = i64::try_from(i + 1)
            .ok()
            .and_then(|n| n.checked_mul(10))
            .filter(|n| *n <= ORDER.max)
            .ok_or("there are too many siblings to renumber them 10, 20, 30, ...")?;
        if order != s.order {
            renumbered.push((s.id, order));
        }
    }
    Ok(renumbered)
}
