//! `--plan`, `--terms` and `--combine`: digit extraction split across
//! processes or machines from the shell, the sums of term ranges carried
//! as lines of text.

use std::fs;
use std::io::{self, Read};
use std::ops::Range;
use std::path::Path;

use pi_core::{HexExtraction, HexTermSum};

/// The first word of a sum's line.
const TAG: &str = "pi-hex-sum";

/// The line `--terms` prints for `sum`, a sum of `extraction`'s terms:
/// `pi-hex-sum position=P count=N precision=L terms=A..B value=HEX`, the
/// value's limbs in hexadecimal, most significant first.
pub fn line(extraction: &HexExtraction, sum: &HexTermSum) -> String {
    let value: String = sum
        .value()
        .iter()
        .rev()
        .map(|l| format!("{l:016x}"))
        .collect();
    let terms = sum.terms();
    format!(
        "{TAG} position={} count={} precision={} terms={}..{} value={value}",
        extraction.position(),
        extraction.count(),
        extraction.precision(),
        terms.start,
        terms.end
    )
}

/// The text of `--plan`: the precision and the number of terms.
pub fn plan(extraction: &HexExtraction) -> String {
    format!(
        "precision={} terms={}",
        extraction.precision(),
        extraction.terms()
    )
}

/// `START..END`, as `--terms` takes it.
pub fn parse_range(text: &str) -> Result<Range<u64>, String> {
    let (start, end) = text
        .split_once("..")
        .ok_or_else(|| format!("expected START..END, got {text:?}"))?;
    let number = |s: &str| {
        s.parse::<u64>()
            .map_err(|e| format!("{s:?} in {text:?}: {e}"))
    };
    Ok(number(start)?..number(end)?)
}

/// What `--combine` found in its files.
pub enum Combined {
    /// The digits.
    Digits(String),
    /// The sums' precision cannot settle the digits: the next attempt's.
    Unsettled(HexExtraction),
}

/// Combines the sums in `paths` (`-`: standard input) for the extraction
/// of `count` digits from `position`.
pub fn combine(
    position: u64,
    count: usize,
    paths: &[impl AsRef<Path>],
) -> Result<Combined, String> {
    let mut extraction: Option<HexExtraction> = None;
    let mut sums = Vec::new();
    for path in paths {
        let path = path.as_ref();
        let text = read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        for (number, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let at = || format!("{} line {}", path.display(), number + 1);
            let sum = parse_line(line).map_err(|e| format!("{}: {e}", at()))?;
            if (sum.position, sum.count) != (position, count as u64) {
                return Err(format!(
                    "{}: a sum for {} digits at position {}, not {count} at {position}",
                    at(),
                    sum.count,
                    sum.position
                ));
            }
            let attempt = match extraction {
                Some(e) => e,
                None => HexExtraction::with_precision(position, count, sum.precision)
                    .map_err(|e| format!("{}: {e}", at()))?,
            };
            extraction = Some(attempt);
            let sum = attempt
                .term_sum(sum.terms, sum.value)
                .map_err(|e| format!("{}: {e}", at()))?;
            sums.push(sum);
        }
    }
    let extraction = extraction.ok_or("--combine found no sums")?;
    match extraction.combine(&sums).map_err(|e| e.to_string())? {
        Some(digits) => Ok(Combined::Digits(digits)),
        None => Ok(Combined::Unsettled(extraction.refined())),
    }
}

fn read(path: &Path) -> io::Result<String> {
    if path == Path::new("-") {
        let mut text = String::new();
        io::stdin().read_to_string(&mut text)?;
        Ok(text)
    } else {
        fs::read_to_string(path)
    }
}

/// The fields of a line of [`line`].
struct SumLine {
    position: u64,
    count: u64,
    precision: usize,
    terms: Range<u64>,
    value: Vec<u64>,
}

fn parse_line(line: &str) -> Result<SumLine, String> {
    let mut words = line.split_whitespace();
    if words.next() != Some(TAG) {
        return Err(format!(
            "expected a line of `pi --hex-at P --terms A..B`, got {line:?}"
        ));
    }
    let mut field = |name: &str| {
        words
            .next()
            .and_then(|w| w.strip_prefix(name)?.strip_prefix('='))
            .ok_or_else(|| format!("expected {name}=..."))
    };
    let number = |s: &str| s.parse::<u64>().map_err(|e| format!("{s:?}: {e}"));
    let position = number(field("position")?)?;
    let count = number(field("count")?)?;
    let precision = number(field("precision")?)?;
    let terms = parse_range(field("terms")?)?;
    let hex = field("value")?;
    if hex.len() % 16 != 0 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "the value {hex:?} is not limbs of 16 hexadecimal digits"
        ));
    }
    let value = (0..hex.len() / 16)
        .rev()
        .map(|i| u64::from_str_radix(&hex[16 * i..16 * i + 16], 16).map_err(|e| e.to_string()))
        .collect::<Result<Vec<u64>, String>>()?;
    let precision = usize::try_from(precision).map_err(|e| e.to_string())?;
    Ok(SumLine {
        position,
        count,
        precision,
        terms,
        value,
    })
}
