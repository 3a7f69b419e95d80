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

#[test]
fn a_million_digits_match_the_checkpoint() {
    use sha2::{Digest, Sha256};
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/reference/pi-checkpoints.tsv"
    );
    let table = std::fs::read_to_string(path).expect("read the checkpoints");
    let expected = table
        .lines()
        .find_map(|l| l.strip_prefix("decimal\t1000000\t"))
        .and_then(|rest| rest.split('\t').next())
        .expect("the decimal 10^6 checkpoint");
    let output = pi(&["1000000"]);
    assert!(output.status.success());
    let text = stdout(&output).strip_suffix('\n').expect("a final newline");
    let digest: String = Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(digest, expected);
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
    ] {
        let output = pi(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
        let message = String::from_utf8_lossy(&output.stderr);
        assert!(message.starts_with("error:"), "{args:?}: {message}");
    }
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
