//! Stages: every authentik stage type with its typed settings and authentik's defaults
//! (`authentik/stages/*/models.py`, see docs/authentik-model.md §1.2).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::enums::{UserType, choice};
use super::kinded::{deserialize_kinded, kinds, serialize_kinded};
use super::refs::{Ref, Refs, refs};
use super::settings::settings;

/// A stage: a name unique across all stage types, and its type with that type's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Stage {
    pub id: Uuid,
    pub name: String,
    pub kind: StageKind,
}

impl Stage {
    pub fn new(name: &str, kind: StageKind) -> Stage {
        Stage {
            id: Uuid::new_v4(),
            name: name.to_string(),
            kind,
        }
    }

    pub fn refs(&self, out: &mut Vec<Ref>) {
        self.kind.refs(out);
    }
}

impl Serialize for Stage {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_kinded(serializer, self.id, &self.name, None, &self.kind)
    }
}

impl<'de> Deserialize<'de> for Stage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let parts = deserialize_kinded(deserializer, "stage", false)?;
        Ok(Stage {
            id: parts.id,
            name: parts.name,
            kind: parts.kind,
        })
    }
}

kinds!(
    /// Every stage type authentik ships, by blueprint model name.
    StageKind prefix "authentik_stages_" {
        Identification(IdentificationStage) = "authentik_stages_identification.identificationstage",
            "Identification Stage", "Let the user identify themselves with a username, email or UPN; can show sources and link enrollment and recovery.";
        Password(PasswordStage) = "authentik_stages_password.passwordstage",
            "Password Stage", "Prompt for the user's password and check it against the selected backends.";
        AuthenticatorValidate(AuthenticatorValidateStage) = "authentik_stages_authenticator_validate.authenticatorvalidatestage",
            "Authenticator Validation Stage", "Validate the user's configured second factor (TOTP, WebAuthn, static, Duo, SMS, email).";
        UserLogin(UserLoginStage) = "authentik_stages_user_login.userloginstage",
            "User Login Stage", "Attach the pending user to the session: this is where the user is logged in.";
        Prompt(PromptStage) = "authentik_stages_prompt.promptstage",
            "Prompt Stage", "Show a form built from prompts and store the answers in the flow context.";
        Consent(ConsentStage) = "authentik_stages_consent.consentstage",
            "Consent Stage", "Ask the user to consent to an application's access.";
        Deny(DenyStage) = "authentik_stages_deny.denystage",
            "Deny Stage", "Stop the flow and deny access, with an optional message.";
        Email(EmailStage) = "authentik_stages_email.emailstage",
            "Email Stage", "Send the user an email with a link to continue (verification, recovery).";
        Captcha(CaptchaStage) = "authentik_stages_captcha.captchastage",
            "Captcha Stage", "Check that the user is human with reCAPTCHA, hCaptcha or Turnstile.";
        Invitation(InvitationStage) = "authentik_stages_invitation.invitationstage",
            "Invitation Stage", "Require (or accept) an invitation link to continue enrollment.";
        Redirect(RedirectStage) = "authentik_stages_redirect.redirectstage",
            "Redirect Stage", "Send the user to a static URL or into another flow.";
        UserWrite(UserWriteStage) = "authentik_stages_user_write.userwritestage",
            "User Write Stage", "Create or update the pending user from the data gathered in the flow.";
        UserLogout(UserLogoutStage) = "authentik_stages_user_logout.userlogoutstage",
            "User Logout Stage", "End the user's session.";
        UserDelete(UserDeleteStage) = "authentik_stages_user_delete.userdeletestage",
            "User Delete Stage", "Delete the pending user (unenrollment).";
        Dummy(DummyStage) = "authentik_stages_dummy.dummystage",
            "Dummy Stage", "Does nothing but show a button; for testing flows.";
        AuthenticatorTotp(AuthenticatorTotpStage) = "authentik_stages_authenticator_totp.authenticatortotpstage",
            "TOTP Authenticator Setup Stage", "Let the user set up a time-based one-time password app.";
        AuthenticatorStatic(AuthenticatorStaticStage) = "authentik_stages_authenticator_static.authenticatorstaticstage",
            "Static Authenticator Setup Stage", "Generate static recovery tokens for the user.";
        AuthenticatorWebauthn(AuthenticatorWebauthnStage) = "authentik_stages_authenticator_webauthn.authenticatorwebauthnstage",
            "WebAuthn Authenticator Setup Stage", "Let the user register a security key or passkey.";
        AuthenticatorDuo(AuthenticatorDuoStage) = "authentik_stages_authenticator_duo.authenticatorduostage",
            "Duo Authenticator Setup Stage", "Let the user enrol a Duo device.";
        AuthenticatorSms(AuthenticatorSmsStage) = "authentik_stages_authenticator_sms.authenticatorsmsstage",
            "SMS Authenticator Setup Stage", "Let the user register a phone number for SMS codes.";
        AuthenticatorEmail(AuthenticatorEmailStage) = "authentik_stages_authenticator_email.authenticatoremailstage",
            "Email Authenticator Setup Stage", "Let the user set up email one-time codes.";
        Source(SourceStage) = "authentik_stages_source.sourcestage",
            "Source Stage (enterprise)", "Send the user through an external source and resume the flow afterwards.";
        MutualTls(MutualTlsStage) = "authentik_stages_mtls.mutualtlsstage",
            "Mutual TLS Stage (enterprise)", "Authenticate or enrol the user with a client certificate.";
        AuthenticatorEndpointGdtc(AuthenticatorEndpointGdtcStage) = "authentik_stages_authenticator_endpoint_gdtc.authenticatorendpointgdtcstage",
            "Google Device Trust Connector Stage (enterprise, deprecated)", "Verify the device with Google Chrome Device Trust.";
        Endpoint(EndpointStage) = "authentik_endpoints.endpointstage",
            "Endpoint Stage", "Check the user's device through an endpoint connector.";
    }
);

