//! Versioned eligibility rule sets: every rule with its source (document, entry, year), the
//! source's own wording, how the set reads it, and its conditions. One set is built into the
//! binary, checked in full when first used (and by a test), like the factor library.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, LazyLock};

use serde::Deserialize;

use super::{Metric, MetricKind, Value};
use crate::domain::decimal_text::parse_decimal;

const BUILT_IN: &str = include_str!("../../../data/eligibility/cn-transition-2026.1.json");

/// Decimal places a threshold may have in a rule file.
pub const THRESHOLD_DP: u32 = 10;
pub const MAX_RULES: usize = 256;
pub const MAX_CONDITIONS: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Equal,
    NotEqual,
}

impl Operator {
    const ALL: [Operator; 6] = [
        Operator::Less,
        Operator::LessOrEqual,
        Operator::Greater,
        Operator::GreaterOrEqual,
        Operator::Equal,
        Operator::NotEqual,
    ];

    pub fn symbol(self) -> &'static str {
        match self {
            Operator::Less => "<",
            Operator::LessOrEqual => "<=",
            Operator::Greater => ">",
            Operator::GreaterOrEqual => ">=",
            Operator::Equal => "=",
            Operator::NotEqual => "!=",
        }
    }

    fn from_symbol(symbol: &str) -> Option<Operator> {
        Operator::ALL.into_iter().find(|o| o.symbol() == symbol)
    }

    fn orders(self) -> bool {
        !matches!(self, Operator::Equal | Operator::NotEqual)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub metric: Metric,
    pub operator: Operator,
    /// Of the metric's kind (checked on load).
    pub threshold: Value,
}

