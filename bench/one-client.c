// One keep-alive HTTP/1.1 client, closed loop: write a request, block until its whole response is
// read, take the time, repeat. It measures the one-client rows of the keys benchmark instead of
// wrk, whose per-request latencies at one connection do not agree with its own socket calls on
// the 2-core benchmark machine (see bench/one-client.ts and the README's Benchmarks section).
//
// Usage: one-client HOST PORT OP KEYS VALUE_BYTES WARMUP_MS WINDOW_MS
//   OP: put | get | qget (a GET with ?quorum=true). Keys are /v2/keys/bench/k<n>, walked as the
//   wrk script walks them. Prints "requests N", "errors N", "window_us N", "latency_sum_us N" and
//   1000 quantile lines "Q i latency_us", the same shape as the wrk script's output.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define QUANTILES 1000
#define SAMPLES_MAX (4 << 20)

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

static int dial(const char *host, const char *port) {
  struct addrinfo hints = {0}, *res;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(host, port, &hints, &res) != 0) return -1;
  int fd = socket(res->ai_family, SOCK_STREAM, 0);
  if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
    freeaddrinfo(res);
    return -1;
  }
  freeaddrinfo(res);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

static char buf[1 << 20];

// Reads one response; returns its status code, or -1 when the connection failed or the response
// is not one this client understands (no Content-Length and not chunked).
static int read_response(int fd) {
  size_t got = 0, head = 0;
  long body = -1;
  int chunked = 0;
  for (;;) {
    if (got == sizeof buf - 1) return -1;
    ssize_t n = read(fd, buf + got, sizeof buf - 1 - got);
    if (n <= 0) return -1;
    got += (size_t)n;
    buf[got] = 0;
    if (head == 0) {
      char *end = strstr(buf, "\r\n\r\n");
      if (end == NULL) continue;
      head = (size_t)(end + 4 - buf);
      char *cl = strcasestr(buf, "\r\ncontent-length:");
      if (cl != NULL && cl < end) body = atol(cl + 17);
      char *te = strcasestr(buf, "\r\ntransfer-encoding: chunked");
      if (te != NULL && te < end) chunked = 1;
      if (body < 0 && !chunked) return -1;
    }
    if (body >= 0 && got >= head + (size_t)body) break;
    // A chunked body ends with the zero-size chunk; the benchmark's bodies never contain it.
    if (chunked && got >= head + 5 && memcmp(buf + got - 5, "0\r\n\r\n", 5) == 0) break;
  }
  return atoi(buf + 9);
}

int main(int argc, char **argv) {
  if (argc != 8) {
    fprintf(stderr, "usage: %s HOST PORT put|get|qget KEYS VALUE_BYTES WARMUP_MS WINDOW_MS\n", argv[0]);
    return 2;
  }
  const char *host = argv[1], *port = argv[2], *op = argv[3];
  long keys = atol(argv[4]), value_bytes = atol(argv[5]);
  int64_t warmup_ns = atoll(argv[6]) * 1000000, window_ns = atoll(argv[7]) * 1000000;
  int put = strcmp(op, "put") == 0, quorum = strcmp(op, "qget") == 0;
  if (keys <= 0 || value_bytes < 0 || value_bytes > 65536 || (!put && !quorum && strcmp(op, "get") != 0)) {
    fprintf(stderr, "one-client: bad arguments\n");
    return 2;
  }
  int fd = dial(host, port);
  if (fd < 0) {
    fprintf(stderr, "one-client: cannot connect to %s:%s\n", host, port);
    return 1;
  }
  char *body = malloc((size_t)value_bytes + 8);
  memcpy(body, "value=", 6);
  memset(body + 6, 'v', (size_t)value_bytes);
  body[6 + value_bytes] = 0;
  int64_t *samples = malloc(sizeof(int64_t) * SAMPLES_MAX);
  static char req[70000];
  long n = 0, recorded = 0, errors = 0;
  int64_t start = now_ns(), from = start + warmup_ns, until = from + window_ns;
  for (int64_t t = start; t < until; n++) {
    long k = (long)(((n + 1) * 104729LL) % keys);
    int len = put ? snprintf(req, sizeof req,
                             "PUT /v2/keys/bench/k%ld HTTP/1.1\r\nHost: %s:%s\r\n"
                             "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %ld\r\n\r\n%s",
                             k, host, port, value_bytes + 6, body)
                  : snprintf(req, sizeof req, "GET /v2/keys/bench/k%ld%s HTTP/1.1\r\nHost: %s:%s\r\n\r\n", k,
                             quorum ? "?quorum=true" : "", host, port);
    int64_t sent = now_ns();
    for (int off = 0; off < len;) {
      ssize_t w = write(fd, req + off, (size_t)(len - off));
      if (w <= 0) {
        fprintf(stderr, "one-client: write failed\n");
        return 1;
      }
      off += (int)w;
    }
    int status = read_response(fd);
    t = now_ns();
    if (status < 0) {
      fprintf(stderr, "one-client: connection failed or response not understood\n");
      return 1;
    }
    if (sent < from || t > until) continue;
    if (status >= 400) errors++;
    else if (recorded < SAMPLES_MAX) samples[recorded++] = t - sent;
  }
  qsort(samples, (size_t)recorded, sizeof samples[0], cmp_i64);
  int64_t sum_ns = 0;
  for (long i = 0; i < recorded; i++) sum_ns += samples[i];
  printf("requests %ld\nerrors %ld\nwindow_us %lld\nlatency_sum_us %lld\n", recorded, errors, (long long)(window_ns / 1000),
         (long long)(sum_ns / 1000));
  for (int i = 1; i <= QUANTILES && recorded > 0; i++) {
    long at = (long)((double)i / QUANTILES * (double)recorded + 0.5) - 1;
    if (at < 0) at = 0;
    if (at >= recorded) at = recorded - 1;
    printf("Q %d %lld\n", i, (long long)(samples[at] / 1000));
  }
  return 0;
}
