//! The sign-in log `$filter` grammar this emulator accepts (clauses joined by `and`/`or`, with
//! parentheses): `createdDateTime ge|gt|le|lt <ISO 8601 UTC>`,
//! `signInEventTypes/any(t: t eq '…' or t eq '…')`, `originalTransferMethod eq '…'`,
//! `appId eq '…'`, `userId eq '…'`, `userPrincipalName eq '…'`. Anything else is refused.
//!
//! UNCONFIRMED: the service accepts more OData than this (e.g. `startsWith(appDisplayName,…)` in
//! the signin-list.md examples replayed from `tests/wire-examples/graph/`); refusing the rest is
//! this emulator's choice, so a client that relies on other clauses fails here first.

use crate::seed::TransferMethod;

/// UNCONFIRMED: Graph's text for a clause the sign-in log does not support.
pub const INVALID_CLAUSE: &str = "Invalid filter clause";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Ge,
    Gt,
    Le,
    Lt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    InteractiveUser,
    NonInteractiveUser,
    ServicePrincipal,
    ManagedIdentity,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Clause {
    Created(Cmp, i64),
    EventTypes(Vec<EventType>),
    /// `None` matches nothing seeded (`unknownFutureValue`).
    Transfer(Option<TransferMethod>),
    AppId(String),
    UserId(String),
    UserPrincipalName(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Clause(Clause),
}

/// What a clause looks at in one event.
pub trait SignInFields {
    fn created(&self) -> i64;
    fn interactive(&self) -> bool;
    fn transfer(&self) -> TransferMethod;
    fn app_id(&self) -> &str;
    fn user_id(&self) -> String;
    fn user_principal_name(&self) -> &str;
}

impl Expr {
    pub fn any(&self, f: &dyn Fn(&Clause) -> bool) -> bool {
        match self {
            Expr::Or(list) | Expr::And(list) => list.iter().any(|e| e.any(f)),
            Expr::Clause(c) => f(c),
        }
    }

    pub fn mentions_transfer_method(&self) -> bool {
        self.any(&|c| matches!(c, Clause::Transfer(_)))
    }

    pub fn mentions_event_types(&self) -> bool {
        self.any(&|c| matches!(c, Clause::EventTypes(_)))
    }

    pub fn matches(&self, e: &dyn SignInFields) -> bool {
        match self {
            Expr::Or(list) => list.iter().any(|x| x.matches(e)),
            Expr::And(list) => list.iter().all(|x| x.matches(e)),
            Expr::Clause(c) => clause_matches(c, e),
        }
    }
}

fn clause_matches(c: &Clause, e: &dyn SignInFields) -> bool {
    match c {
        Clause::Created(cmp, t) => {
            let at = e.created();
            match cmp {
                Cmp::Ge => at >= *t,
                Cmp::Gt => at > *t,
                Cmp::Le => at <= *t,
                Cmp::Lt => at < *t,
            }
        }
        Clause::EventTypes(types) => {
            let own = if e.interactive() {
                EventType::InteractiveUser
            } else {
                EventType::NonInteractiveUser
            };
            types.contains(&own)
        }
        Clause::Transfer(m) => *m == Some(e.transfer()),
        Clause::AppId(a) => e.app_id().eq_ignore_ascii_case(a),
        Clause::UserId(u) => e.user_id().eq_ignore_ascii_case(u),
        Clause::UserPrincipalName(u) => e.user_principal_name().eq_ignore_ascii_case(u),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    Str(String),
    Word(String),
}

fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                out.push(Token::Open);
            }
            ')' => {
                chars.next();
                out.push(Token::Close);
            }
            '\'' => {
                chars.next();
                let mut s = String::new();
                loop {
                    match chars.next() {
                        None => return Err("unterminated string literal".into()),
                        Some('\'') if chars.peek() == Some(&'\'') => {
                            chars.next();
                            s.push('\'');
                        }
                        Some('\'') => break,
                        Some(other) => s.push(other),
                    }
                }
                out.push(Token::Str(s));
            }
            _ => {
                let mut w = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '(' | ')' | '\'') {
                        break;
                    }
                    w.push(c);
                    chars.next();
                }
                out.push(Token::Word(w));
            }
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn keyword(&mut self, k: &str) -> bool {
        if matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(k)) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect_word(&mut self, k: &str) -> Result<(), String> {
        if self.keyword(k) {
            Ok(())
        } else {
            Err(format!("expected '{k}'"))
        }
    }

    fn string(&mut self) -> Result<String, String> {
        match self.next() {
            Some(Token::Str(s)) => Ok(s),
            _ => Err("expected a quoted string".into()),
        }
    }

    fn expr(&mut self) -> Result<Expr, String> {
        let mut list = vec![self.term()?];
        while self.keyword("or") {
            list.push(self.term()?);
        }
        Ok(if list.len() == 1 {
            list.remove(0)
        } else {
            Expr::Or(list)
        })
    }

    fn term(&mut self) -> Result<Expr, String> {
        let mut list = vec![self.factor()?];
        while self.keyword("and") {
            list.push(self.factor()?);
        }
        Ok(if list.len() == 1 {
            list.remove(0)
        } else {
            Expr::And(list)
        })
    }

    fn factor(&mut self) -> Result<Expr, String> {
        if self.peek() == Some(&Token::Open) {
            self.next();
            let e = self.expr()?;
            return match self.next() {
                Some(Token::Close) => Ok(e),
                _ => Err("missing ')'".into()),
            };
        }
        let Some(Token::Word(property)) = self.next() else {
            return Err("expected a property name".into());
        };
        let lower = property.to_ascii_lowercase();
        let clause = match lower.as_str() {
            "createddatetime" => {
                let cmp = match self.next() {
                    Some(Token::Word(op)) => match op.to_ascii_lowercase().as_str() {
                        "ge" => Cmp::Ge,
                        "gt" => Cmp::Gt,
                        "le" => Cmp::Le,
                        "lt" => Cmp::Lt,
                        _ => {
                            return Err(format!(
                                "operator '{op}' is not supported on createdDateTime"
                            ));
                        }
                    },
                    _ => return Err("expected ge, gt, le or lt".into()),
                };
                let Some(Token::Word(literal)) = self.next() else {
                    return Err("expected an unquoted ISO 8601 UTC date and time".into());
                };
                Clause::Created(cmp, parse_utc(&literal)?)
            }
            "signineventtypes/any" => self.event_types()?,
            "originaltransfermethod" => {
                self.expect_word("eq")?;
                let v = self.string()?;
                let method = match v.as_str() {
                    "unknownFutureValue" => None,
                    other => Some(
                        TransferMethod::ALL
                            .into_iter()
                            .find(|m| m.as_str() == other)
                            .ok_or_else(|| format!("'{other}' is not a transfer method"))?,
                    ),
                };
                Clause::Transfer(method)
            }
            "appid" => {
                self.expect_word("eq")?;
                Clause::AppId(self.string()?)
            }
            "userid" => {
                self.expect_word("eq")?;
                Clause::UserId(self.string()?)
            }
            "userprincipalname" => {
                self.expect_word("eq")?;
                Clause::UserPrincipalName(self.string()?)
            }
            _ => return Err(format!("property '{property}' cannot be filtered on")),
        };
        Ok(Expr::Clause(clause))
    }

    /// After `signInEventTypes/any`: `(t: t eq 'a' or t eq 'b')`.
    fn event_types(&mut self) -> Result<Clause, String> {
        if self.next() != Some(Token::Open) {
            return Err("expected '(' after any".into());
        }
        // `t: t eq`, `t:t eq` and `t : t eq` all tokenise differently.
        let (var, mut first_used) = match self.next() {
            Some(Token::Word(w)) => match w.split_once(':') {
                Some((var, "")) if !var.is_empty() => (var.to_owned(), false),
                Some((var, used)) if !var.is_empty() && used == var => (var.to_owned(), true),
                Some(_) => return Err("expected a lambda variable".into()),
                None => {
                    self.expect_word(":")?;
                    (w, false)
                }
            },
            _ => return Err("expected a lambda variable".into()),
        };
        let mut types = Vec::new();
        loop {
            if !first_used {
                self.expect_word(&var)?;
            }
            first_used = false;
            self.expect_word("eq")?;
            let v = self.string()?;
            types.push(match v.as_str() {
                "interactiveUser" => EventType::InteractiveUser,
                "nonInteractiveUser" => EventType::NonInteractiveUser,
                "servicePrincipal" => EventType::ServicePrincipal,
                "managedIdentity" => EventType::ManagedIdentity,
                other => return Err(format!("'{other}' is not a sign-in event type")),
            });
            if !self.keyword("or") {
                break;
            }
        }
        match self.next() {
            Some(Token::Close) => Ok(Clause::EventTypes(types)),
            _ => Err("missing ')' after the lambda".into()),
        }
    }
}

