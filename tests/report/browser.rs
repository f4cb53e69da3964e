//! Headless Chromium opens the page with both views: its DOM holds the same figures, its
//! screenshot shows both charts, and its print-to-PDF gives A4 pages.

use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use green_impact::report;

use crate::common::{explain, temp_dir};
use crate::support::*;

/// Nor may one run of the browser.
const BROWSER_LIMIT: Duration = Duration::from_secs(120);
const CHROMIUM: &str = "/usr/bin/chromium";

/// Runs Chromium headless on `page` with `args`, in a profile of its own; its output.
fn chromium(page: &Path, args: &[String]) -> Output {
    let profile = temp_dir("chromium-profile");
    let mut command = Command::new(CHROMIUM);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = command.spawn().expect("spawn chromium");
    let pid = child.id().to_string();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(child.wait_with_output());
    });
    let output = match receiver.recv_timeout(BROWSER_LIMIT) {
        Ok(output) => output.expect("wait for chromium"),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid]).status();
            panic!("chromium {args:?} did not finish within {BROWSER_LIMIT:?}");
        }
    };
    let _ = std::fs::remove_dir_all(&profile);
    output
}

/// Pixels of a screenshot, 8-bit RGB.
struct Screenshot {
    width: usize,
    height: usize,
    rgb: Vec<[u8; 3]>,
}

impl Screenshot {
    fn read(path: &Path) -> Screenshot {
        let file = std::fs::File::open(path).expect("open the screenshot");
        let mut decoder = png::Decoder::new(BufReader::new(file));
        decoder.set_transformations(png::Transformations::normalize_to_color8());
        let mut reader = decoder.read_info().expect("a PNG");
        let mut buffer = vec![0; reader.output_buffer_size().expect("a buffer size")];
        let frame = reader.next_frame(&mut buffer).expect("a frame");
        let channels = match frame.color_type {
            png::ColorType::Rgb => 3,
            png::ColorType::Rgba => 4,
            other => panic!("a colour screenshot, not {other:?}"),
        };
        let rgb = buffer[..frame.buffer_size()]
            .chunks_exact(channels)
            .map(|p| [p[0], p[1], p[2]])
            .collect();
        Screenshot {
            width: frame.width as usize,
            height: frame.height as usize,
            rgb,
        }
    }

    fn pixel(&self, x: usize, y: usize) -> [u8; 3] {
        self.rgb[y * self.width + x]
    }

    /// The bounding box (x0, y0, x1, y1) of the pixels of exactly `colour`.
    fn bounding_box(&self, colour: [u8; 3]) -> Option<(usize, usize, usize, usize)> {
        let mut found: Option<(usize, usize, usize, usize)> = None;
        for y in 0..self.height {
            for x in 0..self.width {
                if self.pixel(x, y) == colour {
                    let (x0, y0, x1, y1) = found.unwrap_or((x, y, x, y));
                    found = Some((x0.min(x), y0.min(y), x1.max(x), y1.max(y)));
                }
            }
        }
        found
    }

    /// Pixels of `colour`, and distinct colours, inside a box.
    fn census(&self, area: (usize, usize, usize, usize), colour: [u8; 3]) -> (usize, usize) {
        let (x0, y0, x1, y1) = area;
        let mut count = 0;
        let mut colours = std::collections::BTreeSet::new();
        for y in y0..=y1 {
            for x in x0..=x1 {
                let p = self.pixel(x, y);
                count += usize::from(p == colour);
                colours.insert(p);
            }
        }
        (count, colours.len())
    }
}

/// "#rrggbb" as bytes.
fn rgb(hex: &str) -> [u8; 3] {
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex colour");
    [byte(1), byte(3), byte(5)]
}

/// Where the chart with this plot background is on the screenshot: a box at least as large
/// as a plot area can shrink to, with more than the background in it.
fn chart_area(shot: &Screenshot, background: &str, name: &str) -> (usize, usize, usize, usize) {
    let area = shot
        .bounding_box(rgb(background))
        .unwrap_or_else(|| panic!("the {name} chart's plot area is on the screenshot"));
    let (x0, y0, x1, y1) = area;
    assert!(
        x1 - x0 >= 400 && y1 - y0 >= 150,
        "the {name} plot area is drawn at size: {area:?}"
    );
    let (background_pixels, colours) = shot.census(area, rgb(background));
    let all = (x1 - x0 + 1) * (y1 - y0 + 1);
    assert!(
        background_pixels < all * 9 / 10 && colours >= 4,
        "the {name} plot holds more than its background: {background_pixels} of {all} pixels, \
         {colours} colours"
    );
    area
}

