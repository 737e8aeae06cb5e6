//! PNG plots of a run folder: loss and accuracy per head over the epochs (training and
//! validation), and each head's confusion matrix as a heatmap. Drawn from the folder's
//! metrics.csv and confusion_*.csv, so `trainer plot RUN_DIR` can redraw them at any time.

use std::path::Path;
use std::sync::OnceLock;

use anyhow::{Context, Result, bail};
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

/// Places where a TrueType sans-serif font usually is; `TWINHEAD_FONT` overrides them.
const FONT_PATHS: [&str; 5] = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/System/Library/Fonts/Supplemental/Arial.ttf",
    "C:\\Windows\\Fonts\\arial.ttf",
];

/// Registers a system font for plot text once (plotters draws text with it).
fn ensure_font() -> Result<()> {
    static FONT: OnceLock<Result<(), String>> = OnceLock::new();
    FONT.get_or_init(|| {
        let candidates = std::env::var("TWINHEAD_FONT").into_iter().chain(FONT_PATHS.iter().map(|s| s.to_string()));
        for path in candidates {
            if let Ok(bytes) = std::fs::read(&path) {
                let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
                if register_font("sans-serif", FontStyle::Normal, bytes).is_ok() {
                    return Ok(());
                }
            }
        }
        Err("no TrueType font found for plot labels; install one (Debian: apt-get install fonts-dejavu-core) or set TWINHEAD_FONT to a .ttf file".into())
    })
    .clone()
    .map_err(|e| anyhow::anyhow!(e))
}

/// A CSV file as its header and rows of numbers, checked whole before anything is drawn from it:
/// every row has as many cells as the header and each cell is a number (an empty cell, a value
/// the run did not measure, reads as NaN and is left out of the picture). A bad row is named by
/// file and line.
fn read_csv(path: &Path) -> Result<(Vec<String>, Vec<Vec<f64>>)> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let Some((_, first)) = lines.next() else {
        bail!("{} is empty: it needs a header line and one line per epoch", path.display())
    };
    let header: Vec<String> = first.split(',').map(str::to_string).collect();
    let mut rows = Vec::new();
    for (i, line) in lines {
        let cells: Vec<&str> = line.split(',').collect();
        if cells.len() != header.len() {
            bail!("{} line {}: {} cells where the header has {}", path.display(), i + 1, cells.len(), header.len());
        }
        let row = cells
            .iter()
            .map(|c| match c.trim() {
                "" => Ok(f64::NAN),
                v => v
                    .parse::<f64>()
                    .map_err(|_| anyhow::anyhow!("{} line {}: {v:?} is not a number", path.display(), i + 1)),
            })
            .collect::<Result<Vec<f64>>>()?;
        rows.push(row);
    }
    Ok((header, rows))
}

const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(90, 90, 90),
];

/// One line chart of the named columns of metrics.csv against the epoch. Training lines are
/// thin and dashed, validation lines thick; a head keeps its colour in both.
fn line_chart(
    path: &Path,
    title: &str,
    y_label: &str,
    header: &[String],
    rows: &[Vec<f64>],
    columns: &[(&str, String)],
    legend_at: SeriesLabelPosition,
) -> Result<()> {
    let root = BitMapBackend::new(path, (900, 560)).into_drawing_area();
    root.fill(&WHITE)?;
    let epochs = rows.len() as f64;
    let series: Vec<(String, Vec<(f64, f64)>)> = columns
        .iter()
        .filter_map(|(col, label)| {
            let i = header.iter().position(|h| h == col)?;
            Some((label.clone(), rows.iter().map(|r| (r[0], r[i])).filter(|p| p.1.is_finite()).collect()))
        })
        .collect();
    let max = series.iter().flat_map(|s| s.1.iter().map(|p| p.1)).fold(0.0f64, f64::max);
    let top = if y_label.contains('%') { 100.0 } else { (max * 1.1).max(1e-3) };
    let bottom = if y_label.contains('%') {
        series.iter().flat_map(|s| s.1.iter().map(|p| p.1)).fold(100.0f64, f64::min).min(90.0).floor()
    } else {
        0.0
    };
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 26))
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(0.5f64..epochs.max(1.0) + 0.5, bottom..top)?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc(y_label)
        .x_labels(rows.len().clamp(2, 16))
        .x_label_formatter(&|v| format!("{v:.0}"))
        .label_style(("sans-serif", 16))
        .axis_desc_style(("sans-serif", 18))
        .draw()?;
    draw_series(&mut chart, series)?;
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font(("sans-serif", 16))
        .position(legend_at)
        .draw()?;
    root.present()?;
    Ok(())
}