choice!(UserFieldKind { Email = "email", Username = "username", Upn = "upn" });
choice!(NetworkBinding { NoBinding = "no_binding", BindAsn = "bind_asn", BindAsnNetwork = "bind_asn_network", BindAsnNetworkIp = "bind_asn_network_ip" } default NoBinding);
choice!(GeoipBinding { NoBinding = "no_binding", BindContinent = "bind_continent", BindContinentCountry = "bind_continent_country", BindContinentCountryCity = "bind_continent_country_city" } default NoBinding);
choice!(UserCreationMode { NeverCreate = "never_create", CreateWhenRequired = "create_when_required", AlwaysCreate = "always_create" } default CreateWhenRequired);
choice!(ConsentMode { AlwaysRequire = "always_require", Permanent = "permanent", Expiring = "expiring" } default Expiring);
choice!(RedirectMode { Static = "static", Flow = "flow" } default Static);
choice!(NotConfiguredAction { Skip = "skip", Deny = "deny", Configure = "configure" } default Skip);
choice!(DeviceClass { Static = "static", Totp = "totp", Webauthn = "webauthn", Duo = "duo", Sms = "sms", Email = "email" });
choice!(UserVerification { Required = "required", Preferred = "preferred", Discouraged = "discouraged" } default Preferred);
choice!(ResidentKeyRequirement { Discouraged = "discouraged", Preferred = "preferred", Required = "required" } default Preferred);
choice!(AuthenticatorAttachment { Platform = "platform", CrossPlatform = "cross-platform" });
choice!(SmsProvider { Twilio = "twilio", Generic = "generic" } default Twilio);
choice!(SmsAuthType { Basic = "basic", Bearer = "bearer" } default Basic);
choice!(Requirement { Optional = "optional", Required = "required" } default Optional);
choice!(CertAttribute { Subject = "subject", CommonName = "common_name", Email = "email" } default Subject);
choice!(CertUserAttribute { Username = "username", Email = "email" } default Username);
choice!(WebauthnHint { SecurityKey = "security-key", ClientDevice = "client-device", Hybrid = "hybrid" });

settings!(
    IdentificationStage {
        user_fields: Vec<UserFieldKind> = Vec::new(),
        password_stage: Option<Uuid> = None,
        captcha_stage: Option<Uuid> = None,
        webauthn_stage: Option<Uuid> = None,
        case_insensitive_matching: bool = true,
        show_matched_user: bool = true,
        enrollment_flow: Option<Uuid> = None,
        recovery_flow: Option<Uuid> = None,
        passwordless_flow: Option<Uuid> = None,
        /// Sources live outside bindery's domain: their pks are kept as written.
        sources: Vec<Value> = Vec::new(),
        show_source_labels: bool = false,
        pretend_user_exists: bool = true,
        enable_remember_me: bool = false,
    }
);
refs!(IdentificationStage {
    password_stage: Stage one,
    captcha_stage: Stage one,
    webauthn_stage: Stage one,
    enrollment_flow: Flow one,
    recovery_flow: Flow one,
    passwordless_flow: Flow one,
    sources: Other values,
});

pub const PASSWORD_BACKENDS: &[&str] = &[
    "authentik.core.auth.InbuiltBackend",
    "authentik.core.auth.TokenBackend",
    "authentik.sources.ldap.auth.LDAPBackend",
    "authentik.sources.kerberos.auth.KerberosBackend",
];