impl Condition {
    /// Whether `value` (of the metric's kind) satisfies the condition.
    pub fn holds(&self, value: Value) -> bool {
        use std::cmp::Ordering::*;
        let ordering = match (value, self.threshold) {
            (Value::Decimal(v), Value::Decimal(t)) => v.cmp(&t),
            (Value::Boolean(v), Value::Boolean(t)) => v.cmp(&t),
            // Kinds are checked when the set is loaded; a mismatch can never hold.
            _ => return false,
        };
        match self.operator {
            Operator::Less => ordering == Less,
            Operator::LessOrEqual => ordering != Greater,
            Operator::Greater => ordering == Greater,
            Operator::GreaterOrEqual => ordering != Less,
            Operator::Equal => ordering == Equal,
            Operator::NotEqual => ordering != Equal,
        }
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.metric.name(),
            self.operator.symbol(),
            self.threshold
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub id: String,
    pub title: String,
    /// Document, entry or clause, and year.
    pub source: String,
    pub wording: String,
    pub mapping: String,
    pub conditions: Vec<Condition>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RuleSet {
    pub id: String,
    pub version: String,
    pub title: String,
    pub description: String,
    pub rules: Vec<Rule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSet {
    id: String,
    version: String,
    title: String,
    description: String,
    sources: BTreeMap<String, RawSource>,
    rules: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    title: String,
    year: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    title: String,
    source: String,
    locator: String,
    wording: String,
    mapping: String,
    all: Vec<RawCondition>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCondition {
    metric: String,
    op: String,
    value: serde_json::Value,
}

fn slug_ok(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

impl RuleSet {
    pub fn built_in() -> RuleSet {
        RuleSet::from_json(BUILT_IN).expect("the built-in rule set is valid; a test checks it")
    }

    /// Parses and checks a set: slugs for ids, every source cited with a year, every rule with
    /// its locator, wording and reading, one to MAX_CONDITIONS conditions each on a metric of
    /// the vocabulary, an operator the metric's kind allows and a threshold of that kind.
    pub fn from_json(text: &str) -> Result<RuleSet, String> {
        let raw: RawSet = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if !slug_ok(&raw.id) || !slug_ok(&raw.version) {
            return Err(
                "id and version must be non-empty ASCII letters, digits, '-', '_', '.'".into(),
            );
        }
        if raw.title.trim().is_empty() || raw.description.trim().is_empty() {
            return Err("the set needs a title and a description".into());
        }
        for (key, source) in &raw.sources {
            if source.title.trim().is_empty() || !(1900..=2200).contains(&source.year) {
                return Err(format!(
                    "source {key:?} needs a title and a year from 1900 to 2200"
                ));
            }
        }
        if raw.rules.is_empty() || raw.rules.len() > MAX_RULES {
            return Err(format!("the set needs 1 to {MAX_RULES} rules"));
        }
        let mut ids = BTreeSet::new();
        let mut rules = Vec::with_capacity(raw.rules.len());
        for r in &raw.rules {
            if !ids.insert(r.id.as_str()) {
                return Err(format!("rule {:?} appears twice", r.id));
            }
            rules.push(rule(r, &raw.sources).map_err(|e| format!("rule {:?}: {e}", r.id))?);
        }
        Ok(RuleSet {
            id: raw.id,
            version: raw.version,
            title: raw.title,
            description: raw.description,
            rules,
        })
    }

    /// "id/version", the name requests use.
    pub fn name(&self) -> String {
        format!("{}/{}", self.id, self.version)
    }
}

fn rule(raw: &RawRule, sources: &BTreeMap<String, RawSource>) -> Result<Rule, String> {
    if !slug_ok(&raw.id) {
        return Err("the id must be ASCII letters, digits, '-', '_', '.'".into());
    }
    let source = sources
        .get(&raw.source)
        .ok_or_else(|| format!("source {:?} is not in the set's sources", raw.source))?;
    for (field, text) in [
        ("title", &raw.title),
        ("locator", &raw.locator),
        ("wording", &raw.wording),
        ("mapping", &raw.mapping),
    ] {
        if text.trim().is_empty() {
            return Err(format!("{field} is required"));
        }
    }
    if raw.all.is_empty() || raw.all.len() > MAX_CONDITIONS {
        return Err(format!("needs 1 to {MAX_CONDITIONS} conditions in \"all\""));
    }
    let conditions = raw
        .all
        .iter()
        .enumerate()
        .map(|(i, c)| condition(c).map_err(|e| format!("condition {}: {e}", i + 1)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Rule {
        id: raw.id.clone(),
        title: raw.title.clone(),
        source: format!("{}, {} ({})", source.title, raw.locator, source.year),
        wording: raw.wording.clone(),
        mapping: raw.mapping.clone(),
        conditions,
    })
}

fn condition(raw: &RawCondition) -> Result<Condition, String> {
    let metric = Metric::from_name(&raw.metric).ok_or_else(|| {
        let known: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
        format!(
            "unknown metric {:?}; the vocabulary is {}",
            raw.metric,
            known.join(", ")
        )
    })?;
    let operator = Operator::from_symbol(&raw.op).ok_or_else(|| {
        let known: Vec<&str> = Operator::ALL.iter().map(|o| o.symbol()).collect();
        format!(
            "unknown operator {:?}; use one of {}",
            raw.op,
            known.join(" ")
        )
    })?;
    let threshold = match (metric.kind(), &raw.value) {
        (MetricKind::Decimal, serde_json::Value::String(text)) => Value::Decimal(
            parse_decimal(text, THRESHOLD_DP).map_err(|e| format!("threshold {text:?} {e}"))?,
        ),
        (MetricKind::Boolean, serde_json::Value::Bool(b)) => {
            if operator.orders() {
                return Err(format!(
                    "{} is true/false: compare it with = or !=, not {}",
                    metric.name(),
                    operator.symbol()
                ));
            }
            Value::Boolean(*b)
        }
        (MetricKind::Decimal, _) => {
            return Err(format!(
                "{} is a number: give the threshold as a decimal string, e.g. \"0\"",
                metric.name()
            ));
        }
        (MetricKind::Boolean, _) => {
            return Err(format!(
                "{} is true/false: give the threshold as true or false",
                metric.name()
            ));
        }
    };
    Ok(Condition {
        metric,
        operator,
        threshold,
    })
}

/// The rule sets a server can use; the first is the default.
#[derive(Debug, Clone)]
pub struct EligibilityLibrary {
    sets: Vec<Arc<RuleSet>>,
}

static BUILT_IN_LIBRARY: LazyLock<EligibilityLibrary> = LazyLock::new(|| EligibilityLibrary {
    sets: vec![Arc::new(RuleSet::built_in())],
});

impl EligibilityLibrary {
    /// The sets built into the binary, parsed once.
    pub fn built_in() -> &'static EligibilityLibrary {
        &BUILT_IN_LIBRARY
    }

    pub fn default_set(&self) -> &Arc<RuleSet> {
        &self.sets[0]
    }

    /// By "id/version"; the empty name is the default set.
    pub fn find(&self, name: &str) -> Option<&Arc<RuleSet>> {
        if name.is_empty() {
            return Some(self.default_set());
        }
        self.sets.iter().find(|set| set.name() == name)
    }

    pub fn names(&self) -> Vec<String> {
        self.sets.iter().map(|set| set.name()).collect()
    }
}