/// Draws each series: a head keeps its colour in training (thin, dashed) and validation (thick,
/// with points).
fn draw_series<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<
        'a,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    series: Vec<(String, Vec<(f64, f64)>)>,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let mut heads_seen: Vec<String> = Vec::new();
    for (label, points) in series {
        // "train color" and "validation color" share a colour: the head is the last word.
        let head = if label.contains("all heads") {
            label.clone()
        } else {
            label.rsplit(' ').next().unwrap_or("").to_string()
        };
        let k = heads_seen.iter().position(|c| *c == head).unwrap_or_else(|| {
            heads_seen.push(head);
            heads_seen.len() - 1
        });
        let color = PALETTE[k % PALETTE.len()];
        if label.starts_with("train") {
            let style = color.stroke_width(2);
            chart
                .draw_series(DashedLineSeries::new(points, 8, 5, style))?
                .label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 8, y)], style));
        } else {
            chart
                .draw_series(LineSeries::new(points.clone(), color.stroke_width(3)))?
                .label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(3)));
            chart.draw_series(points.into_iter().map(move |p| Circle::new(p, 4, color.filled())))?;
        }
    }
    Ok(())
}

/// A heatmap of a confusion matrix: rows are the truth, columns the prediction, each cell
/// shaded by its share of its row and labelled with its count.
fn confusion_chart(path: &Path, title: &str, classes: &[String], matrix: &[Vec<f64>]) -> Result<()> {
    let n = classes.len();
    let root = BitMapBackend::new(path, (160 + 110 * n as u32, 140 + 90 * n as u32)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 24))
        .margin(16)
        .x_label_area_size(60)
        .y_label_area_size(100)
        .build_cartesian_2d(0f64..n as f64, 0f64..n as f64)?;
    let name = |v: &f64| {
        let i = v.floor() as usize;
        if (v - i as f64 - 0.5).abs() < 1e-6 && i < n { classes[i].clone() } else { String::new() }
    };
    let reversed = |v: &f64| {
        let i = v.floor() as usize;
        if (v - i as f64 - 0.5).abs() < 1e-6 && i < n { classes[n - 1 - i].clone() } else { String::new() }
    };
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("predicted")
        .y_desc("truth")
        .x_labels(2 * n + 1)
        .y_labels(2 * n + 1)
        .x_label_formatter(&name)
        .y_label_formatter(&reversed)
        .label_style(("sans-serif", 16))
        .axis_desc_style(("sans-serif", 18))
        .draw()?;
    for (t, row) in matrix.iter().enumerate() {
        let total: f64 = row.iter().sum::<f64>().max(1.0);
        for (p, &count) in row.iter().enumerate() {
            let share = count / total;
            let y = (n - 1 - t) as f64;
            let shade = RGBColor((255.0 - 200.0 * share) as u8, (255.0 - 120.0 * share) as u8, 255);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(p as f64, y), (p as f64 + 1.0, y + 1.0)],
                shade.filled(),
            )))?;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(p as f64, y), (p as f64 + 1.0, y + 1.0)],
                BLACK.mix(0.3),
            )))?;
            let color = if share > 0.6 { WHITE } else { BLACK };
            let text = format!("{count:.0}");
            chart.draw_series(std::iter::once(Text::new(
                text,
                (p as f64 + 0.42, y + 0.45),
                ("sans-serif", 20).into_font().color(&color),
            )))?;
        }
    }
    root.present()?;
    Ok(())
}

/// A head's name, its classes, and its confusion matrix `[truth][predicted]`.
type Confusion = (String, Vec<String>, Vec<Vec<f64>>);

