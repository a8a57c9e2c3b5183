//! The state of the interface and how actions change it, as plain functions.
//!
//! Nothing here draws or performs I/O: an [`Action`] goes in, the state changes, and an
//! [`Effect`] may come out for the event loop to carry out (quit, rescan, export, copy).

use std::path::PathBuf;

use crate::checks::{self, Check};
use crate::evidence::SourceRecord;
use crate::model::{Area, BaselineState, Finding, Severity, SourceKind};
use crate::report::Report;
use crate::sources::Progress;

use super::theme::Theme;

/// Tiles per row on the overview; arrows move by one, up and down by a row.
pub const TILE_COLUMNS: usize = 4;

/// Which screen is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Overview,
    Findings,
    Detail,
}

/// A window drawn over the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    /// Every key.
    Help,
    /// What cost the selected area its grade.
    Grade,
}

/// Which pane of a screen has the focus (Tab toggles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    /// Tiles, the findings table, or the detail text.
    Main,
    /// Source status lines, the finding preview, or the affected resources.
    Side,
}

/// How the findings table is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Severity,
    Check,
    Resource,
    Source,
}

impl SortKey {
    /// The word shown in the filter bar.
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Severity => "severity",
            SortKey::Check => "check",
            SortKey::Resource => "resource",
            SortKey::Source => "source",
        }
    }

    fn next(self) -> SortKey {
        match self {
            SortKey::Severity => SortKey::Check,
            SortKey::Check => SortKey::Resource,
            SortKey::Resource => SortKey::Source,
            SortKey::Source => SortKey::Severity,
        }
    }
}

/// Which findings the table lists, by their standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    /// Findings that count: not suppressed, or suppressed past their expiry.
    Open,
    /// Open findings the baseline did not hold (every open finding without a baseline).
    New,
    /// Findings a suppression accepts, with who accepted them and why.
    Suppressed,
    /// Open and suppressed together.
    All,
}

impl StatusFilter {
    /// The word shown in the filter bar.
    pub fn label(self) -> &'static str {
        match self {
            StatusFilter::Open => "open",
            StatusFilter::New => "new",
            StatusFilter::Suppressed => "suppressed",
            StatusFilter::All => "all",
        }
    }

    fn next(self) -> StatusFilter {
        match self {
            StatusFilter::Open => StatusFilter::New,
            StatusFilter::New => StatusFilter::Suppressed,
            StatusFilter::Suppressed => StatusFilter::All,
            StatusFilter::All => StatusFilter::Open,
        }
    }

    fn keeps(self, finding: &Finding) -> bool {
        let suppressed = is_suppressed(finding);
        match self {
            StatusFilter::Open => !suppressed,
            StatusFilter::New => {
                !suppressed && finding.baseline.is_none_or(|b| b == BaselineState::New)
            }
            StatusFilter::Suppressed => suppressed,
            StatusFilter::All => true,
        }
    }
}

/// Whether a suppression takes `finding` out of the score (an expired one does not).
pub fn is_suppressed(finding: &Finding) -> bool {
    finding.suppression.as_ref().is_some_and(|s| !s.expired)
}

/// What a person asked for, decoded from a key or mouse event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    Back,
    Enter,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Top,
    Bottom,
    NextPane,
    Help,
    ExplainGrade,
    Rescan,
    Export,
    Copy,
    NextTheme,
    CycleSeverity,
    CycleSource,
    CycleSort,
    CycleStatus,
    ToggleGroup,
    StartSearch,
    SearchChar(char),
    SearchBackspace,
    SearchConfirm,
    SearchCancel,
    ScrollUp,
    ScrollDown,
    Click { column: u16, row: u16 },
    Resize { width: u16, height: u16 },
}

/// Work for the event loop, which owns the terminal, the runtime and the file system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Quit,
    Rescan,
    Export,
    /// Put this text on the clipboard (OSC 52).
    Copy(String),
}

/// Filters and ordering of the findings table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filters {
    /// Only findings at or above this severity.
    pub min_severity: Option<Severity>,
    pub source: Option<SourceKind>,
    /// Open, new, suppressed or all findings.
    pub status: StatusFilter,
    pub sort: SortKey,
    /// Fuzzy search; every word must match as a subsequence.
    pub query: String,
    /// One row per check with its resources under it, instead of one per finding.
    pub grouped: bool,
}

