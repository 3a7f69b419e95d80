//! The `pi` command as a user runs it.

use std::process::{Command, Output};

fn pi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pi"))
        .args(args)
        .output()
        .expect("run pi")
}

fn stdout(output: &Output) -> &str {
    std::str::from_utf8(&output.stdout).expect("UTF-8 output")
}

#[test]
fn prints_digits_and_a_newline() {
    for (args, base, n) in [
        (&["0"][..], pi_core::Base::Decimal, 0),
        (&["1000"][..], pi_core::Base::Decimal, 1000),
        (&["--hex", "1000"][..], pi_core::Base::Hexadecimal, 1000),
        (&["2500", "--hex"][..], pi_core::Base::Hexadecimal, 2500),
        (&["3000", "-t", "1"][..], pi_core::Base::Decimal, 3000),
        (
            &["3000", "--threads", "3", "--hex"][..],
            pi_core::Base::Hexadecimal,
            3000,
        ),
    ] {
        let output = pi(args);
        assert!(output.status.success(), "{args:?}");
        let expected = pi_core::digits(n, base).expect("digits") + "\n";
        assert_eq!(stdout(&output), expected, "{args:?}");
    }
}

/// The sha256 of "3." and the first `n` decimal digits, from the
/// checkpoints.
fn decimal_checkpoint(n: u64) -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/data/pi-checkpoints.tsv"
    );
    let table = std::fs::read_to_string(path).expect("read the checkpoints");
    let prefix = format!("decimal\t{n}\t");
    table
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|rest| rest.split('\t').next())
        .expect("a decimal checkpoint")
        .to_string()
}

