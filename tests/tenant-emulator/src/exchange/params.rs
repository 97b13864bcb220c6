//! Cmdlet parameters as PowerShell binds them: names case-insensitive, unknown names refused,
//! values converted (or refused) with PowerShell's messages.

use serde_json::{Map, Value};

use super::errors;
use crate::http::Reply;

pub struct Params<'a> {
    map: &'a Map<String, Value>,
}

/// `-ResultSize`: absent (1000 with a warning), a positive number, or `Unlimited`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultSize {
    Default,
    Limit(u64),
    Unlimited,
}

pub const DEFAULT_RESULT_SIZE: u64 = 1000;

impl ResultSize {
    pub fn limit(self) -> Option<u64> {
        match self {
            ResultSize::Default => Some(DEFAULT_RESULT_SIZE),
            ResultSize::Limit(n) => Some(n),
            ResultSize::Unlimited => None,
        }
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(_) => "System.Boolean".into(),
        Value::Array(_) => "System.Object[]".into(),
        Value::Object(_) => "System.Collections.Hashtable".into(),
        other => other.to_string(),
    }
}

impl<'a> Params<'a> {
    pub fn new(map: &'a Map<String, Value>) -> Self {
        Self { map }
    }

    /// Refuses the first parameter the cmdlet does not have.
    pub fn allow_only(&self, allowed: &[&str]) -> Result<(), Reply> {
        match self
            .map
            .keys()
            .find(|k| !allowed.iter().any(|a| a.eq_ignore_ascii_case(k)))
        {
            Some(unknown) => Err(errors::parameter_not_found(unknown)),
            None => Ok(()),
        }
    }

    /// A present, non-null value.
    pub fn get(&self, name: &str) -> Option<(&'a str, &'a Value)> {
        self.map
            .iter()
            .find(|(k, v)| k.eq_ignore_ascii_case(name) && !v.is_null())
            .map(|(k, v)| (k.as_str(), v))
    }

    /// A string parameter; numbers are accepted as their text, empty strings refused.
    pub fn string(&self, name: &str) -> Result<Option<String>, Reply> {
        let Some((key, value)) = self.get(name) else {
            return Ok(None);
        };
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            other => {
                return Err(errors::argument_transformation(
                    key,
                    &describe(other),
                    "System.String",
                ));
            }
        };
        if text.trim().is_empty() {
            return Err(errors::empty_argument(key));
        }
        Ok(Some(text))
    }

    /// A `[bool]` parameter: JSON booleans, or numbers (0 is false) as PowerShell converts them.
    pub fn boolean(&self, name: &str) -> Result<Option<bool>, Reply> {
        let Some((key, value)) = self.get(name) else {
            return Ok(None);
        };
        match value {
            Value::Bool(b) => Ok(Some(*b)),
            Value::Number(n) if n.as_f64().is_some() => Ok(Some(n.as_f64() != Some(0.0))),
            other => Err(errors::cmdlet_error(
                "System.Management.Automation.ParameterBindingArgumentTransformationException",
                &format!(
                    "Cannot process argument transformation on parameter '{key}'. Cannot convert value \"{}\" to type \"System.Boolean\". Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0.",
                    describe(other)
                ),
            )),
        }
    }

    pub fn result_size(&self) -> Result<ResultSize, Reply> {
        let Some((key, value)) = self.get("ResultSize") else {
            return Ok(ResultSize::Default);
        };
        let target = "Microsoft.Exchange.Data.Unlimited`1[System.UInt32]";
        let number = match value {
            Value::String(s) if s.trim().eq_ignore_ascii_case("unlimited") => {
                return Ok(ResultSize::Unlimited);
            }
            Value::String(s) => s.trim().parse::<i64>().ok(),
            Value::Number(n) => n.as_i64(),
            _ => None,
        };
        match number {
            Some(n) if n >= 1 && n <= u32::MAX as i64 => Ok(ResultSize::Limit(n as u64)),
            Some(n) => Err(errors::cmdlet_error(
                "System.Management.Automation.ParameterBindingValidationException",
                &format!(
                    "Cannot validate argument on parameter '{key}'. The {n} argument is less than the minimum allowed range of 1. Supply an argument that is greater than or equal to 1 and then try the command again."
                ),
            )),
            None => Err(errors::argument_transformation(
                key,
                &describe(value),
                target,
            )),
        }
    }
}
