//! Policies: every authentik policy type with its typed settings and authentik's defaults
//! (`authentik/policies/*/models.py`, see docs/authentik-model.md §1.6).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

use super::kinded::{deserialize_kinded, kinds, serialize_kinded};
use super::refs::refs;
use super::settings::settings;

/// A policy: a unique name, execution logging, and its type with that type's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub id: Uuid,
    pub name: String,
    pub execution_logging: bool,
    pub kind: PolicyKind,
}

impl Policy {
    pub fn new(name: &str, kind: PolicyKind) -> Policy {
        Policy {
            id: Uuid::new_v4(),
            name: name.to_string(),
            execution_logging: false,
            kind,
        }
    }
}

impl Serialize for Policy {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_kinded(
            serializer,
            self.id,
            &self.name,
            Some(self.execution_logging),
            &self.kind,
        )
    }
}

impl<'de> Deserialize<'de> for Policy {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let parts = deserialize_kinded(deserializer, "policy", true)?;
        Ok(Policy {
            id: parts.id,
            name: parts.name,
            execution_logging: parts.execution_logging,
            kind: parts.kind,
        })
    }
}

kinds!(
    /// Every policy type authentik ships, by blueprint model name.
    PolicyKind prefix "authentik_policies_" {
        Expression(ExpressionPolicy) = "authentik_policies_expression.expressionpolicy",
            "Expression Policy", "Run a Python expression against the request; needs live data, so its result is assumed offline.";
        Password(PasswordPolicy) = "authentik_policies_password.passwordpolicy",
            "Password Policy", "Check a password from the flow context against static rules, Have I Been Pwned or zxcvbn.";
        Reputation(ReputationPolicy) = "authentik_policies_reputation.reputationpolicy",
            "Reputation Policy", "Pass when the client IP's or username's reputation is above a threshold.";
        EventMatcher(EventMatcherPolicy) = "authentik_policies_event_matcher.eventmatcherpolicy",
            "Event Matcher Policy", "Match events for notification rules; in flows there is no event, so it never passes.";
        Dummy(DummyPolicy) = "authentik_policies_dummy.dummypolicy",
            "Dummy Policy", "Return a fixed result after a random wait; for testing.";
        PasswordExpiry(PasswordExpiryPolicy) = "authentik_policies_expiry.passwordexpirypolicy",
            "Password Expiry Policy", "Pass while the user's password is younger than the given number of days.";
        Geoip(GeoipPolicy) = "authentik_policies_geoip.geoippolicy",
            "GeoIP Policy", "Pass or fail by the client's country or ASN, distance from earlier logins or impossible travel.";
        UniquePassword(UniquePasswordPolicy) = "authentik_policies_unique_password.uniquepasswordpolicy",
            "Unique Password Policy (enterprise)", "Refuse a new password that matches one of the user's recent passwords.";
    }
);

settings!(ExpressionPolicy {
    expression: String = String::new()
});
refs!(ExpressionPolicy {});

pub const DEFAULT_SYMBOL_CHARSET: &str = "!\\\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ ";

settings!(PasswordPolicy {
    password_field: String = "password".into(),
    amount_digits: i64 = 0,
    amount_uppercase: i64 = 0,
    amount_lowercase: i64 = 0,
    amount_symbols: i64 = 0,
    length_min: i64 = 0,
    symbol_charset: String = DEFAULT_SYMBOL_CHARSET.into(),
    error_message: String = String::new(),
    check_static_rules: bool = true,
    check_have_i_been_pwned: bool = false,
    check_zxcvbn: bool = false,
    hibp_allowed_count: i64 = 0,
    zxcvbn_score_threshold: i64 = 2,
});
refs!(PasswordPolicy {});

settings!(ReputationPolicy {
    check_ip: bool = true,
    check_username: bool = true,
    threshold: i64 = -5,
});
refs!(ReputationPolicy {});

settings!(
    EventMatcherPolicy {
        action: Option<String> = None,
        client_ip: Option<String> = None,
        app: Option<String> = None,
        model: Option<String> = None,
        query: Option<String> = None,
    }
);
refs!(EventMatcherPolicy {});

settings!(DummyPolicy {
    result: bool = false,
    wait_min: i64 = 5,
    wait_max: i64 = 30,
});
refs!(DummyPolicy {});

settings!(PasswordExpiryPolicy {
    days: i64 = 90,
    deny_only: bool = false,
});
refs!(PasswordExpiryPolicy {});

settings!(
    GeoipPolicy {
        asns: Vec<i64> = Vec::new(),
        countries: Vec<String> = Vec::new(),
        check_history_distance: bool = false,
        history_max_distance_km: i64 = 100,
        distance_tolerance_km: i64 = 50,
        history_login_count: i64 = 5,
        check_impossible_travel: bool = false,
        impossible_tolerance_km: i64 = 100,
    }
);
refs!(GeoipPolicy {});

settings!(UniquePasswordPolicy {
    password_field: String = "password".into(),
    num_historical_passwords: i64 = 1,
});
refs!(UniquePasswordPolicy {});