/// The sha256 of `text`, in hexadecimal.
fn sha256(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn a_million_digits_match_the_checkpoint() {
    let output = pi(&["1000000"]);
    assert!(output.status.success());
    let text = stdout(&output).strip_suffix('\n').expect("a final newline");
    assert_eq!(sha256(text), decimal_checkpoint(1_000_000));
}

#[test]
fn usage_errors_exit_2_with_a_message() {
    for args in [
        &[][..],
        &["abc"][..],
        &["-5"][..],
        &["1e3"][..],
        &["3.5"][..],
        &["99999999999999999999999"][..],
        &["1000000000001"][..],
        &["10", "--base", "7"][..],
        &["10", "20"][..],
        &["10", "--threads", "100000"][..],
        &["10", "-t", "-1"][..],
        &["10", "--memory-limit", "lots"][..],
        &["10", "--memory-limit", "99999999999999999999999"][..],
        &["10", "--progress", "--quiet"][..],
        &["10", "--output"][..],
    ] {
        let output = pi(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
        let message = String::from_utf8_lossy(&output.stderr);
        assert!(message.starts_with("error:"), "{args:?}: {message}");
    }
}

#[test]
fn the_version_and_stats_name_the_kernels() {
    let family = pi_core::kernel_family().name();
    let version = pi(&["--version"]);
    assert!(version.status.success());
    assert!(
        stdout(&version).contains(&format!("(kernels: {family})")),
        "{}",
        stdout(&version)
    );
    let stats = pi(&["1000", "--stats", "--quiet"]);
    let report = String::from_utf8_lossy(&stats.stderr);
    assert!(
        report.contains("kernels") && report.contains(family),
        "{report}"
    );
    let forced = sh("PI_SIMD=portable $PI --version");
    assert!(
        stdout(&forced).contains("(kernels: portable)"),
        "{}",
        stdout(&forced)
    );
    let forced = sh("PI_SIMD=portable $PI 1000");
    assert_eq!(stdout(&forced), stdout(&pi(&["1000"])), "same digits");
}

#[test]
fn help_explains() {
    let output = pi(&["--help"]);
    assert!(output.status.success());
    let help = stdout(&output);
    assert!(
        help.contains("digits of pi") && help.contains("--hex"),
        "{help}"
    );
}

#[test]
fn output_writes_the_file_atomically() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("pi.txt");
    let path_text = path.to_str().expect("a UTF-8 path");
    let output = pi(&["2000", "-o", path_text]);
    assert!(output.status.success());
    assert!(output.stdout.is_empty());
    let written = std::fs::read_to_string(&path).expect("the output file");
    assert_eq!(written, stdout(&pi(&["2000"])));
    let entries = std::fs::read_dir(dir.path()).expect("list").count();
    assert_eq!(entries, 1, "no temporary file left behind");
    let output = pi(&["10", "-o", "/nonexistent-dir/pi.txt"]);
    assert_eq!(output.status.code(), Some(1));
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(
        message.contains("cannot write the digits to /nonexistent-dir/pi.txt: No such file")
            && !message.contains(".pi-digits"),
        "{message}"
    );
}

/// Runs `script` with `sh -c`, `$PI` being the pi command.
fn sh(script: &str) -> Output {
    Command::new("sh")
        .args(["-c", script])
        .env("PI", env!("CARGO_BIN_EXE_pi"))
        .output()
        .expect("run sh")
}

#[test]
fn output_onto_special_files_writes_them_as_the_shell_would() {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let dir = tempfile::tempdir().expect("a temporary directory");
    let at = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let expected = stdout(&pi(&["100"])).to_string();
    // A character device: /dev/null itself, and a node of it where root may make one.
    assert!(pi(&["100", "-o", "/dev/null"]).status.success());
    let null = std::fs::metadata("/dev/null").expect("/dev/null");
    assert!(null.file_type().is_char_device());
    let node = at("null");
    if sh(&format!("mknod {node} c 1 3")).status.success() {
        assert!(pi(&["100", "-o", &node]).status.success());
        let meta = std::fs::metadata(&node).expect("the node");
        assert!(meta.file_type().is_char_device(), "the device was replaced");
    } else {
        eprintln!("skipped: mknod needs root; /dev/null was checked instead");
    }
    // A FIFO: its reader gets the digits, and it stays a FIFO.
    let fifo = at("fifo");
    let read = sh(&format!(
        "mkfifo {fifo} && (cat {fifo} & $PI 100 -o {fifo}; wait)"
    ));
    assert!(read.status.success());
    assert_eq!(stdout(&read), expected);
    let meta = std::fs::metadata(&fifo).expect("the FIFO");
    assert!(meta.file_type().is_fifo(), "the FIFO was replaced");
    // A symbolic link: followed, its target written, the link kept.
    let (link, target) = (at("link"), at("target.txt"));
    std::fs::write(&target, "old").expect("the target");
    std::os::unix::fs::symlink(&target, &link).expect("a link");
    assert!(pi(&["100", "-o", &link]).status.success());
    let link_meta = std::fs::symlink_metadata(&link).expect("the link");
    assert!(link_meta.file_type().is_symlink(), "the link was replaced");
    assert_eq!(
        std::fs::read_to_string(&target).ok(),
        Some(expected.clone())
    );
    // An existing file keeps its mode; a new one gets 0666 less the umask.
    let kept = at("kept.txt");
    std::fs::write(&kept, "old").expect("a file");
    std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    assert!(pi(&["100", "-o", &kept]).status.success());
    let mode = |path: &str| std::fs::metadata(path).map(|m| m.permissions().mode() & 0o777);
    assert_eq!(mode(&kept).ok(), Some(0o644));
    assert_eq!(std::fs::read_to_string(&kept).ok(), Some(expected.clone()));
    let new = at("new.txt");
    assert!(sh(&format!("umask 027 && $PI 100 -o {new}"))
        .status
        .success());
    assert_eq!(mode(&new).ok(), Some(0o640));
    // /dev/stdout is standard output, here a pipe.
    let piped = pi(&["100", "-o", "/dev/stdout"]);
    assert!(piped.status.success());
    assert_eq!(stdout(&piped), expected);
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".pi-digits"))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

#[test]
fn address_space_limits_give_the_out_of_memory_error() {
    // From too small to enough for 10^7 digits (estimate about 341 MiB).
    let (mut computed, mut refused) = (0, 0);
    for mib in (48..=720).step_by(96) {
        let output = sh(&format!(
            "ulimit -v {} && exec $PI 10000000 -q -o /dev/null",
            mib * 1024
        ));
        let message = String::from_utf8_lossy(&output.stderr);
        match output.status.code() {
            Some(0) => computed += 1,
            Some(1) if message.contains("out of memory") => refused += 1,
            other => panic!("{mib} MiB: exit {other:?} (a signal if None): {message}"),
        }
    }
    assert!(
        computed > 0 && refused > 0,
        "{computed} computed, {refused} refused"
    );
}

