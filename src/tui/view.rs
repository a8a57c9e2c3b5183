//! Drawing: `impl Widget for &App`. Reads the state, never changes it.
//!
//! Every string that came from evidence passes through [`clean`] (control characters
//! escaped, newlines folded) before it reaches a buffer, and every cell is cut to its width
//! with an ellipsis rather than wrapped.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Widget, Wrap};

use crate::evidence::SourceStatus;
use crate::model::{Area, Finding, Severity, SuppressionNote};
use crate::score::{AreaScore, Mark};

use super::app::{
    App, Overlay, Pane, Row, Screen, SourceLine, StatusFilter, TILE_COLUMNS, is_suppressed,
};
use super::highlight;
use super::keys::HELP;
use super::theme::Theme;

/// Where the overview's parts go.
#[derive(Debug, Clone)]
pub struct OverviewLayout {
    pub header: Rect,
    /// One per area, in `Area::ALL` order.
    pub tiles: Vec<Rect>,
    pub sources: Rect,
    pub footer: Rect,
}

/// Lays out the overview: a header, two rows of tiles, the sources, a footer.
pub fn overview_layout(area: Rect) -> OverviewLayout {
    // Tiles take what the header, footer and four source lines leave, within reason.
    let tile_height = (area.height.saturating_sub(8) / 2).clamp(5, 9);
    let [header, grid, sources, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(tile_height * 2),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    let rows: [Rect; 2] = Layout::vertical([Constraint::Length(tile_height); 2]).areas(grid);
    let columns = Layout::horizontal([Constraint::Ratio(1, TILE_COLUMNS as u32); TILE_COLUMNS]);
    let tiles = rows
        .iter()
        .flat_map(|row| columns.split(*row).to_vec())
        .take(Area::ALL.len())
        .collect();
    OverviewLayout {
        header,
        tiles,
        sources,
        footer,
    }
}

/// Where the findings screen's parts go.
#[derive(Debug, Clone, Copy)]
pub struct FindingsLayout {
    pub header: Rect,
    pub filters: Rect,
    /// The table's frame.
    pub table: Rect,
    /// The column heading inside the frame.
    pub table_head: Rect,
    /// The rows inside the frame, under the heading.
    pub table_rows: Rect,
    pub preview: Rect,
    pub footer: Rect,
}

/// Lays out the findings screen: header, filter bar, table, preview, footer.
pub fn findings_layout(area: Rect) -> FindingsLayout {
    let preview_height = if area.height >= 34 { 8 } else { 5 };
    let [header, filters, table, preview, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(4),
        Constraint::Length(preview_height),
        Constraint::Length(1),
    ])
    .areas(area);
    let inner = Block::bordered().inner(table);
    let [table_head, table_rows] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    FindingsLayout {
        header,
        filters,
        table,
        table_head,
        table_rows,
        preview,
        footer,
    }
}

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = self.theme();
        match self.screen {
            Screen::Overview => overview(self, theme, area, buf),
            Screen::Findings => findings(self, theme, area, buf),
            Screen::Detail => detail(self, theme, area, buf),
        }
        match self.overlay {
            Some(Overlay::Help) => help(self, theme, area, buf),
            Some(Overlay::Grade) => grade(self, theme, area, buf),
            None => {}
        }
    }
}

/// Text from evidence made safe for one terminal line.
pub fn clean(text: &str) -> String {
    crate::sanitize::one_line(text).replace('\t', " ")
}

/// Cuts `text` to `width` characters, ending in an ellipsis when it was longer.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut cut: String = text.chars().take(width - 1).collect();
    cut.push('…');
    cut
}

/// Writes one line into `area`'s first row, cut with an ellipsis to fit.
fn put_line(buf: &mut Buffer, area: Rect, spans: &[(String, Style)]) {
    let mut x = area.x;
    for (text, style) in spans {
        let room = usize::from(area.right().saturating_sub(x));
        if room == 0 {
            break;
        }
        let (next, _) = buf.set_stringn(x, area.y, fit(text, room), room, *style);
        x = next;
    }
}

fn mark_text(mark: &Mark) -> (String, String) {
    match mark {
        Mark::Graded { score, grade } => (grade.letter().to_string(), format!("{score:.1}")),
        Mark::NotAssessed { .. } => ("–".to_string(), "not assessed".to_string()),
    }
}

