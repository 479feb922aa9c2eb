//! Small pieces every stage uses: time (clock, deadlines, durations), files (atomic writes,
//! locks, owners and modes) and where Dockpass keeps things. They import nothing else of
//! Dockpass.

pub mod clock;
pub mod deadline;
pub mod duration;
pub mod fsutil;
pub mod lock;
pub mod os;
pub mod paths;
#[cfg(unix)]
pub mod private_socket;
