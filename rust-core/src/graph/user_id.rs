//! Checking user references (object id or UPN) before they go into a URL.

/// A validated user reference. Equality and hashing are case-insensitive (for de-duplication);
/// the URL gets the caller's spelling.
#[derive(Debug, Clone)]
pub struct UserRef {
    key: String,
    segment: String,
    object_id: bool,
}

impl PartialEq for UserRef {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for UserRef {}

impl std::hash::Hash for UserRef {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

impl UserRef {
    /// The path segment to send (percent-encoding is applied by the URL builder).
    pub fn segment(&self) -> &str {
        &self.segment
    }

    pub fn is_object_id(&self) -> bool {
        self.object_id
    }

    /// An external (B2B guest) account of this tenant, by its UPN's `#EXT#` marker
    /// (`user-get.md`: "To query a B2B user using the userPrincipalName, encode the hash (#)
    /// character … /users/AdeleVance_adatum.com%23EXT%23@contoso.com"). An object id cannot
    /// tell.
    pub fn is_external(&self) -> bool {
        !self.object_id && self.key.contains("#ext#@")
    }

    /// The path segments that address this user, before percent-encoding: `users`, `{id|upn}`;
    /// or, for a UPN that starts with `$`, the single segment `users('$x@y')` ("When the
    /// userPrincipalName begins with a `$` character, remove the slash (/) after /users and
    /// enclose the userPrincipalName in parentheses and single quotes", microsoft-graph-docs-
    /// contrib `api-reference/v1.0/api/user-get.md`; `/users/$x@y.com` is a 400 there). A `'`
    /// inside is doubled, as in any OData string literal.
    pub fn users_path(&self) -> Vec<String> {
        if !self.object_id && self.segment.starts_with('$') {
            vec![format!("users('{}')", self.segment.replace('\'', "''"))]
        } else {
            vec!["users".to_owned(), self.segment.clone()]
        }
    }
}

/// Accepts a GUID or a UPN (`local@domain.tld`, guests' `…#EXT#@…` included); rejects
/// anything that could change the request's meaning (slashes, query characters, spaces).
pub fn validate_user_ref(input: &str) -> Result<UserRef, String> {
    let t = input.trim();
    if t.is_empty() {
        return Err("empty user reference".into());
    }
    if let Ok(id) = uuid::Uuid::parse_str(t) {
        return Ok(UserRef {
            key: id.to_string(),
            segment: id.to_string(),
            object_id: true,
        });
    }
    if t.len() > 256 {
        return Err("longer than a user principal name can be".into());
    }
    if let Some(bad) = t.chars().find(|c| {
        c.is_whitespace()
            || c.is_control()
            || matches!(
                c,
                '/' | '\\' | '?' | '%' | '"' | '<' | '>' | '(' | ')' | ',' | ';' | ':' | '[' | ']'
            )
    }) {
        return Err(format!(
            "contains a character not allowed in a user principal name: {:?}",
            bad
        ));
    }
    let Some((local, domain)) = t.rsplit_once('@') else {
        return Err("neither an object id (GUID) nor a user principal name (name@domain)".into());
    };
    if local.is_empty() || local.contains('@') {
        return Err("the part before '@' is empty or contains '@'".into());
    }
    if !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || domain.contains("..")
    {
        return Err("the domain part is not a domain name".into());
    }
    Ok(UserRef {
        key: t.to_lowercase(),
        segment: t.to_owned(),
        object_id: false,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn accepts_guids_and_upns() {
        let id = validate_user_ref("0B8C6F2E-1D44-4A8B-9C1E-3F5A7B9D2E10").unwrap();
        assert!(id.is_object_id());
        assert_eq!(id.segment(), "0b8c6f2e-1d44-4a8b-9c1e-3f5a7b9d2e10");
        let upn = validate_user_ref(" Taro.Yamada@Contoso.com ").unwrap();
        assert_eq!(upn.segment(), "Taro.Yamada@Contoso.com");
        assert_eq!(upn, validate_user_ref("taro.yamada@contoso.COM").unwrap());
        assert_ne!(upn, id);
        assert!(validate_user_ref("o'brien@contoso.com").is_ok());
        assert!(validate_user_ref("guest_fabrikam.com#EXT#@contoso.onmicrosoft.com").is_ok());
    }

    #[test]
    fn a_dollar_upn_is_addressed_in_parentheses_and_quotes() {
        let dollar = validate_user_ref("$Adele'V@contoso.com").unwrap();
        assert_eq!(dollar.users_path(), ["users('$Adele''V@contoso.com')"]);
        let plain = validate_user_ref("adele$v@contoso.com").unwrap();
        assert_eq!(plain.users_path(), ["users", "adele$v@contoso.com"]);
        let id = validate_user_ref("0B8C6F2E-1D44-4A8B-9C1E-3F5A7B9D2E10").unwrap();
        assert_eq!(
            id.users_path(),
            ["users", "0b8c6f2e-1d44-4a8b-9c1e-3f5a7b9d2e10"]
        );
    }

    #[test]
    fn guests_are_known_by_their_ext_marker() {
        assert!(
            validate_user_ref("Guest_Fabrikam.com#EXT#@contoso.onmicrosoft.com")
                .unwrap()
                .is_external()
        );
        assert!(
            !validate_user_ref("ext.person@contoso.com")
                .unwrap()
                .is_external()
        );
        assert!(
            !validate_user_ref("0B8C6F2E-1D44-4A8B-9C1E-3F5A7B9D2E10")
                .unwrap()
                .is_external()
        );
    }

    #[test]
    fn rejects_what_could_alter_the_url() {
        for bad in [
            "",
            "taro",
            "a@b",
            "a b@c.com",
            "../me@x.com",
            "a@b.com/revoke",
            "a@b.com?x=1",
            "@contoso.com",
            "a@@b.com",
            "a@.com",
            "a%2f@b.com",
            "a@b..com",
        ] {
            assert!(validate_user_ref(bad).is_err(), "{bad:?}");
        }
    }
}