fn header(app: &App, theme: &Theme, area: Rect, buf: &mut Buffer, title: String) {
    let scores = &app.report.scores;
    let (letter, score) = mark_text(&scores.overall);
    let mut spans = vec![
        (" Rampart ".to_string(), theme.accent()),
        (title, theme.text()),
        ("  overall ".to_string(), theme.muted()),
        (letter, theme.grade(scores.overall.grade())),
        (format!(" {score}"), theme.text()),
    ];
    if scores.overall.grade().is_some() {
        spans.push((
            format!(" · coverage {:.0}%", scores.coverage * 100.0),
            theme.muted(),
        ));
    }
    if app.collecting {
        spans.push(("  collecting…".to_string(), theme.fg(theme.warn)));
    }
    put_line(buf, area, &spans);
}

fn footer(app: &App, theme: &Theme, area: Rect, buf: &mut Buffer, hints: &str) {
    let line = match (&app.input, &app.message) {
        (Some(query), _) => vec![
            ("/".to_string(), theme.accent()),
            (clean(query), theme.text()),
            ("▏  Enter keep · Esc clear".to_string(), theme.muted()),
        ],
        (None, Some(message)) => vec![(format!(" {}", clean(message)), theme.accent())],
        (None, None) => vec![(format!(" {hints}"), theme.muted())],
    };
    put_line(buf, area, &line);
}

fn overview(app: &App, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let layout = overview_layout(area);
    let target = if app.report.target.is_empty() {
        String::new()
    } else {
        format!("· {}", clean(&app.report.target))
    };
    header(app, theme, layout.header, buf, target);
    for (i, rect) in layout.tiles.iter().enumerate() {
        let selected = i == app.area && app.focus == Pane::Main;
        if let Some(score) = app.report.scores.area(Area::ALL[i]) {
            tile(app, theme, score, selected, *rect, buf);
        }
    }
    sources(app, theme, layout.sources, buf);
    footer(
        app,
        theme,
        layout.footer,
        buf,
        "Enter open · x grade · r rescan · e export · t theme · ? help · q quit",
    );
}

fn tile(app: &App, theme: &Theme, score: &AreaScore, selected: bool, area: Rect, buf: &mut Buffer) {
    let assessed = score.mark.grade().is_some();
    // A not-assessed area gets a dashed frame and no letter, so it cannot be read as a grade.
    let border = match (selected, assessed) {
        (true, _) => BorderType::Thick,
        (false, true) => BorderType::Rounded,
        (false, false) => BorderType::LightDoubleDashed,
    };
    let width = usize::from(area.width.saturating_sub(4));
    let title_style = if selected {
        theme.selected()
    } else {
        theme.text().add_modifier(Modifier::BOLD)
    };
    let block = Block::bordered()
        .border_type(border)
        .border_style(theme.border(selected))
        .title(Span::styled(fit(score.area.title(), width), title_style));
    let inner = block.inner(area);
    block.render(area, buf);

    let rows = Layout::vertical([Constraint::Length(1); 3]).split(inner);
    let (letter, points) = mark_text(&score.mark);
    if assessed {
        let cap = if score.capped { "  capped" } else { "" };
        put_line(
            buf,
            rows[0],
            &[
                (letter, theme.grade(score.mark.grade())),
                (format!("  {points}"), theme.text()),
                (cap.to_string(), theme.fg(theme.critical)),
            ],
        );
    } else {
        put_line(buf, rows[0], &[(format!("– {points}"), theme.grade(None))]);
    }
    put_line(
        buf,
        rows[1],
        &[(
            format!("coverage {:.0}%", score.coverage * 100.0),
            theme.muted(),
        )],
    );
    let counts = app.area_counts(score.area);
    let mut spans = Vec::new();
    for (severity, count) in Severity::DESCENDING.iter().zip(counts) {
        let letter = severity.key()[..1].to_ascii_uppercase();
        let style = if count > 0 {
            theme.severity(*severity)
        } else {
            theme.muted()
        };
        spans.push((format!("{letter}{count} "), style));
    }
    put_line(buf, rows[2], &spans);
    tile_costs(theme, score, inner, buf);
}

