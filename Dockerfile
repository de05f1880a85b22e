# dealbot container image: build in the Rust image, run from a small distroless one.
#
#   docker build -t dealbot .
#   docker run --rm -p 8080:8080 -e DEALBOT_SLACK__BOT_TOKEN=… -e DEALBOT_SLACK__SIGNING_SECRET=… dealbot
#
# The data (seeds/, intents/) is built into the binary; mount a directory and set
# DEALBOT_DATA_DIR to serve edited data (SIGHUP reloads it: `docker kill -s HUP <container>`).
# Configuration is by environment variable (docs/configuration.md) or a file mounted at
# /etc/dealbot/dealbot.toml and passed with `serve --config /etc/dealbot/dealbot.toml`.

# ---- build -------------------------------------------------------------------------------
FROM rust:1-bookworm AS build
WORKDIR /src
# Dependencies first, so that a source change does not rebuild them: a dummy crate with the
# real manifest and lock file.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src benches tests/integration \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs benches/engine.rs benches/store.rs tests/integration/main.rs \
    && cargo build --release --locked \
    && rm -rf src benches tests
COPY . .
# `touch` so cargo rebuilds the crate itself over the dummy one.
RUN touch src/main.rs src/lib.rs \
    && cargo build --release --locked \
    && ./target/release/dealbot check \
    && mkdir -p /out/var/lib/dealbot

# ---- run ---------------------------------------------------------------------------------
# glibc, libgcc and CA certificates (for calls to Slack and Discord), no shell, no package
# manager; runs as uid 65532 ("nonroot").
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/dealbot /usr/local/bin/dealbot
COPY LICENSE-MIT LICENSE-APACHE /usr/share/doc/dealbot/
# The store's SQLite file (answers asked, feedback, conversations): mount a volume here to keep
# it across containers, or set DEALBOT_STORE__URL=postgres://… to share one between replicas.
COPY --from=build --chown=nonroot:nonroot /out/var/lib/dealbot /var/lib/dealbot
VOLUME /var/lib/dealbot
WORKDIR /var/lib/dealbot
USER nonroot:nonroot
ENV DEALBOT_HTTP__LISTEN=0.0.0.0:8080 \
    DEALBOT_LOG__FORMAT=json \
    DEALBOT_STORE__URL=sqlite:///var/lib/dealbot/dealbot.db
EXPOSE 8080
# `dealbot healthcheck` GETs /healthz on http.listen (loopback when it listens on 0.0.0.0).
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/dealbot", "healthcheck"]
# SIGTERM (docker stop) shuts down gracefully within http.shutdown_grace_secs (default 10 s).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/dealbot"]
CMD ["serve"]
