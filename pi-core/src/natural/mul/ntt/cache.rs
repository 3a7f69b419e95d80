//! What transforms share: twiddle tables, radix-3 constants and buffers,
//! per computation or process-wide.

use std::any::TypeId;
use std::sync::{Arc, Mutex, MutexGuard};

use super::field::Field;
use super::radix3::Radix3;
use super::tables::{Twiddles, MAX_TWIDDLE_TABLE};
use super::transform::ITERATIVE_MAX;
use crate::natural::fallible;

/// What the transforms of one computation share: each prime's twiddle
/// table and radix-3 constants, the longest so far of each (they serve
/// every shorter transform), and long buffers for reuse.
pub(crate) struct Cache {
    twiddles: Tables<Twiddles>,
    radix3: Tables<Radix3>,
    /// Held while a kept table is built (see [`longest`]).
    building: Mutex<()>,
    buffers: Mutex<Vec<Vec<u64>>>,
    /// The most values the kept buffers hold together.
    pool_values: usize,
    /// The longest twiddle table kept: longer transforms generate the
    /// twiddles of their longer levels as they go (see `tables.rs`).
    longest_table: usize,
    /// The longest transform whose radix-3 constants are kept.
    longest_radix3: usize,
}

impl Default for Cache {
    /// A computation's cache.
    fn default() -> Self {
        Cache::keeping(POOL_VALUES)
    }
}

/// The share of a computation's memory budget that each of the kept
/// buffers, the twiddle tables and the radix-3 constants take at most
/// (see [`Cache::within`]).
const BUDGET_SHARE: u64 = 16;

/// Transform buffers of at least this many values are kept for reuse:
/// fresh memory costs a page fault and a clear per 4 KiB page, a fifth of
/// the time at 10^9 digits (and a tenth of a 2^13-limb product, whose
/// buffers the allocator returns to the system); a short buffer the
/// allocator keeps is still cleared when allocated, 3-9% of a product of
/// 2^7-2^10 limbs (measured on Zen 4, all three vector families).
pub(super) const POOLED_MIN: usize = 1 << 8;
/// The most buffers kept (the smallest go first): both threads run
/// products of several lengths.
pub(super) const POOL_SIZE: usize = 16;
/// The most values the kept buffers hold together (512 MiB): at 10^9
/// digits four buffers would hold 4 GiB.
pub(super) const POOL_VALUES: usize = 1 << 26;

/// Radix-3 constants are kept up to this length (four tables of two
/// thirds of it).
pub(super) const MAX_CACHED_RADIX3: usize = 3 << 18;

/// Tables of one kind, each prime's longest.
type Tables<T> = Mutex<Vec<(Key, Arc<T>)>>;

/// What a table is for: a field (they represent values differently) and
/// its prime.
type Key = (TypeId, u64);

/// The key of `f`'s tables.
fn key<F: Field>(f: F) -> Key {
    (TypeId::of::<F>(), f.modulus())
}

/// The guarded value; a panic elsewhere leaves these caches consistent.
pub(super) fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Cache {
    /// The cache of the process-wide context: its tables grow with the
    /// longest transform (to at most 32 MiB per prime, from transforms of
    /// 2^20 values) and it keeps [`SHARED_POOL_VALUES`] of buffers.
    pub(crate) fn shared() -> Cache {
        Cache::keeping(SHARED_POOL_VALUES)
    }

    /// A cache whose kept buffers hold at most `pool_values` values.
    pub(super) fn keeping(pool_values: usize) -> Cache {
        Cache {
            twiddles: Mutex::default(),
            radix3: Mutex::default(),
            building: Mutex::default(),
            buffers: Mutex::default(),
            pool_values,
            longest_table: MAX_TWIDDLE_TABLE,
            longest_radix3: MAX_CACHED_RADIX3,
        }
    }

    /// The cache of a computation held to a memory budget of `bytes`: its
    /// kept buffers, and the twiddle tables and radix-3 constants of four
    /// primes, each take at most a [`BUDGET_SHARE`] of it.
    pub(crate) fn within(bytes: u64) -> Cache {
        let share = usize::try_from(bytes / BUDGET_SHARE).unwrap_or(usize::MAX);
        // Four primes' forward and inverse twiddles: 64 bytes per value of
        // the longest table; their radix-3 constants: four tables of two
        // thirds of the length each, 86 bytes per value.
        let table = (share / 64).max(ITERATIVE_MAX);
        Cache {
            longest_table: (1 << table.ilog2()).min(MAX_TWIDDLE_TABLE),
            longest_radix3: (share / 86).min(MAX_CACHED_RADIX3),
            ..Cache::keeping((share / 8).min(POOL_VALUES))
        }
    }

    /// The most memory that a cache [`Cache::within`] `bytes` holds.
    pub(crate) fn most_within(bytes: u64) -> u64 {
        3 * (bytes / BUDGET_SHARE) + 64 * ITERATIVE_MAX as u64
    }

    /// The longest twiddle table this cache keeps, a power of two of at
    /// least [`ITERATIVE_MAX`].
    pub(super) fn longest_table(&self) -> usize {
        self.longest_table
    }

    /// A kept vector of `n` values (stale ones: the caller overwrites
    /// them), if any is kept: the shortest that holds them, but none if
    /// that one is more than four times as long (it stays for the
    /// transforms it fits: taken by a short one, it would leave a
    /// concurrent long one to fresh memory); if none holds them, the
    /// longest, grown (only its new pages are fresh memory).
    pub(super) fn buffer(&self, n: usize) -> Option<Vec<u64>> {
        if n < POOLED_MIN {
            return None;
        }
        let mut pool = locked(&self.buffers);
        let holding = (0..pool.len()).filter(|&i| pool[i].capacity() >= n);
        let best = match holding.min_by_key(|&i| pool[i].capacity()) {
            Some(i) if pool[i].capacity() > 4 * n => None,
            Some(i) => Some(i),
            None => (0..pool.len()).max_by_key(|&i| pool[i].capacity()),
        }?;
        let mut v = pool.swap_remove(best);
        drop(pool);
        // Only values past the old length are written.
        fallible::resize(&mut v, n, 0);
        Some(v)
    }

    /// `len` values to be overwritten in a kept vector of at most twice
    /// that capacity, if one is kept: a product's limbs, which leave the
    /// cache with it (fresh memory costs more than kept memory).
    pub(super) fn output(&self, len: usize) -> Option<Vec<u64>> {
        let v = self.buffer(len)?;
        if v.capacity() > 2 * len {
            self.recycle(v);
            return None;
        }
        Some(v)
    }

    /// Keeps `v` for [`Cache::buffer`] if it is long.
    pub(crate) fn recycle(&self, v: Vec<u64>) {
        if !(POOLED_MIN..=self.pool_values).contains(&v.capacity()) {
            return;
        }
        let mut pool = locked(&self.buffers);
        pool.push(v);
        while pool.len() > POOL_SIZE
            || pool.iter().map(Vec::capacity).sum::<usize>() > self.pool_values
        {
            let smallest = (0..pool.len()).min_by_key(|&i| pool[i].capacity());
            if let Some(i) = smallest {
                pool.swap_remove(i);
            }
        }
    }

    /// Frees the buffers kept for reuse.
    pub(crate) fn release_buffers(&self) {
        locked(&self.buffers).clear();
    }

    /// Twiddles for transforms of length `n` modulo `f`'s prime.
    pub(super) fn twiddles<F: Field>(&self, f: F, generator: u64, n: usize) -> Arc<Twiddles> {
        let tables = (&self.twiddles, &self.building);
        longest(tables, key(f), n, Twiddles::len, true, || {
            Twiddles::new(f, generator, n)
        })
    }

    /// Radix-3 constants for transforms of length `n` modulo `f`'s prime.
    pub(super) fn radix3<F: Field>(&self, f: F, generator: u64, n: usize) -> Arc<Radix3> {
        let cached = n <= self.longest_radix3;
        let tables = (&self.radix3, &self.building);
        longest(tables, key(f), n, Radix3::len, cached, || {
            Radix3::new(f, generator, n, cached)
        })
    }
}

