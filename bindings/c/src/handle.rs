// SPDX-License-Identifier: MIT
//! Handle validation.
//!
//! A handle given to C is not a pointer to memory: it is an encoded number (type tag, slot
//! index, generation) that names an entry of a process-wide registry. Looking a handle up
//! clones the `Arc` of its object, so calls on one handle from several threads run
//! concurrently, and freeing a handle while another thread uses it is safe: the object lives
//! until the last call returns. Because freeing bumps the slot's generation, a freed handle,
//! a copy of one, a handle of another type or a pointer that never was a handle are all
//! detected and reported with a result code, even after the slot is reused.

use std::sync::{Arc, LazyLock};

use parking_lot::Mutex;

use crate::error::{copilot_result, FfiError, FfiResult};

/// Kinds of objects behind handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Client = 1,
    Session = 2,
    Handlers = 3,
}

impl Kind {
    fn from_tag(t: u64) -> Option<Kind> {
        match t {
            1 => Some(Kind::Client),
            2 => Some(Kind::Session),
            3 => Some(Kind::Handlers),
            _ => None,
        }
    }

    pub(crate) fn c_name(self) -> &'static str {
        match self {
            Kind::Client => "copilot_client",
            Kind::Session => "copilot_session",
            Kind::Handlers => "copilot_handlers",
        }
    }
}

/// An object behind a handle.
#[derive(Clone)]
pub(crate) enum Object {
    Client(Arc<crate::client::ClientObj>),
    Session(Arc<crate::session::SessionObj>),
    Handlers(Arc<crate::callbacks::HandlersObj>),
}

impl Object {
    fn kind(&self) -> Kind {
        match self {
            Object::Client(_) => Kind::Client,
            Object::Session(_) => Kind::Session,
            Object::Handlers(_) => Kind::Handlers,
        }
    }
}

/// Ties an opaque C type to the object its handles name.
pub(crate) trait Handle {
    const KIND: Kind;
    type Obj;
    fn wrap(obj: Arc<Self::Obj>) -> Object;
    fn unwrap(obj: Object) -> Option<Arc<Self::Obj>>;
}

// Bit layout of a handle (64-bit targets): [63..32] generation, [31..8] slot, [7..4] magic, [3..0] tag.
// Real pointers are at least 8-byte aligned with zero low bits, so they fail the tag/magic test.
const MAGIC: u64 = 0xA;
const SLOT_BITS: u32 = 24;
const MAX_SLOTS: usize = 1 << SLOT_BITS;

fn generation_mask() -> u64 {
    // 32-bit targets cannot carry the generation; slot and tag checks still apply there.
    if usize::BITS >= 64 {
        0xFFFF_FFFF
    } else {
        0
    }
}

struct Slot {
    generation: u32,
    object: Option<Object>,
}

#[derive(Default)]
struct Registry {
    slots: Vec<Slot>,
    free: Vec<usize>,
}

static REGISTRY: LazyLock<Mutex<Registry>> = LazyLock::new(|| Mutex::new(Registry::default()));

fn encode(kind: Kind, slot: usize, generation: u32) -> usize {
    let v = ((generation as u64 & generation_mask()) << 32) | ((slot as u64) << 8) | (MAGIC << 4) | kind as u64;
    v as usize
}

struct Decoded {
    kind: Option<Kind>,
    slot: usize,
    generation: u64,
}

fn decode(h: usize) -> Option<Decoded> {
    let v = h as u64;
    if (v >> 4) & 0xF != MAGIC {
        return None;
    }
    Some(Decoded {
        kind: Kind::from_tag(v & 0xF),
        slot: ((v >> 8) & ((1 << SLOT_BITS) - 1)) as usize,
        generation: v >> 32,
    })
}

fn invalid(kind: Kind) -> FfiError {
    FfiError::new(
        copilot_result::InvalidHandle,
        format!("invalid {} handle: it was freed, or was never returned by this library", kind.c_name()),
    )
}