#[test]
fn stats_and_progress_go_to_stderr() {
    let output = pi(&["200000", "--stats", "--progress"]);
    assert!(output.status.success());
    assert_eq!(stdout(&output), stdout(&pi(&["200000"])));
    let report = String::from_utf8_lossy(&output.stderr);
    for word in [
        "series",
        "square root",
        "division",
        "conversion",
        "total",
        "peak memory",
        "resident memory sampled: up to",
        "%",
    ] {
        assert!(report.contains(word), "{word} missing from: {report}");
    }
    // The peak stays below the estimate that memory limits are checked against.
    let mib = |label: &str| -> f64 {
        let line = report.lines().find(|l| l.trim_start().starts_with(label));
        let value = line.and_then(|l| l.split_whitespace().rev().nth(1));
        value.and_then(|v| v.parse().ok()).unwrap_or(f64::NAN)
    };
    let (peak, estimate) = (mib("peak memory"), mib("estimate"));
    assert!(
        peak <= estimate,
        "peak {peak} MiB above the estimate {estimate} MiB"
    );
    assert!(
        report.contains("100% conversion"),
        "the bar ends full: {report}"
    );
    let quiet = pi(&["2000", "--quiet"]);
    assert!(quiet.status.success() && quiet.stderr.is_empty());
}

#[test]
fn the_memory_limit_refuses_with_exit_1() {
    let output = pi(&["100000000", "--memory-limit", "100MB"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(
        message.contains("out of memory") && message.contains("limit"),
        "{message}"
    );
    assert!(pi(&["1000", "--memory-limit", "1GiB"]).status.success());
    assert_eq!(pi(&["0", "--memory-limit", "1"]).status.code(), Some(1));
    let most = pi(&["1", "--memory-limit", "18446744073709551615"]);
    assert_eq!(stdout(&most), "3.1\n");
}

#[test]
fn with_scratch_the_memory_limit_is_a_budget() {
    let in_memory = pi_core::estimate_memory(1_000_000, &pi_core::Options::new());
    let limit = (in_memory - (1 << 20)).to_string();
    let refused = pi(&["1000000", "-q", "--memory-limit", &limit]);
    assert_eq!(refused.status.code(), Some(1));
    let dir = tempfile::tempdir().expect("a scratch directory");
    let scratch = dir.path().to_str().expect("a UTF-8 path");
    let args = ["1000000", "-q", "--stats", "--memory-limit", &limit];
    let kept = pi(&[&args[..], &["--scratch", scratch]].concat());
    assert!(kept.status.success(), "{kept:?}");
    let expected = pi_core::digits(1_000_000, pi_core::Base::Decimal).expect("digits");
    assert_eq!(stdout(&kept), expected + "\n");
    // --stats counts the residues read back from the scratch directory.
    let report = String::from_utf8_lossy(&kept.stderr);
    assert!(report.contains("scratch read"), "{report}");
}

/// The smallest memory budget that a computation of `n` digits written
/// to a file with a scratch directory accepts.
fn smallest_budget(n: u64, scratch: &std::path::Path) -> u64 {
    let accepts = |budget: u64| {
        let options = pi_core::Options::new()
            .scratch_dir(Some(scratch.to_path_buf()))
            .memory_limit(Some(budget));
        pi_core::estimate_memory_to_file(n, &options) <= budget
    };
    let (mut low, mut high) = (1u64, 1 << 40);
    while low < high {
        let middle = low + (high - low) / 2;
        if accepts(middle) {
            high = middle;
        } else {
            low = middle + 1;
        }
    }
    low
}

/// The smallest budget accepted for 10^6 and 10^7 digits is kept: the
/// largest products spill to the scratch directory, the digits match the
/// checkpoints and the peak memory stays below the budget.
#[test]
fn the_smallest_budget_accepted_is_kept() {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let (scratch, file) = (dir.path().join("scratch"), dir.path().join("pi.txt"));
    for n in [1_000_000, 10_000_000] {
        let budget = smallest_budget(n, &scratch);
        let below = (budget - 1).to_string();
        let budget = budget.to_string();
        let digits = n.to_string();
        let args = |limit| {
            let mut args = vec![digits.as_str(), "-q", "--stats", "--memory-limit", limit];
            args.extend(["--scratch", scratch.to_str().expect("a UTF-8 path")]);
            args.extend(["-o", file.to_str().expect("a UTF-8 path")]);
            args
        };
        assert_eq!(pi(&args(&below)).status.code(), Some(1), "{n}");
        let kept = pi(&args(&budget));
        assert!(kept.status.success(), "{n}: {kept:?}");
        let text = std::fs::read_to_string(&file).expect("the digits");
        let text = text.strip_suffix('\n').expect("a final newline");
        assert_eq!(sha256(text), decimal_checkpoint(n), "{n}");
        let report = String::from_utf8_lossy(&kept.stderr);
        let peak: f64 = report
            .lines()
            .find_map(|l| l.trim().strip_prefix("peak memory"))
            .and_then(|l| l.trim().strip_suffix("MiB"))
            .and_then(|l| l.trim().parse().ok())
            .expect("the peak memory");
        let budget: f64 = budget.parse().expect("a number");
        assert!(peak * 1048576.0 <= budget, "{n}: {report}");
        assert!(report.contains("scratch read"), "{n}: {report}");
    }
}

/// Starts `pi args`, sends it `signal` (`INT`, `TERM`) after `delay_ms`,
/// and returns its exit status and how long it took to stop.
fn interrupted(
    args: &[&str],
    signal: &str,
    delay_ms: u64,
) -> (std::process::ExitStatus, std::time::Duration) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pi"))
        .args(args)
        .spawn()
        .expect("start pi");
    std::thread::sleep(std::time::Duration::from_millis(delay_ms));
    let sent = std::time::Instant::now();
    let kill = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(kill.success());
    let status = child.wait().expect("wait for pi");
    eprintln!("pi {args:?} stopped {:?} after SIG{signal}", sent.elapsed());
    (status, sent.elapsed())
}

/// Ctrl-C, and `kill`'s SIGTERM, stop a computation cleanly.
#[test]
fn ctrl_c_and_sigterm_stop_with_130_and_no_file() {
    for signal in ["INT", "TERM"] {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("pi.txt");
        let path = path.to_str().expect("a UTF-8 path");
        let (status, _) = interrupted(&["50000000", "-q", "-o", path], signal, 700);
        assert_eq!(status.code(), Some(130), "SIG{signal}");
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("list").count(),
            0,
            "no file left after SIG{signal}"
        );
    }
}