/// Under the counts, when the tile has room: what cost the most, or why there is no grade.
fn tile_costs(theme: &Theme, score: &AreaScore, inner: Rect, buf: &mut Buffer) {
    let Some(room) = inner.height.checked_sub(4).filter(|r| *r > 0) else {
        return;
    };
    let area = Rect::new(inner.x, inner.y + 4, inner.width, room);
    if let Mark::NotAssessed { reason } = &score.mark {
        Paragraph::new(reason.as_str())
            .style(theme.muted())
            .wrap(Wrap { trim: true })
            .render(area, buf);
        return;
    }
    for (cost, row) in score.costs.iter().zip(area.rows()) {
        put_line(
            buf,
            row,
            &[
                (format!("−{:.1} ", cost.points), theme.fg(theme.error)),
                (cost.check_id.clone(), theme.muted()),
            ],
        );
    }
}

fn sources(app: &App, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border(app.focus == Pane::Side))
        .title(Span::styled(" Sources ", theme.text()));
    let inner = block.inner(area);
    block.render(area, buf);
    if app.sources.is_empty() {
        put_line(
            buf,
            inner,
            &[("no source was read".to_string(), theme.muted())],
        );
    }
    let notes = app.report.skipped.iter().map(|skipped| {
        vec![
            ("skipped ".to_string(), theme.fg(theme.warn)),
            (
                clean(&format!("{}: {}", skipped.path, skipped.reason)),
                theme.muted(),
            ),
        ]
    });
    let warnings = app.report.warnings.iter().map(|warning| {
        vec![
            ("warning ".to_string(), theme.fg(theme.warn)),
            (clean(warning), theme.muted()),
        ]
    });
    let lines = app
        .sources
        .iter()
        .map(|line| source_line(line, theme))
        .chain(notes)
        .chain(warnings);
    for (line, row) in lines.zip(inner.rows()) {
        put_line(buf, row, &line);
    }
}

fn source_line(line: &SourceLine, theme: &Theme) -> Vec<(String, Style)> {
    match line {
        SourceLine::Collecting(kind, step) => vec![
            (format!("{:<7}", kind.key()), theme.text()),
            ("collecting… ".to_string(), theme.fg(theme.warn)),
            (
                step.as_deref().map(clean).unwrap_or_default(),
                theme.muted(),
            ),
        ],
        SourceLine::Done(record) => {
            let label = record.status.label();
            let detail = match &record.status {
                SourceStatus::Connected => format!("{} ({} ms)", record.target, record.elapsed_ms),
                SourceStatus::Partial { reason } => {
                    let denied: Vec<&str> = record.denied.keys().map(String::as_str).collect();
                    format!("{reason}; denied: {}", denied.join(", "))
                }
                SourceStatus::Unavailable { reason, fix } => format!("{reason} — {fix}"),
            };
            vec![
                (format!("{:<7}", record.kind.key()), theme.text()),
                (format!("{label:<12}"), theme.status(label)),
                (clean(&detail), theme.muted()),
            ]
        }
    }
}

fn findings(app: &App, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let layout = findings_layout(area);
    let current = app.current_area();
    let mark = app.report.scores.area(current).map(|s| mark_text(&s.mark));
    let (letter, points) = mark.unwrap_or_default();
    let title = format!("· {}  {letter} {points}", current.title());
    header(app, theme, layout.header, buf, title);
    filter_bar(app, theme, layout.filters, buf);
    table(app, theme, &layout, buf);
    preview(app, theme, layout.preview, buf);
    footer(
        app,
        theme,
        layout.footer,
        buf,
        "Enter detail · Esc back · / search · s o f S filter, sort · c group · ? help",
    );
}