/// `2026-10-26T00:00:00Z` (optionally with fractional seconds) to Unix seconds.
pub fn parse_utc(text: &str) -> Result<i64, String> {
    let bad = || format!("'{text}' is not an ISO 8601 UTC date and time");
    let body = text.strip_suffix('Z').ok_or_else(bad)?;
    let (date, time) = body.split_once('T').ok_or_else(bad)?;
    let time = time.split_once('.').map_or(time, |(t, frac)| {
        if frac.chars().all(|c| c.is_ascii_digit()) {
            t
        } else {
            ""
        }
    });
    let num = |s: &str| s.parse::<u32>().map_err(|_| bad());
    let d: Vec<&str> = date.split('-').collect();
    let t: Vec<&str> = time.split(':').collect();
    let ([y, mo, da], [h, mi, s]) = (d.as_slice(), t.as_slice()) else {
        return Err(bad());
    };
    if y.len() != 4 || [mo, da, h, mi, s].iter().any(|p| p.len() != 2) {
        return Err(bad());
    }
    let month = time::Month::try_from(num(mo)? as u8).map_err(|_| bad())?;
    let date =
        time::Date::from_calendar_date(num(y)? as i32, month, num(da)? as u8).map_err(|_| bad())?;
    let clock =
        time::Time::from_hms(num(h)? as u8, num(mi)? as u8, num(s)? as u8).map_err(|_| bad())?;
    Ok(time::PrimitiveDateTime::new(date, clock)
        .assume_utc()
        .unix_timestamp())
}