impl Default for Filters {
    fn default() -> Self {
        Filters {
            min_severity: None,
            source: None,
            status: StatusFilter::Open,
            sort: SortKey::Severity,
            query: String::new(),
            grouped: false,
        }
    }
}

/// One row of the findings table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// A check heading in grouped mode, with how many of its findings are shown.
    Group { finding: usize, count: usize },
    /// A finding (indented under its check in grouped mode).
    Finding(usize),
}

impl Row {
    /// The finding the row stands for (a group stands for its first).
    pub fn finding(self) -> usize {
        match self {
            Row::Group { finding, .. } | Row::Finding(finding) => finding,
        }
    }
}

/// The state of one source's status line.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceLine {
    /// Collecting; the latest step, if any.
    Collecting(SourceKind, Option<String>),
    /// Finished with this record.
    Done(SourceRecord),
}

/// The whole state of the interface.
#[derive(Debug, Clone)]
pub struct App {
    pub report: Report,
    /// Every finding of the report at or above its display threshold, most severe first,
    /// then the suppressed ones, which the status filter shows on request.
    pub findings: Vec<Finding>,
    /// Lowercased `id title resource source` of each finding, for search.
    search_keys: Vec<String>,
    /// Indices into `findings`, per area in `Area::ALL` order.
    by_area: Vec<Vec<usize>>,
    /// Open findings per area (in `Area::ALL` order) by severity, most severe first.
    counts: Vec<[usize; 5]>,
    pub screen: Screen,
    pub overlay: Option<Overlay>,
    pub focus: Pane,
    /// Index into `Area::ALL`.
    pub area: usize,
    pub filters: Filters,
    /// The search being typed, while `/` is active.
    pub input: Option<String>,
    /// Rows of the findings table after filtering, sorting and grouping.
    pub rows: Vec<Row>,
    /// Findings of the area that the filters hide.
    pub hidden: usize,
    pub selected: usize,
    /// First visible row of the table.
    pub offset: usize,
    /// Finding whose detail is open.
    pub detail: Option<usize>,
    /// Lines scrolled in the detail view or the help overlay.
    pub scroll: u16,
    pub sources: Vec<SourceLine>,
    /// Whether a collection is running.
    pub collecting: bool,
    /// Whether `r` can collect again (not for a saved or bundled evidence file).
    pub can_rescan: bool,
    pub themes: Vec<Theme>,
    pub theme: usize,
    /// A one-line message in the footer: where the report went, a theme error.
    pub message: Option<String>,
    /// The terminal size, for paging and mouse hit-testing.
    pub size: (u16, u16),
    /// Where `e` writes the markdown report.
    pub export_path: PathBuf,
    /// The last filtering's area, filters and result, reused while a search only grows.
    narrowing: Option<(usize, Filters, Vec<usize>)>,
}

impl App {
    /// An interface over `report`, drawn with `theme` first.
    pub fn new(report: Report, theme: Theme) -> App {
        let no_colour = !theme.colour;
        let mut themes = vec![theme.clone()];
        for (name, _) in super::theme::BUILT_IN {
            if let Some(t) = Theme::builtin(name).filter(|t| t.name != theme.name) {
                themes.push(if no_colour { t.without_colour() } else { t });
            }
        }
        let mut app = App {
            report: report.clone(),
            findings: Vec::new(),
            search_keys: Vec::new(),
            by_area: Vec::new(),
            counts: Vec::new(),
            screen: Screen::Overview,
            overlay: None,
            focus: Pane::Main,
            area: 0,
            filters: Filters::default(),
            input: None,
            rows: Vec::new(),
            hidden: 0,
            selected: 0,
            offset: 0,
            detail: None,
            scroll: 0,
            sources: Vec::new(),
            collecting: false,
            can_rescan: false,
            themes,
            theme: 0,
            message: None,
            size: (80, 24),
            export_path: PathBuf::from("rampart-report.md"),
            narrowing: None,
        };
        app.set_report(report);
        app
    }

    /// The theme in use.
    pub fn theme(&self) -> &Theme {
        &self.themes[self.theme % self.themes.len()]
    }

