//! `?$select=A,B` projection of cmdlet output objects.

use super::errors;
use crate::http::Reply;

/// Indices into `properties` named by `$select`, in the order of `properties`; `None` for all.
pub fn resolve(properties: &[&str], select: Option<&str>) -> Result<Option<Vec<usize>>, Reply> {
    let Some(select) = select.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let mut wanted = Vec::new();
    for name in select.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        match properties.iter().position(|p| p.eq_ignore_ascii_case(name)) {
            Some(i) => wanted.push(i),
            None => {
                return Err(errors::bad_request(&format!(
                    "The property '{name}' in $select is not a property of the cmdlet output."
                )));
            }
        }
    }
    wanted.sort_unstable();
    wanted.dedup();
    Ok(Some(wanted))
}