#[test]
fn a_killed_run_resumes_from_its_checkpoints() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let scratch = dir.path().join("scratch");
    let scratch = scratch.to_str().expect("a UTF-8 path");
    let out = dir.path().join("pi.txt");
    let out = out.to_str().expect("a UTF-8 path");
    let args = ["10000000", "-q", "-t", "2", "-o", out, "--scratch", scratch];
    // SIGKILL partway: no chance to clean up.
    let mut child = Command::new(env!("CARGO_BIN_EXE_pi"))
        .args(args)
        .spawn()
        .expect("start pi");
    // As soon as it has kept a checkpoint.
    let kept = || {
        std::fs::read_dir(scratch).map_or(0, |entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| e.file_name().to_string_lossy().ends_with(".ckpt"))
                .count()
        })
    };
    while kept() == 0 && child.try_wait().expect("poll pi").is_none() {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().expect("SIGKILL");
    let status = child.wait().expect("wait for pi");
    assert!(!status.success(), "killed before the end");
    assert!(kept() > 0, "checkpoints kept");
    let resumed = pi(&[&args[..], &["--resume", "--stats"]].concat());
    assert!(resumed.status.success(), "{resumed:?}");
    // --stats counts the checkpoints read back.
    let report = String::from_utf8_lossy(&resumed.stderr);
    let read = report
        .lines()
        .find_map(|l| l.trim().strip_prefix("scratch read"))
        .and_then(|l| l.trim().strip_suffix("MiB"))
        .and_then(|mib| mib.trim().parse::<f64>().ok());
    assert!(read.is_some_and(|mib| mib > 0.0), "{report}");
    let expected = pi_core::digits(10_000_000, pi_core::Base::Decimal).expect("digits") + "\n";
    assert!(std::fs::read_to_string(out).expect("the digits") == expected);
    let left = std::fs::read_dir(scratch)
        .expect("the scratch directory")
        .count();
    assert_eq!(left, 0, "checkpoints removed at the end");
    // --resume needs --scratch.
    let output = pi(&["1000", "--resume"]);
    assert_eq!(output.status.code(), Some(2));
}