fn filter_bar(app: &App, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let f = &app.filters;
    let severity = f
        .min_severity
        .map_or("all".to_string(), |s| format!("≥ {s}"));
    let source = f.source.map_or("all", |s| s.key());
    let query = if f.query.is_empty() {
        "–".to_string()
    } else {
        clean(&f.query)
    };
    let shown = app.area_total() - app.hidden;
    // Below 100 columns the labels shrink so that sorting and grouping stay visible.
    let wide = area.width >= 100;
    let label = |long: &'static str, short: &'static str| if wide { long } else { short };
    let status_style = if f.status == StatusFilter::Open {
        theme.muted()
    } else {
        theme.fg(theme.warn)
    };
    let spans = vec![
        (format!(" {shown} shown"), theme.text()),
        (format!(", {} hidden", app.hidden), hidden_style(app, theme)),
        (
            format!(" │ {} {query}", label("search", "/")),
            theme.muted(),
        ),
        (
            format!(" │ {} {severity}", label("severity", "sev")),
            theme.muted(),
        ),
        (
            format!(" │ {} {source}", label("source", "src")),
            theme.muted(),
        ),
        (
            format!(" │ {}{}", label("status ", ""), f.status.label()),
            status_style,
        ),
        (format!(" │ sort {}", f.sort.label()), theme.muted()),
        (
            format!(" │ {}", if f.grouped { "by check" } else { "flat" }),
            theme.muted(),
        ),
    ];
    put_line(buf, area, &spans);
}

fn hidden_style(app: &App, theme: &Theme) -> Style {
    if app.hidden > 0 {
        theme.fg(theme.warn)
    } else {
        theme.muted()
    }
}

/// Column widths: severity, id, title, resource, source.
fn columns(width: u16) -> [usize; 5] {
    let width = usize::from(width);
    let fixed = 9 + 9 + 7;
    let rest = width.saturating_sub(fixed + 2);
    let title = rest / 2;
    [9, 9, title, rest - title, 7]
}

fn table(app: &App, theme: &Theme, layout: &FindingsLayout, buf: &mut Buffer) {
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border(app.focus == Pane::Main))
        .title(Span::styled(" Findings ", theme.text()));
    block.render(layout.table, buf);
    let widths = columns(layout.table_rows.width);
    let head = ["SEVERITY", "ID", "TITLE", "RESOURCE", "SOURCE"];
    draw_cells(
        buf,
        layout.table_head,
        &widths,
        &head.map(|h| (h.to_string(), theme.muted())),
    );

    if app.rows.is_empty() {
        let text = if app.area_total() == 0 {
            "no findings in this area".to_string()
        } else {
            format!("no finding matches the filters ({} hidden)", app.hidden)
        };
        put_line(buf, layout.table_rows, &[(text, theme.muted())]);
        return;
    }
    let visible = app.rows.iter().enumerate().skip(app.offset);
    for ((index, row), line) in visible.zip(layout.table_rows.rows()) {
        let cells = row_cells(app, theme, *row);
        draw_cells(buf, line, &widths, &cells);
        if index == app.selected {
            buf.set_style(line, theme.selected());
        }
    }
}

fn row_cells(app: &App, theme: &Theme, row: Row) -> [(String, Style); 5] {
    let finding: &Finding = &app.findings[row.finding()];
    let title = app.check(row.finding()).map_or("", |c| c.title);
    let severity = (
        finding.severity.key().to_string(),
        theme.severity(finding.severity),
    );
    match row {
        Row::Group { count, .. } => [
            severity,
            (finding.check_id.clone(), theme.accent()),
            (title.to_string(), theme.text().add_modifier(Modifier::BOLD)),
            (format!("{count} affected"), theme.muted()),
            (String::new(), theme.muted()),
        ],
        Row::Finding(_) if app.filters.grouped => [
            (String::new(), theme.text()),
            (String::new(), theme.text()),
            (
                format!(
                    "└ {}{}",
                    if is_suppressed(finding) {
                        "suppressed · "
                    } else {
                        ""
                    },
                    clean(&finding.resource.display)
                ),
                theme.text(),
            ),
            (location(finding), theme.muted()),
            (finding.source.key().to_string(), theme.muted()),
        ],
        Row::Finding(_) if is_suppressed(finding) => [
            (severity.0, theme.muted()),
            (finding.check_id.clone(), theme.muted()),
            (format!("suppressed · {title}"), theme.muted()),
            (clean(&finding.resource.display), theme.muted()),
            (finding.source.key().to_string(), theme.muted()),
        ],
        Row::Finding(_) => [
            severity,
            (finding.check_id.clone(), theme.text()),
            (title.to_string(), theme.text()),
            (clean(&finding.resource.display), theme.text()),
            (finding.source.key().to_string(), theme.muted()),
        ],
    }
}

