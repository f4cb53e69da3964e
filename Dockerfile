# syntax=docker/dockerfile:1
# green-impact: build with the Rust toolchain, run on slim Debian as a non-root user.
#
#   docker build -t green-impact .
#   docker run --rm -p 50051:50051 \
#     -v "$PWD/secrets:/etc/green-impact:ro" green-impact \
#     --tokens /etc/green-impact/tokens.json --key /etc/green-impact/service.key \
#     --database-url postgres://green_impact@db:5432/green_impact
#
# The image serves on 0.0.0.0:50051, which the server refuses without --tokens (local mode has
# no authentication): give a tokens file, mounted from a secret, as above.

# The toolchain's Debian release matches the runtime's, so the binary finds the same glibc.
# 1.88 is the crate's rust-version; any later 1.x builds it. Pin a version for reproducible
# images (e.g. --build-arg RUST_VERSION=1.95).
ARG RUST_VERSION=1
FROM rust:${RUST_VERSION}-bookworm AS build
WORKDIR /src
# What the build reads: the manifest and lock file, build.rs and the protos it compiles, the
# sources, data/ (factor set, eligibility rules and LPR table, compiled in with include_str!),
# benches/ and examples/ (named by Cargo.toml and by unit tests). No protoc: build.rs uses protox.
COPY Cargo.toml Cargo.lock build.rs ./
COPY proto proto
COPY src src
COPY data data
COPY benches benches
COPY examples examples
# --locked: exactly the dependency versions in Cargo.lock, or fail. The cache mounts keep the
# registry and the build directory between builds, so a source change does not rebuild every
# dependency; the binary is copied out because a cache mount is not part of the image.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin green-impact \
    && install -D -m 0755 target/release/green-impact /out/green-impact

FROM debian:bookworm-slim
# Nothing to install: SQLite is compiled in, and so are the factor set, the eligibility rules
# and the LPR table; the server makes no outbound TLS connection.
# A fixed UID and GID, so that volume ownership and Kubernetes' runAsUser / fsGroup can name it.
RUN groupadd --system --gid 10001 green-impact \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/green-impact \
       --shell /usr/sbin/nologin green-impact \
    && install -d -o 10001 -g 10001 -m 0700 /var/lib/green-impact
COPY --from=build /out/green-impact /usr/local/bin/green-impact
USER 10001:10001
WORKDIR /var/lib/green-impact
# The data directory holds the SQLite store (and the key, unless --key names another file) when
# no --database-url is given: a volume, or records are lost with the container.
VOLUME ["/var/lib/green-impact"]
# 50051: gRPC (ImpactService, grpc.health.v1, reflection). 9464: Prometheus metrics, served only
# when --metrics-addr is given (e.g. --metrics-addr 0.0.0.0:9464); unauthenticated, so keep it
# off public networks.
EXPOSE 50051 9464
# The server stops on SIGTERM (docker stop, Kubernetes) after draining the calls in flight.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/green-impact", "serve", "--addr", "0.0.0.0:50051", "--data-dir", "/var/lib/green-impact"]
# Arguments after the image name are appended, e.g. --tokens FILE --key FILE --database-url URL.
CMD []