/// A scratch directory that cannot take a checkpoint or a spill file (its
/// files limited to about 300 KiB by `ulimit -f`, as on a full disk), in
/// memory and held to a budget: a clear error, exit code 1, no partly
/// written file left; a resume then uses what was kept.
#[cfg(unix)]
#[test]
fn a_failed_checkpoint_write_is_an_error_and_the_run_resumes() {
    for budget in [&[][..], &["--memory-limit", "30MB"]] {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let scratch = dir.path().join("scratch");
        let scratch = scratch.to_str().expect("a UTF-8 path");
        let args = [
            &["1000000", "-q", "-o", "/dev/null", "--scratch", scratch],
            budget,
        ]
        .concat();
        // Ignored, SIGXFSZ makes the write fail with EFBIG instead of killing pi.
        let limited = Command::new("sh")
            .args(["-c", "trap '' XFSZ; ulimit -f 600; exec \"$0\" \"$@\""])
            .arg(env!("CARGO_BIN_EXE_pi"))
            .args(&args)
            .output()
            .expect("run pi in sh");
        let message = String::from_utf8_lossy(&limited.stderr);
        assert_eq!(limited.status.code(), Some(1), "{budget:?}: {message}");
        assert!(message.contains("cannot write"), "{budget:?}: {message}");
        let names = || -> Vec<String> {
            std::fs::read_dir(scratch)
                .expect("the scratch directory")
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        };
        assert!(
            names().iter().all(|n| !n.ends_with(".partial")),
            "{budget:?}: {:?}",
            names()
        );
        let out = dir.path().join("pi.txt");
        let out = out.to_str().expect("a UTF-8 path");
        let resume = ["1000000", "-q", "-o", out, "--scratch", scratch, "--resume"];
        let resumed = pi(&[&resume[..], budget].concat());
        assert!(resumed.status.success(), "{budget:?}: {resumed:?}");
        let expected = pi_core::digits(1_000_000, pi_core::Base::Decimal).expect("digits") + "\n";
        assert!(std::fs::read_to_string(out).expect("the digits") == expected);
        assert_eq!(
            names(),
            Vec::<String>::new(),
            "{budget:?}: checkpoints removed at the end"
        );
    }
}

/// A file of digits that cannot be written whole (files limited to about
/// 600 KB by `ulimit -f`, as on a full disk): a clear error, exit code 1,
/// the file it would replace untouched and no temporary file left.
#[cfg(unix)]
#[test]
fn a_full_disk_under_the_output_is_an_error() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = dir.path().join("pi.txt");
    std::fs::write(&out, "old").expect("a file to replace");
    let limited = Command::new("sh")
        .args(["-c", "trap '' XFSZ; ulimit -f 600; exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_pi"))
        .args(["1000000", "-q", "--verify", "-o"])
        .arg(&out)
        .output()
        .expect("run pi in sh");
    let message = String::from_utf8_lossy(&limited.stderr);
    assert_eq!(limited.status.code(), Some(1), "{message}");
    let named = format!("cannot write the digits to {}", out.display());
    assert!(message.contains(&named), "{message}");
    assert_eq!(std::fs::read_to_string(&out).expect("the file"), "old");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("the directory")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names, ["pi.txt"]);
}

#[test]
fn ctrl_c_stops_digit_extraction() {
    let (status, elapsed) = interrupted(&["--hex-at", "10000000000000", "-q"], "INT", 300);
    assert_eq!(status.code(), Some(130));
    assert!(elapsed < std::time::Duration::from_secs(1), "{elapsed:?}");
}

/// The `hex_at` checkpoints with `low < position <= high`, as (position, digits).
fn hex_at_checkpoints(low: u64, high: u64) -> Vec<(String, String)> {
    let table = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/data/pi-checkpoints.tsv"
    ))
    .expect("read the checkpoints");
    table
        .lines()
        .filter_map(|l| l.strip_prefix("hex_at\t"))
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let position: u64 = fields.first()?.parse().ok()?;
            let tail = fields.get(2)?;
            (low < position && position <= high).then(|| (position.to_string(), tail.to_string()))
        })
        .collect()
}

fn check_hex_at(points: &[(String, String)]) {
    for (position, tail) in points {
        let count = tail.len().to_string();
        let output = pi(&["--hex-at", position, "--count", &count]);
        assert_eq!(stdout(&output), format!("{tail}\n"), "hex_at {position}");
    }
}

/// Opt-in (a minute): `cargo test --release -p pi-cli -- --ignored`.
#[test]
#[ignore = "slow: digit extraction at 10^8 and 10^9"]
fn slow_hex_at_far_positions() {
    let points = hex_at_checkpoints(10_000_000, 1_000_000_000);
    assert!(!points.is_empty());
    check_hex_at(&points);
}