settings!(
    PasswordStage {
        backends: Vec<String> = Vec::new(),
        configure_flow: Option<Uuid> = None,
        failed_attempts_before_cancel: i64 = 5,
        allow_show_password: bool = false,
    }
);
refs!(PasswordStage { configure_flow: Flow one });

settings!(UserLoginStage {
    session_duration: String = "seconds=0".into(),
    terminate_other_sessions: bool = false,
    remember_me_offset: String = "seconds=0".into(),
    network_binding: NetworkBinding = NetworkBinding::NoBinding,
    geoip_binding: GeoipBinding = GeoipBinding::NoBinding,
    remember_device: String = "days=30".into(),
});
refs!(UserLoginStage {});

settings!(UserLogoutStage {});
refs!(UserLogoutStage {});
settings!(UserDeleteStage {});
refs!(UserDeleteStage {});

settings!(
    UserWriteStage {
        user_creation_mode: UserCreationMode = UserCreationMode::CreateWhenRequired,
        create_users_as_inactive: bool = false,
        create_users_group: Option<Uuid> = None,
        user_type: UserType = UserType::External,
        user_path_template: String = String::new(),
    }
);
refs!(UserWriteStage { create_users_group: Group one });

settings!(
    PromptStage {
        fields: Vec<Uuid> = Vec::new(),
        validation_policies: Vec<Uuid> = Vec::new(),
    }
);
refs!(PromptStage { fields: Prompt many, validation_policies: Policy many });

settings!(EmailStage {
    use_global_settings: bool = false,
    host: String = "localhost".into(),
    port: i64 = 25,
    username: String = String::new(),
    password: String = String::new(),
    use_tls: bool = false,
    use_ssl: bool = false,
    timeout: i64 = 10,
    from_address: String = "system@authentik.local".into(),
    token_expiry: String = "minutes=30".into(),
    subject: String = "authentik".into(),
    template: String = "email/password_reset.html".into(),
    activate_user_on_success: bool = false,
    recovery_max_attempts: i64 = 5,
    recovery_cache_timeout: String = "minutes=5".into(),
});
refs!(EmailStage {});

settings!(ConsentStage {
    mode: ConsentMode = ConsentMode::Expiring,
    consent_expire_in: String = "weeks=4".into(),
});
refs!(ConsentStage {});

settings!(CaptchaStage {
    public_key: String = String::new(),
    private_key: String = String::new(),
    js_url: String = "https://www.recaptcha.net/recaptcha/api.js".into(),
    api_url: String = "https://www.recaptcha.net/recaptcha/api/siteverify".into(),
    interactive: bool = false,
    score_min_threshold: f64 = 0.5,
    score_max_threshold: f64 = 1.0,
    error_on_invalid_score: bool = true,
});
refs!(CaptchaStage {});

settings!(DenyStage {
    deny_message: String = String::new()
});
refs!(DenyStage {});

settings!(DummyStage {
    throw_error: bool = false
});
refs!(DummyStage {});

settings!(InvitationStage {
    continue_flow_without_invitation: bool = false
});
refs!(InvitationStage {});

settings!(
    RedirectStage {
        keep_context: bool = true,
        mode: RedirectMode = RedirectMode::Static,
        target_static: String = String::new(),
        target_flow: Option<Uuid> = None,
    }
);
refs!(RedirectStage { target_flow: Flow one });

settings!(
    AuthenticatorValidateStage {
        not_configured_action: NotConfiguredAction = NotConfiguredAction::Skip,
        device_classes: Vec<DeviceClass> = DeviceClass::ALL.to_vec(),
        configuration_stages: Vec<Uuid> = Vec::new(),
        last_auth_threshold: String = "seconds=0".into(),
        webauthn_user_verification: UserVerification = UserVerification::Preferred,
        webauthn_hints: Vec<WebauthnHint> = Vec::new(),
        /// WebAuthn device types live outside bindery's domain: kept as written.
        webauthn_allowed_device_types: Vec<Value> = Vec::new(),
    }
);
refs!(AuthenticatorValidateStage {
    configuration_stages: Stage many,
    webauthn_allowed_device_types: Other values,
});

// `friendly_name` comes from authentik's `FriendlyNamedStage` (`authentik/flows/models.py`):
// `TextField(null=True)` with no default, so its serializer field allows null, and null is the
// default; the seven setup stages below that have it keep null as null.
settings!(
    AuthenticatorTotpStage {
        configure_flow: Option<Uuid> = None,
        friendly_name: Option<String> = None,
        /// 6 or 8; authentik declares it an integer field with string choices, so both spellings are read.
        #[serde(deserialize_with = "int_or_numeric_string")]
        digits: i64 = 6,
    }
);
refs!(AuthenticatorTotpStage { configure_flow: Flow one });

