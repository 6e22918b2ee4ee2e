# kambot: a static binary (musl, cgo for SQLite) on a small non-root image.
#   docker build -t kambot .
#   docker run -e SLACK_BOT_TOKEN=… -e SLACK_APP_TOKEN=… -e KAMBOT_DB=postgres://… kambot
FROM golang:1.26-alpine AS build
RUN apk add --no-cache gcc musl-dev
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Static even with cgo: musl links in whole; SQLite needs no extension
# loading, netgo and osusergo keep the resolver and user lookup in Go.
RUN CGO_ENABLED=1 go build -trimpath \
      -tags 'netgo osusergo sqlite_omit_load_extension' \
      -ldflags '-s -w -linkmode external -extldflags "-static"' \
      -o /out/kambot ./cmd/kambot

FROM alpine:3.22
# wget (busybox) is what the health check needs; nothing else is added.
RUN adduser -D -H -u 10001 kambot && mkdir /data && chown kambot /data
COPY --from=build /out/kambot /usr/local/bin/kambot
USER kambot
WORKDIR /data
ENV KAMBOT_ADDR=:3000 KAMBOT_DB=/data/kambot.db
EXPOSE 3000
# Ready means a write to the database commits (see /readyz in README).
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD wget -q -O /dev/null http://127.0.0.1:3000/readyz || exit 1
ENTRYPOINT ["kambot"]
CMD ["serve"]