#[test]
fn hex_at_prints_extracted_digits() {
    let output = pi(&["--hex-at", "1000"]);
    assert!(output.status.success());
    assert_eq!(stdout(&output), "349f1c09b075372c\n");
    assert_eq!(
        stdout(&pi(&["--hex-at", "1", "--count", "8"])),
        "243f6a88\n"
    );
    assert_eq!(stdout(&pi(&["--hex-at", "1", "--count", "0"])), "\n");
    let output = pi(&[
        "--hex-at",
        "1000000",
        "--count",
        "8",
        "-t",
        "1",
        "--stats",
        "--progress",
    ]);
    assert_eq!(stdout(&output), "26c65e52\n");
    let report = String::from_utf8_lossy(&output.stderr);
    assert!(
        report.contains("100% extraction") && report.contains("peak memory"),
        "{report}"
    );
    let points = hex_at_checkpoints(0, 10_000_000);
    assert!(points.len() >= 6, "too few hex_at checkpoints");
    check_hex_at(&points);
    for args in [
        &["--hex-at", "0"][..],
        &["--hex-at", "-3"][..],
        &["--hex-at", "1000000000000001"][..],
        &["--hex-at", "5", "--count", "70000"][..],
        &["--hex-at", "5", "10"][..],
        &["--count", "5"][..],
        &["--count", "5", "50"][..],
        &["--hex-at", "5", "--verify"][..],
        &["--hex-at", "5", "--memory-limit", "1GiB"][..],
        &["--hex-at", "5", "--hex"][..],
        &["--hex-at", "5", "-o", "x.txt"][..],
    ] {
        let output = pi(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn verify_reports_success() {
    let output = pi(&["100000", "--verify", "--stats"]);
    assert!(output.status.success());
    assert_eq!(stdout(&output), stdout(&pi(&["100000"])));
    let report = String::from_utf8_lossy(&output.stderr);
    assert!(
        report.contains("verified") && report.contains("verification"),
        "{report}"
    );
    let hex = pi(&["5000", "--hex", "--verify", "--quiet"]);
    assert!(hex.status.success() && hex.stderr.is_empty());
}

#[test]
fn hex_at_splits_into_term_sums_and_combines_them() {
    let plan = pi(&["--hex-at", "1000", "--plan"]);
    assert!(plan.status.success());
    let (precision, terms) = stdout(&plan)
        .trim()
        .split_once(" terms=")
        .and_then(|(p, t)| Some((p.strip_prefix("precision=")?, t.parse::<u64>().ok()?)))
        .expect("precision=L terms=T");
    assert_eq!(precision, "3");
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut files = Vec::new();
    for (i, range) in [(terms / 3, terms), (0, terms / 3)].into_iter().enumerate() {
        let range = format!("{}..{}", range.0, range.1);
        let output = pi(&["--hex-at", "1000", "--terms", &range, "-t", "1"]);
        assert!(output.status.success(), "{range}");
        assert!(stdout(&output).starts_with("pi-hex-sum position=1000 count=16 precision=3 terms="));
        let path = dir.path().join(format!("sum{i}"));
        std::fs::write(&path, &output.stdout).expect("write a sum");
        files.push(path.to_string_lossy().into_owned());
    }
    let combine = |files: &[&str]| {
        let mut args = vec!["--hex-at", "1000", "--combine"];
        args.extend(files);
        pi(&args)
    };
    let combined = combine(&[&files[0], &files[1]]);
    assert!(combined.status.success());
    assert_eq!(stdout(&combined), "349f1c09b075372c\n");
    // Overlapping, missing and foreign sums are refused with exit 2.
    for (files, message) in [
        (vec![&files[0][..], &files[0], &files[1]], "overlap"),
        (vec![&files[0][..]], "gap"),
        (vec![&files[1][..]], "cover"),
    ] {
        let output = combine(&files);
        assert_eq!(output.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&output.stderr).contains(message));
    }
    let foreign = pi(&["--hex-at", "1001", "--combine", &files[0]]);
    assert_eq!(foreign.status.code(), Some(2));
    // A sum at the edge of a digit asks for more precision, exit 3.
    let edge = dir.path().join("edge");
    let value = format!("1{}", "0".repeat(47));
    let line = format!("pi-hex-sum position=1 count=1 precision=3 terms=0..21 value={value}\n");
    std::fs::write(&edge, line).expect("write a sum");
    let output = pi(&[
        "--hex-at",
        "1",
        "--count",
        "1",
        "--combine",
        &edge.to_string_lossy(),
    ]);
    assert_eq!(output.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--precision 5"));
    for args in [
        &["100", "--plan"][..],
        &["--hex-at", "1", "--precision", "4"][..],
        &["--hex-at", "5", "--terms", "5..3"][..],
        &["--hex-at", "5", "--terms", "5-3"][..],
    ] {
        assert_eq!(pi(args).status.code(), Some(2), "{args:?}");
    }
}
