@task-06 @l7 @http2 @security @h2-stream-limits @round-robin
Feature: HTTP/2 clients that abuse streams
  An HTTP/2 listener tells each client how many streams it may have open at once
  (SETTINGS_MAX_CONCURRENT_STREAMS). Without a limit, one connection can hold any number of
  requests at the backends. A listener here must advertise one of at most 1000 (RFC 9113 6.5.2
  recommends no less than 100), and must answer no more streams at once than it advertised: the
  streams past it are refused (RST_STREAM, REFUSED_STREAM or PROTOCOL_ERROR), or the connection
  is closed (GOAWAY), as RFC 9113 5.1.2 allows.

  The client here writes frames by hand, as an attacker's would be.

  @h2-over-tls @tls-termination @id:h2-streams-past-limit-refused
  Scenario: Streams opened past the advertised limit are refused
    Given 1 HTTP backend
    And backend b1 delays its answers by 500 ms
    And a balancer with an HTTPS listener speaking HTTP/2 using round_robin over all backends
    When a client opens 50 more streams at once than the listener allows, on one connection
    Then no more streams were answered than the listener allows, the rest refused or the connection closed
    And backend b1 never had more requests in flight than 1 times the listener's stream limit

  @h2-over-tls @tls-termination @id:h2-rapid-reset-bounded
  Scenario: Streams reset as soon as opened do not pile up at the backends (rapid reset)
    The rapid reset attack (CVE-2023-44487) opens streams and resets each at once: the client's
    count of open streams stays low while the balancer may still be forwarding every one. Here the
    client opens a batch as large as the limit, waits until the balancer has taken it (forwarded to
    a backend or refused), resets it, and goes on, 1000 streams in all. However a balancer defends
    itself (counting a reset stream as open until its backend request is over, closing a connection
    that resets too many), the backends together must never have had more of its requests in flight
    than three times the listener's limit (the slack is for requests a balancer has let go that a
    backend has not yet seen end), and new connections must be served after it.

    Given 3 HTTP backends
    And every backend delays its answers by 500 ms
    And a balancer with an HTTPS listener speaking HTTP/2 using round_robin over all backends
    When a client opens and at once resets 1000 streams, on one connection
    Then the backends never had more requests in flight, together, than 3 times the listener's stream limit
    And a new HTTP/2 connection is served