    /// Replaces the report (after a collection), keeping the place where possible.
    pub fn set_report(&mut self, report: Report) {
        self.narrowing = None;
        let threshold = report.min_severity;
        let suppressed = report
            .suppressed_findings()
            .into_iter()
            .filter(|f| f.severity >= threshold);
        self.findings = report
            .findings()
            .into_iter()
            .chain(suppressed)
            .cloned()
            .collect();
        // A run asked for only what is new opens on the new findings.
        if report.only_new && self.filters.status == StatusFilter::Open {
            self.filters.status = StatusFilter::New;
        }
        let titles: std::collections::HashMap<&str, &str> =
            checks::CATALOGUE.iter().map(|c| (c.id, c.title)).collect();
        self.search_keys = self
            .findings
            .iter()
            .map(|f| search_key(f, titles.get(f.check_id.as_str()).copied().unwrap_or("")))
            .collect();
        self.by_area = vec![Vec::new(); Area::ALL.len()];
        self.counts = vec![[0; 5]; Area::ALL.len()];
        for (i, finding) in self.findings.iter().enumerate() {
            let area = Area::ALL
                .iter()
                .position(|a| *a == finding.area)
                .unwrap_or(0);
            let severity = Severity::DESCENDING
                .iter()
                .position(|s| *s == finding.severity);
            self.by_area[area].push(i);
            if !is_suppressed(finding) {
                self.counts[area][severity.unwrap_or(0)] += 1;
            }
        }
        self.sources = report
            .sources
            .iter()
            .cloned()
            .map(SourceLine::Done)
            .collect();
        self.report = report;
        self.refilter();
        if self.detail.is_some_and(|d| d >= self.findings.len()) {
            self.detail = None;
            self.screen = Screen::Findings;
        }
    }

    /// The area whose tile or findings are selected.
    pub fn current_area(&self) -> Area {
        Area::ALL[self.area % Area::ALL.len()]
    }

    /// Findings of an area, by severity (all of them, before the table's filters).
    pub fn area_counts(&self, area: Area) -> [usize; 5] {
        let index = Area::ALL.iter().position(|a| *a == area).unwrap_or(0);
        self.counts[index]
    }

    /// Number of findings in the current area, suppressed ones included.
    pub fn area_total(&self) -> usize {
        self.by_area[self.area].len()
    }