/// `path:line` of a finding, or nothing.
fn location(finding: &Finding) -> String {
    finding
        .location
        .as_ref()
        .map(|l| format!("{}:{}", clean(&l.path), l.line))
        .unwrap_or_default()
}

fn draw_cells(buf: &mut Buffer, line: Rect, widths: &[usize; 5], cells: &[(String, Style); 5]) {
    let mut x = line.x;
    for (width, (text, style)) in widths.iter().zip(cells) {
        let room = (*width).min(usize::from(line.right().saturating_sub(x)));
        if room == 0 {
            break;
        }
        // One column of air between cells, taken from the cell's own width.
        let shown = fit(text, room.saturating_sub(1));
        buf.set_stringn(x, line.y, &shown, room, *style);
        x = x.saturating_add(u16::try_from(*width).unwrap_or(u16::MAX));
    }
}

fn preview(app: &App, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border(app.focus == Pane::Side))
        .title(Span::styled(" Finding ", theme.text()));
    let Some(finding) = app.selected_finding().and_then(|i| app.findings.get(i)) else {
        block.render(area, buf);
        return;
    };
    let mut lines = vec![Line::styled(clean(&finding.message), theme.text())];
    if let Some(location) = &finding.location {
        let at = format!("at {}:{}", clean(&location.path), location.line);
        lines.push(Line::styled(at, theme.muted()));
    }
    if let Some(evidence) = &finding.evidence {
        lines.push(Line::styled(
            format!("│ {}", clean(evidence)),
            theme.muted(),
        ));
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(block)
        .render(area, buf);
}

fn detail(app: &App, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let [head, body, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    let Some(index) = app.detail else { return };
    let Some(check) = app.check(index) else {
        return;
    };
    let title = format!("· {} › {}", app.current_area().title(), check.id);
    header(app, theme, head, buf, title);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border(true))
        .title(Span::styled(format!(" {} ", check.title), theme.accent()));
    Paragraph::new(detail_lines(app, theme, index))
        .wrap(Wrap { trim: false })
        .scroll((app.scroll, 0))
        .block(block)
        .render(body, buf);
    footer(
        app,
        theme,
        foot,
        buf,
        "y copy snippet · ↑↓ scroll · Esc back · x grade · ? help · q quit",
    );
}

/// The detail text of a finding's check: why, this finding, every resource, the fix.
pub fn detail_lines(app: &App, theme: &Theme, index: usize) -> Vec<Line<'static>> {
    let Some(check) = app.check(index) else {
        return Vec::new();
    };
    let finding = &app.findings[index];
    let heading = |text: &str| Line::styled(text.to_string(), theme.accent());
    let mut lines = vec![Line::from(vec![
        Span::styled(
            finding.severity.key().to_uppercase(),
            theme.severity(finding.severity),
        ),
        Span::styled(
            format!("  {} · {}", check.id, check.area.title()),
            theme.muted(),
        ),
    ])];
    lines.push(Line::default());
    lines.push(heading("Why it matters"));
    lines.push(Line::styled(check.why.to_string(), theme.text()));
    lines.push(Line::default());

    lines.push(heading("This finding"));
    lines.push(Line::styled(clean(&finding.message), theme.text()));
    if let Some(evidence) = &finding.evidence {
        for line in evidence.lines() {
            lines.push(Line::styled(format!("  │ {}", clean(line)), theme.muted()));
        }
    }
    lines.push(Line::default());
    if let Some(note) = &finding.suppression {
        lines.extend(suppression_lines(note, theme));
    }

    let affected = app.affected(index);
    lines.push(heading(&format!("Affected resources ({})", affected.len())));
    for i in affected {
        lines.push(resource_line(&app.findings[i], i == index, theme));
    }
    lines.push(Line::default());

    lines.push(heading("Remediation"));
    lines.push(Line::styled(check.remediation.to_string(), theme.text()));
    lines.push(Line::styled(
        format!("{} — y copies it", check.snippet.language),
        theme.muted(),
    ));
    for line in highlight::highlight(check.snippet.language, check.snippet.code, theme) {
        let mut spans = vec![Span::styled("  ", theme.muted())];
        spans.extend(line.spans);
        lines.push(Line::from(spans));
    }
    lines.push(Line::default());
    lines.push(heading("References"));
    for reference in check.references {
        lines.push(Line::styled(format!("  {reference}"), theme.text()));
    }
    lines
}

