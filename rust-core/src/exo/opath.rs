//! OPATH filter text (`-Filter`) built safely from values.

/// `'value'` with single quotes doubled — the only escape OPATH string literals have.
pub fn quote_opath(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        // Typographic single quotes are treated as quotes by PowerShell's parser too.
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// `Property -eq 'value'`; `property` must be a plain identifier (it comes from our code).
pub fn opath_eq(property: &str, value: &str) -> String {
    debug_assert!(property.chars().all(|c| c.is_ascii_alphanumeric()));
    format!("{property} -eq {}", quote_opath(value))
}

/// Terms joined with `-or`, each parenthesised.
pub fn opath_or(terms: &[String]) -> String {
    terms
        .iter()
        .map(|t| format!("({t})"))
        .collect::<Vec<_>>()
        .join(" -or ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_doubled() {
        assert_eq!(
            quote_opath("Outlook for iOS and Android"),
            "'Outlook for iOS and Android'"
        );
        assert_eq!(quote_opath("o'brien@contoso.com"), "'o''brien@contoso.com'");
        assert_eq!(
            quote_opath("'; Remove-Mailbox x; '"),
            "'''; Remove-Mailbox x; '''"
        );
        assert_eq!(quote_opath("it\u{2019}s"), "'it\u{2019}\u{2019}s'");
        assert_eq!(quote_opath(""), "''");
        assert_eq!(quote_opath("山田 太郎"), "'山田 太郎'");
    }

    #[test]
    fn or_filter() {
        let f = opath_or(&[
            opath_eq("UserPrincipalName", "a@b.c"),
            opath_eq("ExternalDirectoryObjectId", "x'y"),
        ]);
        assert_eq!(
            f,
            "(UserPrincipalName -eq 'a@b.c') -or (ExternalDirectoryObjectId -eq 'x''y')"
        );
    }
}
