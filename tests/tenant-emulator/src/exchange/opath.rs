//! OPATH filters as Exchange `-Filter` takes them: `-eq -ne -like -notlike`, `-and -or -not`,
//! parentheses, single- and double-quoted strings, `$true $false $null`. Anything else is an
//! error with Exchange's wording and a 1-based position, never silently ignored.

use std::borrow::Cow;

/// Deepest nesting of parentheses / `-not` accepted (keeps recursion bounded on hostile input).
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    Compare(Comparison),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub property: String,
    pub position: usize,
    pub op: Op,
    pub value: Literal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Like,
    NotLike,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Text(String),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterError {
    Syntax { position: usize },
    UnknownProperty { name: String, position: usize },
    UnsupportedOperator { operator: String, position: usize },
    UnsupportedVariable { name: String, position: usize },
    InvalidValue { property: String, value: String },
}

impl FilterError {
    /// The text Exchange puts after `Exception setting "Filter": `.
    pub fn exchange_message(&self, filter: &str) -> String {
        match self {
            FilterError::Syntax { position } => format!(
                "Invalid filter syntax. For a description of the filter parameter syntax see the command help.\r\n\"{filter}\" at position {position}."
            ),
            FilterError::UnknownProperty { name, position } => format!(
                "'{name}' is not a recognized filterable property. For a list of filterable properties, see the command help.\r\n\"{filter}\" at position {position}."
            ),
            FilterError::UnsupportedOperator { operator, position } => format!(
                "The operator '-{operator}' is not supported in this filter. Supported operators are -eq, -ne, -like, -notlike, -and, -or and -not.\r\n\"{filter}\" at position {position}."
            ),
            FilterError::UnsupportedVariable { name, position } => format!(
                "The variable '${name}' cannot be used in a filter; only $true, $false and $null are supported.\r\n\"{filter}\" at position {position}."
            ),
            FilterError::InvalidValue { property, value } => format!(
                "Cannot convert value \"{value}\" to type \"System.Boolean\" for property '{property}'."
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    /// `-name`, lower-cased, without the dash.
    Operator(String),
    Word(String),
    Quoted(String),
    Variable(String),
}

#[derive(Debug, Clone, PartialEq)]
struct Token {
    tok: Tok,
    /// 1-based character position.
    position: usize,
}

fn tokenize(input: &str) -> Result<Vec<Token>, FilterError> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let position = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let tok = match c {
            '(' => {
                i += 1;
                Tok::LParen
            }
            ')' => {
                i += 1;
                Tok::RParen
            }
            '-' if chars.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic()) => {
                let start = i + 1;
                i = start;
                while i < chars.len() && chars[i].is_ascii_alphabetic() {
                    i += 1;
                }
                Tok::Operator(
                    chars[start..i]
                        .iter()
                        .collect::<String>()
                        .to_ascii_lowercase(),
                )
            }
            '\'' | '"' => {
                let quote = c;
                let mut text = String::new();
                i += 1;
                loop {
                    let Some(&ch) = chars.get(i) else {
                        return Err(FilterError::Syntax { position });
                    };
                    if ch == quote {
                        if chars.get(i + 1) == Some(&quote) {
                            text.push(quote);
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    if quote == '"' && ch == '`' {
                        let Some(&escaped) = chars.get(i + 1) else {
                            return Err(FilterError::Syntax { position });
                        };
                        text.push(escaped);
                        i += 2;
                        continue;
                    }
                    text.push(ch);
                    i += 1;
                }
                Tok::Quoted(text)
            }
            '$' => {
                let start = i + 1;
                i = start;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                if i == start {
                    return Err(FilterError::Syntax { position });
                }
                Tok::Variable(
                    chars[start..i]
                        .iter()
                        .collect::<String>()
                        .to_ascii_lowercase(),
                )
            }
            _ => {
                let start = i;
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !matches!(chars[i], '(' | ')' | '\'' | '"')
                {
                    i += 1;
                }
                Tok::Word(chars[start..i].iter().collect())
            }
        };
        tokens.push(Token { tok, position });
    }
    Ok(tokens)
}

/// Operators OPATH/PowerShell know but this filter does not evaluate.
const KNOWN_UNSUPPORTED: &[&str] = &[
    "lt",
    "gt",
    "le",
    "ge",
    "match",
    "notmatch",
    "contains",
    "notcontains",
    "in",
    "notin",
    "ceq",
    "cne",
    "ieq",
    "ine",
    "clike",
    "ilike",
    "cnotlike",
    "inotlike",
];

struct Parser {
    tokens: Vec<Token>,
    next: usize,
    end_position: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next)
    }

