//! `claimrules serve`: the arguments, turned into the server's configuration
//! (`claimrules::serve`, docs/serve.md).

use std::sync::Arc;
use std::time::Duration;

use claimrules::serve::{self, Config, ServeError};
use claimrules::store::Access;

use super::history::open_store;
use super::output::fail;
use super::{ServeArgs, EXIT_FAILURE, EXIT_PASS};

pub fn run(args: ServeArgs) -> u8 {
    let admin_token = match &args.admin_token_file {
        Some(path) => match std::fs::read(path) {
            Ok(bytes) => {
                let token = bytes.trim_ascii().to_vec();
                if token.is_empty() {
                    fail(format!(
                        "the admin token file `{}` is empty",
                        path.display()
                    ));
                    return EXIT_FAILURE;
                }
                Some(token)
            }
            Err(e) => {
                fail(format!(
                    "cannot read the admin token file `{}`: {e}",
                    path.display()
                ));
                return EXIT_FAILURE;
            }
        },
        None => None,
    };
    let history = match &args.history {
        Some(location) => {
            let access = if args.record {
                Access::ReadWrite
            } else {
                Access::Existing
            };
            match open_store(location, access) {
                Some(store) => Some(store),
                None => return EXIT_FAILURE,
            }
        }
        None => None,
    };
    // The packs load as `check` loads them, from the same arguments, at start and at each
    // reload.
    let packs = args.packs.clone();
    let config = Config {
        listen: args.listen,
        sources: Arc::new(move || packs.builder()),
        history,
        record: args.record,
        admin_token,
        max_body_bytes: args.max_body_bytes,
        request_timeout: Duration::from_secs(args.request_timeout_secs),
        threads: args
            .threads
            .map_or_else(super::check::default_threads, usize::from),
    };
    match serve::run(config) {
        Ok(()) => EXIT_PASS,
        // The diagnostics are on stderr already.
        Err(ServeError::Load) => EXIT_FAILURE,
        Err(e) => {
            fail(e);
            EXIT_FAILURE
        }
    }
}
