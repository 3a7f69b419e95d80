//! How much memory this process may still take, as the system says.
//!
//! Read on Linux from `/proc` and `/sys/fs/cgroup`, without calling into
//! the C library; elsewhere nothing is known and nothing is refused.

use std::fmt;
use std::path::{Path, PathBuf};

/// What bounds the memory a computation may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MemoryBound {
    /// The memory limit given in the options.
    Limit(u64),
    /// The address-space limit (`ulimit -v`, `RLIMIT_AS`) less what this
    /// process has mapped already.
    AddressSpace(u64),
    /// The control group's memory limit less its usage.
    ControlGroup(u64),
    /// The system's available memory (`MemAvailable`) and free swap.
    System(u64),
    /// An allocation failed during the computation.
    AllocationFailed,
}

impl MemoryBound {
    /// The bytes of the bound; `None` for a failed allocation.
    pub fn bytes(self) -> Option<u64> {
        match self {
            MemoryBound::Limit(b)
            | MemoryBound::AddressSpace(b)
            | MemoryBound::ControlGroup(b)
            | MemoryBound::System(b) => Some(b),
            MemoryBound::AllocationFailed => None,
        }
    }
}

impl fmt::Display for MemoryBound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            MemoryBound::Limit(b) => write!(f, "the memory limit of {}", Bytes(b)),
            MemoryBound::AddressSpace(b) => write!(
                f,
                "the {} this process may still map under its address-space limit (ulimit -v)",
                Bytes(b)
            ),
            MemoryBound::ControlGroup(b) => write!(
                f,
                "the {} left under its control group's memory limit",
                Bytes(b)
            ),
            MemoryBound::System(b) => write!(
                f,
                "the {} of memory and swap the system has available",
                Bytes(b)
            ),
            MemoryBound::AllocationFailed => f.write_str("what an allocation could get"),
        }
    }
}

/// The tightest bound the system puts on further memory of this process,
/// if any is known.
pub(crate) fn available() -> Option<MemoryBound> {
    [address_space(), control_group(), system()]
        .into_iter()
        .flatten()
        .min_by_key(|bound| bound.bytes())
}

fn address_space() -> Option<MemoryBound> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max address space"))?;
    let soft: u64 = line
        .trim_start_matches("Max address space")
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    let mapped = kib_field(
        &std::fs::read_to_string("/proc/self/status").ok()?,
        "VmSize:",
    )?;
    Some(MemoryBound::AddressSpace(soft.saturating_sub(mapped)))
}

fn system() -> Option<MemoryBound> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let available = kib_field(&info, "MemAvailable:")?;
    Some(MemoryBound::System(
        available + kib_field(&info, "SwapFree:").unwrap_or(0),
    ))
}

/// The value of a `Name:   123 kB` line, in bytes.
fn kib_field(text: &str, name: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(name))?;
    let kib: u64 = line[name.len()..].split_whitespace().next()?.parse().ok()?;
    Some(kib * 1024)
}

/// The least room under the memory limits of this process's control group
/// and its ancestors (cgroup v2, or v1's memory controller).
fn control_group() -> Option<MemoryBound> {
    let membership = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let (root, path, files) = membership.lines().find_map(|line| {
        let mut fields = line.splitn(3, ':');
        let (id, controllers, path) = (fields.next()?, fields.next()?, fields.next()?);
        if id == "0" && controllers.is_empty() {
            Some(("/sys/fs/cgroup", path, ("memory.max", "memory.current")))
        } else if controllers.split(',').any(|c| c == "memory") {
            Some((
                "/sys/fs/cgroup/memory",
                path,
                ("memory.limit_in_bytes", "memory.usage_in_bytes"),
            ))
        } else {
            None
        }
    })?;
    let mut dir = PathBuf::from(root).join(path.trim_start_matches('/'));
    if !dir.exists() {
        // A cgroup namespace: this process sees its own group as the root.
        dir = PathBuf::from(root);
    }
    let mut room: Option<u64> = None;
    for group in dir.ancestors().take_while(|d| d.starts_with(root)) {
        if let Some(left) = room_in(group, files) {
            room = Some(room.map_or(left, |r| r.min(left)));
        }
    }
    room.map(MemoryBound::ControlGroup)
}

fn room_in(group: &Path, (limit, usage): (&str, &str)) -> Option<u64> {
    let read = |name: &str| -> Option<u64> {
        std::fs::read_to_string(group.join(name))
            .ok()?
            .trim()
            .parse()
            .ok()
    };
    // "max" (v2) does not parse; v1 writes "no limit" as a value near 2^63.
    let limit = read(limit).filter(|&l| l < 1 << 62)?;
    Some(limit.saturating_sub(read(usage)?))
}

/// A size in bytes, written with a binary unit: "512 B", "1.5 GiB".
pub(crate) struct Bytes(pub(crate) u64);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
        let mut value = self.0 as f64;
        let mut unit = 0;
        while value >= 1024.0 && unit + 1 < UNITS.len() {
            value /= 1024.0;
            unit += 1;
        }
        if unit == 0 {
            write!(f, "{} B", self.0)
        } else {
            write!(f, "{value:.1} {} ({} bytes)", UNITS[unit], self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_kib_fields() {
        let text = "MemTotal:  100 kB\nMemAvailable:   2048 kB\n";
        assert_eq!(kib_field(text, "MemAvailable:"), Some(2 << 20));
        assert_eq!(kib_field(text, "SwapFree:"), None);
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn the_system_bounds_this_process() {
        let bound = available().and_then(MemoryBound::bytes);
        assert!(bound.is_some_and(|b| b > 0), "{bound:?}");
    }
}
