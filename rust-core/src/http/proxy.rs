//! `-Proxy <uri> [-ProxyCredential]`. Credentials written into the URI's user-info part
//! (`http://user:pass@proxy:8080`) are taken out of it, so the URI can be shown in messages and
//! logs without the password.

use url::Url;

use super::{HttpError, ProxyConfig};
use crate::secret::SecretString;

/// The explicit proxy, with credentials from `username`/`password` (`-ProxyCredential`) or
/// else from the URI. Its `url` never holds them.
pub fn explicit_proxy(
    uri: &str,
    username: Option<String>,
    password: Option<SecretString>,
) -> Result<ProxyConfig, HttpError> {
    // The parser's message never quotes the input, which may hold a password.
    let mut url = Url::parse(uri.trim())
        .map_err(|e| HttpError::Build(format!("the proxy URI is not a valid URI ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(HttpError::Build(format!(
            "the proxy URI must be http:// or https:// with a host, not {}://",
            url.scheme()
        )));
    }
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let uri_user = Some(decode(url.username())).filter(|u| !u.is_empty());
    let uri_password = url.password().map(|p| SecretString::from(decode(p)));
    // Setting these cannot fail on an http(s) URL with a host.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    let (username, password) = match username.filter(|u| !u.is_empty()) {
        Some(user) => (Some(user), password),
        None => (uri_user, uri_password),
    };
    Ok(ProxyConfig::Explicit {
        url: url.to_string(),
        username,
        password,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::secret::ExposeSecret;

    fn parts(p: &ProxyConfig) -> (&str, Option<&str>, Option<&str>) {
        let ProxyConfig::Explicit {
            url,
            username,
            password,
        } = p
        else {
            panic!("explicit");
        };
        (
            url,
            username.as_deref(),
            password.as_ref().map(|s| s.expose_secret()),
        )
    }

    #[test]
    fn credentials_in_the_uri_are_taken_out_of_it() {
        let p = explicit_proxy(
            "http://alice:p%40ss%3Aword@proxy.contoso.com:8080",
            None,
            None,
        )
        .unwrap();
        assert_eq!(
            parts(&p),
            (
                "http://proxy.contoso.com:8080/",
                Some("alice"),
                Some("p@ss:word")
            )
        );
        assert!(!format!("{p:?}").contains("p@ss"));
    }

    #[test]
    fn the_credential_parameter_wins_over_the_uri() {
        let p = explicit_proxy(
            "http://alice:old@proxy:3128",
            Some("bob".into()),
            Some(SecretString::from("new".to_owned())),
        )
        .unwrap();
        assert_eq!(parts(&p), ("http://proxy:3128/", Some("bob"), Some("new")));
    }

    #[test]
    fn a_bad_uri_is_refused_without_quoting_it() {
        let e = explicit_proxy("ftp://u:secret-pw@proxy:21", None, None).unwrap_err();
        assert!(!e.to_string().contains("secret-pw"), "{e}");
        let e = explicit_proxy("http://u:secret-pw@[bad", None, None).unwrap_err();
        assert!(!e.to_string().contains("secret-pw"), "{e}");
    }
}
