//! `uniffi-bindgen`: generates the Kotlin and Swift sources from the built cdylib
//! (`uniffi-bindgen generate --library <lib> --language kotlin|swift --config uniffi.toml`).

fn main() {
    uniffi::uniffi_bindgen_main()
}