/// The most values the process-wide cache's kept buffers hold together
/// (1 GiB, as FLINT's default context keeps the buffers of its largest
/// product): products outside a computation up to about 2^22 limbs then
/// reuse their buffers instead of clearing fresh pages each time.
pub(super) const SHARED_POOL_VALUES: usize = 1 << 27;

/// The table of `key` in `tables` that serves length `n` (one of length
/// `len` at least `n`), else a new one from `build`, kept in place of the
/// key's shorter one if `keep`. Kept tables are built one at a time under
/// `building`, so that threads that want the same one at once build it
/// once. `build` must not run parallel work: while waiting for it, the
/// thread holding `building` could take a task that asks for it again.
fn longest<T>(
    (tables, building): (&Tables<T>, &Mutex<()>),
    key: Key,
    n: usize,
    len: impl Fn(&T) -> usize,
    keep: bool,
    build: impl FnOnce() -> T,
) -> Arc<T> {
    let found = || {
        let tables = locked(tables);
        let table = tables.iter().find(|(k, t)| *k == key && len(t) >= n);
        table.map(|(_, t)| Arc::clone(t))
    };
    if let Some(t) = found() {
        return t;
    }
    if !keep {
        return Arc::new(build());
    }
    let _building = locked(building);
    if let Some(t) = found() {
        return t;
    }
    let t = Arc::new(build());
    let mut tables = locked(tables);
    // Under `building`, the key's table, if any, is still a shorter one.
    tables.retain(|(k, _)| *k != key);
    tables.push((key, Arc::clone(&t)));
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Within a budget, the kept buffers and each kind of table take at
    /// most a sixteenth of it (the twiddles at least those of the
    /// transforms done in cache), never more than without one.
    #[test]
    fn a_cache_within_a_budget_keeps_to_its_shares() {
        for bytes in [0, 1 << 20, 100 << 20, 600 << 20, 5 << 30, u64::MAX] {
            let cache = Cache::within(bytes);
            let share = usize::try_from(bytes / BUDGET_SHARE).unwrap_or(usize::MAX);
            let table = cache.longest_table();
            assert!(table.is_power_of_two(), "{bytes}");
            assert!(
                (ITERATIVE_MAX..=MAX_TWIDDLE_TABLE).contains(&table),
                "{bytes}"
            );
            assert!(table == ITERATIVE_MAX || 64 * table <= share, "{bytes}");
            assert!(86 * cache.longest_radix3 <= share, "{bytes}");
            assert!(cache.longest_radix3 <= MAX_CACHED_RADIX3, "{bytes}");
            assert!(8 * cache.pool_values <= share && cache.pool_values <= POOL_VALUES);
            let most = (64 * table + 86 * cache.longest_radix3 + 8 * cache.pool_values) as u64;
            assert!(most <= Cache::most_within(bytes), "{bytes}");
        }
        let big = Cache::within(u64::MAX);
        assert_eq!(big.longest_table(), MAX_TWIDDLE_TABLE);
        assert_eq!(big.longest_radix3, MAX_CACHED_RADIX3);
    }
}
