// SPDX-License-Identifier: MIT
//! Strings across the boundary.
//!
//! In: UTF-8, NUL-terminated, borrowed for the duration of the call. Out: allocated by the
//! library and freed with [`copilot_string_free`]. Every string handed out is recorded, so
//! freeing a pointer twice, or one this library did not return, is reported as
//! `COPILOT_RESULT_INVALID_ARGUMENT` instead of corrupting the heap.

use std::collections::HashSet;
use std::ffi::{c_char, CStr, CString};
use std::sync::LazyLock;

use parking_lot::Mutex;
use serde_json::Value;

use crate::error::{copilot_result, FfiError, FfiResult};
use crate::panic::{guard, guard_or};

static LIVE_STRINGS: LazyLock<Mutex<HashSet<usize>>> = LazyLock::new(|| Mutex::new(HashSet::new()));

/// Live strings are recorded masked, so that leak checkers (valgrind) still report a string
/// the application forgot to free as definitely lost instead of "reachable from the registry".
const MASK: usize = usize::MAX ^ 0x5A5A;

fn key(p: *mut c_char) -> usize {
    (p as usize) ^ MASK
}

/// Hands a string to C. JSON and ids never contain NUL; any other text has NULs replaced.
pub(crate) fn into_c_string(s: String) -> *mut c_char {
    let c = match CString::new(s) {
        Ok(c) => c,
        Err(e) => {
            let cleaned = String::from_utf8_lossy(&e.into_vec()).replace('\0', "\u{FFFD}");
            CString::new(cleaned).unwrap_or_default()
        }
    };
    let p = c.into_raw();
    LIVE_STRINGS.lock().insert(key(p));
    p
}

/// Takes back a string this library handed out; `None` if it is not one (any more).
pub(crate) fn take_c_string(p: *mut c_char) -> Option<CString> {
    if p.is_null() || !LIVE_STRINGS.lock().remove(&key(p)) {
        return None;
    }
    // SAFETY: the pointer was produced by CString::into_raw in into_c_string and has just been
    // removed from the live set, so this is the only reconstruction.
    Some(unsafe { CString::from_raw(p) })
}

/// Reads the string a C callback returned: a string from `copilot_string_dup` is taken over
/// (and freed); any other non-NULL pointer is copied and left to its owner.
pub(crate) fn read_callback_string(p: *mut c_char) -> Option<Result<String, String>> {
    if p.is_null() {
        return None;
    }
    let bytes = match take_c_string(p) {
        Some(owned) => owned.into_bytes(),
        // SAFETY: the callback contract says a returned non-NULL pointer is a NUL-terminated
        // string that stays valid until the callback's caller has copied it (now).
        None => unsafe { CStr::from_ptr(p) }.to_bytes().to_vec(),
    };
    Some(String::from_utf8(bytes).map_err(|_| "the callback returned a string that is not valid UTF-8".to_owned()))
}

/// A required string argument.
///
/// # Safety
/// `p` must be NULL or point to a NUL-terminated string that stays valid during the call.
pub(crate) unsafe fn str_arg<'a>(p: *const c_char, name: &str) -> FfiResult<&'a str> {
    if p.is_null() {
        return Err(FfiError::new(copilot_result::NullParameter, format!("{name} is NULL")));
    }
    // SAFETY: non-NULL and NUL-terminated per the function's contract.
    unsafe { CStr::from_ptr(p) }
        .to_str()
        .map_err(|e| FfiError::new(copilot_result::InvalidUtf8, format!("{name} is not valid UTF-8: {e}")))
}

/// An optional string argument (NULL = absent).
///
/// # Safety
/// As for [`str_arg`].
pub(crate) unsafe fn opt_str_arg<'a>(p: *const c_char, name: &str) -> FfiResult<Option<&'a str>> {
    if p.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded contract.
        unsafe { str_arg(p, name) }.map(Some)
    }
}

pub(crate) fn parse_json(text: &str, name: &str) -> FfiResult<Value> {
    serde_json::from_str(text)
        .map_err(|e| FfiError::new(copilot_result::InvalidJson, format!("{name} is not valid JSON: {e}")))
}

/// A required JSON argument.
///
/// # Safety
/// As for [`str_arg`].
pub(crate) unsafe fn json_arg(p: *const c_char, name: &str) -> FfiResult<Value> {
    // SAFETY: forwarded contract.
    parse_json(unsafe { str_arg(p, name) }?, name)
}

/// An optional JSON argument (NULL = absent).
///
/// # Safety
/// As for [`str_arg`].
pub(crate) unsafe fn opt_json_arg(p: *const c_char, name: &str) -> FfiResult<Option<Value>> {
    // SAFETY: forwarded contract.
    match unsafe { opt_str_arg(p, name) }? {
        Some(s) => parse_json(s, name).map(Some),
        None => Ok(None),
    }
}

/// A JSON argument that must be an object (or NULL, meaning empty).
///
/// # Safety
/// As for [`str_arg`].
pub(crate) unsafe fn object_arg(p: *const c_char, name: &str) -> FfiResult<Value> {
    // SAFETY: forwarded contract.
    match unsafe { opt_json_arg(p, name) }? {
        None => Ok(Value::Object(Default::default())),
        Some(v @ Value::Object(_)) => Ok(v),
        Some(other) => Err(FfiError::new(
            copilot_result::InvalidJson,
            format!("{name} must be a JSON object, got {}", json_kind(&other)),
        )),
    }
}

pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A required out-parameter; it is set to NULL right away so that it never dangles on failure.
///
/// # Safety
/// `p` must be NULL or point to writable storage for one pointer.
pub(crate) unsafe fn out_arg<'a, T>(p: *mut *mut T, name: &str) -> FfiResult<&'a mut *mut T> {
    if p.is_null() {
        return Err(FfiError::new(copilot_result::NullParameter, format!("{name} is NULL")));
    }
    // SAFETY: non-NULL and writable per the function's contract.
    let out = unsafe { &mut *p };
    *out = std::ptr::null_mut();
    Ok(out)
}

/// An optional out-parameter (NULL = the caller does not want the value).
///
/// # Safety
/// As for [`out_arg`].
pub(crate) unsafe fn opt_out_arg<'a, T>(p: *mut *mut T) -> Option<&'a mut *mut T> {
    if p.is_null() {
        None
    } else {
        // SAFETY: non-NULL and writable per the function's contract.
        let out = unsafe { &mut *p };
        *out = std::ptr::null_mut();
        Some(out)
    }
}

/// The body of an export whose output is one string: checks the out-parameter (before
/// anything else, so it is NULL on every failure), runs `f` under the panic guard and hands
/// its string to C.
///
/// # Safety
/// As for [`out_arg`].
pub(crate) unsafe fn string_out(
    out: *mut *mut c_char,
    name: &str,
    f: impl FnOnce() -> FfiResult<String>,
) -> copilot_result {
    guard(|| {
        // SAFETY: forwarded contract.
        let out = unsafe { out_arg(out, name) }?;
        *out = into_c_string(f()?);
        Ok(())
    })
}

/// Like [`string_out`] for a value handed to C as JSON.
///
/// # Safety
/// As for [`out_arg`].
pub(crate) unsafe fn json_out<T: serde::Serialize>(
    out: *mut *mut c_char,
    name: &str,
    f: impl FnOnce() -> FfiResult<T>,
) -> copilot_result {
    // SAFETY: forwarded contract.
    unsafe { string_out(out, name, || Ok(serde_json::to_string(&f()?).map_err(sdk::Error::from)?)) }
}

/// The `method` and `params_json` arguments of the generic call functions.
///
/// # Safety
/// As for [`str_arg`].
pub(crate) unsafe fn call_args<'a>(
    method: *const c_char,
    params_json: *const c_char,
) -> FfiResult<(&'a str, Option<Value>)> {
    // SAFETY: forwarded contract.
    let method = unsafe { str_arg(method, "method") }?;
    // SAFETY: forwarded contract.
    Ok((method, unsafe { opt_json_arg(params_json, "params_json") }?))
}

/// Frees a string returned by this library. NULL is accepted and ignored.
///
/// Returns `COPILOT_RESULT_INVALID_ARGUMENT`, and frees nothing, for a pointer that this
/// library did not return or that was already freed. Thread-safe.
///
/// # Safety
/// `s` must be NULL or a pointer; it is only dereferenced if it is a live library string.
#[no_mangle]
pub unsafe extern "C" fn copilot_string_free(s: *mut c_char) -> copilot_result {
    guard(|| {
        if s.is_null() {
            return Ok(());
        }
        match take_c_string(s) {
            Some(c) => {
                drop(c);
                Ok(())
            }
            None => Err(FfiError::new(
                copilot_result::InvalidArgument,
                "copilot_string_free: not a string returned by this library, or already freed",
            )),
        }
    })
}

/// Copies `s` into a library-owned string (free it with `copilot_string_free`).
///
/// Callbacks return their JSON this way: a string from `copilot_string_dup` returned by a
/// handler callback (permission, tool, ...) is taken over and freed by the library.
/// Returns NULL when `s` is NULL.
///
/// # Safety
/// `s` must be NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn copilot_string_dup(s: *const c_char) -> *mut c_char {
    guard_or(std::ptr::null_mut(), || {
        if s.is_null() {
            return std::ptr::null_mut();
        }
        // SAFETY: non-NULL and NUL-terminated per the contract.
        let bytes = unsafe { CStr::from_ptr(s) }.to_bytes();
        into_c_string(String::from_utf8_lossy(bytes).into_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_tracked() {
        let p = into_c_string("hello".into());
        assert_eq!(unsafe { copilot_string_free(p) }, copilot_result::Ok);
        assert_eq!(unsafe { copilot_string_free(p) }, copilot_result::InvalidArgument);
        let mut local = *b"abc\0";
        assert_eq!(unsafe { copilot_string_free(local.as_mut_ptr().cast()) }, copilot_result::InvalidArgument);
        assert_eq!(unsafe { copilot_string_free(std::ptr::null_mut()) }, copilot_result::Ok);
        let d = unsafe { copilot_string_dup(c"x".as_ptr()) };
        assert_eq!(read_callback_string(d), Some(Ok("x".to_owned())));
        assert_eq!(unsafe { copilot_string_free(d) }, copilot_result::InvalidArgument, "taken over by the read");
        assert_eq!(read_callback_string(local.as_mut_ptr().cast()), Some(Ok("abc".to_owned())));
    }
}