    /// The check of a finding.
    pub fn check(&self, finding: usize) -> Option<&'static Check> {
        checks::find(&self.findings.get(finding)?.check_id)
    }

    /// Every finding of the same check in the same area as `finding`, for the detail view.
    pub fn affected(&self, finding: usize) -> Vec<usize> {
        let Some(f) = self.findings.get(finding) else {
            return Vec::new();
        };
        self.by_area[self.area]
            .iter()
            .copied()
            .filter(|i| self.findings[*i].check_id == f.check_id)
            .collect()
    }

    /// Recomputes the table rows from the filters: the hot path of search.
    pub fn refilter(&mut self) {
        let terms: Vec<String> = self
            .filters
            .query
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        // A query that only grew (a key typed at its end) matches a subset of what the
        // shorter one matched, in the same order, so only that result is searched again.
        let narrowed = self.narrowing.as_ref().filter(|(area, filters, _)| {
            *area == self.area
                && !filters.query.is_empty()
                && self.filters.query.starts_with(&filters.query)
                && Filters {
                    query: self.filters.query.clone(),
                    ..filters.clone()
                } == self.filters
        });
        let shown: Vec<usize> = match narrowed {
            Some((_, _, previous)) => previous
                .iter()
                .copied()
                .filter(|i| self.keeps(*i, &terms))
                .collect(),
            None => {
                let mut all: Vec<usize> = self.by_area[self.area]
                    .iter()
                    .copied()
                    .filter(|i| self.keeps(*i, &terms))
                    .collect();
                self.sort(&mut all);
                all
            }
        };
        self.hidden = self.area_total() - shown.len();
        self.narrowing = Some((self.area, self.filters.clone(), shown.clone()));
        self.rows = if self.filters.grouped {
            group(&self.findings, &shown)
        } else {
            shown.into_iter().map(Row::Finding).collect()
        };
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        self.keep_selection_visible();
    }

    fn keeps(&self, index: usize, terms: &[String]) -> bool {
        let finding = &self.findings[index];
        self.filters
            .min_severity
            .is_none_or(|s| finding.severity >= s)
            && self.filters.source.is_none_or(|s| finding.source == s)
            && self.filters.status.keeps(finding)
            && terms.iter().all(|t| fuzzy(&self.search_keys[index], t))
    }

    fn sort(&self, shown: &mut [usize]) {
        let f = &self.findings;
        match self.filters.sort {
            // `findings` is already most severe first, then by check and resource.
            SortKey::Severity => {}
            SortKey::Check => shown.sort_by(|a, b| f[*a].check_id.cmp(&f[*b].check_id)),
            SortKey::Resource => {
                shown.sort_by(|a, b| f[*a].resource.display.cmp(&f[*b].resource.display));
            }
            SortKey::Source => shown.sort_by_key(|i| f[*i].source),
        }
    }

    /// Rows of the findings table that fit on screen.
    pub fn table_height(&self) -> usize {
        usize::from(
            super::view::findings_layout(self.area_rect())
                .table_rows
                .height,
        )
    }

    /// The whole terminal as a rectangle.
    pub fn area_rect(&self) -> ratatui::layout::Rect {
        ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1)
    }

    fn keep_selection_visible(&mut self) {
        let height = self.table_height().max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(self.rows.len().saturating_sub(1));
    }

    /// The finding under the table's selection.
    pub fn selected_finding(&self) -> Option<usize> {
        self.rows.get(self.selected).map(|r| r.finding())
    }

    /// Applies a progress event from the background collection.
    pub fn on_progress(&mut self, event: Progress) {
        let kind = match &event {
            Progress::Started(kind) | Progress::Step { source: kind, .. } => *kind,
            Progress::Finished(record) => record.kind,
        };
        let line = match event {
            Progress::Started(kind) => SourceLine::Collecting(kind, None),
            Progress::Step { source, message } => SourceLine::Collecting(source, Some(message)),
            Progress::Finished(record) => SourceLine::Done(record),
        };
        let slot = self.sources.iter_mut().find(|s| source_of(s) == kind);
        match slot {
            Some(slot) => *slot = line,
            None => self.sources.push(line),
        }
        self.sources.sort_by_key(source_of);
    }

    /// Marks the start of a collection: every requested source shows as waiting.
    pub fn start_collecting(&mut self, kinds: &[SourceKind]) {
        self.collecting = true;
        self.sources = kinds
            .iter()
            .map(|k| SourceLine::Collecting(*k, None))
            .collect();
    }

    /// Ends a collection with a new report, or with an error for the footer.
    pub fn finish_collecting(&mut self, result: Result<Report, String>) {
        self.collecting = false;
        match result {
            Ok(report) => self.set_report(report),
            Err(error) => self.message = Some(crate::sanitize::one_line(&error)),
        }
    }
}

/// The identity of a status line's source.
fn source_of(line: &SourceLine) -> SourceKind {
    match line {
        SourceLine::Collecting(kind, _) => *kind,
        SourceLine::Done(record) => record.kind,
    }
}

fn search_key(finding: &Finding, title: &str) -> String {
    format!(
        "{} {} {} {}",
        finding.check_id, title, finding.resource.display, finding.source
    )
    .to_lowercase()
}

/// Whether `needle` occurs in `haystack` (both lowercase) as a compact subsequence: its
/// characters in order, spread over at most twice its length plus two. Unbounded
/// subsequences match nearly every long line, which makes a search useless.
pub fn fuzzy(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() || haystack.contains(needle) {
        return true;
    }
    let hay = haystack.as_bytes();
    let pattern = needle.as_bytes();
    let span = pattern.len() * 2 + 2;
    let mut from = 0;
    while let Some(found) = hay[from..].iter().position(|b| *b == pattern[0]) {
        let start = from + found;
        let window = &hay[start..hay.len().min(start + span)];
        let mut rest = window.iter();
        if pattern.iter().all(|p| rest.any(|h| h == p)) {
            return true;
        }
        from = start + 1;
    }
    false
}

/// Groups shown findings by check, in order of each check's first appearance.
fn group(findings: &[Finding], shown: &[usize]) -> Vec<Row> {
    let mut order: Vec<&str> = Vec::new();
    let mut members: std::collections::HashMap<&str, Vec<usize>> = Default::default();
    for i in shown {
        let id = findings[*i].check_id.as_str();
        members.entry(id).or_insert_with(|| {
            order.push(id);
            Vec::new()
        });
        members.entry(id).or_default().push(*i);
    }
    let mut rows = Vec::with_capacity(shown.len() + order.len());
    for id in order {
        let list = members.remove(id).unwrap_or_default();
        rows.push(Row::Group {
            finding: list[0],
            count: list.len(),
        });
        rows.extend(list.into_iter().map(Row::Finding));
    }
    rows
}

