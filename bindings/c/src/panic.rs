// SPDX-License-Identifier: MIT
//! The panic boundary: every export runs its body through [`guard`] or [`guard_or`], so a
//! Rust panic becomes `COPILOT_RESULT_PANIC` (or a documented fallback value) instead of
//! unwinding into C, which would be undefined behaviour.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::{clear_last_error, copilot_result, set_last_error, FfiResult};

pub(crate) fn panic_message(p: &(dyn Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_owned()
    }
}

/// Runs a fallible export body: records the outcome as this thread's last error and returns
/// its code. Panics become `COPILOT_RESULT_PANIC`.
pub(crate) fn guard<F: FnOnce() -> FfiResult<()>>(f: F) -> copilot_result {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => {
            clear_last_error();
            copilot_result::Ok
        }
        Ok(Err(e)) => {
            set_last_error(e.code, &e.message);
            e.code
        }
        Err(p) => {
            let msg = format!("internal panic in copilot_core (please report it): {}", panic_message(p.as_ref()));
            // Dropping the payload can itself panic; never let that escape either.
            let _ = catch_unwind(AssertUnwindSafe(move || drop(p)));
            set_last_error(copilot_result::Panic, &msg);
            copilot_result::Panic
        }
    }
}

/// Runs an infallible export body; a panic yields `default`.
pub(crate) fn guard_or<T, F: FnOnce() -> T>(default: T, f: F) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(p) => {
            let _ = catch_unwind(AssertUnwindSafe(move || drop(p)));
            default
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::FfiError;

    #[test]
    fn panics_become_a_result_code() {
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let r = guard(|| panic!("boom"));
        assert_eq!(r, copilot_result::Panic);
        assert_eq!(crate::error::copilot_last_error_code(), copilot_result::Panic);
        let v = guard_or(7, || -> i32 { panic!("boom") });
        assert_eq!(v, 7);
        std::panic::set_hook(prev);
        assert_eq!(guard(|| Err(FfiError::new(copilot_result::Timeout, "t"))), copilot_result::Timeout);
        assert_eq!(guard(|| Ok(())), copilot_result::Ok);
    }
}
