# syntax=docker/dockerfile:1
# Build a static Kujdes binary, then ship it alone on a minimal non-root image.
FROM golang:1.26 AS build
ENV GOTOOLCHAIN=go1.26.11 CGO_ENABLED=0
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -trimpath -ldflags "-s -w" -o /out/kujdes ./cmd/kujdes

# Noto fonts for the route's scripts (Latin, Cyrillic, Arabic, Bengali, Ethiopic), for the
# documents Kujdes prints; distroless has no package manager, so they come from Debian.
FROM debian:12-slim AS fonts
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-core && rm -rf /var/lib/apt/lists/*

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=fonts /usr/share/fonts/truetype/noto /usr/share/fonts/truetype/noto
COPY --from=build /out/kujdes /kujdes
USER nonroot:nonroot
ENV KUJDES_ADDR=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["/kujdes"]
CMD ["serve"]
