//! Three-valued results: a policy that needs live request data is unknown offline, and
//! unknowns propagate through `any`, `all` and negation as the command-line contract says.

use serde::Serialize;

use crate::model::EngineMode;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tri {
    Pass,
    Fail,
    Unknown,
}

impl Tri {
    pub fn from_bool(passing: bool) -> Tri {
        if passing { Tri::Pass } else { Tri::Fail }
    }

    /// Negation: unknown stays unknown.
    pub fn negate(self) -> Tri {
        match self {
            Tri::Pass => Tri::Fail,
            Tri::Fail => Tri::Pass,
            Tri::Unknown => Tri::Unknown,
        }
    }

    /// `any` passes if some result passes, fails if all fail, else is unknown; `all` fails if
    /// some result fails, passes if all pass, else is unknown. Callers handle "no results".
    pub fn combine(mode: EngineMode, results: impl IntoIterator<Item = Tri>) -> Tri {
        let (decisive, other) = match mode {
            EngineMode::Any => (Tri::Pass, Tri::Fail),
            EngineMode::All => (Tri::Fail, Tri::Pass),
        };
        let mut unknown = false;
        for result in results {
            if result == decisive {
                return decisive;
            }
            unknown |= result == Tri::Unknown;
        }
        if unknown { Tri::Unknown } else { other }
    }

    /// Both possibilities agree, or it depends.
    pub fn either(a: Tri, b: Tri) -> Tri {
        if a == b { a } else { Tri::Unknown }
    }

    pub fn word(self) -> &'static str {
        match self {
            Tri::Pass => "passes",
            Tri::Fail => "fails",
            Tri::Unknown => "is unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Tri::*;
    use super::*;

    #[test]
    fn three_valued_any_and_all() {
        assert_eq!(Tri::combine(EngineMode::Any, [Fail, Unknown, Pass]), Pass);
        assert_eq!(Tri::combine(EngineMode::Any, [Fail, Unknown]), Unknown);
        assert_eq!(Tri::combine(EngineMode::Any, [Fail, Fail]), Fail);
        assert_eq!(Tri::combine(EngineMode::All, [Pass, Unknown, Fail]), Fail);
        assert_eq!(Tri::combine(EngineMode::All, [Pass, Unknown]), Unknown);
        assert_eq!(Tri::combine(EngineMode::All, [Pass, Pass]), Pass);
        assert_eq!(Unknown.negate(), Unknown);
        assert_eq!(Pass.negate(), Fail);
        assert_eq!(Tri::either(Pass, Fail), Unknown);
        assert_eq!(Tri::either(Fail, Fail), Fail);
    }
}
