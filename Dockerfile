# syntax=docker/dockerfile:1
# Build a static Kujdes binary, then ship it on a slim Debian image with Chromium, which
# prints the documents Kujdes makes (the child's rights sheet; package internal/pdf).
FROM golang:1.26 AS build
ENV GOTOOLCHAIN=go1.26.11 CGO_ENABLED=0
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -trimpath -ldflags "-s -w" -o /out/kujdes ./cmd/kujdes

# Chromium's print-to-PDF shapes Arabic script correctly (Go PDF libraries do not), so the
# runtime image carries Chromium and the Noto fonts for the route's scripts (Latin, Cyrillic,
# Arabic, Bengali, Ethiopic); without them Bengali prints as empty boxes. Distroless (the
# image before issue 10) cannot run Chromium. The user keeps distroless's nonroot id, 65532.
FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-noto-core ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 65532 nonroot \
 && useradd --system --uid 65532 --gid 65532 --create-home --home-dir /home/nonroot --shell /usr/sbin/nologin nonroot
COPY --from=build /out/kujdes /kujdes
USER nonroot:nonroot
# /usr/lib/chromium/chromium is the browser itself (/usr/bin/chromium is a shell wrapper).
ENV KUJDES_ADDR=0.0.0.0:8080 KUJDES_CHROMIUM=/usr/lib/chromium/chromium
EXPOSE 8080
ENTRYPOINT ["/kujdes"]
CMD ["serve"]
