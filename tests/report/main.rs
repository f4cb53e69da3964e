//! `green-impact report` as a user runs it: the real binary serves, the real binary writes the
//! page from a request file and from a record id, and every figure hooked on the page is read
//! back and compared with the record fetched through the gRPC client, for the seed (which asks
//! for neither the insurer's nor the exchange's view, and the page says so) and for the seed
//! with both views. Then headless Chromium opens the page with both views: its DOM holds the
//! same figures, and its screenshot shows both charts.
//!
//! One module per behaviour: `pages` (the page of a request file and of its record, with
//! the summary at the top and figures grouped in thousands; the errors), `browser` (DOM,
//! screenshot and print-to-PDF in headless Chromium), over `support`.

#[path = "../common/mod.rs"]
mod common;

mod browser;
mod pages;
mod support;
