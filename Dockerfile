# syntax=docker/dockerfile:1
# Rampart's own image: a batch job that audits and exits, built in two stages.
#
#   docker build -t rampart:local .
#   docker run --rm --read-only -v "$PWD:/scan:ro" rampart:local /scan --json
#
# Base images are pinned by digest so a rebuild uses the bytes that were reviewed. The
# digests were copied from the images' registries when this file was written, but no
# registry is reachable from the machines this project is developed on, so before the
# first build refresh them with
#   docker buildx imagetools inspect rust:1.97.0-slim-bookworm
#   docker buildx imagetools inspect gcr.io/distroless/cc-debian12:nonroot
# and keep the tag next to the digest: the tag says what it is, the digest which bytes.

FROM rust:1.97.0-slim-bookworm@sha256:6d220bf85c74e842a79da63997af8d2e74455c0b8847d8bb3a5888572334991d AS build
WORKDIR /src
# rust-toolchain.toml is left out on purpose: it names `stable`, which would make rustup
# download whatever is newest instead of using the pinned image's compiler.
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY config ./config
COPY demo ./demo
COPY benches ./benches
RUN cargo build --release --locked --bin rampart \
    && strip target/release/rampart

# The runtime has no shell and no package manager: only glibc, CA certificates and the
# binary. `nonroot` is UID 65532.
FROM gcr.io/distroless/cc-debian12:nonroot@sha256:9dac0a79194e45a7da0158a9c6da57b217585af0786db3845d1f0ec1a0dd182f
COPY --from=build /src/target/release/rampart /usr/local/bin/rampart
USER 65532:65532
WORKDIR /scan
# No HEALTHCHECK: Rampart is not a service. It runs one audit and exits (a CronJob in
# deploy/), so there is nothing long-lived to probe; the exit code is its health.
# rampart:ignore CTR-003 a batch job that exits after one audit has no health to probe
HEALTHCHECK NONE
ENTRYPOINT ["/usr/local/bin/rampart"]
CMD ["--help"]
