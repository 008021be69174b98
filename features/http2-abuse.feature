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
