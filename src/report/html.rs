//! HTML pieces. Every text that reaches the page passes through `escape` (borrower ids,
//! line names, warnings and stated assumptions are the requester's own text), and every
//! figure is printed as the response's decimal text (a Decimal's integer part grouped in
//! thousands, nothing else changed), hooked by its proto path so a test (or an auditor's
//! script) can read it back and compare it with the response.

use crate::pb;

use super::escape::escape;
use super::grouping::group_thousands;
use super::labels::Label;

/// What stands where the response has no figure: absent is a statement, not a zero.
pub const ABSENT: &str = r#"<span class="absent">—</span>"#;

/// A figure of the response, verbatim, hooked by its path in the response's proto3 JSON
/// (field names as in the .proto, `[i]` for list items; the path of a Decimal names the
/// message, whose `value` is the text).
pub fn figure(path: &str, text: &str) -> String {
    format!(
        r#"<span class="fig" data-figure="{}">{}</span>"#,
        escape(path),
        escape(text)
    )
}

/// A Decimal of the response, or the absent mark: its text with the integer part grouped in
/// thousands (2,847,000.00), sign and fraction as the service wrote them.
pub fn decimal(path: &str, value: &Option<pb::Decimal>) -> String {
    match value {
        Some(d) => figure(path, &group_thousands(&d.value)),
        None => ABSENT.to_owned(),
    }
}

/// A figure of the request (the loan's terms are not echoed in the response), hooked by its
/// path in the request's proto3 JSON.
pub fn request_figure(path: &str, text: &str) -> String {
    format!(
        r#"<span class="fig" data-request="{}">{}</span>"#,
        escape(path),
        escape(text)
    )
}

/// A Decimal of the request, or the absent mark, grouped like the response's.
pub fn request_decimal(path: &str, value: &Option<pb::Decimal>) -> String {
    match value {
        Some(d) => request_figure(path, &group_thousands(&d.value)),
        None => ABSENT.to_owned(),
    }
}

/// Low, central and high of a Bounds message as three cells.
pub fn bounds_cells(path: &str, bounds: &Option<pb::Bounds>) -> [String; 3] {
    let Some(b) = bounds else {
        return [ABSENT.to_owned(), ABSENT.to_owned(), ABSENT.to_owned()];
    };
    [
        decimal(&format!("{path}.low"), &b.low),
        decimal(&format!("{path}.central"), &b.central),
        decimal(&format!("{path}.high"), &b.high),
    ]
}

/// Low / central / high in one cell, central first since it is the figure a reader quotes.
pub fn bounds_inline(path: &str, bounds: &Option<pb::Bounds>) -> String {
    let [low, central, high] = bounds_cells(path, bounds);
    format!(
        r#"<strong>{central}</strong> <span class="range">({} {low} – {} {high})</span>"#,
        escape(super::labels::LOW.en),
        escape(super::labels::HIGH.en)
    )
}

/// Small print beside a figure: a unit, a kind, a method in words.
pub fn note(text: &str) -> String {
    format!(r#"<span class="note">{}</span>"#, escape(text))
}

pub fn heading(number: u32, label: Label) -> String {
    format!(
        r#"<h2><span class="num">{number}</span> {}</h2>"#,
        label.html()
    )
}

/// A two-column table of labelled values; the values are HTML already.
pub fn key_values(rows: &[(Label, String)]) -> String {
    let mut html = String::from(r#"<table class="kv"><tbody>"#);
    for (label, value) in rows {
        html.push_str(&format!(
            "<tr><th>{}</th><td>{value}</td></tr>",
            label.html()
        ));
    }
    html.push_str("</tbody></table>");
    html
}

/// A table with a header row; cells are HTML already. `numeric` marks the columns whose
/// figures line up on the right.
pub struct Table {
    html: String,
    numeric: Vec<bool>,
}

impl Table {
    pub fn new(class: &str, headers: &[Label], numeric: &[bool]) -> Table {
        let mut html = format!(r#"<table class="{}"><thead><tr>"#, escape(class));
        for (header, &right) in headers.iter().zip(numeric) {
            html.push_str(&format!("<th{}>{}</th>", align(right), header.html()));
        }
        html.push_str("</tr></thead><tbody>");
        Table {
            html,
            numeric: numeric.to_vec(),
        }
    }

    pub fn row(&mut self, cells: &[String]) {
        self.row_with_class("", cells);
    }

    /// A row set apart, e.g. a total.
    pub fn row_with_class(&mut self, class: &str, cells: &[String]) {
        if class.is_empty() {
            self.html.push_str("<tr>");
        } else {
            self.html
                .push_str(&format!(r#"<tr class="{}">"#, escape(class)));
        }
        for (i, cell) in cells.iter().enumerate() {
            let right = self.numeric.get(i).copied().unwrap_or(false);
            self.html
                .push_str(&format!("<td{}>{cell}</td>", align(right)));
        }
        self.html.push_str("</tr>");
    }

    pub fn finish(mut self) -> String {
        self.html.push_str("</tbody></table>");
        self.html
    }
}

fn align(right: bool) -> &'static str {
    if right { r#" class="n""# } else { "" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_figure_is_verbatim_and_hooked_by_its_path() {
        assert_eq!(
            figure("loan.total_interest_cny", "205496.63"),
            r#"<span class="fig" data-figure="loan.total_interest_cny">205496.63</span>"#
        );
        let trailing_zeros = Some(pb::Decimal {
            value: "1.2500".to_owned(),
        });
        assert!(decimal("x", &trailing_zeros).contains(">1.2500<"));
        assert_eq!(decimal("x", &None), ABSENT);
    }

    #[test]
    fn a_decimal_is_grouped_in_thousands_and_otherwise_verbatim() {
        let money = Some(pb::Decimal {
            value: "2847000.00".to_owned(),
        });
        assert_eq!(
            decimal("cost_to_revenue.fertilizer_income_cny_per_year", &money),
            r#"<span class="fig" data-figure="cost_to_revenue.fertilizer_income_cny_per_year">2,847,000.00</span>"#
        );
        assert!(request_decimal("loan.principal.amount", &money).contains(">2,847,000.00<"));
        let ratio = Some(pb::Decimal {
            value: "2.1667".to_owned(),
        });
        assert!(decimal("x", &ratio).contains(">2.1667<"));
    }

    #[test]
    fn hostile_text_cannot_leave_its_attribute_or_element() {
        let html = figure(r#"a" onmouseover="x"#, "<img src=x>");
        assert!(!html.contains(r#"" onmouseover"#), "{html}");
        assert!(!html.contains("<img"), "{html}");
    }

    #[test]
    fn absent_bounds_give_three_absent_cells() {
        assert_eq!(
            bounds_cells("b", &None),
            [ABSENT, ABSENT, ABSENT].map(String::from)
        );
    }
}
