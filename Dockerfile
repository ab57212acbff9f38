FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked && cp target/release/cho-ocop /cho-ocop

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /cho-ocop /usr/local/bin/cho-ocop
EXPOSE 8080
ENTRYPOINT ["cho-ocop"]
CMD ["serve"]