/// Parses a whole `$filter`; the error says what was wrong (after [`INVALID_CLAUSE`]).
pub fn parse(text: &str) -> Result<Expr, String> {
    let tokens = tokens(text)?;
    if tokens.is_empty() {
        return Err("the filter is empty".into());
    }
    let mut p = Parser { tokens, at: 0 };
    let e = p.expr()?;
    if p.at < p.tokens.len() {
        return Err("unexpected text after the last clause".into());
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar() {
        let e = parse("createdDateTime ge 2026-10-26T00:00:00Z and (signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser'))").unwrap();
        assert_eq!(
            e,
            Expr::And(vec![
                Expr::Clause(Clause::Created(Cmp::Ge, 1_792_972_800)),
                Expr::Clause(Clause::EventTypes(vec![
                    EventType::InteractiveUser,
                    EventType::NonInteractiveUser
                ])),
            ])
        );
        assert!(e.mentions_event_types() && !e.mentions_transfer_method());
        let e = parse("originalTransferMethod eq 'authenticationTransfer' or userPrincipalName eq 'o''brien@x'").unwrap();
        assert!(e.mentions_transfer_method());
        assert!(
            matches!(&e, Expr::Or(l) if l[1] == Expr::Clause(Clause::UserPrincipalName("o'brien@x".into())))
        );
        assert!(parse("signInEventTypes/any(x:x eq 'servicePrincipal')").is_ok());
        assert_eq!(parse_utc("2026-10-26T00:00:00.000Z"), Ok(1_792_972_800));
        for bad in [
            "",
            "status/errorCode eq 0",
            "createdDateTime eq 2026-10-26T00:00:00Z",
            "createdDateTime ge '2026-10-26T00:00:00Z'",
            "createdDateTime ge 2026-10-26",
            "originalTransferMethod eq 'qr'",
            "appId eq 'x' and",
            "(appId eq 'x'",
            "signInEventTypes/any(t: t eq 'robot')",
            "userId ne 'x'",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