/// Changes the state for one action; an effect may be left for the event loop.
pub fn update(app: &mut App, action: Action) -> Option<Effect> {
    if let Some(effect) = global(app, &action) {
        return effect;
    }
    if app.overlay.is_some() {
        return overlay(app, &action);
    }
    match app.screen {
        Screen::Overview => overview(app, &action),
        Screen::Findings => findings(app, &action),
        Screen::Detail => detail(app, &action),
    }
}

/// Actions that mean the same on every screen. `Some(effect)` when handled.
fn global(app: &mut App, action: &Action) -> Option<Option<Effect>> {
    Some(match action {
        Action::Quit => Some(Effect::Quit),
        Action::Resize { width, height } => {
            app.size = (*width, *height);
            app.keep_selection_visible();
            None
        }
        Action::Help => {
            app.overlay = (app.overlay != Some(Overlay::Help)).then_some(Overlay::Help);
            app.scroll = 0;
            None
        }
        Action::ExplainGrade => {
            app.overlay = (app.overlay != Some(Overlay::Grade)).then_some(Overlay::Grade);
            None
        }
        Action::NextTheme => {
            app.theme = (app.theme + 1) % app.themes.len();
            app.message = Some(format!("theme: {}", app.theme().name));
            None
        }
        Action::Rescan if app.collecting => {
            app.message = Some("a scan is already running".to_string());
            None
        }
        Action::Rescan if !app.can_rescan => {
            app.message = Some(
                "nothing to rescan: this evidence came from a file; run `rampart` without \
                 --evidence or --demo to collect"
                    .to_string(),
            );
            None
        }
        Action::Rescan => Some(Effect::Rescan),
        Action::Export => Some(Effect::Export),
        _ => return None,
    })
}

fn overlay(app: &mut App, action: &Action) -> Option<Effect> {
    match action {
        Action::Back | Action::Enter => app.overlay = None,
        Action::Down | Action::ScrollDown => app.scroll = app.scroll.saturating_add(1),
        Action::Up | Action::ScrollUp => app.scroll = app.scroll.saturating_sub(1),
        _ => {}
    }
    None
}

fn overview(app: &mut App, action: &Action) -> Option<Effect> {
    let last = Area::ALL.len() - 1;
    match action {
        Action::Right => app.area = (app.area + 1).min(last),
        Action::Left => app.area = app.area.saturating_sub(1),
        Action::Down | Action::ScrollDown => app.area = (app.area + TILE_COLUMNS).min(last),
        Action::Up | Action::ScrollUp => app.area = app.area.saturating_sub(TILE_COLUMNS),
        Action::Top => app.area = 0,
        Action::Bottom => app.area = last,
        Action::NextPane => app.focus = other(app.focus),
        Action::Enter => open_area(app),
        Action::Back => app.message = None,
        Action::Click { column, row } => {
            let tiles = super::view::overview_layout(app.area_rect()).tiles;
            if let Some(i) = tiles.iter().position(|t| contains(*t, *column, *row)) {
                app.area = i;
            }
        }
        _ => {}
    }
    None
}

fn open_area(app: &mut App) {
    app.screen = Screen::Findings;
    app.focus = Pane::Main;
    app.selected = 0;
    app.offset = 0;
    app.refilter();
}

fn other(pane: Pane) -> Pane {
    match pane {
        Pane::Main => Pane::Side,
        Pane::Side => Pane::Main,
    }
}

fn contains(rect: ratatui::layout::Rect, column: u16, row: u16) -> bool {
    column >= rect.x && column < rect.right() && row >= rect.y && row < rect.bottom()
}