    fn position(&self) -> usize {
        self.peek().map_or(self.end_position, |t| t.position)
    }

    fn take(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.next).cloned();
        if t.is_some() {
            self.next += 1;
        }
        t
    }

    fn at_operator(&self, name: &str) -> bool {
        matches!(self.peek(), Some(Token { tok: Tok::Operator(o), .. }) if o == name)
    }

    fn chain(
        &mut self,
        depth: usize,
        joiner: &str,
        mut inner: impl FnMut(&mut Self, usize) -> Result<Expr, FilterError>,
    ) -> Result<Expr, FilterError> {
        let mut terms = vec![inner(self, depth)?];
        while self.at_operator(joiner) {
            self.next += 1;
            terms.push(inner(self, depth)?);
        }
        Ok(match terms.len() {
            1 => terms.pop().unwrap_or(Expr::Or(Vec::new())),
            _ if joiner == "or" => Expr::Or(terms),
            _ => Expr::And(terms),
        })
    }

    fn or(&mut self, depth: usize) -> Result<Expr, FilterError> {
        self.chain(depth, "or", |p, d| p.and(d))
    }

    fn and(&mut self, depth: usize) -> Result<Expr, FilterError> {
        self.chain(depth, "and", |p, d| p.unary(d))
    }

    fn unary(&mut self, depth: usize) -> Result<Expr, FilterError> {
        if depth > MAX_DEPTH {
            return Err(FilterError::Syntax {
                position: self.position(),
            });
        }
        if self.at_operator("not") {
            self.next += 1;
            return Ok(Expr::Not(Box::new(self.unary(depth + 1)?)));
        }
        if matches!(
            self.peek(),
            Some(Token {
                tok: Tok::LParen,
                ..
            })
        ) {
            self.next += 1;
            let inner = self.or(depth + 1)?;
            return match self.take() {
                Some(Token {
                    tok: Tok::RParen, ..
                }) => Ok(inner),
                Some(t) => Err(FilterError::Syntax {
                    position: t.position,
                }),
                None => Err(FilterError::Syntax {
                    position: self.end_position,
                }),
            };
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, FilterError> {
        let position = self.position();
        let property = match self.take() {
            Some(Token {
                tok: Tok::Word(w), ..
            }) if w
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '.') =>
            {
                w
            }
            _ => return Err(FilterError::Syntax { position }),
        };
        let op_position = self.position();
        let op = match self.take() {
            Some(Token {
                tok: Tok::Operator(o),
                ..
            }) => match o.as_str() {
                "eq" => Op::Eq,
                "ne" => Op::Ne,
                "like" => Op::Like,
                "notlike" => Op::NotLike,
                other if KNOWN_UNSUPPORTED.contains(&other) => {
                    return Err(FilterError::UnsupportedOperator {
                        operator: other.to_owned(),
                        position: op_position,
                    });
                }
                _ => {
                    return Err(FilterError::Syntax {
                        position: op_position,
                    });
                }
            },
            _ => {
                return Err(FilterError::Syntax {
                    position: op_position,
                });
            }
        };
        let value_position = self.position();
        let value = match self.take() {
            Some(Token {
                tok: Tok::Quoted(s),
                ..
            }) => Literal::Text(s),
            Some(Token {
                tok: Tok::Word(w), ..
            }) => Literal::Text(w),
            Some(Token {
                tok: Tok::Variable(v),
                position,
            }) => match v.as_str() {
                "true" => Literal::Bool(true),
                "false" => Literal::Bool(false),
                "null" => Literal::Null,
                _ => return Err(FilterError::UnsupportedVariable { name: v, position }),
            },
            _ => {
                return Err(FilterError::Syntax {
                    position: value_position,
                });
            }
        };
        Ok(Expr::Compare(Comparison {
            property,
            position,
            op,
            value,
        }))
    }
}

pub fn parse(input: &str) -> Result<Expr, FilterError> {
    let tokens = tokenize(input)?;
    let mut parser = Parser {
        tokens,
        next: 0,
        end_position: input.chars().count() + 1,
    };
    let expr = parser.or(0)?;
    match parser.peek() {
        None => Ok(expr),
        Some(t) => Err(FilterError::Syntax {
            position: t.position,
        }),
    }
}

// Binding to a cmdlet's properties and evaluating.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Text,
    Bool,
}