/// Who accepted a suppressed finding, why and until when; or that the acceptance expired.
fn suppression_lines(note: &SuppressionNote, theme: &Theme) -> Vec<Line<'static>> {
    let until = note
        .expires
        .as_deref()
        .map(|d| format!(" until {d}"))
        .unwrap_or_default();
    let heading = if note.expired {
        Line::styled(format!("Suppression expired{until}"), theme.fg(theme.warn))
    } else {
        Line::styled(format!("Suppressed{until}"), theme.accent())
    };
    vec![
        heading,
        Line::styled(clean(&note.reason), theme.text()),
        Line::styled(format!("  from {}", clean(&note.origin)), theme.muted()),
        Line::default(),
    ]
}

fn resource_line(finding: &Finding, current: bool, theme: &Theme) -> Line<'static> {
    let marker = if current { "▸ " } else { "  " };
    let location = finding
        .location
        .as_ref()
        .map(|l| format!("  {}:{}", clean(&l.path), l.line))
        .unwrap_or_default();
    Line::from(vec![
        Span::styled(marker, theme.accent()),
        Span::styled(clean(&finding.resource.display), theme.text()),
        Span::styled(location, theme.muted()),
        Span::styled(format!("  [{}]", finding.source), theme.muted()),
        Span::styled(
            if is_suppressed(finding) {
                "  suppressed"
            } else {
                ""
            },
            theme.muted(),
        ),
    ])
}

/// A rectangle of at most `width`×`height` in the middle of `area`.
fn centred(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    )
}

fn overlay_block(theme: &Theme, title: String) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .border_style(theme.border(true))
        .title(Span::styled(title, theme.accent()))
        .title_bottom(Span::styled(" Esc closes ", theme.muted()))
}

fn help(app: &App, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let rect = centred(area, 72, HELP.len() as u16 + 2);
    let key_width = HELP
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    let lines: Vec<Line<'_>> = HELP
        .iter()
        .map(|(key, what)| {
            Line::from(vec![
                Span::styled(format!(" {key:<key_width$}"), theme.accent()),
                Span::styled(*what, theme.text()),
            ])
        })
        .collect();
    Clear.render(rect, buf);
    Paragraph::new(lines)
        .scroll((app.scroll, 0))
        .block(overlay_block(theme, " Keys ".to_string()))
        .render(rect, buf);
}

fn grade(app: &App, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let current = app.current_area();
    let Some(score) = app.report.scores.area(current) else {
        return;
    };
    let mut lines = Vec::new();
    let (letter, points) = mark_text(&score.mark);
    lines.push(Line::from(vec![
        Span::styled(format!(" {letter}"), theme.grade(score.mark.grade())),
        Span::styled(
            format!("  {points} · coverage {:.0}%", score.coverage * 100.0),
            theme.text(),
        ),
    ]));
    match &score.mark {
        Mark::NotAssessed { reason } => {
            lines.push(Line::styled(format!(" {reason}"), theme.muted()));
        }
        Mark::Graded { .. } if score.costs.is_empty() => {
            lines.push(Line::styled(" no check lost points", theme.muted()));
        }
        Mark::Graded { .. } => {
            lines.push(Line::styled(" What cost the most:", theme.muted()));
            for cost in &score.costs {
                let title = crate::checks::find(&cost.check_id).map_or("", |c| c.title);
                lines.push(Line::from(vec![
                    Span::styled(
                        format!(" {:>6}  ", format!("−{:.1}", cost.points)),
                        theme.fg(theme.error),
                    ),
                    Span::styled(format!("{:<8} ", cost.check_id), theme.accent()),
                    Span::styled(title, theme.text()),
                ]));
            }
        }
    }
    if score.capped {
        lines.push(Line::styled(
            " a failing critical check caps the grade at D",
            theme.fg(theme.critical),
        ));
    }
    let height = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let rect = centred(area, 76, height);
    Clear.render(rect, buf);
    Paragraph::new(lines)
        .scroll((app.scroll, 0))
        .block(overlay_block(theme, format!(" Why {} ", current.title())))
        .render(rect, buf);
}