fn findings(app: &mut App, action: &Action) -> Option<Effect> {
    if app.input.is_some() {
        search(app, action);
        return None;
    }
    let page = app.table_height().max(1);
    match action {
        Action::Down | Action::ScrollDown => move_selection(app, 1),
        Action::Up | Action::ScrollUp => move_selection(app, -1),
        Action::PageDown => move_selection(app, page as isize),
        Action::PageUp => move_selection(app, -(page as isize)),
        Action::Top => move_selection(app, isize::MIN / 2),
        Action::Bottom => move_selection(app, isize::MAX / 2),
        Action::Enter | Action::Right => open_detail(app),
        Action::Back | Action::Left => app.screen = Screen::Overview,
        Action::NextPane => app.focus = other(app.focus),
        Action::StartSearch => app.input = Some(app.filters.query.clone()),
        Action::CycleSeverity => change(app, |f| f.min_severity = next_severity(f.min_severity)),
        Action::CycleSource => change(app, |f| f.source = next_source(f.source)),
        Action::CycleSort => change(app, |f| f.sort = f.sort.next()),
        Action::CycleStatus => change(app, |f| f.status = f.status.next()),
        Action::ToggleGroup => change(app, |f| f.grouped = !f.grouped),
        Action::Copy => return copy(app, app.selected_finding()),
        Action::Click { column, row } => click_row(app, *column, *row),
        _ => {}
    }
    None
}

fn change(app: &mut App, edit: impl FnOnce(&mut Filters)) {
    edit(&mut app.filters);
    app.selected = 0;
    app.offset = 0;
    app.refilter();
}

fn search(app: &mut App, action: &Action) {
    let Some(input) = app.input.as_mut() else {
        return;
    };
    match action {
        Action::SearchChar(c) => input.push(*c),
        Action::SearchBackspace => {
            input.pop();
        }
        Action::SearchConfirm => app.input = None,
        Action::SearchCancel => {
            app.input = None;
            app.filters.query.clear();
        }
        _ => return,
    }
    // The table follows the typing, so the search is live.
    if let Some(text) = &app.input {
        app.filters.query.clone_from(text);
    }
    app.selected = 0;
    app.offset = 0;
    app.refilter();
}

fn move_selection(app: &mut App, by: isize) {
    if app.rows.is_empty() {
        return;
    }
    let last = app.rows.len() - 1;
    app.selected = app.selected.saturating_add_signed(by).min(last);
    app.keep_selection_visible();
}

fn click_row(app: &mut App, column: u16, row: u16) {
    let table = super::view::findings_layout(app.area_rect()).table_rows;
    if contains(table, column, row) {
        let index = app.offset + usize::from(row - table.y);
        if index < app.rows.len() {
            app.selected = index;
            app.focus = Pane::Main;
        }
    }
}

fn open_detail(app: &mut App) {
    if let Some(finding) = app.selected_finding() {
        app.detail = Some(finding);
        app.screen = Screen::Detail;
        app.scroll = 0;
    }
}

fn detail(app: &mut App, action: &Action) -> Option<Effect> {
    match action {
        Action::Down | Action::ScrollDown => app.scroll = app.scroll.saturating_add(1),
        Action::Up | Action::ScrollUp => app.scroll = app.scroll.saturating_sub(1),
        Action::PageDown => app.scroll = app.scroll.saturating_add(10),
        Action::PageUp => app.scroll = app.scroll.saturating_sub(10),
        Action::Top => app.scroll = 0,
        Action::Back | Action::Left => app.screen = Screen::Findings,
        Action::NextPane => app.focus = other(app.focus),
        Action::Copy => return copy(app, app.detail),
        _ => {}
    }
    None
}

fn copy(app: &mut App, finding: Option<usize>) -> Option<Effect> {
    let check = finding.and_then(|f| app.check(f))?;
    app.message = Some(format!(
        "copied the {} snippet of {} to the clipboard",
        check.snippet.language, check.id
    ));
    Some(Effect::Copy(check.snippet.code.to_string()))
}

fn next_severity(current: Option<Severity>) -> Option<Severity> {
    match current {
        None => Some(Severity::Low),
        Some(Severity::Info) => Some(Severity::Low),
        Some(Severity::Low) => Some(Severity::Medium),
        Some(Severity::Medium) => Some(Severity::High),
        Some(Severity::High) => Some(Severity::Critical),
        Some(Severity::Critical) => None,
    }
}

fn next_source(current: Option<SourceKind>) -> Option<SourceKind> {
    match current {
        None => Some(SourceKind::ALL[0]),
        Some(kind) => {
            let i = SourceKind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
            SourceKind::ALL.get(i + 1).copied()
        }
    }
}