fn check<H: Handle>(p: usize, reg: &Registry) -> FfiResult<usize> {
    if p == 0 {
        return Err(FfiError::new(copilot_result::NullParameter, format!("the {} handle is NULL", H::KIND.c_name())));
    }
    let d = decode(p).ok_or_else(|| invalid(H::KIND))?;
    let slot = reg.slots.get(d.slot).ok_or_else(|| invalid(H::KIND))?;
    let live = slot.object.as_ref().filter(|_| slot.generation as u64 & generation_mask() == d.generation);
    let Some(obj) = live else { return Err(invalid(H::KIND)) };
    if d.kind != Some(H::KIND) || obj.kind() != H::KIND {
        return Err(FfiError::new(
            copilot_result::WrongHandleType,
            format!("a {} handle was passed where a {} is expected", obj.kind().c_name(), H::KIND.c_name()),
        ));
    }
    Ok(d.slot)
}

/// Registers an object and returns its new handle.
pub(crate) fn issue<H: Handle>(obj: Arc<H::Obj>) -> FfiResult<*mut H> {
    let mut reg = REGISTRY.lock();
    let slot = match reg.free.pop() {
        Some(s) => s,
        None => {
            if reg.slots.len() >= MAX_SLOTS {
                return Err(FfiError::new(copilot_result::Internal, "too many live handles"));
            }
            reg.slots.push(Slot { generation: 1, object: None });
            reg.slots.len() - 1
        }
    };
    let s = &mut reg.slots[slot];
    s.object = Some(H::wrap(obj));
    Ok(encode(H::KIND, slot, s.generation) as *mut H)
}

/// The object behind a live handle of type `H`.
pub(crate) fn lookup<H: Handle>(p: *const H) -> FfiResult<Arc<H::Obj>> {
    let reg = REGISTRY.lock();
    let slot = check::<H>(p as usize, &reg)?;
    let obj = reg.slots[slot].object.clone().and_then(H::unwrap);
    obj.ok_or_else(|| invalid(H::KIND))
}

/// Invalidates a handle and returns its object (the caller drops or shuts it down).
pub(crate) fn release<H: Handle>(p: *const H) -> FfiResult<Arc<H::Obj>> {
    let mut reg = REGISTRY.lock();
    let slot = check::<H>(p as usize, &reg)?;
    let s = &mut reg.slots[slot];
    let obj = s.object.take();
    // Skip 0 so that a generation of zero never matches on 32-bit-masked comparisons.
    s.generation = s.generation.wrapping_add(1).max(1);
    reg.free.push(slot);
    drop(reg);
    obj.and_then(H::unwrap).ok_or_else(|| invalid(H::KIND))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::callbacks::{copilot_handlers, HandlersObj};
    use crate::client::copilot_client;

    #[test]
    fn stale_foreign_and_mistyped_handles_are_rejected() {
        let h = issue::<copilot_handlers>(Arc::new(HandlersObj::default())).expect("issue");
        assert!(lookup(h as *const copilot_handlers).is_ok());
        let as_client = h as *const copilot_client;
        assert_eq!(lookup(as_client).err().map(|e| e.code), Some(copilot_result::WrongHandleType));
        release(h as *const copilot_handlers).expect("release");
        assert_eq!(lookup(h as *const copilot_handlers).err().map(|e| e.code), Some(copilot_result::InvalidHandle));
        assert_eq!(release(h as *const copilot_handlers).err().map(|e| e.code), Some(copilot_result::InvalidHandle));
        // The slot is reused with a new generation; the stale handle stays invalid.
        let h2 = issue::<copilot_handlers>(Arc::new(HandlersObj::default())).expect("issue");
        assert_ne!(h, h2);
        assert!(lookup(h as *const copilot_handlers).is_err());
        let local = 5u64;
        let foreign = &local as *const u64 as *const copilot_handlers;
        assert_eq!(lookup(foreign).err().map(|e| e.code), Some(copilot_result::InvalidHandle));
        assert_eq!(
            lookup(std::ptr::null::<copilot_handlers>()).err().map(|e| e.code),
            Some(copilot_result::NullParameter)
        );
        release(h2 as *const copilot_handlers).expect("release");
    }
}