settings!(
    AuthenticatorStaticStage {
        configure_flow: Option<Uuid> = None,
        friendly_name: Option<String> = None,
        token_count: i64 = 6,
        token_length: i64 = 12,
    }
);
refs!(AuthenticatorStaticStage { configure_flow: Flow one });

settings!(
    AuthenticatorWebauthnStage {
        configure_flow: Option<Uuid> = None,
        friendly_name: Option<String> = None,
        user_verification: UserVerification = UserVerification::Preferred,
        authenticator_attachment: Option<AuthenticatorAttachment> = None,
        resident_key_requirement: ResidentKeyRequirement = ResidentKeyRequirement::Preferred,
        hints: Vec<WebauthnHint> = Vec::new(),
        /// WebAuthn device types live outside bindery's domain: kept as written.
        device_type_restrictions: Vec<Value> = Vec::new(),
        prevent_duplicate_devices: bool = true,
        max_attempts: i64 = 0,
    }
);
refs!(AuthenticatorWebauthnStage {
    configure_flow: Flow one,
    device_type_restrictions: Other values,
});

settings!(
    AuthenticatorDuoStage {
        configure_flow: Option<Uuid> = None,
        friendly_name: Option<String> = None,
        client_id: String = String::new(),
        client_secret: String = String::new(),
        api_hostname: String = String::new(),
        admin_integration_key: String = String::new(),
        admin_secret_key: String = String::new(),
    }
);
refs!(AuthenticatorDuoStage { configure_flow: Flow one });

settings!(
    AuthenticatorSmsStage {
        configure_flow: Option<Uuid> = None,
        friendly_name: Option<String> = None,
        provider: SmsProvider = SmsProvider::Twilio,
        from_number: String = String::new(),
        account_sid: String = String::new(),
        auth: String = String::new(),
        auth_password: String = String::new(),
        auth_type: SmsAuthType = SmsAuthType::Basic,
        verify_only: bool = false,
        /// A webhook mapping lives outside bindery's domain: kept as written.
        mapping: Option<Value> = None,
    }
);
refs!(AuthenticatorSmsStage { configure_flow: Flow one, mapping: Other value });

settings!(
    AuthenticatorEmailStage {
        configure_flow: Option<Uuid> = None,
        friendly_name: Option<String> = None,
        use_global_settings: bool = false,
        host: String = "localhost".into(),
        port: i64 = 25,
        username: String = String::new(),
        password: String = String::new(),
        use_tls: bool = false,
        use_ssl: bool = false,
        timeout: i64 = 10,
        from_address: String = "system@authentik.local".into(),
        subject: String = "authentik Sign-in code".into(),
        token_expiry: String = "minutes=30".into(),
        template: String = "email/email_otp.html".into(),
    }
);
refs!(AuthenticatorEmailStage { configure_flow: Flow one });

settings!(
    SourceStage {
        /// The source lives outside bindery's domain: its pk is kept as written.
        source: Option<Value> = None,
        resume_timeout: String = "minutes=10".into(),
    }
);
// authentik/stages/source/models.py, SourceStage.source: a foreign key with CASCADE.
refs!(SourceStage { source: Other value cascade });

settings!(
    MutualTlsStage {
        mode: Requirement = Requirement::Optional,
        certificate_authorities: Vec<Value> = Vec::new(),
        cert_attribute: CertAttribute = CertAttribute::Subject,
        user_attribute: CertUserAttribute = CertUserAttribute::Username,
    }
);
refs!(MutualTlsStage { certificate_authorities: Other values });

settings!(
    AuthenticatorEndpointGdtcStage {
        configure_flow: Option<Uuid> = None,
        friendly_name: Option<String> = None,
        credentials: Map<String, Value> = Map::new(),
    }
);
refs!(AuthenticatorEndpointGdtcStage { configure_flow: Flow one });

settings!(
    EndpointStage {
        /// The connector lives outside bindery's domain: its pk is kept as written.
        connector: Option<Value> = None,
        mode: Requirement = Requirement::Optional,
    }
);
// authentik/endpoints/models.py, EndpointStage.connector: a foreign key with CASCADE.
refs!(EndpointStage { connector: Other value cascade });

/// Reads an integer written either as a number or as a string of digits.
fn int_or_numeric_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::Number(n) => n
            .as_i64()
            .ok_or_else(|| serde::de::Error::custom(format!("{n} is not a whole number"))),
        Value::String(s) => s
            .trim()
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("{s:?} is not a whole number"))),
        other => Err(serde::de::Error::custom(format!(
            "expected a number, found {other}"
        ))),
    }
}