/// The filterable properties of one cmdlet's output.
pub trait Schema {
    /// Property id and kind for a (case-insensitive) name; `None` if not filterable.
    fn resolve(&self, name: &str) -> Option<(usize, ValueKind)>;
}

/// A property value of one object.
#[derive(Debug, Clone, PartialEq)]
pub enum PropValue<'a> {
    Null,
    Text(Cow<'a, str>),
    Bool(bool),
}

pub trait Target {
    fn value(&self, property: usize) -> PropValue<'_>;
}

#[derive(Debug, Clone, PartialEq)]
pub enum BoundValue {
    /// Lower-cased text (and for `-like`, the pattern split at `*`).
    Text {
        lower: String,
        original: String,
    },
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Bound {
    Or(Vec<Bound>),
    And(Vec<Bound>),
    Not(Box<Bound>),
    Compare {
        property: usize,
        op: Op,
        value: BoundValue,
    },
}

pub fn bind(expr: &Expr, schema: &dyn Schema) -> Result<Bound, FilterError> {
    Ok(match expr {
        Expr::Or(list) => Bound::Or(
            list.iter()
                .map(|e| bind(e, schema))
                .collect::<Result<_, _>>()?,
        ),
        Expr::And(list) => Bound::And(
            list.iter()
                .map(|e| bind(e, schema))
                .collect::<Result<_, _>>()?,
        ),
        Expr::Not(inner) => Bound::Not(Box::new(bind(inner, schema)?)),
        Expr::Compare(c) => {
            let (property, kind) =
                schema
                    .resolve(&c.property)
                    .ok_or_else(|| FilterError::UnknownProperty {
                        name: c.property.clone(),
                        position: c.position,
                    })?;
            let value = match (&c.value, kind) {
                (Literal::Null, _) => BoundValue::Null,
                (Literal::Bool(b), _) => BoundValue::Bool(*b),
                (Literal::Text(t), ValueKind::Bool) if matches!(c.op, Op::Eq | Op::Ne) => {
                    match t.to_ascii_lowercase().as_str() {
                        "true" | "1" => BoundValue::Bool(true),
                        "false" | "0" => BoundValue::Bool(false),
                        _ => {
                            return Err(FilterError::InvalidValue {
                                property: c.property.clone(),
                                value: t.clone(),
                            });
                        }
                    }
                }
                (Literal::Text(t), _) => BoundValue::Text {
                    lower: t.to_lowercase(),
                    original: t.clone(),
                },
            };
            Bound::Compare {
                property,
                op: c.op,
                value,
            }
        }
    })
}

/// `*` matches any run of characters; both sides already lower-cased.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let [first, middle @ .., last] = parts.as_slice() else {
        return pattern == text;
    };
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

