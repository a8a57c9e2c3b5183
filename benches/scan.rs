//! Benchmarks of the files source and of evaluation, over the synthetic tree of the
//! performance budget. Figures are recorded in `docs/performance.md`.

mod tree;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rampart::evidence::Evidence;
use rampart::report::{EvaluationSettings, Report};
use rampart::sources::files::{self, FilesOptions};

fn budget_tree(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary directory");
    tree::write_tree(dir.path(), tree::BUDGET_TREE).expect("synthetic tree");
    let options = FilesOptions::default();

    c.bench_function("collect 900-file tree", |b| {
        b.iter(|| files::collect(black_box(dir.path()), &options).expect("collect"));
    });

    let (files, record) = files::collect(dir.path(), &options).expect("collect");
    let mut evidence = Evidence::new(time::OffsetDateTime::UNIX_EPOCH);
    evidence.files = Some(files);
    evidence.sources.push(record);
    let settings = EvaluationSettings::default();
    c.bench_function("evaluate and grade 900-file tree", |b| {
        b.iter(|| Report::evaluate(black_box(&evidence), &settings));
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = budget_tree
}
criterion_main!(benches);