/// Each head's confusion matrix (`confusion_<head>.csv`: a header `truth,<class>,…`, then one
/// row of counts per true class), for the heads that have one.
fn read_confusions(dir: &Path, heads: &[String]) -> Result<Vec<Confusion>> {
    let mut out = Vec::new();
    for h in heads {
        let path = dir.join(format!("confusion_{h}.csv"));
        if !path.exists() {
            continue;
        }
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut lines = text.lines().enumerate();
        let classes: Vec<String> = match lines.next() {
            Some((_, l)) => l.split(',').skip(1).map(str::to_string).collect(),
            None => bail!("{} is empty: it needs a header line and one row per class", path.display()),
        };
        let mut matrix = Vec::new();
        for (i, line) in lines.filter(|(_, l)| !l.trim().is_empty()) {
            let cells: Vec<&str> = line.split(',').skip(1).collect();
            let row: Option<Vec<f64>> = cells.iter().map(|v| v.trim().parse::<f64>().ok()).collect();
            match row {
                Some(row) if row.len() == classes.len() => matrix.push(row),
                _ => bail!("{} line {}: expected a class name and {} counts", path.display(), i + 1, classes.len()),
            }
        }
        if matrix.len() != classes.len() {
            bail!("{}: {} rows for {} classes", path.display(), matrix.len(), classes.len());
        }
        out.push((h.clone(), classes, matrix));
    }
    Ok(out)
}

/// Draws every plot of the run folder `dir`; returns the files written.
pub fn plot_run(dir: &Path) -> Result<Vec<String>> {
    ensure_font()?;
    let (header, rows) = read_csv(&dir.join("metrics.csv"))?;
    if rows.is_empty() {
        bail!("{} has no finished epoch yet", dir.join("metrics.csv").display());
    }
    let heads: Vec<String> =
        header.iter().filter_map(|h| h.strip_prefix("val_acc_")).filter(|h| *h != "all").map(str::to_string).collect();
    // Every table is read and checked before the first picture is written.
    let confusions = read_confusions(dir, &heads)?;
    let mut written = Vec::new();
    let loss_cols: Vec<(&str, String)> =
        heads.iter().flat_map(|h| [("train_loss", h.clone()), ("val_loss", h.clone())]).collect();
    let loss_cols: Vec<(String, String)> = loss_cols
        .iter()
        .map(|(p, h)| {
            (format!("{p}_{h}"), format!("{} {h}", if p.starts_with("train") { "train" } else { "validation" }))
        })
        .collect();
    let refs: Vec<(&str, String)> = loss_cols.iter().map(|(c, l)| (c.as_str(), l.clone())).collect();
    let path = dir.join("loss.png");
    line_chart(&path, "Cross-entropy loss per head", "loss", &header, &rows, &refs, SeriesLabelPosition::UpperRight)?;
    written.push(path.display().to_string());

    let mut acc_cols: Vec<(String, String)> = heads
        .iter()
        .flat_map(|h| {
            [(format!("train_acc_{h}"), format!("train {h}")), (format!("val_acc_{h}"), format!("validation {h}"))]
        })
        .collect();
    acc_cols.push(("val_acc_all".into(), "validation, all heads right".into()));
    let percent: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| r.iter().enumerate().map(|(i, v)| if header[i].contains("_acc_") { 100.0 * v } else { *v }).collect())
        .collect();
    let refs: Vec<(&str, String)> = acc_cols.iter().map(|(c, l)| (c.as_str(), l.clone())).collect();
    let path = dir.join("accuracy.png");
    line_chart(&path, "Accuracy per head", "accuracy (%)", &header, &percent, &refs, SeriesLabelPosition::LowerRight)?;
    written.push(path.display().to_string());

    for (h, classes, matrix) in &confusions {
        let path = dir.join(format!("confusion_{h}.png"));
        confusion_chart(&path, &format!("Confusion matrix: {h} (validation, best epoch)"), classes, matrix)?;
        written.push(path.display().to_string());
    }
    Ok(written)
}