fn bool_text(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

fn equals(actual: &PropValue<'_>, expected: &BoundValue) -> bool {
    match (actual, expected) {
        (PropValue::Null, BoundValue::Null) => true,
        (PropValue::Text(t), BoundValue::Null) => t.is_empty(),
        (_, BoundValue::Null) => false,
        (PropValue::Bool(a), BoundValue::Bool(b)) => a == b,
        (PropValue::Bool(a), BoundValue::Text { lower, .. }) => bool_text(*a) == lower,
        (PropValue::Text(t), BoundValue::Bool(b)) => t.eq_ignore_ascii_case(bool_text(*b)),
        (PropValue::Text(t), BoundValue::Text { lower, original }) => {
            t.eq_ignore_ascii_case(original) || t.to_lowercase() == *lower
        }
        (PropValue::Null, _) => false,
    }
}

fn like(actual: &PropValue<'_>, expected: &BoundValue) -> bool {
    let BoundValue::Text { lower, .. } = expected else {
        return equals(actual, expected);
    };
    match actual {
        PropValue::Text(t) => wildcard_match(lower, &t.to_lowercase()),
        PropValue::Bool(b) => wildcard_match(lower, bool_text(*b)),
        PropValue::Null => false,
    }
}

pub fn eval(bound: &Bound, target: &dyn Target) -> bool {
    match bound {
        Bound::Or(list) => list.iter().any(|b| eval(b, target)),
        Bound::And(list) => list.iter().all(|b| eval(b, target)),
        Bound::Not(inner) => !eval(inner, target),
        Bound::Compare {
            property,
            op,
            value,
        } => {
            let actual = target.value(*property);
            match op {
                Op::Eq => equals(&actual, value),
                Op::Ne => !equals(&actual, value),
                Op::Like => like(&actual, value),
                Op::NotLike => !like(&actual, value),
            }
        }
    }
}

/// If the filter is `P -eq 'a' -or Q -eq 'b' …` (or a single such term), the terms — lets
/// Get-Mailbox answer 50-term lookups from its indexes instead of scanning.
pub fn equality_terms(bound: &Bound) -> Option<Vec<(usize, &str)>> {
    fn term(b: &Bound) -> Option<(usize, &str)> {
        match b {
            Bound::Compare {
                property,
                op: Op::Eq,
                value: BoundValue::Text { original, .. },
            } => Some((*property, original.as_str())),
            _ => None,
        }
    }
    match bound {
        Bound::Or(list) => list.iter().map(term).collect(),
        other => term(other).map(|t| vec![t]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Obj(Vec<PropValue<'static>>);
    struct Names;
    impl Schema for Names {
        fn resolve(&self, name: &str) -> Option<(usize, ValueKind)> {
            match name.to_ascii_lowercase().as_str() {
                "devicemodel" => Some((0, ValueKind::Text)),
                "ismanaged" => Some((1, ValueKind::Bool)),
                "friendlyname" => Some((2, ValueKind::Text)),
                _ => None,
            }
        }
    }
    impl Target for Obj {
        fn value(&self, p: usize) -> PropValue<'_> {
            self.0.get(p).cloned().unwrap_or(PropValue::Null)
        }
    }

    fn matches(filter: &str, obj: &Obj) -> bool {
        eval(&bind(&parse(filter).unwrap(), &Names).unwrap(), obj)
    }

    fn outlook() -> Obj {
        Obj(vec![
            PropValue::Text("Outlook for iOS and Android".into()),
            PropValue::Bool(false),
            PropValue::Text("Taro's iPhone".into()),
        ])
    }

    #[test]
    fn comparisons() {
        let o = outlook();
        assert!(matches("DeviceModel -eq 'Outlook for iOS and Android'", &o));
        assert!(matches(
            "devicemodel -EQ \"outlook for ios and android\"",
            &o
        ));
        assert!(!matches(
            "DeviceModel -ne 'Outlook for iOS and Android'",
            &o
        ));
        assert!(matches("DeviceModel -like 'Outlook*'", &o));
        assert!(matches("DeviceModel -like '*iOS*Android'", &o));
        assert!(!matches("DeviceModel -like 'iOS*'", &o));
        assert!(matches("DeviceModel -notlike 'iPhone*'", &o));
        assert!(matches("IsManaged -eq $false", &o));
        assert!(matches("IsManaged -eq 'False'", &o));
        assert!(!matches("IsManaged -eq $true", &o));
        assert!(matches("FriendlyName -eq 'Taro''s iPhone'", &o));
        assert!(matches("FriendlyName -eq \"Taro's iPhone\"", &o));
        assert!(!matches("FriendlyName -eq $null", &o));
        assert!(matches("-not (FriendlyName -eq $null)", &o));
    }

    #[test]
    fn boolean_structure_and_precedence() {
        let o = outlook();
        assert!(matches(
            "DeviceModel -eq 'x' -or DeviceModel -like 'Out*' -and IsManaged -eq $false",
            &o
        ));
        assert!(!matches(
            "(DeviceModel -eq 'x' -or DeviceModel -like 'Out*') -and IsManaged -eq $true",
            &o
        ));
        assert!(matches("((DeviceModel -like '*'))", &o));
        let e = parse("A -eq 'a' -or B -eq 'b' -and C -eq 'c'").unwrap();
        let Expr::Or(terms) = e else {
            panic!("or at top")
        };
        assert!(matches!(terms[1], Expr::And(_)));
    }

    #[test]
    fn errors_have_positions() {
        assert_eq!(
            parse("DeviceModel -eq"),
            Err(FilterError::Syntax { position: 16 })
        );
        assert_eq!(
            parse("DeviceModel -eq 'x"),
            Err(FilterError::Syntax { position: 17 })
        );
        assert_eq!(
            parse("(DeviceModel -eq 'x'"),
            Err(FilterError::Syntax { position: 21 })
        );
        assert_eq!(
            parse("DeviceModel -eq 'x' extra"),
            Err(FilterError::Syntax { position: 21 })
        );
        assert_eq!(
            parse("FirstSyncTime -gt '2024-01-01'"),
            Err(FilterError::UnsupportedOperator {
                operator: "gt".into(),
                position: 15
            })
        );
        assert_eq!(
            parse("DeviceModel -eq $foo"),
            Err(FilterError::UnsupportedVariable {
                name: "foo".into(),
                position: 17
            })
        );
        assert_eq!(parse(""), Err(FilterError::Syntax { position: 1 }));
        assert!(matches!(
            bind(&parse("Nope -eq 1").unwrap(), &Names),
            Err(FilterError::UnknownProperty { position: 1, .. })
        ));
        assert!(matches!(
            bind(&parse("IsManaged -eq 'maybe'").unwrap(), &Names),
            Err(FilterError::InvalidValue { .. })
        ));
        let deep = format!("{}A -eq 1{}", "(".repeat(200), ")".repeat(200));
        assert!(matches!(parse(&deep), Err(FilterError::Syntax { .. })));
        let msg = FilterError::Syntax { position: 16 }.exchange_message("DeviceModel -eq");
        assert!(msg.starts_with("Invalid filter syntax."));
        assert!(msg.ends_with("\"DeviceModel -eq\" at position 16."));
    }

    #[test]
    fn equality_fast_path_detection() {
        let b = bind(
            &parse("DeviceModel -eq 'a' -or FriendlyName -eq 'b'").unwrap(),
            &Names,
        )
        .unwrap();
        assert_eq!(equality_terms(&b), Some(vec![(0, "a"), (2, "b")]));
        let b = bind(&parse("DeviceModel -like 'a*'").unwrap(), &Names).unwrap();
        assert_eq!(equality_terms(&b), None);
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("a*", "abc"));
        assert!(wildcard_match("*c", "abc"));
        assert!(wildcard_match("a*b*c", "aXbYc"));
        assert!(!wildcard_match("a*b*c", "aXcYb"));
        assert!(!wildcard_match("ab*ab", "ab"));
        assert!(wildcard_match("山田*", "山田 太郎"));
    }
}

#[cfg(test)]
mod proptests {
    use proptest::prelude::*;

    use super::*;

    struct AnyName;
    impl Schema for AnyName {
        fn resolve(&self, name: &str) -> Option<(usize, ValueKind)> {
            (!name.is_empty()).then_some((
                name.len() % 3,
                if name.len().is_multiple_of(2) {
                    ValueKind::Bool
                } else {
                    ValueKind::Text
                },
            ))
        }
    }
    struct Values;
    impl Target for Values {
        fn value(&self, p: usize) -> PropValue<'_> {
            match p {
                0 => PropValue::Text("Outlook for iOS and Android".into()),
                1 => PropValue::Bool(true),
                _ => PropValue::Null,
            }
        }
    }

    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("DeviceModel".to_owned()),
            Just(" -eq ".to_owned()),
            Just(" -like ".to_owned()),
            Just(" -and ".to_owned()),
            Just(" -or ".to_owned()),
            Just("-not ".to_owned()),
            Just("(".to_owned()),
            Just(")".to_owned()),
            Just("'a''b*'".to_owned()),
            Just("\"x`\"y\"".to_owned()),
            Just("$true".to_owned()),
            Just("$".to_owned()),
            Just("'".to_owned()),
            Just("`".to_owned()),
            "\\PC{0,6}",
        ]
    }

    proptest! {
        #[test]
        fn parser_never_panics_on_arbitrary_text(input in "\\PC{0,200}") {
            match parse(&input) {
                Ok(expr) => {
                    if let Ok(bound) = bind(&expr, &AnyName) {
                        let _ = eval(&bound, &Values);
                    }
                }
                Err(e) => {
                    let _ = e.exchange_message(&input);
                }
            }
        }

        #[test]
        fn parser_never_panics_on_filter_like_text(parts in proptest::collection::vec(fragment(), 0..40)) {
            let input = parts.concat();
            match parse(&input) {
                Ok(expr) => {
                    if let Ok(bound) = bind(&expr, &AnyName) {
                        let _ = eval(&bound, &Values);
                        let _ = equality_terms(&bound);
                    }
                }
                Err(FilterError::Syntax { position } | FilterError::UnknownProperty { position, .. }
                    | FilterError::UnsupportedOperator { position, .. } | FilterError::UnsupportedVariable { position, .. }) => {
                    prop_assert!(position >= 1 && position <= input.chars().count() + 1, "position {} in {:?}", position, input);
                }
                Err(FilterError::InvalidValue { .. }) => {}
            }
        }

        #[test]
        fn quoted_values_round_trip(value in "\\PC{0,30}") {
            let filter = format!("DeviceModel -eq '{}'", value.replace('\'', "''"));
            let Expr::Compare(c) = parse(&filter).unwrap() else { panic!("comparison expected") };
            prop_assert_eq!(c.value, Literal::Text(value));
        }
    }
}