/// Without Chromium the test cannot run: outside CI it says so and passes, in CI (where
/// `.ci/run` installs it) it fails.
fn chromium_present() -> bool {
    if Path::new(CHROMIUM).exists() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{CHROMIUM} is missing in CI: .ci/run should have installed Debian's chromium"
    );
    // Straight to the process's stderr: the harness captures eprintln! of a passing test, and
    // a skip must be seen.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED chromium_renders_the_report_with_its_figures_views_and_both_charts: {CHROMIUM} is \
         not installed (apt-get install chromium); the browser test did not run"
    );
    false
}

#[test]
fn chromium_renders_the_report_with_its_figures_views_and_both_charts() {
    if !chromium_present() {
        return;
    }
    let dir = temp_dir("report-browser");
    let server = serve(&dir);
    let page_path: PathBuf = dir.join("report.html");
    // The seed with both views: the browser keeps the views' figures as well as the charts.
    let request_path = both_views_request(&dir);
    let page = report_page(&request_path.display().to_string(), &page_path, &server.url);
    let (_, record_id) = hooks(&page, "data-figure")
        .into_iter()
        .find(|(path, _)| path == "record.record_id")
        .expect("the page names its record");
    let (request, response) = stored_assessment(&server.url, &record_id);

    let started = Instant::now();
    let dom = chromium(&page_path, &["--dump-dom".to_owned()]);
    assert!(
        dom.status.success(),
        "chromium --dump-dom: {}",
        explain(&dom)
    );
    let dom = String::from_utf8(dom.stdout).expect("the DOM is UTF-8");
    assert_has_both_charts(&dom);
    let checked = assert_page_matches(&dom, &request, &response);
    assert_eq!(
        checked,
        hooks(&page, "data-figure").len() + hooks(&page, "data-request").len(),
        "the browser's DOM keeps every figure of the file"
    );
    assert_shows_both_views(&dom, &response);

    let shot_path = dir.join("shot.png");
    let shot = chromium(
        &page_path,
        &[
            format!("--screenshot={}", shot_path.display()),
            "--window-size=1280,4600".to_owned(),
        ],
    );
    assert!(
        shot.status.success(),
        "chromium --screenshot: {}",
        explain(&shot)
    );
    let shot = Screenshot::read(&shot_path);
    assert_eq!((shot.width, shot.height), (1280, 4600));

    let dscr = chart_area(&shot, report::DSCR_BACKGROUND, "DSCR");
    let (bar_pixels, _) = shot.census(dscr, rgb(report::DSCR_MET));
    assert!(
        bar_pixels > 5_000,
        "the DSCR bars are drawn: {bar_pixels} pixels"
    );
    let emissions = chart_area(&shot, report::EMISSIONS_BACKGROUND, "emissions");
    assert!(
        emissions.1 > dscr.3,
        "the emissions chart comes after the DSCR chart"
    );

    // Print to PDF as the print dialog would: A4 pages (595 x 842 pt), the summary alone on
    // page 1, the rest after it.
    let pdf_path = dir.join("report.pdf");
    let printed = chromium(
        &page_path,
        &[
            format!("--print-to-pdf={}", pdf_path.display()),
            "--no-pdf-header-footer".to_owned(),
        ],
    );
    assert!(
        printed.status.success(),
        "chromium --print-to-pdf: {}",
        explain(&printed)
    );
    let pdf = String::from_utf8_lossy(&std::fs::read(&pdf_path).expect("the PDF")).into_owned();
    assert!(pdf.starts_with("%PDF-"), "a PDF");
    let boxes: Vec<&str> = pdf
        .match_indices("/MediaBox [0 0 ")
        .map(|(i, _)| &pdf[i + 15..])
        .collect();
    assert!(!boxes.is_empty(), "the PDF has pages");
    // A4 is 595.28 x 841.89 pt; whole points are enough to tell it from Letter (612 x 792).
    for size in &boxes {
        let mut whole = size.split([' ', ']']).map(|n| {
            let points = n.split('.').next().unwrap_or(n);
            points.parse::<u32>().expect("a page size in points")
        });
        let (w, h) = (whole.next().expect("width"), whole.next().expect("height"));
        assert!(
            (594..=596).contains(&w) && (841..=843).contains(&h),
            "A4 portrait: {w} x {h} pt"
        );
    }
    assert!(
        boxes.len() >= 3,
        "{} pages: the summary, then the sections",
        boxes.len()
    );
    eprintln!(
        "chromium: DOM, screenshot and PDF in {:?}; DSCR plot at {dscr:?}, emissions plot at \
         {emissions:?}; screenshot {}, {} A4 pages in {}",
        started.elapsed(),
        shot_path.display(),
        boxes.len(),
        pdf_path.display()
    );
}
